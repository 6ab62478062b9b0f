/// Limits that bound the time and memory one parse may use.
public struct YAMLLimits: Sendable, Hashable {
    /// Maximum input size in bytes.
    public var maxInputBytes: Int
    /// Maximum size of one scalar in bytes.
    public var maxScalarBytes: Int
    /// Maximum nesting of sequences and mappings.
    public var maxDepth: Int
    /// Maximum number of nodes that aliases may add to one document when expanded; this
    /// stops "billion laughs" alias bombs.
    public var maxAliasExpansion: Int

    public init(
        maxInputBytes: Int = 4 << 20, maxScalarBytes: Int = 64 << 10, maxDepth: Int = 64,
        maxAliasExpansion: Int = 100_000
    ) {
        self.maxInputBytes = maxInputBytes
        self.maxScalarBytes = maxScalarBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }
}

/// A failure to read a YAML stream, at a position when one is known.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    /// The position of the problem; nil for whole-input problems such as the size limit.
    public let mark: YAMLMark?

    /// Set when reading the rest of the stream would be of no use.
    let endsStream: Bool

    public init(_ message: String, at mark: YAMLMark? = nil) {
        self.init(message, at: mark, endsStream: false)
    }

    init(_ message: String, at mark: YAMLMark?, endsStream: Bool) {
        self.message = message
        self.mark = mark
        self.endsStream = endsStream
    }

    /// `line:col: message`, or only the message when no position is known.
    public var description: String {
        guard let mark else { return message }
        return "\(mark): \(message)"
    }
}

// Every message of this module, kept together so that tests can assert the exact text.
extension YAMLError {
    static func inputTooLarge(_ size: Int, limit: Int) -> YAMLError {
        YAMLError("input is \(size) bytes, more than the limit of \(limit) bytes")
    }

    static func scalarTooLarge(_ size: Int, limit: Int, at mark: YAMLMark) -> YAMLError {
        YAMLError("scalar is \(size) bytes, more than the limit of \(limit) bytes", at: mark)
    }

    static func tooDeep(limit: Int, at mark: YAMLMark) -> YAMLError {
        YAMLError("nesting is deeper than the limit of \(limit) levels", at: mark)
    }

    static func streamAliasBudgetExceeded(_ name: String, factor: Int, at mark: YAMLMark)
        -> YAMLError
    {
        YAMLError(
            "alias '*\(name)' makes the aliases of this file expand to more than \(factor) times"
                + " the nodes written in it, so the rest of the file is not read; split the file,"
                + " or use fewer aliases",
            at: mark, endsStream: true)
    }

    static func aliasBudgetExceeded(_ name: String, limit: Int, at mark: YAMLMark) -> YAMLError {
        YAMLError(
            "alias '*\(name)' expands the document beyond the limit of \(limit) nodes;"
                + " aliases nested this way are rejected as an alias bomb",
            at: mark)
    }

    static func aliasInsideOwnAnchor(_ name: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(
            "alias '*\(name)' is inside the collection that its anchor names; a collection"
                + " cannot contain itself",
            at: mark)
    }

    static func undefinedAlias(_ name: String, at mark: YAMLMark) -> YAMLError {
        YAMLError("alias '*\(name)' refers to no anchor defined before it", at: mark)
    }

    static func duplicateKey(_ key: String, first: YAMLMark, at mark: YAMLMark) -> YAMLError {
        YAMLError(
            "duplicate key '\(key)'; first defined at line \(first.line), column \(first.column)",
            at: mark)
    }

    static func unsupportedTag(_ tag: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(
            "unsupported tag '\(shortTag(tag))'; only the core schema tags !!str, !!int,"
                + " !!bool, !!null, !!float, !!map and !!seq are allowed",
            at: mark)
    }

    /// Leaves the value out of the message, because it may be a secret.
    static func tagMismatch(_ tag: String, at mark: YAMLMark) -> YAMLError {
        YAMLError("value is not valid for tag '\(shortTag(tag))'", at: mark)
    }

    static func invalidMerge(at mark: YAMLMark) -> YAMLError {
        YAMLError("merge key '<<' needs a mapping or a list of mappings", at: mark)
    }

    /// Leaves the value out of the message, because it may be a secret.
    static func integerOutOfRange(at mark: YAMLMark) -> YAMLError {
        YAMLError("integer is out of the 64-bit range", at: mark)
    }

    static func invalidUTF8(at mark: YAMLMark) -> YAMLError {
        YAMLError("scalar is not valid UTF-8", at: mark)
    }
}

/// Returns the `!!name` form of a core schema tag, or the tag as written.
func shortTag(_ tag: String) -> String {
    let prefix = "tag:yaml.org,2002:"
    if tag.hasPrefix(prefix) { return "!!" + tag.dropFirst(prefix.count) }
    return tag
}
