import NGCPCore

/// JSON Patch (RFC 6902) as ngcp-panel implements it, with its two extensions:
/// `add` with `"mode": "append"` spreads an array onto an existing array, and `remove` with a
/// `value` removes matching array elements (optionally only the `index`-th match).
enum JSONPatch {
    /// Checks the document shape and the operations before the item is looked up.
    static func validate(_ document: JSONValue, allowed: [String]) throws(APIError)
        -> [[String: JSONValue]]
    {
        guard let operations = document.arrayValue else {
            throw APIError(400, "Body for PATCH must be an array.")
        }
        var result: [[String: JSONValue]] = []
        for element in operations {
            guard let operation = element.objectValue else {
                throw APIError(400, "Body for PATCH must be an array of objects.")
            }
            guard let op = operation["op"]?.stringValue else {
                throw APIError(400, "PATCH element must have an 'op' field.")
            }
            guard allowed.contains(op) else {
                let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
                throw APIError(400, "Invalid PATCH op '\(op)', must be one of \(list)")
            }
            let required: [String]
            switch op {
            case "copy", "move": required = ["from", "path"]
            case "remove": required = ["path"]
            default: required = ["path", "value"]
            }
            let missing = required.filter { operation[$0] == nil }
            if !missing.isEmpty {
                throw APIError(
                    400,
                    "Missing PATCH keys '\(missing.joined(separator: "', '"))' for op '\(op)'")
            }
            result.append(operation)
        }
        return result
    }

    /// Applies the operations in order and returns the patched document.
    static func apply(_ operations: [[String: JSONValue]], to document: JSONValue)
        throws(APIError) -> JSONValue
    {
        var result = document
        for operation in operations {
            let op = operation["op"]?.stringValue ?? ""
            let path = try pointer(operation["path"])
            switch op {
            case "add":
                let value = operation["value"] ?? .null
                let append = operation["mode"]?.stringValue == "append"
                try add(value, at: path, appending: append, in: &result)
            case "remove":
                if let value = operation["value"] {
                    try removeMatching(
                        value, index: operation["index"]?.intValue, at: path, in: &result)
                } else {
                    try remove(at: path, in: &result)
                }
            case "replace":
                guard get(path, in: result) != nil else { throw missingValue(path) }
                try set(operation["value"] ?? .null, at: path, in: &result)
            case "copy", "move":
                let from = try pointer(operation["from"])
                guard let value = get(from, in: result) else { throw missingValue(from) }
                if op == "move" { try remove(at: from, in: &result) }
                try add(value, at: path, appending: false, in: &result)
            case "test":
                guard get(path, in: result) == operation["value"] else {
                    throw APIError(422, "The entity could not be processed: test failed")
                }
            default:
                break
            }
        }
        return result
    }

    // MARK: Pointers

    private static func pointer(_ value: JSONValue?) throws(APIError) -> [String] {
        guard let text = value?.stringValue else {
            throw APIError(400, "Invalid PATCH path, must be a JSON pointer string.")
        }
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw APIError(
                422, "The entity could not be processed: Invalid JSON pointer (pointer: \(text))")
        }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func text(_ path: [String]) -> String {
        "/" + path.joined(separator: "/")
    }

    private static func missingValue(_ path: [String]) -> APIError {
        APIError(
            422,
            "The entity could not be processed: A pointer that references a non-existent value "
                + "(pointer: \(text(path)))")
    }

    static func get(_ path: [String], in document: JSONValue) -> JSONValue? {
        var current = document
        for token in path {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Rewrites the value at `path` through `change`, which receives the parent container.
    private static func modifyParent(
        _ path: [String], in document: inout JSONValue,
        _ change: (inout JSONValue, String) throws(APIError) -> Void
    ) throws(APIError) {
        guard let last = path.last else { throw missingValue(path) }
        let parentPath = Array(path.dropLast())
        guard var parent = get(parentPath, in: document) else { throw missingValue(path) }
        try change(&parent, last)
        try set(parent, at: parentPath, in: &document)
    }

    private static func set(_ value: JSONValue, at path: [String], in document: inout JSONValue)
        throws(APIError)
    {
        guard let first = path.first else {
            document = value
            return
        }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var members):
            var child = members[first] ?? .null
            try set(value, at: rest, in: &child)
            members[first] = child
            document = .object(members)
        case .array(var items):
            guard let index = Int(first), items.indices.contains(index) else {
                throw missingValue(path)
            }
            try set(value, at: rest, in: &items[index])
            document = .array(items)
        default:
            throw missingValue(path)
        }
    }

    private static func add(
        _ value: JSONValue, at path: [String], appending: Bool, in document: inout JSONValue
    ) throws(APIError) {
        if path.isEmpty {
            document = value
            return
        }
        try modifyParent(path, in: &document) {
            (parent: inout JSONValue, key: String) throws(APIError) in
            switch parent {
            case .object(var members):
                if appending, case .array(let existing)? = members[key] {
                    members[key] = .array(existing + (value.arrayValue ?? [value]))
                } else if appending, members[key] == nil || members[key] == .null {
                    members[key] = .array(value.arrayValue ?? [value])
                } else {
                    members[key] = value
                }
                parent = .object(members)
            case .array(var items):
                if key == "-" {
                    items.append(value)
                } else if let index = Int(key), (0...items.count).contains(index) {
                    items.insert(value, at: index)
                } else {
                    throw missingValue(path)
                }
                parent = .array(items)
            default:
                throw missingValue(path)
            }
        }
    }

    private static func remove(at path: [String], in document: inout JSONValue) throws(APIError) {
        guard get(path, in: document) != nil else { throw missingValue(path) }
        try modifyParent(path, in: &document) {
            (parent: inout JSONValue, key: String) throws(APIError) in
            switch parent {
            case .object(var members):
                members.removeValue(forKey: key)
                parent = .object(members)
            case .array(var items):
                guard let index = Int(key), items.indices.contains(index) else {
                    throw missingValue(path)
                }
                items.remove(at: index)
                parent = .array(items)
            default:
                throw missingValue(path)
            }
        }
    }

    /// The NGCP extension: removes the array elements equal to `value` (objects match on the
    /// keys `value` names), or only the `index`-th such element.
    private static func removeMatching(
        _ value: JSONValue, index: Int?, at path: [String], in document: inout JSONValue
    ) throws(APIError) {
        guard case .array(let items)? = get(path, in: document) else {
            try remove(at: path, in: &document)
            return
        }
        func matches(_ item: JSONValue) -> Bool {
            if case .object(let pattern) = value, case .object(let candidate) = item {
                return pattern.allSatisfy { candidate[$0.key] == $0.value }
            }
            return item == value
        }
        var kept: [JSONValue] = []
        var matchNumber = 0
        for item in items {
            if matches(item) {
                defer { matchNumber += 1 }
                if index == nil || index == matchNumber { continue }
            }
            kept.append(item)
        }
        try set(.array(kept), at: path, in: &document)
    }
}
