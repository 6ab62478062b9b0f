import NGCPCore
import YAMLReader

/// A JSON Schema (draft 2020-12) validator for the keywords that `JSONSchemaRenderer` writes,
/// so that tests can check documents against a schema and the loader alike without an
/// outside validator.
///
/// It reports a keyword that it does not implement as an error, so that a new keyword in the
/// schemas cannot pass unchecked. `format` is an annotation in draft 2020-12 and is not
/// checked. References must point into the schema's own `$defs`.
final class SchemaValidator {
    struct UnsupportedKeyword: Error, CustomStringConvertible {
        let keyword: String
        var description: String { "the validator does not implement '\(keyword)'" }
    }

    private let root: JSONValue
    private var patterns: [String: Regex<AnyRegexOutput>] = [:]

    /// Keywords that carry no assertion for an instance.
    private static let annotations: Set<String> = [
        "$schema", "$id", "$defs", "title", "description", "format",
    ]

    init(_ root: JSONValue) {
        self.root = root
    }

    /// Returns the problems of `instance`, each with its location; empty when it is valid.
    func problems(of instance: JSONValue) throws -> [String] {
        try problems(of: instance, against: root, at: "")
    }

    private func problems(of instance: JSONValue, against schema: JSONValue, at path: String)
        throws -> [String]
    {
        if case .bool(let allows) = schema {
            return allows ? [] : ["\(path): no value is allowed here"]
        }
        guard let keywords = schema.objectValue else {
            return ["\(path): the schema is no object"]
        }

        var found: [String] = []
        for (keyword, value) in keywords.sorted(by: { $0.key < $1.key }) {
            if Self.annotations.contains(keyword) { continue }
            // `then` is applied with `if`.
            if keyword == "then" { continue }
            found += try check(keyword, value, of: instance, in: keywords, at: path)
        }
        return found
    }

    private func check(
        _ keyword: String, _ value: JSONValue, of instance: JSONValue,
        in keywords: [String: JSONValue], at path: String
    ) throws -> [String] {
        switch keyword {
        case "$ref":
            return try problems(of: instance, against: resolve(value), at: path)
        case "type":
            let types = value.arrayValue?.compactMap(\.stringValue) ?? [value.stringValue ?? ""]
            return types.contains { Self.has(instance, type: $0) }
                ? [] : ["\(path): \(instance.typeName) is not of type \(types)"]
        case "enum":
            let values = value.arrayValue ?? []
            return values.contains { Self.equal($0, instance) }
                ? [] : ["\(path): \(instance) is not one of \(values)"]
        case "const":
            return Self.equal(value, instance) ? [] : ["\(path): \(instance) is not \(value)"]
        case "anyOf":
            for branch in value.arrayValue ?? [] {
                if try problems(of: instance, against: branch, at: path).isEmpty { return [] }
            }
            return ["\(path): \(instance) matches no branch of anyOf"]
        case "allOf":
            return try (value.arrayValue ?? []).flatMap {
                try problems(of: instance, against: $0, at: path)
            }
        case "not":
            return try problems(of: instance, against: value, at: path).isEmpty
                ? ["\(path): \(instance) matches the schema under not"] : []
        case "if":
            guard try problems(of: instance, against: value, at: path).isEmpty,
                let then = keywords["then"]
            else { return [] }
            return try problems(of: instance, against: then, at: path)
        case "minLength", "maxLength", "pattern":
            return try checkString(keyword, value, of: instance, at: path)
        case "minimum", "maximum":
            return checkNumber(keyword, value, of: instance, at: path)
        case "items", "minItems", "uniqueItems":
            return try checkArray(keyword, value, of: instance, at: path)
        case "properties", "additionalProperties", "required", "propertyNames", "minProperties",
            "maxProperties", "dependentSchemas":
            return try checkObject(keyword, value, of: instance, in: keywords, at: path)
        default:
            throw UnsupportedKeyword(keyword: keyword)
        }
    }

    private func checkString(
        _ keyword: String, _ value: JSONValue, of instance: JSONValue, at path: String
    ) throws -> [String] {
        guard case .string(let text) = instance else { return [] }
        let length = text.unicodeScalars.count
        switch keyword {
        case "minLength":
            return length >= (value.intValue ?? 0) ? [] : ["\(path): '\(text)' is too short"]
        case "maxLength":
            return length <= (value.intValue ?? 0) ? [] : ["\(path): '\(text)' is too long"]
        default:
            let pattern = value.stringValue ?? ""
            return try text.firstMatch(of: regex(pattern)) != nil
                ? [] : ["\(path): '\(text)' does not match \(pattern)"]
        }
    }

    private func checkNumber(
        _ keyword: String, _ value: JSONValue, of instance: JSONValue, at path: String
    ) -> [String] {
        guard let number = Self.number(instance), let bound = Self.number(value) else {
            return []
        }
        let inRange = keyword == "minimum" ? number >= bound : number <= bound
        return inRange ? [] : ["\(path): \(instance) is out of range (\(keyword) \(value))"]
    }

    private func checkArray(
        _ keyword: String, _ value: JSONValue, of instance: JSONValue, at path: String
    ) throws -> [String] {
        guard case .array(let items) = instance else { return [] }
        switch keyword {
        case "items":
            return try items.enumerated().flatMap { position, item in
                try problems(of: item, against: value, at: "\(path)[\(position)]")
            }
        case "minItems":
            return items.count >= (value.intValue ?? 0)
                ? [] : ["\(path): fewer than \(value) items"]
        default:
            guard value == true else { return [] }
            for (position, item) in items.enumerated()
            where items[..<position].contains(where: { Self.equal($0, item) }) {
                return ["\(path)[\(position)]: \(item) is repeated"]
            }
            return []
        }
    }

    private func checkObject(
        _ keyword: String, _ value: JSONValue, of instance: JSONValue,
        in keywords: [String: JSONValue], at path: String
    ) throws -> [String] {
        guard case .object(let members) = instance else { return [] }
        func at(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
        let sortedMembers = members.sorted { $0.key < $1.key }

        switch keyword {
        case "properties":
            return try sortedMembers.flatMap { name, member in
                guard let schema = value[name] else { return [String]() }
                return try problems(of: member, against: schema, at: at(name))
            }
        case "additionalProperties":
            let declared = keywords["properties"]?.objectValue ?? [:]
            return try sortedMembers.flatMap { name, member in
                guard declared[name] == nil else { return [String]() }
                return try problems(of: member, against: value, at: at(name))
            }
        case "required":
            let names = value.arrayValue?.compactMap(\.stringValue) ?? []
            return names.filter { members[$0] == nil }.map { "\(path): '\($0)' is required" }
        case "propertyNames":
            return try members.keys.sorted().flatMap { name in
                try problems(of: .string(name), against: value, at: at(name))
            }
        case "minProperties":
            return members.count >= (value.intValue ?? 0)
                ? [] : ["\(path): fewer than \(value) properties"]
        case "maxProperties":
            return members.count <= (value.intValue ?? 0)
                ? [] : ["\(path): more than \(value) properties"]
        default:
            let dependencies = value.objectValue ?? [:]
            return try dependencies.sorted(by: { $0.key < $1.key }).flatMap { name, schema in
                members[name] == nil ? [] : try problems(of: instance, against: schema, at: path)
            }
        }
    }

    private func resolve(_ reference: JSONValue) throws -> JSONValue {
        let prefix = "#/$defs/"
        guard let text = reference.stringValue, text.hasPrefix(prefix),
            let target = root["$defs"]?[String(text.dropFirst(prefix.count))]
        else { throw UnsupportedKeyword(keyword: "$ref \(reference)") }
        return target
    }

    private func regex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        if let cached = patterns[pattern] { return cached }
        let compiled = try Regex(pattern)
        patterns[pattern] = compiled
        return compiled
    }

    private static func has(_ instance: JSONValue, type: String) -> Bool {
        switch (type, instance) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array),
            ("object", .object), ("number", .int), ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let value)):
            return value.rounded() == value
        default:
            return false
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// JSON Schema equality, under which 1 and 1.0 are the same number.
    private static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count
                && left.allSatisfy { key, value in right[key].map { equal(value, $0) } ?? false }
        default:
            if let left = number(lhs), let right = number(rhs) { return left == right }
            return lhs == rhs
        }
    }
}
