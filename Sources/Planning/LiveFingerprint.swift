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
    /// (a create). Objects are found through the planner's index, so that a plan with many
    /// updates does not search the whole collection per operation.
    static func of(_ operations: [PlannedOperation], in live: LiveState, index: LiveIndex)
        -> [String?]
    {
        operations.map { operation in
            guard let liveID = operation.liveID else { return nil }
            let fields =
                index.object(operation.resource, id: liveID)?.fields
                ?? live.block(operation.resource, subscriber: liveID)
            return fields.map { of(fields: $0) }
        }
    }
}
