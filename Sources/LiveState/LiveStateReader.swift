import NGCPClient
import NGCPCore
import Synchronization

/// Limits a live-state read to part of the target, using server-side filters.
public struct LiveStateScope: Sendable, Hashable {
    /// Customer `external_id`s, each with `*` as a wildcard as NGCP's filter allows. When not
    /// empty, only these customers, their contacts and their subscribers are read.
    public var customerExternalIDs: [String]
    /// A reseller `name` (wildcards allowed). Only that reseller's billing profiles, domains,
    /// contacts, customers and subscribers are read.
    public var resellerName: String?

    public init(
        customerExternalID: String? = nil, customerExternalIDs: [String] = [],
        resellerName: String? = nil
    ) {
        self.customerExternalIDs = customerExternalIDs + (customerExternalID.map { [$0] } ?? [])
        self.resellerName = resellerName
    }

    /// Whether the read is limited to some customers.
    public var limitsCustomers: Bool { !customerExternalIDs.isEmpty }

    public static let everything = LiveStateScope()
}

/// A scope that names a reseller the target does not have.
public struct LiveStateError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }

    static func itemWithoutID(_ collection: String, position: Int) -> LiveStateError {
        LiveStateError(
            message: "item \(position) of /api/\(collection)/ has no integer id, and objects are "
                + "paired and changed by id, so nothing is planned; check that the API user "
                + "may read the ids, and what the target returns for that collection")
    }

    static func resellerNotFound(_ name: String) -> LiveStateError {
        LiveStateError(
            message: "no reseller matches the name '\(name)': check the reseller scope, or list "
                + "the target's resellers with GET /api/resellers/")
    }
}

/// Reads the objects that ngcpctl manages from a live NGCP into a `LiveState`.
///
/// The read runs in two steps. `read()` fetches the collections (resellers, billing profiles,
/// domains, contacts, customers of every status, subscribers and the preference definitions).
/// Then, once the caller knows which subscribers' call forwards and preferences are managed,
/// `readSubscriberBlocks` fetches exactly those.
public struct LiveStateReader: Sendable {
    public let client: NGCPAPIClient
    public var scope: LiveStateScope
    /// Items per collection page. Every item costs the real server about 45 ms to render, on
    /// top of about 0.55 s per request for the password check.
    public var rows: Int
    /// The maximum number of single-object reads in flight at once.
    public var itemConcurrency: Int
    public let logger: Logger
    /// Block collections read ahead by `read(expecting:)`, shared by copies of the reader.
    private let prefetched = SharedBlocks()

    public init(
        client: NGCPAPIClient, scope: LiveStateScope = .everything, rows: Int = 25,
        itemConcurrency: Int = 3, logger: Logger = .disabled
    ) {
        self.client = client
        self.scope = scope
        self.rows = max(1, rows)
        self.itemConcurrency = max(1, itemConcurrency)
        self.logger = logger
    }

    // MARK: Collections

    /// Reads every managed collection within the scope, each in ascending id order.
    ///
    /// `demand` counts the subscribers whose call forwards and preferences the manifests
    /// declare. When reading a whole block collection is cheaper than reading that many
    /// blocks one by one, the collection is read now, in parallel with the others, and
    /// `readSubscriberBlocks` later keeps the wanted blocks from it.
    public func read(expecting demand: BlockDemand = BlockDemand()) async throws -> LiveState {
        try await read(expectingAfter: { demand })
    }

    /// Reads like `read(expecting:)` with a demand that is known later, for example once the
    /// manifests are loaded. The collections are read meanwhile; only the read-ahead of the
    /// block collections waits for `demand`, and an error it throws ends the read.
    public func read(expectingAfter demand: @escaping @Sendable () async throws -> BlockDemand)
        async throws -> LiveState
    {
        try await read(expectingAfter: demand, alongsideBlocks: { _ in () }).state
    }

    /// Reads like `read(expectingAfter:)` and runs `work` on the collections as soon as they
    /// are read, while the read-ahead of the block collections may still be going on.
    public func read<Result: Sendable>(
        expectingAfter demand: @escaping @Sendable () async throws -> BlockDemand,
        alongsideBlocks work: @escaping @Sendable (LiveState) async -> Result
    ) async throws -> (state: LiveState, result: Result) {
        async let forwardCollection = prefetchBlocks(
            "callforwards", demand: { try await demand().forwards })
        async let preferenceCollection = prefetchBlocks(
            "subscriberpreferences", demand: { try await demand().preferences })
        let state = try await readCollections()
        async let result = work(state)
        let forwards = try await forwardCollection
        let preferences = try await preferenceCollection
        prefetched.withLock { store in
            store.forwards = forwards ?? [:]
            store.preferences = preferences ?? [:]
        }
        return (state, await result)
    }

    /// The whole block collection when the cost model prefers it for `demand` blocks, else nil.
    private func prefetchBlocks(
        _ collection: String, demand: @Sendable () async throws -> Int
    ) async throws -> [Int: JSONMembers]? {
        let demand = try await demand()
        guard demand >= BlockReadStrategy.probeThreshold else { return nil }
        let total = try await client.count(collection)
        guard BlockReadStrategy.choose(requested: demand, total: total, rows: rows) == .collection
        else { return nil }
        // The blocks of every subscriber are kept until the managed ones are known, as member
        // lists: only the managed ones become dictionaries.
        var blocks: [Int: JSONMembers] = [:]
        blocks.reserveCapacity(total)
        // The read-ahead gives way to the other collections, so that they are complete, and
        // planning from them can start, while the blocks still arrive.
        let items = try await NGCPAPIClient.$priority.withValue(.low) {
            try await client.list(collection, rows: rows) { item in
                (Self.subscriberID(ofBlock: item), Self.sharingEmptyForwards(Self.members(item)))
            }
        }
        for case (let id?, let members) in items {
            blocks[id] = members
        }
        return blocks
    }

    /// The call forwards of a subscriber without any forward.
    private static let emptyForwards = JSONMembers([
        "cfb": [:], "cfna": [:], "cfo": [:], "cfr": [:], "cfs": [:], "cft": [:], "cfu": [:],
    ])

    /// Returns `block`, or the one shared copy of it when it has no forward at all. Most
    /// subscribers have no forward.
    private static func sharingEmptyForwards(_ block: JSONMembers) -> JSONMembers {
        block == emptyForwards ? emptyForwards : block
    }

    private func readCollections() async throws -> LiveState {
        let resellers = try await Self.listObjects(
            client, "resellers", filters: scope.resellerName.map { ["name": $0] } ?? [:],
            rows: rows)
        let resellerIDs = try scopedResellerIDs(resellers)

        // These four do not depend on each other; the session bounds the requests in flight.
        async let billingProfiles = listObjects("billingprofiles", resellerIDs: resellerIDs)
        async let domains = listObjects("domains", resellerIDs: resellerIDs)
        async let customers = readCustomers(resellerIDs: resellerIDs)
        async let definitions = readPreferenceDefinitions()

        // Without a customer scope, contacts and subscribers are whole collections and need
        // not wait for the customers.
        let unscoped = !scope.limitsCustomers
        async let contactCollection =
            unscoped
            ? listObjects("customercontacts", resellerIDs: resellerIDs) : []
        async let subscriberCollection =
            unscoped
            ? listSubscribers(resellerIDs: resellerIDs) : []

        var customerObjects = try await customers
        let profileObjects = try await billingProfiles
        if resellerIDs != nil {
            // A customer belongs to the reseller of its billing profile; with several
            // resellers in scope the server did not filter the customers.
            let profileIDs = Set(profileObjects.map(\.id))
            customerObjects = customerObjects.filter {
                profileIDs.contains($0["billing_profile_id"]?.intValue ?? -1)
            }
        }
        let scopedCustomers = customerObjects
        async let scopedContacts =
            unscoped
            ? [] : readContacts(for: scopedCustomers, resellerIDs: resellerIDs)
        async let scopedSubscribers =
            unscoped
            ? [] : readSubscribers(for: scopedCustomers, resellerIDs: resellerIDs)
        let contacts = unscoped ? try await contactCollection : try await scopedContacts
        var subscribers = unscoped ? try await subscriberCollection : try await scopedSubscribers
        if unscoped, resellerIDs != nil {
            let customerIDs = Set(scopedCustomers.map(\.id))
            subscribers = subscribers.filter {
                customerIDs.contains($0["customer_id"]?.intValue ?? -1)
            }
        }

        let state = LiveState(
            resellers: resellers,
            billingProfiles: profileObjects,
            domains: try await domains,
            contacts: contacts,
            customers: scopedCustomers,
            subscribers: subscribers,
            preferenceDefinitions: try await definitions)
        logger.info(
            "live state read",
            [
                "resellers": "\(state.resellers.count)", "domains": "\(state.domains.count)",
                "contacts": "\(state.contacts.count)", "customers": "\(state.customers.count)",
                "subscribers": "\(state.subscribers.count)",
            ])
        return state
    }

    /// The reseller ids that restrict the other reads, or nil when the scope has no reseller.
    private func scopedResellerIDs(_ resellers: [LiveObject]) throws -> Set<Int>? {
        guard let name = scope.resellerName else { return nil }
        guard !resellers.isEmpty else { throw LiveStateError.resellerNotFound(name) }
        return Set(resellers.map(\.id))
    }

    /// Lists a collection whose items carry `reseller_id`. With one reseller in scope the
    /// server filters; the result is also filtered here, so a filter the server ignores cannot
    /// widen the scope.
    private func listObjects(_ collection: String, resellerIDs: Set<Int>?) async throws
        -> [LiveObject]
    {
        var filters: [String: String] = [:]
        if let resellerIDs, resellerIDs.count == 1, let only = resellerIDs.first {
            filters["reseller_id"] = "\(only)"
        }
        let objects = try await Self.listObjects(
            client, collection, filters: filters, rows: rows)
        guard let resellerIDs else { return objects }
        return objects.filter { object in
            guard let reseller = object["reseller_id"]?.intValue else { return true }
            return resellerIDs.contains(reseller)
        }
    }

    /// Customers of every status: terminated customers stay listed by NGCP, and the planner
    /// needs them to tell "terminated" from "never created".
    private func readCustomers(resellerIDs: Set<Int>?) async throws -> [LiveObject] {
        var filters: [String: String] = [:]
        if let resellerIDs, resellerIDs.count == 1, let only = resellerIDs.first {
            filters["reseller_id"] = "\(only)"
        }
        guard scope.limitsCustomers else {
            return try await Self.listObjects(
                client, "customers", filters: filters, rows: rows)
        }

        // One filtered read per name; two patterns may match the same customer.
        let client = self.client
        let rows = self.rows
        let shared = filters
        let lists = try await concurrentMap(
            scope.customerExternalIDs, maxConcurrent: itemConcurrency
        ) { pattern in
            var named = shared
            named["external_id"] = pattern
            return try await Self.listObjects(client, "customers", filters: named, rows: rows)
        }
        var byID: [Int: LiveObject] = [:]
        for object in lists.joined() { byID[object.id] = object }
        return byID.values.sorted { $0.id < $1.id }
    }

    /// Contacts of the customers read. With a customer scope, each referenced contact is read
    /// by id while that is cheaper than listing them all; otherwise the collection is listed.
    private func readContacts(for customers: [LiveObject], resellerIDs: Set<Int>?) async throws
        -> [LiveObject]
    {
        let contactIDs = Set(customers.compactMap { $0["contact_id"]?.intValue }).sorted()

        // Many referenced contacts may be cheaper to list than to read one by one.
        var perItem = scope.limitsCustomers
        if perItem, contactIDs.count >= BlockReadStrategy.probeThreshold {
            let total = try await client.count("customercontacts")
            perItem =
                BlockReadStrategy.choose(requested: contactIDs.count, total: total, rows: rows)
                == .perItem
        }
        guard perItem else {
            let listed = try await listObjects("customercontacts", resellerIDs: resellerIDs)
            guard scope.limitsCustomers else { return listed }
            let wanted = Set(contactIDs)
            return listed.filter { wanted.contains($0.id) }
        }

        let client = self.client
        let contacts = try await concurrentMap(contactIDs, maxConcurrent: itemConcurrency) {
            id -> LiveObject? in
            do {
                return Self.liveObject(try await client.get("/api/customercontacts/\(id)"))
            } catch let error as NGCPAPIError where error.isNotFound {
                // The contact of a terminated customer may be terminated as well, and
                // terminated contacts are hidden.
                return nil
            }
        }
        return contacts.compactMap { $0 }.sorted { $0.id < $1.id }
    }

    /// Subscribers of the customers read. Terminated subscribers are not listed by NGCP.
    private func readSubscribers(for customers: [LiveObject], resellerIDs: Set<Int>?)
        async throws -> [LiveObject]
    {
        let customerIDs = Set(customers.map(\.id))

        // Customers that can still have subscribers: NGCP terminates a terminated customer's
        // subscribers and stops listing them.
        let active = customers.filter { $0["status"]?.stringValue != "terminated" }
            .map(\.id).sorted()

        // One filtered list per customer costs a request each. Past a few customers, the
        // whole collection may be cheaper; the same cost model as for call forwards decides.
        var perCustomer = scope.limitsCustomers
        if perCustomer, active.count >= BlockReadStrategy.probeThreshold {
            let total = try await client.count("subscribers")
            perCustomer =
                BlockReadStrategy.choose(requested: active.count, total: total, rows: rows)
                == .perItem
        }

        guard perCustomer else {
            return try await listSubscribers(resellerIDs: resellerIDs)
                .filter { customerIDs.contains($0["customer_id"]?.intValue ?? -1) }
        }

        let client = self.client
        let rows = self.rows
        let lists = try await concurrentMap(active, maxConcurrent: itemConcurrency) { id in
            try await Self.listObjects(
                client, "subscribers", filters: ["customer_id": "\(id)"], rows: rows)
        }
        return lists.joined()
            .filter { customerIDs.contains($0["customer_id"]?.intValue ?? -1) }
            .sorted { $0.id < $1.id }
    }

    /// Every subscriber, or those of the one reseller in scope.
    private func listSubscribers(resellerIDs: Set<Int>?) async throws -> [LiveObject] {
        var filters: [String: String] = [:]
        if let resellerIDs, resellerIDs.count == 1, let only = resellerIDs.first {
            filters["reseller_id"] = "\(only)"
        }
        return try await Self.listObjects(client, "subscribers", filters: filters, rows: rows)
    }

    /// The flat `/api/subscriberpreferencedefs/` object, keyed by preference name.
    private func readPreferenceDefinitions() async throws -> [String: JSONValue] {
        var definitions = try await client.get("/api/subscriberpreferencedefs/").objectValue ?? [:]
        definitions["_links"] = nil
        return definitions
    }

    // MARK: Call forwards and preferences

    /// Reads the call forwards of `forwardsFor` and the preferences of `preferencesFor`
    /// (subscriber ids) into `state.callforwards` and `state.preferences`.
    ///
    /// The collection endpoints of both ignore subscriber filters on NGCP and list every
    /// subscriber, so they help only when most subscribers are wanted; see
    /// `BlockReadStrategy`. A subscriber that no longer exists (404) is left out.
    public func readSubscriberBlocks(
        forwardsFor forwardIDs: [Int], preferencesFor preferenceIDs: [Int],
        into state: inout LiveState
    ) async throws {
        // Blocks that `read(expecting:)` fetched are used once. They are freed with the reader,
        // not here: most of them belong to unmanaged subscribers, and freeing tens of
        // thousands of blocks is work that a caller may rather leave to the end of the process.
        let (prefetchedForwards, prefetchedPreferences) = prefetched.withLock { store in
            defer { store.retire() }
            return (store.forwards, store.preferences)
        }
        async let forwards = readBlocks(
            "callforwards", for: forwardIDs, prefetched: prefetchedForwards)
        async let preferences = readBlocks(
            "subscriberpreferences", for: preferenceIDs, prefetched: prefetchedPreferences)

        for (id, fields) in try await forwards {
            state.callforwards[id] = fields
        }
        for (id, var fields) in try await preferences {
            // `id` and `subscriber_id` repeat the key and are not preferences.
            fields["id"] = nil
            fields["subscriber_id"] = nil
            state.preferences[id] = fields
        }
    }

    private func readBlocks(
        _ collection: String, for requested: [Int], prefetched: [Int: JSONMembers]
    ) async throws -> [Int: [String: JSONValue]] {
        let ids = Array(Set(requested)).sorted()
        guard !ids.isEmpty else { return [:] }

        var strategy = BlockReadStrategy.perItem
        if !prefetched.isEmpty {
            strategy = .collection
        } else if ids.count >= BlockReadStrategy.probeThreshold {
            let total = try await client.count(collection)
            strategy = BlockReadStrategy.choose(requested: ids.count, total: total, rows: rows)
        }
        logger.debug(
            "reading subscriber blocks",
            ["collection": collection, "count": "\(ids.count)", "strategy": "\(strategy)"])

        var blocks: [Int: [String: JSONValue]] = [:]
        var missing = ids
        if !prefetched.isEmpty {
            for id in ids {
                blocks[id] = prefetched[id]?.object
            }
            // Subscribers created after the collection was read are fetched one by one.
            missing = ids.filter { blocks[$0] == nil }
        } else if strategy == .collection {
            let wanted = Set(ids)
            let items = try await client.list(collection, rows: rows) { item in
                (Self.subscriberID(ofBlock: item), Self.fields(item))
            }
            for case (let id?, let fields) in items where wanted.contains(id) {
                blocks[id] = fields
            }
            // Subscribers created while the collection was read are fetched one by one.
            missing = ids.filter { blocks[$0] == nil }
        }

        let client = self.client
        let logger = self.logger
        let items = try await concurrentMap(missing, maxConcurrent: itemConcurrency) {
            id -> (Int, [String: JSONValue])? in
            do {
                return (id, Self.fields(try await client.get("/api/\(collection)/\(id)")))
            } catch let error as NGCPAPIError where error.isNotFound {
                logger.info(
                    "subscriber block not found", ["collection": collection, "id": "\(id)"])
                return nil
            }
        }
        for case (let id, let fields)? in items {
            blocks[id] = fields
        }
        return blocks
    }

    /// Returns the number that is the last path segment of a self link such as
    /// `/api/callforwards/42`.
    private static func subscriberID(fromSelfLink href: String?) -> Int? {
        guard let href else { return nil }
        let segment = href.utf8.split(separator: UInt8(ascii: "/")).last
        return segment.flatMap { Int(String(decoding: $0, as: UTF8.self)) }
    }

    // MARK: Conversion

    /// Members of an API object that describe the representation and not the object.
    static let representationMembers = ["_links", "_embedded"]

    /// Lists `collection` as live objects. An item without an integer `id` stops the read:
    /// objects are paired, referred to and deleted by id, and one taken for id 0 would give a
    /// plan that deletes what it should keep.
    static func listObjects(
        _ client: NGCPAPIClient, _ collection: String, filters: [String: String], rows: Int
    ) async throws -> [LiveObject] {
        let items = try await client.list(collection, filters: filters, rows: rows) {
            item -> LiveObject? in
            guard let id = item.members["id"]?.intValue else { return nil }
            return LiveObject(id: id, members: members(item))
        }
        if let position = items.firstIndex(where: { $0 == nil }) {
            throw LiveStateError.itemWithoutID(collection, position: position + 1)
        }
        return items.map { $0! }
    }

    /// Returns the members of a collection item without `_embedded` (its `_links` are
    /// already gone).
    static func fields(_ item: consuming JSONCollectionItem) -> [String: JSONValue] {
        members(item).object
    }

    /// Returns the members of a collection item without `_embedded`, as a list.
    static func members(_ item: consuming JSONCollectionItem) -> JSONMembers {
        var members = (consume item).members
        members.remove(["_embedded"])
        return members
    }

    /// The subscriber id of a call forward or preference collection item. Call forward items
    /// have no `id` member, so the id comes from their self link `/api/callforwards/ID`.
    static func subscriberID(ofBlock item: JSONCollectionItem) -> Int? {
        if let id = item.members["id"]?.intValue { return id }
        return subscriberID(fromSelfLink: item.selfLink)
    }

    static func liveObject(_ item: consuming JSONValue) -> LiveObject {
        let id = item["id"]?.intValue ?? 0
        return LiveObject(id: id, fields: fields(item))
    }

    /// Returns the members of an API object without `_links` and `_embedded`, which describe
    /// the representation and not the object.
    static func fields(_ item: consuming JSONValue) -> [String: JSONValue] {
        guard case .object(var fields) = consume item else { return [:] }
        for name in representationMembers { fields[name] = nil }
        return fields
    }
}

/// Call forwards and preferences by subscriber id, read before they were asked for.
struct PrefetchedBlocks: Sendable {
    var forwards: [Int: JSONMembers] = [:]
    var preferences: [Int: JSONMembers] = [:]
    /// Blocks already handed out, kept until the reader is freed.
    private var retired: [(forwards: [Int: JSONMembers], preferences: [Int: JSONMembers])] = []

    /// Moves the blocks to `retired`, leaving none to hand out.
    mutating func retire() {
        retired.append((forwards, preferences))
        forwards = [:]
        preferences = [:]
    }
}

final class SharedBlocks: Sendable {
    private let store = Mutex(PrefetchedBlocks())

    func withLock<Result: Sendable>(
        _ body: (inout sending PrefetchedBlocks) -> sending Result
    ) -> Result {
        store.withLock(body)
    }
}

/// How many subscribers' call forwards and preferences the manifests declare, known before
/// the live state is read.
public struct BlockDemand: Sendable, Hashable {
    public var forwards: Int
    public var preferences: Int

    public init(forwards: Int = 0, preferences: Int = 0) {
        self.forwards = forwards
        self.preferences = preferences
    }

    /// Counts the desired subscribers that declare each block.
    public init(_ desired: DesiredState) {
        self.init(
            forwards: desired.subscribers.count { $0.callforwards != nil },
            preferences: desired.subscribers.count { $0.preferences != nil })
    }
}

/// The choice between reading the call forwards or preferences of N subscribers one by one
/// and reading their whole collection.
///
/// Cost model, in units of one request (about 0.55 s for the password check on the real
/// server): reading items one by one costs N. Reading the whole collection costs one request
/// per page plus about 0.08 per item (45 ms of rendering each), for every subscriber of the
/// target, T: `ceil(T / rows) + 0.08 * T`. The collection wins when that is below N, which
/// with 25 rows means when more than about a eighth of all subscribers are wanted. Finding T
/// costs one extra request, so fewer than `probeThreshold` subscribers are always read one by
/// one.
public enum BlockReadStrategy: Sendable, Hashable, CustomStringConvertible {
    case perItem
    case collection

    public static let probeThreshold = 8
    /// The cost of rendering one collection item, relative to one request.
    public static let itemCost = 0.08

    public static func choose(requested: Int, total: Int, rows: Int) -> BlockReadStrategy {
        let pages = Double((total + rows - 1) / max(1, rows))
        let collectionCost = pages + itemCost * Double(total)
        return collectionCost < Double(requested) ? .collection : .perItem
    }

    public var description: String {
        switch self {
        case .perItem: return "per-item"
        case .collection: return "collection"
        }
    }
}
