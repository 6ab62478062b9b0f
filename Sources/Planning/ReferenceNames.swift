import NGCPCore

/// The natural keys of the live objects that id fields of a change refer to, so that a
/// reviewer of a plan reads `2 (gold)` where the request sends `2`.
///
/// Ids of objects that the plan creates are placeholders, which name their operation, and
/// the renderers take their names from there. That is also how a `contact_id` is named: a
/// change shows it only for a customer's create, whose contact the plan creates too. Fields
/// with ids of collections that ngcpctl does not read, such as `profile_set_id`, get no
/// names.
struct ReferenceNames {
    private let index: LiveIndex
    private let billingProfileHandles: [Int: String]
    private let resellerNames: [Int: String]

    init(live: LiveState, index: LiveIndex) {
        self.index = index
        var handles: [Int: String] = [:]
        for profile in live.billingProfiles {
            if let handle = profile["handle"]?.stringValue { handles[profile.id] = handle }
        }
        billingProfileHandles = handles
        var names: [Int: String] = [:]
        for reseller in live.resellers {
            if let name = reseller["name"]?.stringValue { names[reseller.id] = name }
        }
        resellerNames = names
    }

    /// Returns the natural key of the object with the id `id` in the field `field`, or nil
    /// when the field contains no id of a collection that the plan read, or no such object
    /// was read.
    func name(field: String, id: Int) -> String? {
        switch field {
        case "billing_profile_id": return billingProfileHandles[id]
        case "reseller_id": return resellerNames[id]
        case "domain_id": return index.domainsByID[id]?["domain"]?.stringValue
        case "customer_id": return index.customersByID[id]?["external_id"]?.stringValue
        case "pbx_group_ids": return index.subscribersByID[id].map(index.subscriberName)
        default: return nil
        }
    }

    /// Returns `change` with the names of the ids in its values: the value itself, or the
    /// items of an array of ids, before and after.
    func named(_ change: FieldChange) -> FieldChange {
        guard !change.sensitive, Self.idFields.contains(change.path) else { return change }
        var result = change
        for value in [change.before, change.after] {
            for id in Self.ids(in: value) {
                if let name = name(field: change.path, id: id) { result.names[id] = name }
            }
        }
        return result
    }

    /// Returns `operations` with the names of the ids in their changes.
    func named(_ operations: [PlannedOperation]) -> [PlannedOperation] {
        operations.map { operation in
            var result = operation
            result.changes = operation.changes.map(named)
            return result
        }
    }

    /// Fields whose values are ids of objects that `name(field:id:)` can name.
    private static let idFields: Set<String> = [
        "billing_profile_id", "reseller_id", "domain_id", "customer_id", "pbx_group_ids",
    ]

    private static func ids(in value: JSONValue?) -> [Int] {
        switch value {
        case .int(let id): return [id]
        case .array(let items):
            return items.compactMap { item in
                guard case .int(let id) = item else { return nil }
                return id
            }
        default: return []
        }
    }
}
