import NGCPCore

/// A digest of the live object an operation was computed from.
///
/// A saved plan is applied later; by then someone may have changed the objects it touches.
/// Apply reads each object again and compares digests, and rejects a stale plan rather than
/// overwriting a change it never saw. The digest covers the object's fields in sorted JSON,
/// without the members that describe the representation or change on every write without a
/// change of content: `_links`, `_embedded`, ids and timestamps.
public enum LiveFingerprint {
    static let excludedFields: Set<String> = Normalization.serverOwnedFields.union([
        "_embedded", "subscriber_id",
    ])

    /// Computes the digest of an object's fields, as `sha256:` and lowercase hex.
    public static func of(fields: [String: JSONValue]) -> String {
        var kept = fields
        for field in excludedFields { kept[field] = nil }
        return "sha256:" + SHA256.hexHash(JSONValue.object(kept).serialized())
    }

    /// Returns the request path that reads the object an operation was computed from, or nil
    /// when the operation creates it. Forwards and preferences live at their subscriber's id.
    public static func readPath(of operation: PlannedOperation) -> String? {
        guard let liveID = operation.liveID else { return nil }
        return "/api/\(operation.resource.rawValue)/\(liveID)"
    }

    /// Computes the digest of the live object of each operation, or nil for one that has none
    /// (a create). Each live collection is indexed once, so that a plan with many updates does
    /// not search the whole collection per operation.
    static func of(_ operations: [PlannedOperation], in live: LiveState) -> [String?] {
        var indexes: [ResourceKind: [Int: LiveObject]] = [:]
        func object(_ kind: ResourceKind, _ id: Int) -> LiveObject? {
            if let index = indexes[kind] { return index[id] }
            let objects: [LiveObject]
            switch kind {
            case .domains: objects = live.domains
            case .customercontacts: objects = live.contacts
            case .customers: objects = live.customers
            case .subscribers: objects = live.subscribers
            case .callforwards, .subscriberpreferences: objects = []
            }
            let index = Dictionary(objects.map { ($0.id, $0) }) { first, _ in first }
            indexes[kind] = index
            return index[id]
        }

        return operations.map { operation in
            guard let liveID = operation.liveID else { return nil }
            let fields: [String: JSONValue]?
            switch operation.resource {
            case .domains, .customercontacts, .customers, .subscribers:
                fields = object(operation.resource, liveID)?.fields
            case .callforwards: fields = live.callforwards[liveID]
            case .subscriberpreferences: fields = live.preferences[liveID]
            }
            return fields.map { of(fields: $0) }
        }
    }
}
