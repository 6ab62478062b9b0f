/// One object as the API returned it: its server id and its fields, without `_links`.
///
/// The fields are kept as one list sorted by name rather than as a dictionary. A plan keeps
/// tens of thousands of live objects, each read once and then only looked up, and the list
/// takes about half the memory of a hash table with the same members.
public struct LiveObject: Sendable, Hashable {
    public var id: Int
    private var members: [JSONMember]

    public init(id: Int, fields: [String: JSONValue]) {
        self.id = id
        members = Self.sortedMembers(fields)
    }

    /// Creates an object from the members of a collection item, sorting them unless they
    /// already are.
    public init(id: Int, members: JSONMembers) {
        self.id = id
        self.members =
            members.isSorted ? members.members : members.members.sorted { $0.name < $1.name }
    }

    /// The fields as a dictionary, built on each access. Use the subscript to look up one field.
    public var fields: [String: JSONValue] {
        get {
            var fields = [String: JSONValue](minimumCapacity: members.count)
            for member in members { fields[member.name] = member.value }
            return fields
        }
        set { members = Self.sortedMembers(newValue) }
    }

    /// The names of the fields, in sorted order.
    public var fieldNames: [String] { members.map(\.name) }

    public subscript(field: String) -> JSONValue? {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            let name = members[middle].name
            if name == field { return members[middle].value }
            if name < field { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    private static func sortedMembers(_ fields: [String: JSONValue]) -> [JSONMember] {
        var members: [JSONMember] = []
        members.reserveCapacity(fields.count)
        for (name, value) in fields { members.append(JSONMember(name: name, value: value)) }
        members.sort { $0.name < $1.name }
        return members
    }
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
