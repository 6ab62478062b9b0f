/// One object as the API returned it: its server id and its fields, without `_links`.
public struct LiveObject: Sendable, Hashable {
    public var id: Int
    public var fields: [String: JSONValue]

    public init(id: Int, fields: [String: JSONValue]) {
        self.id = id
        self.fields = fields
    }

    public subscript(field: String) -> JSONValue? { fields[field] }
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
