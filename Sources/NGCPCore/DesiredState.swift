/// What the manifests declare, after loading and checking, before any live state is read.
///
/// Reference fields hold natural keys as written in the manifest (a billing profile handle, a
/// domain name, a customer's external_id); the planner resolves them to server ids. All other
/// fields keep the API's own names and JSON shapes.
public struct DesiredState: Sendable {
    public var domains: [DesiredDomain]
    public var customers: [DesiredCustomer]
    public var subscribers: [DesiredSubscriber]

    public init(
        domains: [DesiredDomain] = [], customers: [DesiredCustomer] = [],
        subscribers: [DesiredSubscriber] = []
    ) {
        self.domains = domains
        self.customers = customers
        self.subscribers = subscribers
    }

    public var isEmpty: Bool { domains.isEmpty && customers.isEmpty && subscribers.isEmpty }
}

public struct DesiredDomain: Sendable, Hashable {
    /// The domain name, the natural key.
    public var domain: String
    /// The reseller's name; nil means the reseller with id 1.
    public var reseller: String?
    public var location: SourceLocation?
    /// Positions of reference fields by field path (`spec.reseller`), for the problems that
    /// only the target's data reveals. A field that is not written has none.
    public var fieldLocations: [String: SourceLocation]

    public init(
        domain: String, reseller: String? = nil, location: SourceLocation? = nil,
        fieldLocations: [String: SourceLocation] = [:]
    ) {
        self.domain = domain
        self.reseller = reseller
        self.location = location
        self.fieldLocations = fieldLocations
    }

    public var id: ResourceID { ResourceID(.domains, domain) }
}

public struct DesiredCustomer: Sendable, Hashable {
    /// The customer's `external_id` on NGCP, the natural key.
    public var externalID: String
    /// The billing profile's handle.
    public var billingProfile: String
    /// Customer fields with API names and shapes, defaults applied (`status`, `type`, and any
    /// optional field the manifest sets, such as `max_subscribers`). Excludes references and ids.
    public var fields: [String: JSONValue]
    /// Customer contact fields with API names (`email`, `firstname`, ...), excluding `reseller_id`.
    public var contact: [String: JSONValue]
    public var location: SourceLocation?
    /// Positions of fields by field path (`spec.billing_profile`, `spec.type`,
    /// `spec.status`), for the problems that only the target's data reveals. A field that is
    /// not written has none.
    public var fieldLocations: [String: SourceLocation]

    public init(
        externalID: String, billingProfile: String, fields: [String: JSONValue],
        contact: [String: JSONValue], location: SourceLocation? = nil,
        fieldLocations: [String: SourceLocation] = [:]
    ) {
        self.externalID = externalID
        self.billingProfile = billingProfile
        self.fields = fields
        self.contact = contact
        self.location = location
        self.fieldLocations = fieldLocations
    }

    public var id: ResourceID { ResourceID(.customers, externalID) }
    public var contactID: ResourceID { ResourceID(.customercontacts, externalID) }
}

public struct DesiredSubscriber: Sendable, Hashable {
    public var username: String
    public var domain: String
    /// The owning customer's external_id.
    public var customer: String
    /// Subscriber fields with API names and shapes (`primary_number`, `alias_numbers`,
    /// `webusername`, `external_id`, `status`, `lock`, ...), excluding references, ids and
    /// secrets. A field absent here is not managed.
    public var fields: [String: JSONValue]
    /// `password`, `webpassword` and the secret preferences, by field path relative to
    /// `spec`, such as `password` or `preferences.peer_auth_pass` (see
    /// `secretPreferenceField(_:)`). A secret preference with a value is only here, and a
    /// `null` that removes one is only in `preferences`.
    public var secrets: SubscriberSecrets
    /// The call forward block in the shape of `/api/callforwards/{id}`, keyed by type (cfu, cfb,
    /// cft, cfna, cfs, cfr, cfo). Nil means forwards are not managed; when present, types not
    /// listed are cleared.
    public var callforwards: [String: JSONValue]?
    /// Managed preferences by name. `.null` removes the preference; unlisted preferences are
    /// left as they are. Nil means no preference is managed.
    public var preferences: [String: JSONValue]?
    /// The PBX groups the subscriber is a member of, by natural key (`spec.pbx_groups`), in
    /// manifest order. Nil means they are not managed by name, and `fields["pbx_group_ids"]`
    /// may then manage them by server id. An empty list means the subscriber is in no group.
    public var pbxGroups: [SubscriberReference]?
    public var location: SourceLocation?
    /// Positions of the PBX fields the manifest writes, by field path (`spec.is_pbx_pilot`,
    /// `spec.pbx_extension`, and `spec.pbx_group_ids[0]` for each entry of that list), for
    /// the problems that only the target's data reveals. Other fields have none, so a
    /// subscriber without PBX fields stores an empty dictionary.
    public var fieldLocations: [String: SourceLocation]

    public init(
        username: String, domain: String, customer: String, fields: [String: JSONValue] = [:],
        secrets: SubscriberSecrets = [:], callforwards: [String: JSONValue]? = nil,
        preferences: [String: JSONValue]? = nil, pbxGroups: [SubscriberReference]? = nil,
        location: SourceLocation? = nil, fieldLocations: [String: SourceLocation] = [:]
    ) {
        self.username = username
        self.domain = domain
        self.customer = customer
        self.fields = fields
        self.secrets = secrets
        self.callforwards = callforwards
        self.preferences = preferences
        self.pbxGroups = pbxGroups
        self.location = location
        self.fieldLocations = fieldLocations
    }

    /// The natural key, `username@domain`.
    public var name: String { "\(username)@\(domain)" }
    public var id: ResourceID { ResourceID(.subscribers, name) }
}

/// A manifest's reference to a subscriber by its natural key, `username@domain`.
public struct SubscriberReference: Sendable, Hashable {
    public var username: String
    public var domain: String
    /// The position of the name in the manifest, for the problems that the target's data
    /// reveals.
    public var location: SourceLocation?

    public init(username: String, domain: String, location: SourceLocation? = nil) {
        self.username = username
        self.domain = domain
        self.location = location
    }

    /// The natural key, `username@domain`.
    public var name: String { "\(username)@\(domain)" }
    public var id: ResourceID { ResourceID(.subscribers, name) }
}
