import NGCPCore

/// The planner's view of a customer that subscribers refer to.
struct CustomerInfo {
    /// Nil for a declared terminated customer that does not exist live.
    var reference: Reference?
    /// The status the customer has after the plan: declared, or live when undeclared.
    var status: String
    /// `sipaccount` or `pbxaccount`.
    var type: String
    var declared: Bool
}

/// A live subscriber's blocks whose comparison waits until they are read.
struct DeferredBlocks {
    var subscriber: DesiredSubscriber
    var liveID: Int
    /// The position in `problems` for the comparison's problems, so that they keep the order they
    /// would have had without the wait.
    var problemIndex: Int
}

/// Collects draft operations and problems for one plan. Planning runs in phases because the
/// later ones need the results of the earlier ones: domains and customers provide references,
/// subscribers provide the numbers they take and free, and prune decides what else goes away.
struct PlanBuilder {
    let desired: DesiredState
    /// The live state; without call forwards and preferences while `deferredBlocks` is set.
    private(set) var live: LiveState
    let options: PlannerOptions
    let index: LiveIndex

    var drafts: [DraftOperation] = []
    var problems: [PlanningProblem] = []

    var domains: [String: Reference] = [:]
    var customers: [String: CustomerInfo] = [:]
    /// Live subscribers that a desired subscriber paired with, updated or replaced.
    var pairedSubscribers: Set<Int> = []
    /// Live subscribers that the plan deletes, directly or by terminating their customer.
    var removedSubscribers: Set<Int> = []
    var numbers = NumberLedger()
    /// Live customers that prune terminates, with the draft that does it.
    var terminatedCustomers: [Int: Int] = [:]
    /// Live domains that prune deletes.
    var removedDomains: Set<Int> = []
    /// Undeclared live objects that the plan leaves alone because ngcpctl does not manage them.
    var unmanaged: [ResourceID] = []
    /// Undeclared managed live objects that prune would remove, when prune is off.
    var notPruned: [ResourceID] = []
    /// Live subscribers that the plan deletes and creates again under another customer.
    var customerMoves: [CustomerMove] = []
    /// Declared domains and customers that have a problem of their own. Subscribers referring to
    /// them report nothing more, because the reference itself is fine.
    var failedDeclarations: Set<ResourceID> = []
    /// The PBX groups the manifests declare, by natural key, for the `pbx_groups` of their
    /// members.
    var declaredPBXGroups: [SubscriberKey: DeclaredPBXGroup] = [:]
    /// The live PBX groups that members name, checked against the plan's deletes.
    var livePBXGroupUses: [LivePBXGroupUse] = []
    /// The declared subscribers of PBX customers that the plan creates or pairs, in manifest
    /// order, for `checkPBXSubscribers()`.
    var pbxSubscribers: [PlannedPBXSubscriber] = []
    /// Existing subscribers whose declared web password has no recorded digest to compare.
    var uncomparedWebPasswords: [ResourceID] = []
    /// When set, the call forwards and preferences of live subscribers are not compared yet
    /// but collected here, for `planDeferredBlocks(live:)`. Everything else in a plan needs
    /// only the collections, so it can be planned while the blocks are still being read.
    var deferredBlocks: [DeferredBlocks]? = nil

    init(
        desired: DesiredState, live: LiveState, options: PlannerOptions,
        preparation: LivePreparation? = nil
    ) {
        self.desired = desired
        self.live = live
        self.options = options
        let prepared =
            preparation.flatMap { $0.matches(live) ? $0 : nil } ?? LivePreparation(live)
        self.index = prepared.index
        self.numbers = prepared.numbers
    }

    mutating func build() {
        for domain in unique(desired.domains, key: { $0.domain.lowercased() }) {
            planDomain(domain)
        }
        for customer in unique(desired.customers, key: \.externalID) { planCustomer(customer) }
        let subscribers = unique(desired.subscribers) {
            LiveIndex.subscriberKey(username: $0.username, domain: $0.domain)
        }
        // A member's create or update refers to the create of a group declared with it, so
        // when subscribers name groups, the declared groups are planned first.
        if subscribers.contains(where: { $0.pbxGroups?.isEmpty == false }) {
            for subscriber in subscribers where Self.isPBXGroup(subscriber) {
                planSubscriber(subscriber)
            }
            for subscriber in subscribers where !Self.isPBXGroup(subscriber) {
                planSubscriber(subscriber)
            }
        } else {
            for subscriber in subscribers { planSubscriber(subscriber) }
        }
        if options.prune {
            prune()
        } else {
            collectNotPruned()
        }
        checkDeletedPBXGroups()
        if !pbxSubscribers.isEmpty { checkPBXSubscribers() }
        linkNumberMoves()
        orderAroundPilots()
    }

    /// Compares the blocks that `build()` deferred, now that `live` has them. The drafts come
    /// after the others, which only changes their indices: the plan's order is by sort key.
    mutating func planDeferredBlocks(live: LiveState) {
        self.live = live
        let deferred = deferredBlocks ?? []
        deferredBlocks = nil
        // Backwards, so that inserting one subscriber's problems leaves the positions of the
        // earlier ones valid.
        for item in deferred.reversed() {
            let start = problems.count
            planLiveBlocks(item.subscriber, liveID: item.liveID)
            let found = problems[start...]
            guard !found.isEmpty else { continue }
            let moved = Array(found)
            problems.removeSubrange(start...)
            problems.insert(contentsOf: moved, at: item.problemIndex)
        }
    }

    /// Records what prune would remove, by planning the prune on a copy, so that the plan can
    /// say how many undeclared objects it leaves alone.
    private mutating func collectNotPruned() {
        var probe = self
        probe.prune()
        let removals = probe.drafts[drafts.count...].map(\.resourceID)
        notPruned = Set(removals).sorted()
    }

    /// Drops objects declared twice under the same natural key, reporting each repetition.
    private mutating func unique<Object: Declared, Key: Hashable>(
        _ objects: [Object], key: (Object) -> Key
    ) -> [Object] {
        var seen: [Key: SourceLocation?] = [:]
        seen.reserveCapacity(objects.count)
        var result: [Object] = []
        result.reserveCapacity(objects.count)
        for object in objects {
            let key = key(object)
            if let first = seen[key] {
                problems.append(
                    .duplicateDeclaration(object.id, first: first, at: object.location))
                continue
            }
            seen[key] = .some(object.location)
            result.append(object)
        }
        return result
    }

    @discardableResult
    mutating func add(_ draft: DraftOperation) -> Int {
        drafts.append(draft)
        return drafts.count - 1
    }

    /// Returns whether an ignore rule hides `path` of the object `id`. The id is built only when
    /// there are rules: a subscriber's id is a new string each time.
    func isIgnored(_ id: @autoclosure () -> ResourceID, _ path: String) -> Bool {
        guard !options.ignoreRules.isEmpty else { return false }
        let id = id()
        return options.ignoreRules.contains { $0.matches(id, fieldPath: path) }
    }

    // MARK: Domains

    mutating func planDomain(_ domain: DesiredDomain) {
        let resellerID: Int
        if let name = domain.reseller {
            let reseller = live.resellers.first { $0["name"]?.stringValue == name }
            guard let reseller else {
                problems.append(.unknownReseller(name, domain: domain))
                failedDeclarations.insert(ResourceID(.domains, domain.domain.lowercased()))
                return
            }
            resellerID = reseller.id
        } else {
            resellerID = 1
        }

        if let liveDomain = index.domain(named: domain.domain) {
            domains[domain.domain.lowercased()] = .live(liveDomain.id)
            // A reseller login does not see reseller_id, so only a present value is checked.
            if let liveReseller = liveDomain["reseller_id"]?.intValue, liveReseller != resellerID {
                problems.append(
                    .domainResellerMismatch(domain, live: liveReseller, desired: resellerID))
            }
            return
        }

        let body: [String: JSONValue] = [
            "domain": .string(domain.domain), "reseller_id": .int(resellerID),
        ]
        let draft = add(
            DraftOperation(
                action: .create, resource: .domains, name: domain.domain, method: .post,
                path: "/api/domains/", body: .object(body), changes: FieldChange.creating(body)))
        domains[domain.domain.lowercased()] = .created(draft: draft)
    }

    /// Looks up the reference to a subscriber's domain: declared, or live only.
    func domainReference(_ name: String) -> Reference? {
        if let reference = domains[LiveIndex.lowercased(name)] { return reference }
        return index.domain(named: name).map { .live($0.id) }
    }

    // MARK: Customers and contacts

    /// Fields of a customer that are references, keys or output only, and never compared.
    static let customerReferenceFields: Set<String> = [
        "contact_id", "billing_profile_id", "external_id", "type", "billing_profile_definition",
        "billing_profiles", "all_billing_profiles",
    ]

    mutating func planCustomer(_ customer: DesiredCustomer) {
        let profile = live.billingProfiles.first {
            $0["handle"]?.stringValue == customer.billingProfile
        }
        guard let profile else {
            problems.append(.unknownBillingProfile(customer.billingProfile, customer: customer))
            failedDeclarations.insert(customer.id)
            return
        }
        let status = customer.fields["status"]?.stringValue ?? "active"

        let candidates = index.customers(externalID: customer.externalID)
        let active = candidates.filter { $0["status"]?.stringValue != "terminated" }
        if active.count > 1 {
            problems.append(.ambiguousCustomer(customer, ids: active.map(\.id)))
            failedDeclarations.insert(customer.id)
            return
        }
        if let liveCustomer = active.first {
            // An unmanaged status stays what it is live, for the lock cascade rule.
            let effectiveStatus =
                customer.fields["status"]?.stringValue ?? liveCustomer["status"]?.stringValue
                ?? status
            customers[customer.externalID] = CustomerInfo(
                reference: .live(liveCustomer.id), status: effectiveStatus,
                type: liveCustomer["type"]?.stringValue ?? "sipaccount", declared: true)
            updateCustomer(customer, live: liveCustomer, billingProfileID: profile.id)
            return
        }
        if !candidates.isEmpty && status != "terminated" {
            problems.append(.cannotRevive(customer, status: status))
            failedDeclarations.insert(customer.id)
            return
        }
        if status == "terminated" {
            // Nothing to create: the customer is, or would be, terminated already.
            customers[customer.externalID] = CustomerInfo(
                reference: candidates.first.map { .live($0.id) }, status: status,
                type: customer.fields["type"]?.stringValue ?? "sipaccount", declared: true)
            return
        }
        createCustomer(
            customer, billingProfileID: profile.id,
            resellerID: profile["reseller_id"]?.intValue ?? 1, status: status)
    }

    private mutating func createCustomer(
        _ customer: DesiredCustomer, billingProfileID: Int, resellerID: Int, status: String
    ) {
        var contactBody = customer.contact
        contactBody["reseller_id"] = .int(resellerID)
        let contactDraft = add(
            DraftOperation(
                action: .create, resource: .customercontacts, name: customer.externalID,
                method: .post, path: "/api/customercontacts/", body: .object(contactBody),
                changes: FieldChange.creating(contactBody)))

        var body = customer.fields
        body["contact_id"] = PlanPlaceholder.createdID(of: contactDraft)
        body["billing_profile_id"] = .int(billingProfileID)
        body["external_id"] = .string(customer.externalID)
        body["status"] = .string(status)
        if body["type"] == nil { body["type"] = "sipaccount" }
        let draft = add(
            DraftOperation(
                action: .create, resource: .customers, name: customer.externalID, method: .post,
                path: "/api/customers/", body: .object(body), dependsOn: [contactDraft],
                changes: FieldChange.creating(body)))
        customers[customer.externalID] = CustomerInfo(
            reference: .created(draft: draft), status: status,
            type: body["type"]?.stringValue ?? "sipaccount", declared: true)
    }

    private mutating func updateCustomer(
        _ customer: DesiredCustomer, live liveCustomer: LiveObject, billingProfileID: Int
    ) {
        updateContact(customer, liveCustomer: liveCustomer)

        if let desiredType = customer.fields["type"]?.stringValue,
            let liveType = liveCustomer["type"]?.stringValue, desiredType != liveType
        {
            problems.append(.customerTypeChange(customer, live: liveType, desired: desiredType))
        }

        // NGCP fails with status 500 when a customer with subscribers becomes pending, because
        // it copies the status to the subscribers, which have no such status.
        if customer.fields["status"] == "pending", liveCustomer["status"] != "pending",
            !index.subscribers(ofCustomer: liveCustomer.id).isEmpty
        {
            problems.append(.pendingWithSubscribers(customer))
        }

        var operations: [JSONValue] = []
        var changes: [FieldChange] = []
        var desiredFields = customer.fields
        desiredFields["billing_profile_id"] = .int(billingProfileID)
        let references = Self.customerReferenceFields.subtracting(["billing_profile_id"])
        for field in desiredFields.keys.sorted()
        where Normalization.isComparedField(field, references: references) {
            let value = desiredFields[field] ?? .null
            guard !Normalization.optionalEqual(value, liveCustomer[field]),
                !isIgnored(customer.id, field)
            else { continue }
            // Customers accept only replace and copy; the raw row has every column.
            operations.append(Patch.replace(field, value))
            changes.append(FieldChange(path: field, before: liveCustomer[field], after: value))
        }
        guard !operations.isEmpty else { return }

        let terminates = desiredFields["status"]?.stringValue == "terminated"
        add(
            DraftOperation(
                action: .update, resource: .customers, name: customer.externalID,
                method: .patch, path: "/api/customers/\(liveCustomer.id)",
                body: .array(operations), changes: changes, liveID: liveCustomer.id,
                irreversible: terminates,
                reason: terminates ? Self.terminationReason(liveCustomer, index: index) : nil))
        if terminates {
            numbers.freeAll(ofCustomer: liveCustomer.id, index: index, by: drafts.count - 1)
            for subscriber in index.subscribers(ofCustomer: liveCustomer.id) {
                removedSubscribers.insert(subscriber.id)
            }
        }
    }

    private mutating func updateContact(_ customer: DesiredCustomer, liveCustomer: LiveObject) {
        guard let contactID = liveCustomer["contact_id"]?.intValue else { return }
        guard let contact = index.contactsByID[contactID] else {
            problems.append(.missingContact(customer, contactID: contactID))
            return
        }
        var operations: [JSONValue] = []
        var changes: [FieldChange] = []
        for field in customer.contact.keys.sorted()
        where Normalization.isComparedField(field, references: ["reseller_id"]) {
            let value = customer.contact[field] ?? .null
            guard !Normalization.optionalEqual(value, contact[field]),
                !isIgnored(customer.contactID, field)
            else { continue }
            operations.append(Patch.replace(field, value))
            changes.append(FieldChange(path: field, before: contact[field], after: value))
        }
        guard !operations.isEmpty else { return }
        add(
            DraftOperation(
                action: .update, resource: .customercontacts, name: customer.externalID,
                method: .patch, path: "/api/customercontacts/\(contactID)",
                body: .array(operations), changes: changes, liveID: contactID))
    }

    /// Looks up the customer a subscriber belongs to: declared, or live only.
    func customerInfo(_ externalID: String) -> CustomerInfo? {
        if let info = customers[externalID] { return info }
        guard let liveCustomer = index.customers(externalID: externalID).first else { return nil }
        return CustomerInfo(
            reference: .live(liveCustomer.id),
            status: liveCustomer["status"]?.stringValue ?? "active",
            type: liveCustomer["type"]?.stringValue ?? "sipaccount", declared: false)
    }

    static func terminationReason(_ customer: LiveObject, index: LiveIndex) -> String {
        let subscribers = index.subscribers(ofCustomer: customer.id)
        var reason =
            "terminates the customer and its \(subscribers.count) live "
            + "subscriber\(subscribers.count == 1 ? "" : "s")"
        if !subscribers.isEmpty {
            reason += " (" + subscribers.map { index.subscriberName($0) }.joined(separator: ", ")
            reason += ")"
        }
        return reason + "; a terminated customer cannot be changed or revived"
    }
}

/// A declared object with a natural key and a manifest location.
protocol Declared {
    var id: ResourceID { get }
    var location: SourceLocation? { get }
}

extension DesiredDomain: Declared {}
extension DesiredCustomer: Declared {}
extension DesiredSubscriber: Declared {}
