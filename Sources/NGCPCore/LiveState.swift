/// One object as the API returned it: its server id and its fields, without `_links`.
///
/// The fields are kept as one list sorted by name rather than as a dictionary. A plan keeps
/// tens of thousands of live objects, each read once and then only looked up, and the list
/// takes about half the memory of a hash table with the same members.
public struct LiveObject: Sendable, Hashable {
    public var id: Int
    /// The fields, sorted by name.
    private var members: JSONMembers

    public init(id: Int, fields: [String: JSONValue]) {
        self.id = id
        members = JSONMembers(fields)
    }

    /// Creates an object from the members of a collection item, sorting them unless they
    /// already are.
    public init(id: Int, members: JSONMembers) {
        self.id = id
        self.members = members.sorted()
    }

    /// The fields as a dictionary, built on each access. Use the subscript to look up one field.
    public var fields: [String: JSONValue] {
        get { members.object }
        set { members = JSONMembers(newValue) }
    }

    /// The names of the fields, in sorted order.
    public var fieldNames: [String] { members.members.map(\.name) }

    public subscript(field: String) -> JSONValue? { members[field] }
}

/// What the target NGCP holds, as read at plan time.
///
/// Collections are complete for the scope that was read. Call forwards and preferences are
/// keyed by the API id of their subscriber, and are present only for subscribers whose
/// manifests manage that block.
public struct LiveState: Sendable {
    public var resellers: [LiveObject]
    public var billingProfiles: [LiveObject]
    public var domains: [LiveObject]
    public var contacts: [LiveObject]
    public var customers: [LiveObject]
    public var subscribers: [LiveObject]
    public var callforwards: [Int: [String: JSONValue]]
    public var preferences: [Int: [String: JSONValue]]
    /// The target's `/api/subscriberpreferencedefs/` object, keyed by preference name.
    public var preferenceDefinitions: [String: JSONValue]

    public init(
        resellers: [LiveObject] = [], billingProfiles: [LiveObject] = [],
        domains: [LiveObject] = [], contacts: [LiveObject] = [], customers: [LiveObject] = [],
        subscribers: [LiveObject] = [], callforwards: [Int: [String: JSONValue]] = [:],
        preferences: [Int: [String: JSONValue]] = [:],
        preferenceDefinitions: [String: JSONValue] = [:]
    ) {
        self.resellers = resellers
        self.billingProfiles = billingProfiles
        self.domains = domains
        self.contacts = contacts
        self.customers = customers
        self.subscribers = subscribers
        self.callforwards = callforwards
        self.preferences = preferences
        self.preferenceDefinitions = preferenceDefinitions
    }
}

extension LiveState {
    /// Returns the objects of a collection kind. Call forwards and preferences are blocks
    /// keyed by subscriber id instead (see `block(_:subscriber:)`), so their list is empty.
    public func objects(of kind: ResourceKind) -> [LiveObject] {
        switch kind {
        case .domains: return domains
        case .customercontacts: return contacts
        case .customers: return customers
        case .subscribers: return subscribers
        case .callforwards, .subscriberpreferences: return []
        }
    }

    /// Returns the call forwards or preferences of the subscriber `id`, or nil when they were
    /// not read or `kind` is not a block.
    public func block(_ kind: ResourceKind, subscriber id: Int) -> [String: JSONValue]? {
        switch kind {
        case .callforwards: return callforwards[id]
        case .subscriberpreferences: return preferences[id]
        case .domains, .customercontacts, .customers, .subscribers: return nil
        }
    }
}
