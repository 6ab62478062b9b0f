import NGCPCore

extension PolicyContext {
    /// Builds the context for `plan` from the desired and live state it was planned from.
    ///
    /// The desired object of an operation is its manifest's declaration in API shape. For a
    /// domain it is the domain, for a customer its fields with `external_id` and
    /// `billing_profile` (the handle as written), for a contact the contact fields. For a
    /// subscriber it is its fields with `username`, `domain` and `customer`, and for its
    /// blocks the call forwards or the preferences. Deletes have no desired object.
    ///
    /// A subscriber also gets the password facts. `secret(subscriber, field)` returns the
    /// resolved value, or nil when it is not available; the values themselves stay out.
    public init(
        plan: Plan, desired: DesiredState, live: LiveState?,
        annotations: [ResourceID: [String: String]] = [:], target: String? = nil,
        secret: (ResourceID, String) -> SecretValue? = { _, _ in nil }
    ) {
        self.init(target: target, annotations: annotations)
        let objects = DesiredObjects(desired, secret: secret)
        for operation in plan.operations {
            if operation.action != .delete, let object = objects[operation.resourceID] {
                self.desired[operation.id] = object
            }
            if let live, let liveID = operation.liveID,
                let object = Self.liveObject(operation.resource, id: liveID, in: live)
            {
                self.live[operation.id] = object
            }
        }
    }

    private static func liveObject(_ kind: ResourceKind, id: Int, in live: LiveState)
        -> JSONValue?
    {
        func find(_ objects: [LiveObject]) -> JSONValue? {
            objects.first { $0.id == id }.map { .object($0.fields) }
        }
        switch kind {
        case .domains: return find(live.domains)
        case .customercontacts: return find(live.contacts)
        case .customers: return find(live.customers)
        case .subscribers: return find(live.subscribers)
        // Both blocks are keyed by their subscriber's API id, which is also their item id.
        case .callforwards: return live.callforwards[id].map(JSONValue.object)
        case .subscriberpreferences: return live.preferences[id].map(JSONValue.object)
        }
    }
}

/// The desired objects of a desired state in API shape, by ResourceID.
private struct DesiredObjects {
    private var objects: [ResourceID: JSONValue] = [:]

    init(_ desired: DesiredState, secret: (ResourceID, String) -> SecretValue?) {
        for domain in desired.domains {
            var fields: [String: JSONValue] = ["domain": .string(domain.domain)]
            if let reseller = domain.reseller { fields["reseller"] = .string(reseller) }
            objects[domain.id] = .object(fields)
        }
        for customer in desired.customers {
            var fields = customer.fields
            fields["external_id"] = .string(customer.externalID)
            fields["billing_profile"] = .string(customer.billingProfile)
            objects[customer.id] = .object(fields)
            objects[customer.contactID] = .object(customer.contact)
        }
        for subscriber in desired.subscribers {
            var fields = subscriber.fields
            fields["username"] = .string(subscriber.username)
            fields["domain"] = .string(subscriber.domain)
            fields["customer"] = .string(subscriber.customer)
            for field in subscriber.secrets.keys.sorted() {
                guard let value = secret(subscriber.id, field)?.value else { continue }
                fields["\(field)_length"] = .int(value.count)
                fields["\(field)_equals_username"] = .bool(
                    Self.equalsUsername(value, subscriber: subscriber))
            }
            objects[subscriber.id] = .object(fields)
            if let forwards = subscriber.callforwards {
                objects[ResourceID(.callforwards, subscriber.name)] = .object(forwards)
            }
            if let preferences = subscriber.preferences {
                objects[ResourceID(.subscriberpreferences, subscriber.name)] = .object(
                    preferences)
            }
        }
    }

    subscript(id: ResourceID) -> JSONValue? { objects[id] }

    /// True when `value` equals the username or the web username, ignoring case.
    private static func equalsUsername(_ value: String, subscriber: DesiredSubscriber) -> Bool {
        let names = [subscriber.username, subscriber.fields["webusername"]?.stringValue]
        return names.compactMap { $0 }.contains { $0.lowercased() == value.lowercased() }
    }
}
