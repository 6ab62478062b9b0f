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
    /// The resolved value without its text, so that a string value does not hold a second
    /// reference to `text`.
    let resolved: ResolvedValue

    public init(text: String, style: YAMLScalarStyle, tag: String?, value: YAMLScalarValue) {
        self.init(text: text, style: style, tag: tag, resolved: ResolvedValue(value))
    }

    init(text: String, style: YAMLScalarStyle, tag: String?, resolved: ResolvedValue) {
        self.text = text
        self.style = style
        self.tag = tag
        self.resolved = resolved
    }

    public var value: YAMLScalarValue { resolved.value(text: text) }

    /// True for an unquoted, untagged `yes`, `no`, `on`, `off`, `y` or `n` (any case): YAML 1.1
    /// read these as booleans, YAML 1.2 reads them as strings.
    public var isYAML11Boolean: Bool {
        guard style == .plain, tag == nil else { return false }
        return ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
    }

    public static func == (lhs: YAMLScalar, rhs: YAMLScalar) -> Bool {
        lhs.text == rhs.text && lhs.style == rhs.style && lhs.tag == rhs.tag
            && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(style)
        hasher.combine(tag)
    }
}

/// A resolved scalar value in a fixed-size form: its kind and, for booleans and numbers,
/// the bits of the value. A string's value is the scalar's text.
struct ResolvedValue: Sendable, Hashable {
    enum Kind: UInt8, Sendable {
        case null
        case bool
        case int
        case float
        case string
    }

    let kind: Kind
    let bits: UInt64

    init(kind: Kind, bits: UInt64 = 0) {
        self.kind = kind
        self.bits = bits
    }

    init(_ value: YAMLScalarValue) {
        switch value {
        case .null: self.init(kind: .null)
        case .bool(let flag): self.init(kind: .bool, bits: flag ? 1 : 0)
        case .int(let number): self.init(kind: .int, bits: UInt64(bitPattern: Int64(number)))
        case .float(let number): self.init(kind: .float, bits: number.bitPattern)
        case .string: self.init(kind: .string)
        }
    }

    func value(text: @autoclosure () -> String) -> YAMLScalarValue {
        switch kind {
        case .null: return .null
        case .bool: return .bool(bits != 0)
        case .int: return .int(Int(Int64(bitPattern: bits)))
        case .float: return .float(Double(bitPattern: bits))
        case .string: return .string(text())
        }
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
///
/// A node is a position in the tree of its stream. The nodes of one parse live in flat arrays
/// that all of them share, so a node costs one reference to copy and the whole stream is
/// freed at once. An alias is the node its anchor names, shared rather than copied.
public struct YAMLNode: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence(Items)
        /// Pairs in source order; keys merged in with `<<` follow the explicit ones.
        case mapping(Pairs)
    }

    let tree: YAMLTree
    private let storedID: Int32
    /// The position in the tree's child list through which this node was reached, or -1 for
    /// a root. It finds the alias that placed the node there, if one did. Both are 32-bit,
    /// as the tree's positions are, so that a node stays as small as a reference and an `Int`.
    private let slot: Int32

    var id: Int { Int(storedID) }

    init(tree: YAMLTree, id: Int, slot: Int = -1) {
        self.tree = tree
        storedID = Int32(truncatingIfNeeded: id)
        self.slot = Int32(truncatingIfNeeded: slot)
    }

    private var record: NodeRecord { tree.records[id] }

    public var content: Content {
        let record = record
        switch record.kind {
        case .scalar: return .scalar(tree.scalar(record))
        case .sequence: return .sequence(Items(tree: tree, record: record))
        case .mapping: return .mapping(Pairs(tree: tree, record: record))
        }
    }

    /// The start position of the node. A node that an alias placed is the anchored node, so
    /// this is where the anchor's node starts, and `aliasMark` is where the alias is.
    public var mark: YAMLMark { record.mark }

    /// The position of the alias that placed this node where it was reached from its parent
    /// (an item, a key or a value), or nil when the node is written there. A node inside a
    /// collection that an alias placed is written in the anchored collection, so it has none.
    package var aliasMark: YAMLMark? {
        guard slot >= 0, !tree.aliasMarks.isEmpty else { return nil }
        return tree.aliasMarks[slot]
    }

    public var scalar: YAMLScalar? {
        let record = record
        guard record.kind == .scalar else { return nil }
        return tree.scalar(record)
    }

    public var sequence: Items? {
        let record = record
        guard record.kind == .sequence else { return nil }
        return Items(tree: tree, record: record)
    }

    public var mapping: Pairs? {
        let record = record
        guard record.kind == .mapping else { return nil }
        return Pairs(tree: tree, record: record)
    }

    /// True when an alias of the node's stream placed a node, here or anywhere else. A stream
    /// without one has each node in one place only.
    package var streamHasAliases: Bool { !tree.aliasMarks.isEmpty }

    /// True for a null scalar (`null`, `~`, or nothing at all).
    public var isNull: Bool {
        let record = record
        return record.kind == .scalar && record.valueKind == .null
    }

    // The typed reads below take what they need from the node's record. `scalar` builds a
    // whole `YAMLScalar`, and releasing it costs more than the read itself.

    /// The value of a scalar that resolved to a string, which is its text.
    package var stringValue: String? {
        let record = record
        guard record.kind == .scalar, record.valueKind == .string else { return nil }
        return tree.text(of: record)
    }

    /// The text as written of a scalar that resolved to a string, an integer or a float.
    package var stringOrNumberText: String? {
        let record = record
        guard record.kind == .scalar else { return nil }
        switch record.valueKind {
        case .string, .int, .float: return tree.text(of: record)
        case .null, .bool: return nil
        }
    }

    /// The value of a scalar that resolved to an integer.
    package var intValue: Int? {
        let record = record
        guard record.kind == .scalar, record.valueKind == .int else { return nil }
        return Int(Int64(bitPattern: record.bits))
    }

    /// The value of a scalar that resolved to a boolean.
    package var boolValue: Bool? {
        let record = record
        guard record.kind == .scalar, record.valueKind == .bool else { return nil }
        return record.bits != 0
    }

    /// True for a scalar written without quotes and without a tag.
    package var isPlainUntaggedScalar: Bool {
        let record = record
        return record.kind == .scalar && record.style == .plain && record.tag == .none
    }

    /// False when no scalar at or below this node contains a control character (U+0000-U+001F,
    /// U+007F-U+009F), as the parser found from the bytes. True when one may. For a
    /// collection the flag covers its whole stream, so a check can skip clean streams
    /// without a walk.
    package var mayContainControlCharacters: Bool {
        let record = record
        guard record.kind == .scalar else { return tree.mayContainControlCharacters }
        return record.mayContainControlCharacters
    }

    /// Returns the value of the first pair whose key is the string `key`.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// A short type name for messages: `string`, `integer`, `number`, `boolean`, `null`,
    /// `list` or `mapping`.
    public var typeName: String {
        let record = record
        switch record.kind {
        case .sequence: return "list"
        case .mapping: return "mapping"
        case .scalar:
            switch record.valueKind {
            case .null: return "null"
            case .bool: return "boolean"
            case .int: return "integer"
            case .float: return "number"
            case .string: return "string"
            }
        }
    }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        if lhs.tree === rhs.tree && lhs.id == rhs.id { return true }
        return lhs.mark == rhs.mark && lhs.content == rhs.content
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(mark)
        switch content {
        case .scalar(let scalar): hasher.combine(scalar)
        case .sequence(let items): hasher.combine(items.count)
        case .mapping(let pairs): hasher.combine(pairs.count)
        }
    }

    /// The items of a sequence node.
    public struct Items: RandomAccessCollection, Sendable, Hashable {
        let tree: YAMLTree
        let start: Int
        public let count: Int

        init(tree: YAMLTree, record: NodeRecord) {
            self.tree = tree
            start = Int(record.start)
            count = Int(record.count)
        }

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> YAMLNode {
            precondition(position >= 0 && position < count, "index out of range")
            let slot = start + position
            return YAMLNode(tree: tree, id: Int(tree.children[slot]), slot: slot)
        }

        /// Returns the position of the alias that placed the item at `position`, or nil when
        /// the item is written there.
        package func aliasMark(at position: Int) -> YAMLMark? {
            precondition(position >= 0 && position < count, "index out of range")
            guard !tree.aliasMarks.isEmpty else { return nil }
            return tree.aliasMarks[Int32(start + position)]
        }

        public static func == (lhs: Items, rhs: Items) -> Bool {
            lhs.elementsEqual(rhs)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            for item in self { hasher.combine(item) }
        }
    }

    /// The key/value pairs of a mapping node, in source order.
    public struct Pairs: RandomAccessCollection, Sendable, Hashable {
        let tree: YAMLTree
        let start: Int
        public let count: Int

        init(tree: YAMLTree, record: NodeRecord) {
            self.tree = tree
            start = Int(record.start)
            count = Int(record.count)
        }

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> YAMLPair {
            precondition(position >= 0 && position < count, "index out of range")
            let offset = start + 2 * position
            return YAMLPair(
                key: YAMLNode(tree: tree, id: Int(tree.children[offset]), slot: offset),
                value: YAMLNode(
                    tree: tree, id: Int(tree.children[offset + 1]), slot: offset + 1))
        }

        /// Returns the key's text when the key at `position` is a scalar whose value is a
        /// string, without building the pair.
        package func stringKey(at position: Int) -> String? {
            precondition(position >= 0 && position < count, "index out of range")
            let record = tree.records[Int(tree.children[start + 2 * position])]
            guard record.kind == .scalar, record.valueKind == .string else { return nil }
            return tree.text(of: record)
        }

        package func key(at position: Int) -> YAMLNode {
            precondition(position >= 0 && position < count, "index out of range")
            let slot = start + 2 * position
            return YAMLNode(tree: tree, id: Int(tree.children[slot]), slot: slot)
        }

        package func value(at position: Int) -> YAMLNode {
            precondition(position >= 0 && position < count, "index out of range")
            let slot = start + 2 * position + 1
            return YAMLNode(tree: tree, id: Int(tree.children[slot]), slot: slot)
        }

        /// Returns the position of the alias that placed the key at `position`, or nil when
        /// the key is written there. A pair that a merge key added has the position of the
        /// alias of its merge source, or else of the alias inside that source.
        package func aliasMark(ofKeyAt position: Int) -> YAMLMark? {
            precondition(position >= 0 && position < count, "index out of range")
            guard !tree.aliasMarks.isEmpty else { return nil }
            return tree.aliasMarks[Int32(start + 2 * position)]
        }

        /// Returns the position of the alias that placed the value at `position`, or nil when
        /// the value is written there. Merged pairs count as for `aliasMark(ofKeyAt:)`.
        package func aliasMark(ofValueAt position: Int) -> YAMLMark? {
            precondition(position >= 0 && position < count, "index out of range")
            guard !tree.aliasMarks.isEmpty else { return nil }
            return tree.aliasMarks[Int32(start + 2 * position + 1)]
        }

        public static func == (lhs: Pairs, rhs: Pairs) -> Bool {
            lhs.elementsEqual(rhs)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            for pair in self { hasher.combine(pair) }
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

/// One node in the flat arrays of a tree. A scalar's text is `count` bytes of the scalar
/// bytes from `start`. A sequence's items are `count` entries of the child list from `start`,
/// and a mapping's keys and values alternate in `2 * count` entries from there.
///
/// NOTE: positions and marks are 32-bit, which bounds a stream to 2^31 nodes, lines and
/// scalar bytes. The default input limit of 4 MiB stays far below that, but a limit above
/// 2 GiB could reach it.
struct NodeRecord: Sendable {
    enum Kind: UInt8, Sendable {
        case scalar
        case sequence
        case mapping
    }

    let line: Int32
    let column: Int32
    var start: Int32
    var count: Int32
    /// A scalar's value bits, as in `ResolvedValue`.
    let bits: UInt64
    let kind: Kind
    let style: YAMLScalarStyle.Code
    let tag: TagCode
    let valueKind: ResolvedValue.Kind
    /// Whether a scalar's text has a byte that may start a control character.
    let mayContainControlCharacters: Bool

    var mark: YAMLMark { YAMLMark(line: Int(line), column: Int(column)) }

    /// Returns the text of a scalar record from the scalar bytes of its tree, which the
    /// parser checked to be valid UTF-8.
    func text(in scalarBytes: UnsafeBufferPointer<UInt8>) -> String {
        let first = Int(start)
        let scalar = UnsafeBufferPointer(rebasing: scalarBytes[first..<(first + Int(count))])
        // Text of up to 15 bytes fits in a String without a heap allocation. Initialized in
        // place, such a string is not validated again when it is ASCII, where
        // `String(decoding:as:)` validates every string.
        guard scalar.count <= 15 else { return String(decoding: scalar, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: scalar.count) { buffer in
            guard let source = scalar.baseAddress, let target = buffer.baseAddress else {
                return 0
            }
            target.initialize(from: source, count: scalar.count)
            return scalar.count
        }
    }
}

/// The explicit tags a node of a tree can carry: every other tag is rejected while parsing.
enum TagCode: UInt8, Sendable {
    case none
    case nonSpecific
    case string
    case null
    case bool
    case int
    case float
    case map
    case seq

    init?(_ tag: String?) {
        guard let tag else {
            self = .none
            return
        }
        switch tag {
        case "!": self = .nonSpecific
        case ScalarResolver.corePrefix + "str": self = .string
        case ScalarResolver.corePrefix + "null": self = .null
        case ScalarResolver.corePrefix + "bool": self = .bool
        case ScalarResolver.corePrefix + "int": self = .int
        case ScalarResolver.corePrefix + "float": self = .float
        case ScalarResolver.corePrefix + "map": self = .map
        case ScalarResolver.corePrefix + "seq": self = .seq
        default: return nil
        }
    }

    /// The tag as written in full form; literals, so that no string is allocated per node.
    var tag: String? {
        switch self {
        case .none: return nil
        case .nonSpecific: return "!"
        case .string: return "tag:yaml.org,2002:str"
        case .null: return "tag:yaml.org,2002:null"
        case .bool: return "tag:yaml.org,2002:bool"
        case .int: return "tag:yaml.org,2002:int"
        case .float: return "tag:yaml.org,2002:float"
        case .map: return "tag:yaml.org,2002:map"
        case .seq: return "tag:yaml.org,2002:seq"
        }
    }
}

extension YAMLScalarStyle {
    /// A one-byte form of the style for node records.
    enum Code: UInt8, Sendable {
        case plain
        case singleQuoted
        case doubleQuoted
        case literal
        case folded
    }

    init(_ code: Code) {
        switch code {
        case .plain: self = .plain
        case .singleQuoted: self = .singleQuoted
        case .doubleQuoted: self = .doubleQuoted
        case .literal: self = .literal
        case .folded: self = .folded
        }
    }
}

/// The nodes of one parsed stream, shared by every `YAMLNode` of it. It keeps the buffers
/// that the tree builder filled, without copying them, and never changes them.
final class YAMLTree: Sendable {
    let records: GrowableBuffer<NodeRecord>
    /// The UTF-8 bytes of every scalar, which the records index.
    let scalarBytes: GrowableBuffer<UInt8>
    let children: GrowableBuffer<Int32>
    /// Whether any scalar of the stream may contain a control character.
    let mayContainControlCharacters: Bool
    /// The position of the alias that placed each child written as an alias, by its position
    /// in `children`.
    let aliasMarks: [Int32: YAMLMark]

    init(
        records: consuming GrowableBuffer<NodeRecord>,
        scalarBytes: consuming GrowableBuffer<UInt8>, children: consuming GrowableBuffer<Int32>,
        mayContainControlCharacters: Bool, aliasMarks: [Int32: YAMLMark] = [:]
    ) {
        self.records = records
        self.scalarBytes = scalarBytes
        self.children = children
        self.mayContainControlCharacters = mayContainControlCharacters
        self.aliasMarks = aliasMarks
    }

    func text(of record: NodeRecord) -> String {
        scalarBytes.withUnsafeBufferPointer { bytes in record.text(in: bytes) }
    }

    func scalar(_ record: NodeRecord) -> YAMLScalar {
        YAMLScalar(
            text: text(of: record), style: YAMLScalarStyle(record.style),
            tag: record.tag.tag,
            resolved: ResolvedValue(kind: record.valueKind, bits: record.bits))
    }
}
