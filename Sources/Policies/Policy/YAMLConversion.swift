import NGCPCore
import YAMLReader

/// Typed access to the nodes of one policy file that records each problem as a diagnostic at
/// the offending node, so that loading continues and reports every problem in one run.
final class PolicyFileReader {
    let file: String
    let lines: [Substring]
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String, text: String) {
        self.file = file
        self.lines = text.sourceLines()
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(_ node: YAMLNode, _ path: String, _ message: String, hint: String? = nil) {
        error(at: location(node.mark), path, message, hint: hint)
    }

    func error(at location: SourceLocation, _ path: String, _ message: String, hint: String? = nil)
    {
        diagnostics.append(
            Diagnostic(
                .error, message, at: location, fieldPath: path.isEmpty ? nil : path, hint: hint))
    }

    func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    /// Reads the fields of a mapping by key. Reports a non-mapping, non-string keys, unknown
    /// keys (with the nearest valid key) and missing required keys.
    func fields(
        _ node: YAMLNode, _ path: String, allowed: [String], required: [String] = []
    ) -> [String: YAMLNode]? {
        guard let pairs = node.mapping else {
            error(node, path, "expected a mapping, found \(node.typeName)")
            return nil
        }

        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let scalar = pair.key.scalar, case .string(let key) = scalar.value else {
                error(pair.key, path, "keys must be strings, found \(pair.key.typeName)")
                continue
            }
            guard allowed.contains(key) else {
                var hint = "valid keys are " + allowed.map { "'\($0)'" }.joined(separator: ", ")
                if let suggestion = closestName(to: key, in: allowed) {
                    hint = "did you mean '\(suggestion)'?"
                }
                error(pair.key, join(path, key), "unknown key '\(key)'", hint: hint)
                continue
            }
            values[key] = pair.value
        }

        for key in required where values[key] == nil {
            error(node, path, "missing required key '\(key)'")
        }
        return values
    }

    func string(_ node: YAMLNode, _ path: String) -> String? {
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            error(node, path, "expected a string, found \(node.typeName)")
            return nil
        }
        return text
    }

    func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let scalar = node.scalar, case .bool(let flag) = scalar.value else {
            error(node, path, "expected true or false, found \(node.typeName)")
            return nil
        }
        return flag
    }

    /// A string that must be one of `choices`, reported with the nearest choice otherwise.
    func choice(_ node: YAMLNode, _ path: String, _ choices: [String]) -> String? {
        guard let text = string(node, path) else { return nil }
        guard choices.contains(text) else {
            var hint = "use one of " + choices.map { "'\($0)'" }.joined(separator: ", ")
            if let suggestion = closestName(to: text, in: choices) {
                hint = "did you mean '\(suggestion)'?"
            }
            error(node, path, "invalid value '\(text)'", hint: hint)
            return nil
        }
        return text
    }

    /// Reads a list of strings. A single string is rejected, so that a typo cannot hide.
    func stringList(_ node: YAMLNode, _ path: String) -> [(String, YAMLNode)]? {
        guard let items = node.sequence else {
            error(node, path, "expected a list, found \(node.typeName)")
            return nil
        }
        var result: [(String, YAMLNode)] = []
        for (index, item) in items.enumerated() {
            if let text = string(item, "\(path)[\(index)]") { result.append((text, item)) }
        }
        return result
    }

    /// Converts the node to JSON and reports keys that are not strings.
    func json(_ node: YAMLNode, _ path: String) -> JSONValue? {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return .null
            case .bool(let flag): return .bool(flag)
            case .int(let number): return .int(number)
            case .float(let number): return .double(number)
            case .string(let text): return .string(text)
            }
        case .sequence(let items):
            var values: [JSONValue] = []
            for (index, item) in items.enumerated() {
                guard let value = json(item, "\(path)[\(index)]") else { return nil }
                values.append(value)
            }
            return .array(values)
        case .mapping(let pairs):
            var members: [String: JSONValue] = [:]
            for pair in pairs {
                guard let scalar = pair.key.scalar, case .string(let key) = scalar.value else {
                    error(pair.key, path, "keys must be strings, found \(pair.key.typeName)")
                    return nil
                }
                guard let value = json(pair.value, join(path, key)) else { return nil }
                members[key] = value
            }
            return .object(members)
        }
    }
}

func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}
