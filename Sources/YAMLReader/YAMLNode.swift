/// A position in the YAML input; line and column are 1-based, the column counts characters.
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// The style a scalar was written in.
public enum YAMLScalarStyle: String, Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// A scalar's value after YAML 1.2 core schema resolution.
public enum YAMLScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

/// A scalar node: the text as written (after unescaping), its style, its explicit tag and its
/// resolved value.
public struct YAMLScalar: Sendable, Hashable {
    public let text: String
    public let style: YAMLScalarStyle
    /// The explicit tag in full form (`tag:yaml.org,2002:str`), or nil when none was written.
    public let tag: String?
    public let value: YAMLScalarValue

    public init(text: String, style: YAMLScalarStyle, tag: String?, value: YAMLScalarValue) {
        self.text = text
        self.style = style
        self.tag = tag
        self.value = value
    }

    /// True for an unquoted, untagged `yes`, `no`, `on`, `off`, `y` or `n` (any case): YAML 1.1
    /// read these as booleans, YAML 1.2 reads them as strings.
    public var isYAML11Boolean: Bool {
        guard style == .plain, tag == nil else { return false }
        return ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
    }
}

/// A key/value pair of a mapping, in source order.
public struct YAMLPair: Sendable, Hashable {
    public let key: YAMLNode
    public let value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a YAML document with aliases expanded and merge keys applied.
public struct YAMLNode: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        /// Pairs in source order; keys merged in with `<<` follow the explicit ones.
        case mapping([YAMLPair])
    }

    public let content: Content
    /// The start position of the node.
    public let mark: YAMLMark

    public init(_ content: Content, mark: YAMLMark) {
        self.content = content
        self.mark = mark
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// True for a null scalar (`null`, `~`, or nothing at all).
    public var isNull: Bool {
        if case .scalar(let scalar) = content, scalar.value == .null { return true }
        return false
    }

    /// Returns the value of the first pair whose key is the string `key`.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// A short type name for messages: `string`, `integer`, `number`, `boolean`, `null`,
    /// `list` or `mapping`.
    public var typeName: String {
        switch content {
        case .sequence: return "list"
        case .mapping: return "mapping"
        case .scalar(let scalar):
            switch scalar.value {
            case .null: return "null"
            case .bool: return "boolean"
            case .int: return "integer"
            case .float: return "number"
            case .string: return "string"
            }
        }
    }
}

/// One document of a YAML stream.
public struct YAMLDocument: Sendable, Hashable {
    /// The root node; a document with no content has a null scalar root.
    public let root: YAMLNode
    /// The start position of the document.
    public let mark: YAMLMark

    public init(root: YAMLNode, mark: YAMLMark) {
        self.root = root
        self.mark = mark
    }

    /// True when the document contains nothing but a null (for example `---` alone).
    public var isEmpty: Bool { root.isNull }
}
