/// A YAML value to write, with mapping keys in the order they should appear.
///
/// Mappings keep their entry order because a manifest reads best in a fixed order (`apiVersion`,
/// `kind`, `metadata`, `spec`), which is not the alphabetical one. `flow` selects the one-line
/// form (`{cc: 43, ac: "1"}`); the emitter falls back to block style when that line would be
/// too long or an entry is not flow-safe.
public indirect enum YAMLValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case sequence([YAMLValue], flow: Bool = false)
    case mapping([YAMLEntry], flow: Bool = false)

    public static func block(_ entries: [YAMLEntry]) -> YAMLValue { .mapping(entries, flow: false) }
    public static func flow(_ entries: [YAMLEntry]) -> YAMLValue { .mapping(entries, flow: true) }

    var isCollection: Bool {
        switch self {
        case .sequence, .mapping: return true
        default: return false
        }
    }

    var isEmptyCollection: Bool {
        switch self {
        case .sequence(let items, _): return items.isEmpty
        case .mapping(let entries, _): return entries.isEmpty
        default: return false
        }
    }
}

extension YAMLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// One key and value of a `YAMLValue.mapping`.
public struct YAMLEntry: Sendable, Hashable {
    public var key: String
    public var value: YAMLValue

    public init(_ key: String, _ value: YAMLValue) {
        self.key = key
        self.value = value
    }
}

/// Writes `YAMLValue` documents as YAML text that YAML 1.2 and YAML 1.1 readers both read back
/// to the same values.
///
/// Strings are written plain only when no reader could take them for anything else: they start
/// with a letter, contain only letters, digits, spaces and `_ . @ / + = ~ -`, do not end in a
/// space and are not one of the words that some YAML version reads as a boolean or null (`yes`,
/// `no`, `on`, `off`, `y`, `n`, `true`, `null`, ...). Everything else is double-quoted with
/// escapes, so `"0664"`, `"4020"`, `"yes"` and `"8-17"` stay strings. Output is a pure function of
/// the input: the same values always give the same bytes.
public struct YAMLEmitter: Sendable {
    /// Column limit for flow collections; longer ones are written in block style.
    public var lineWidth: Int

    public init(lineWidth: Int = 100) {
        self.lineWidth = lineWidth
    }

    /// Writes the documents separated by `---` lines, each ending in a newline.
    public func emit(documents: [YAMLValue]) -> String {
        documents.map { document in
            var output = ""
            writeDocument(document, into: &output)
            return output
        }.joined(separator: "---\n")
    }

    public func emit(_ document: YAMLValue) -> String {
        emit(documents: [document])
    }

    private func writeDocument(_ value: YAMLValue, into output: inout String) {
        switch value {
        case .mapping(let entries, _) where !entries.isEmpty:
            writeMappingEntries(entries, indent: 0, into: &output)
        case .sequence(let items, _) where !items.isEmpty:
            writeSequenceItems(items, indent: 0, into: &output)
        default:
            output += inline(value) + "\n"
        }
    }

    // MARK: Block style

    /// Writes `key: value` lines at `indent` spaces.
    private func writeMappingEntries(_ entries: [YAMLEntry], indent: Int, into output: inout String)
    {
        let padding = String(repeating: " ", count: indent)
        for entry in entries {
            let key = Self.scalar(entry.key)
            let prefix = padding + key + ":"
            if let flow = flowText(entry.value, column: prefix.count + 1) {
                output += prefix + " " + flow + "\n"
                continue
            }
            output += prefix + "\n"
            switch entry.value {
            case .mapping(let nested, _):
                writeMappingEntries(nested, indent: indent + 2, into: &output)
            case .sequence(let items, _):
                writeSequenceItems(items, indent: indent + 2, into: &output)
            default:
                break
            }
        }
    }

    /// Writes `- item` lines at `indent` spaces. A mapping item starts on the dash line and
    /// continues two columns to the right of the dash.
    private func writeSequenceItems(_ items: [YAMLValue], indent: Int, into output: inout String) {
        let padding = String(repeating: " ", count: indent)
        for item in items {
            if let flow = flowText(item, column: indent + 2) {
                output += padding + "- " + flow + "\n"
                continue
            }
            switch item {
            case .mapping(let entries, _):
                var nested = ""
                writeMappingEntries(entries, indent: indent + 2, into: &nested)
                // The first entry moves onto the dash line.
                output += padding + "- " + nested.dropFirst(indent + 2)
            case .sequence(let nestedItems, _):
                output += padding + "-\n"
                writeSequenceItems(nestedItems, indent: indent + 2, into: &output)
            default:
                break
            }
        }
    }

    /// Returns the one-line text of a value written inline at `column`: every scalar, every
    /// empty collection, and flow collections that fit within `lineWidth`. Nil means block style.
    private func flowText(_ value: YAMLValue, column: Int) -> String? {
        switch value {
        case .sequence(let items, let flow):
            if items.isEmpty { return "[]" }
            guard flow else { return nil }
        case .mapping(let entries, let flow):
            if entries.isEmpty { return "{}" }
            guard flow else { return nil }
        default:
            return inline(value)
        }
        let text = inline(value)
        return column + text.count <= lineWidth ? text : nil
    }

    /// Writes a value in flow style, nested collections included.
    private func inline(_ value: YAMLValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return Self.double(number)
        case .string(let text): return Self.scalar(text)
        case .sequence(let items, _):
            return "[" + items.map(inline).joined(separator: ", ") + "]"
        case .mapping(let entries, _):
            let members = entries.map { Self.scalar($0.key) + ": " + inline($0.value) }
            return "{" + members.joined(separator: ", ") + "}"
        }
    }

    // MARK: Scalars

    /// Words that YAML 1.1 or 1.2 reads as booleans or null when unquoted, compared ignoring
    /// case. `nan` and `inf` are listed although they need a leading dot, for readers that are
    /// lax about it.
    static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ]

    /// ASCII punctuation allowed inside a plain scalar. It excludes everything that starts a
    /// comment, an anchor, a tag, a flow collection or a key (`# & * ! [ ] { } , :`), quotes,
    /// and `%`, `|`, `>`, `?`, `` ` ``.
    static let plainPunctuation: Set<Character> = ["_", ".", "@", "/", "+", "=", "~", "-", " "]

    /// True when `text` reads back as the same string when written without quotes.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter, let last = text.last, last != " " else {
            return false
        }
        guard !reservedWords.contains(text.lowercased()) else { return false }
        for character in text {
            if character.isASCII {
                guard
                    character.isLetter || character.isNumber
                        || plainPunctuation.contains(character)
                else { return false }
            } else {
                // Only letters outside ASCII: this rules out invisible and line-breaking
                // characters such as U+00A0, U+0085, U+2028 and U+FEFF.
                guard character.isLetter else { return false }
            }
        }
        return true
    }

    /// Writes a string as a plain scalar when that is safe, double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    /// Writes a double-quoted scalar. Control characters, non-characters and Unicode line and
    /// paragraph separators are escaped, so the text is printable and survives line-ending
    /// conversion.
    static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case "\0": output += "\\0"
            default:
                if needsEscape(scalar) {
                    output += escape(scalar)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || value == 0x7F { return true }
        if (0x80...0x9F).contains(value) { return true }
        if value == 0x2028 || value == 0x2029 || value == 0xFEFF { return true }
        if (0xFFFE...0xFFFF).contains(value) { return true }
        return false
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        if scalar.value <= 0xFF {
            return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        }
        if scalar.value <= 0xFFFF {
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Writes a floating-point number in a form that the YAML 1.2 core schema reads as a float: always
    /// with a fraction or exponent, and `.inf`, `-.inf`, `.nan` for the special values.
    static func double(_ number: Double) -> String {
        if number.isNaN { return ".nan" }
        if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
        let text = String(number)
        if text.contains(".") || text.contains("e") { return text }
        return text + ".0"
    }
}
