/// Scalar resolution by the YAML 1.2 core schema.
///
/// Only `true`/`false`, `null`/`~`/empty, integers and floats are recognised in plain scalars.
/// YAML 1.1 spellings such as `yes`, `on` or `0b101` stay strings.
enum ScalarResolver {
    static let corePrefix = "tag:yaml.org,2002:"

    /// Resolves a scalar with an optional explicit tag; throws for a tag outside the core
    /// schema or a value that the tag does not allow.
    static func resolve(
        text: String, style: YAMLScalarStyle, tag: String?, mark: YAMLMark
    ) throws(YAMLError) -> YAMLScalarValue {
        guard let tag, tag != "!" else {
            // Quoted, block and `!`-tagged scalars are strings; only plain ones are resolved.
            if style != .plain || tag == "!" { return .string(text) }
            return try resolvePlain(text, mark: mark)
        }

        switch tag {
        case corePrefix + "str":
            return .string(text)
        case corePrefix + "null":
            guard isNull(text) else { throw .tagMismatch(tag, at: mark) }
            return .null
        case corePrefix + "bool":
            guard let value = bool(text) else { throw .tagMismatch(tag, at: mark) }
            return .bool(value)
        case corePrefix + "int":
            guard let value = try integer(text, mark: mark) else {
                throw .tagMismatch(tag, at: mark)
            }
            return .int(value)
        case corePrefix + "float":
            if let value = float(text) { return .float(value) }
            if let value = try integer(text, mark: mark) { return .float(Double(value)) }
            throw .tagMismatch(tag, at: mark)
        case corePrefix + "map", corePrefix + "seq":
            throw .tagMismatch(tag, at: mark)
        default:
            throw .unsupportedTag(tag, at: mark)
        }
    }

    static func resolvePlain(_ text: String, mark: YAMLMark) throws(YAMLError) -> YAMLScalarValue {
        // Most plain scalars are names and words; a first byte that starts no null, boolean
        // or number settles them as strings without the slower checks below.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"),
            UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            break
        default:
            return .string(text)
        }

        if isNull(text) { return .null }
        if let value = bool(text) { return .bool(value) }
        do {
            if let value = try integer(text, mark: mark) { return .int(value) }
        } catch {
            // An integer beyond 64 bits keeps its value approximately, and its exact digits
            // in the scalar's text, which is what digit-string fields read.
            return .float(Double(text) ?? .nan)
        }
        if let value = float(text) { return .float(value) }
        return .string(text)
    }

    static func isNull(_ text: String) -> Bool {
        ["", "~", "null", "Null", "NULL"].contains(text)
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// Parses the integer that a core schema int scalar denotes (`[-+]?[0-9]+`, `0o[0-7]+`,
    /// `0x[0-9a-fA-F]+`), nil when the text is no integer, and an error when it overflows.
    static func integer(_ text: String, mark: YAMLMark) throws(YAMLError) -> Int? {
        var digits = Substring(text)
        var radix = 10
        var negative = false

        if digits.hasPrefix("0o") {
            radix = 8
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }

        let valid = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isHexDigit }
        guard valid, radix == 16 || digits.allSatisfy({ $0.isWholeNumber }) else { return nil }
        if radix == 8, !digits.allSatisfy({ ("0"..."7").contains($0) }) { return nil }

        guard let magnitude = UInt64(digits, radix: radix) else {
            throw .integerOutOfRange(at: mark)
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { throw .integerOutOfRange(at: mark) }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { throw .integerOutOfRange(at: mark) }
        return Int(magnitude)
    }

    /// Parses a core schema float scalar. Returns nil for anything else, integers included.
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }

        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var chars = Substring(text)
        if let sign = chars.first, sign == "-" || sign == "+" { chars = chars.dropFirst() }
        let integerPart = chars.prefix { $0.isASCII && $0.isWholeNumber }
        chars = chars.dropFirst(integerPart.count)
        var fractionPart = Substring("")
        var hasDot = false
        if chars.first == "." {
            hasDot = true
            chars = chars.dropFirst()
            fractionPart = chars.prefix { $0.isASCII && $0.isWholeNumber }
            chars = chars.dropFirst(fractionPart.count)
        }
        guard !integerPart.isEmpty || !fractionPart.isEmpty else { return nil }
        var hasExponent = false
        if let e = chars.first, e == "e" || e == "E" {
            hasExponent = true
            chars = chars.dropFirst()
            if let sign = chars.first, sign == "-" || sign == "+" { chars = chars.dropFirst() }
            let exponent = chars.prefix { $0.isASCII && $0.isWholeNumber }
            guard !exponent.isEmpty else { return nil }
            chars = chars.dropFirst(exponent.count)
        }
        guard chars.isEmpty, hasDot || hasExponent else { return nil }
        return Double(text)
    }
}
