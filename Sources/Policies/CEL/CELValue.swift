import NGCPCore

/// The type of a CEL value, as `type(x)` returns it.
public enum CELType: String, Sendable, Hashable, CaseIterable {
    case nullType = "null_type"
    case bool
    case int
    case double
    case string
    case list
    case map
    case type
}

/// A value of the supported CEL subset: JSON's values plus type values.
///
/// Map keys are strings only, because every value the expressions see comes from JSON.
public enum CELValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([CELValue])
    case map([String: CELValue])
    case type(CELType)

    public var type: CELType {
        switch self {
        case .null: return .nullType
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .list: return .list
        case .map: return .map
        case .type: return .type
        }
    }

    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .list(items.map(CELValue.init))
        case .object(let members): self = .map(members.mapValues(CELValue.init))
        }
    }

    /// The value as JSON; a type value becomes its name.
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .list(let items): return .array(items.map(\.json))
        case .map(let members): return .object(members.mapValues(\.json))
        case .type(let type): return .string(type.rawValue)
        }
    }
}

extension CELValue {
    /// CEL equality: numbers compare by value across int and double, strings by code points,
    /// lists and maps element by element, and values of different types are unequal.
    static func equal(_ lhs: CELValue, _ rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return compareNumbers(a, b) == 0
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], equal(value, other) else { return false }
            }
            return true
        case (.type(let a), .type(let b)): return a == b
        default: return false
        }
    }

    /// Compares an int with a double and returns -1, 0 or 1, or nil when the double is NaN.
    static func compareNumbers(_ a: Int, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        // Doubles at or beyond ±2^63 lie outside every Int, so compare without converting.
        if b >= 9_223_372_036_854_775_808.0 { return -1 }
        if b < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = Int(b.rounded(.down))
        if a < whole { return -1 }
        if a > whole { return 1 }
        return b > b.rounded(.down) ? -1 : 0
    }

    /// A short rendering for messages, in CEL literal syntax.
    public var literal: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(describing: value)
        case .string(let value): return quoted(value)
        case .list(let items): return "[" + items.map(\.literal).joined(separator: ", ") + "]"
        case .map(let members):
            let pairs = members.keys.sorted().map { "\(quoted($0)): \(members[$0]!.literal)" }
            return "{" + pairs.joined(separator: ", ") + "}"
        case .type(let type): return type.rawValue
        }
    }

    private func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
