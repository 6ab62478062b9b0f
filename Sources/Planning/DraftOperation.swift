import NGCPCore

/// An operation before ordering. Dependencies, `{id:N}` path segments and id placeholders in the
/// body refer to draft indices, which `PlanOrdering` rewrites to final operation ids.
struct DraftOperation {
    var action: PlannedAction
    var resource: ResourceKind
    var name: String
    var method: HTTPMethod
    var path: String
    var body: JSONValue?
    var dependsOn: Set<Int> = []
    var changes: [FieldChange] = []
    var liveID: Int?
    var irreversible = false
    var reason: String?
    /// Orders several operations on one object: 0 for a step that frees numbers, 1 otherwise.
    var step = 1
}

/// A request's reference to another object: its server id, or the operation that creates it.
enum Reference: Equatable {
    case live(Int)
    case created(draft: Int)

    /// The value to put in a request body.
    var jsonValue: JSONValue {
        switch self {
        case .live(let id): return .int(id)
        case .created(let draft): return PlanPlaceholder.createdID(of: draft)
        }
    }

    /// Returns the item path in `collection`, such as `/api/subscribers/41` or
    /// `/api/subscribers/{id:3}`.
    func itemPath(_ collection: ResourceKind) -> String {
        switch self {
        case .live(let id): return "/api/\(collection.rawValue)/\(id)"
        case .created(let draft):
            return "/api/\(collection.rawValue)/\(PlanPlaceholder.createdIDPath(of: draft))"
        }
    }

    var liveID: Int? {
        if case .live(let id) = self { return id }
        return nil
    }

    var draft: Int? {
        if case .created(let draft) = self { return draft }
        return nil
    }
}

/// JSON Patch (RFC 6902) operations as NGCP accepts them.
enum Patch {
    static func replace(_ field: String, _ value: JSONValue) -> JSONValue {
        ["op": "replace", "path": .string("/\(field)"), "value": value]
    }

    static func add(_ field: String, _ value: JSONValue) -> JSONValue {
        ["op": "add", "path": .string("/\(field)"), "value": value]
    }

    static func remove(_ field: String) -> JSONValue {
        ["op": "remove", "path": .string("/\(field)")]
    }
}

extension FieldChange {
    /// Lists the changes of a create: every body member, from absent to its value.
    static func creating(_ body: [String: JSONValue], sensitive: Set<String> = [])
        -> [FieldChange]
    {
        body.keys.sorted().map { key in
            FieldChange(
                path: key, before: nil, after: body[key], sensitive: sensitive.contains(key))
        }
    }
}
