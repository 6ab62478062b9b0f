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

        // Only the objects that operations touch are converted: a plan of a few changes
        // against tens of thousands of declared objects needs a few of them.
        let touched = Set(plan.operations.filter { $0.action != .delete }.map(\.resourceID))
        let objects = DesiredObjects(desired, only: touched, secret: secret)
        let liveObjects = live.map { Self.liveObjects(for: plan, in: $0) } ?? [:]

        for operation in plan.operations {
            if operation.action != .delete, let object = objects[operation.resourceID] {
                self.desired[operation.id] = object
            }
            if let liveID = operation.liveID,
                let object = liveObjects[LiveKey(kind: operation.resource, id: liveID)]
            {
                self.live[operation.id] = object
            }
        }
    }

    private struct LiveKey: Hashable {
        let kind: ResourceKind
        let id: Int
    }

    /// Returns the live objects of the plan's operations in API shape, each collection
    /// searched once.
    private static func liveObjects(for plan: Plan, in live: LiveState) -> [LiveKey: JSONValue] {
        var touched: [ResourceKind: Set<Int>] = [:]
        for operation in plan.operations {
            if let liveID = operation.liveID {
                touched[operation.resource, default: []].insert(liveID)
            }
        }

        var found: [LiveKey: JSONValue] = [:]
        for (kind, ids) in touched {
            for object in live.objects(of: kind) where ids.contains(object.id) {
                found[LiveKey(kind: kind, id: object.id)] = .object(object.fields)
            }
            for id in ids {
                if let block = live.block(kind, subscriber: id) {
                    found[LiveKey(kind: kind, id: id)] = .object(block)
                }
            }
        }
        return found
    }
}

/// The desired objects of a desired state in API shape, by ResourceID.
private struct DesiredObjects {
    private var objects: [ResourceID: JSONValue] = [:]

    init(
        _ desired: DesiredState, only touched: Set<ResourceID>,
        secret: (ResourceID, String) -> SecretValue?
    ) {
        for domain in desired.domains where touched.contains(domain.id) {
            var fields: [String: JSONValue] = ["domain": .string(domain.domain)]
            if let reseller = domain.reseller { fields["reseller"] = .string(reseller) }
            objects[domain.id] = .object(fields)
        }
        for customer in desired.customers
        where touched.contains(customer.id) || touched.contains(customer.contactID) {
            var fields = customer.fields
            fields["external_id"] = .string(customer.externalID)
            fields["billing_profile"] = .string(customer.billingProfile)
            objects[customer.id] = .object(fields)
            objects[customer.contactID] = .object(customer.contact)
        }
        // A subscriber's blocks are named like the subscriber itself.
        let subscriberKinds: Set<ResourceKind> = [
            .subscribers, .callforwards, .subscriberpreferences,
        ]
        let touchedNames = Set(touched.filter { subscriberKinds.contains($0.kind) }.map(\.name))
        for subscriber in desired.subscribers where !touchedNames.isEmpty {
            let name = subscriber.name
            guard touchedNames.contains(name) else { continue }
            let forwardsID = ResourceID(.callforwards, name)
            let preferencesID = ResourceID(.subscriberpreferences, name)
            var fields = subscriber.fields
            fields["username"] = .string(subscriber.username)
            fields["domain"] = .string(subscriber.domain)
            fields["customer"] = .string(subscriber.customer)
            if let groups = subscriber.pbxGroups {
                fields["pbx_groups"] = .array(groups.map { .string($0.name) })
            }
            // Only the subscriber's own passwords get facts: the key of a secret preference is
            // a path into `preferences`, not a field name.
            for field in subscriber.secrets.keys.sorted()
            where secretPreferenceName(ofField: field) == nil {
                guard let value = secret(subscriber.id, field)?.value else { continue }
                fields["\(field)_length"] = .int(value.count)
                let nameField = Self.nameField(equalTo: value, of: subscriber)
                fields["\(field)_equals_username"] = .bool(nameField != nil)
                if let nameField { fields["\(field)_equals_field"] = .string(nameField) }
            }
            objects[subscriber.id] = .object(fields)
            if let forwards = subscriber.callforwards {
                objects[forwardsID] = .object(forwards)
            }
            if let preferences = subscriber.preferences {
                objects[preferencesID] = .object(preferences)
            }
        }
    }

    subscript(id: ResourceID) -> JSONValue? { objects[id] }

    /// Returns `username` or `webusername`, whichever field of `subscriber` equals `value`
    /// ignoring case (`username` when both do), or nil when neither does.
    private static func nameField(equalTo value: String, of subscriber: DesiredSubscriber)
        -> String?
    {
        let lowered = value.lowercased()
        if subscriber.username.lowercased() == lowered { return "username" }
        if subscriber.fields["webusername"]?.stringValue?.lowercased() == lowered {
            return "webusername"
        }
        return nil
    }
}
