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
    ) throws(YAMLError) -> ResolvedValue {
        guard let tag, tag != "!" else {
            // Quoted, block and `!`-tagged scalars are strings; only plain ones are resolved.
            if style != .plain || tag == "!" { return ResolvedValue(kind: .string) }
            return resolvePlain(text)
        }

        switch tag {
        case corePrefix + "str":
            return ResolvedValue(kind: .string)
        case corePrefix + "null":
            guard isNull(text) else { throw .tagMismatch(tag, at: mark) }
            return ResolvedValue(kind: .null)
        case corePrefix + "bool":
            guard let value = bool(text) else { throw .tagMismatch(tag, at: mark) }
            return ResolvedValue(.bool(value))
        case corePrefix + "int":
            guard let value = try integer(text, mark: mark) else {
                throw .tagMismatch(tag, at: mark)
            }
            return ResolvedValue(.int(value))
        case corePrefix + "float":
            if let value = float(text) { return ResolvedValue(.float(value)) }
            if let value = try integer(text, mark: mark) {
                return ResolvedValue(.float(Double(value)))
            }
            throw .tagMismatch(tag, at: mark)
        case corePrefix + "map", corePrefix + "seq":
            throw .tagMismatch(tag, at: mark)
        default:
            throw .unsupportedTag(tag, at: mark)
        }
    }

    /// Resolves an untagged plain scalar. It cannot fail, because text that is no null,
    /// boolean or number is a string.
    static func resolvePlain(_ text: String) -> ResolvedValue {
        var bytes = text
        return bytes.withUTF8 { resolvePlain(bytes: $0, text: text) }
    }

    /// Resolves an untagged plain scalar from its UTF-8 bytes; `text` is the same scalar as a
    /// string. Every spelling that is no string is ASCII, so comparing bytes matches what
    /// comparing strings would.
    static func resolvePlain(bytes: UnsafeBufferPointer<UInt8>, text: @autoclosure () -> String)
        -> ResolvedValue
    {
        // Most plain scalars are names and words; a first byte that starts no null, boolean
        // or number settles them as strings without the slower checks below. Null and boolean
        // spellings start with a letter or `~`, numbers with a digit, a sign or a dot, so
        // each first byte leaves one kind of check.
        guard let first = bytes.first else { return ResolvedValue(kind: .null) }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            let isNull =
                equals(bytes, "~") || equals(bytes, "null") || equals(bytes, "Null")
                || equals(bytes, "NULL")
            return ResolvedValue(kind: isNull ? .null : .string)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if equals(bytes, "true") || equals(bytes, "True") || equals(bytes, "TRUE") {
                return ResolvedValue(.bool(true))
            }
            return ResolvedValue(kind: .string)
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if equals(bytes, "false") || equals(bytes, "False") || equals(bytes, "FALSE") {
                return ResolvedValue(.bool(false))
            }
            return ResolvedValue(kind: .string)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."):
            break
        default:
            return ResolvedValue(kind: .string)
        }

        switch integer(bytes) {
        case .integer(let value): return ResolvedValue(.int(value))
        case .outOfRange:
            // An integer beyond 64 bits keeps its value approximately, and its exact digits
            // in the scalar's text, which is what digit-string fields read.
            return ResolvedValue(.float(Double(text()) ?? .nan))
        case .notInteger: break
        }

        if first == UInt8(ascii: ".") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            if equals(bytes, ".inf") || equals(bytes, ".Inf") || equals(bytes, ".INF")
                || equals(bytes, "+.inf") || equals(bytes, "+.Inf") || equals(bytes, "+.INF")
            {
                return ResolvedValue(.float(.infinity))
            }
            if equals(bytes, "-.inf") || equals(bytes, "-.Inf") || equals(bytes, "-.INF") {
                return ResolvedValue(.float(-.infinity))
            }
            if equals(bytes, ".nan") || equals(bytes, ".NaN") || equals(bytes, ".NAN") {
                return ResolvedValue(.float(.nan))
            }
        }
        if isFloatSyntax(bytes), let value = Double(text()) { return ResolvedValue(.float(value)) }
        return ResolvedValue(kind: .string)
    }

    /// Returns whether `bytes` are the bytes of `spelling`, which is ASCII. Inlined, so that
    /// the length of the literal is a constant and most spellings are ruled out by it.
    @inline(__always)
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ spelling: StaticString)
        -> Bool
    {
        guard bytes.count == spelling.utf8CodeUnitCount else { return false }
        let expected = spelling.utf8Start
        for offset in 0..<bytes.count where bytes[offset] != expected[offset] {
            return false
        }
        return true
    }

    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
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
    /// It reads UTF-8 bytes, because every accepted character is ASCII.
    static func integer(_ text: String, mark: YAMLMark) throws(YAMLError) -> Int? {
        var text = text
        switch text.withUTF8({ integer($0) }) {
        case .integer(let value): return value
        case .notInteger: return nil
        case .outOfRange: throw .integerOutOfRange(at: mark)
        }
    }

    private enum IntegerScan {
        case integer(Int)
        case notInteger
        case outOfRange
    }

    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> IntegerScan {
        var start = 0
        var radix: UInt64 = 10
        var negative = false

        if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") {
            radix = 8
            start = 2
        } else if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") {
            radix = 16
            start = 2
        } else if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            start = 1
        }
        guard start < bytes.count else { return .notInteger }

        // Every byte must be a digit of the radix before any overflow is reported, so that
        // `99999999999999999999x` is a string and not an out-of-range integer.
        var magnitude: UInt64 = 0
        var overflow = false
        for byte in bytes[start...] {
            guard let digit = digitValue(byte), UInt64(digit) < radix else { return .notInteger }
            let (product, multiplyOverflow) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, addOverflow) = product.addingReportingOverflow(UInt64(digit))
            overflow = overflow || multiplyOverflow || addOverflow
            magnitude = sum
        }
        guard !overflow else { return .outOfRange }

        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return .outOfRange }
            return .integer(magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude))
        }
        guard magnitude <= UInt64(Int.max) else { return .outOfRange }
        return .integer(Int(magnitude))
    }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Parses a core schema float scalar. Returns nil for anything else, integers included.
    static func float(_ text: String) -> Double? {
        // The infinity and NaN spellings start with `.`, `+` or `-`; digits skip them.
        let first = text.utf8.first
        if first == UInt8(ascii: ".") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            switch text {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
            case "-.inf", "-.Inf", "-.INF": return -.infinity
            case ".nan", ".NaN", ".NAN": return .nan
            default: break
            }
        }

        var text = text
        let matches = text.withUTF8 { isFloatSyntax($0) }
        return matches ? Double(text) : nil
    }

    /// True when the bytes match `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? )
    /// ( [eE] [-+]? [0-9]+ )?` with a dot or an exponent.
    private static func isFloatSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        func skipDigits() -> Int {
            let first = position
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            return position - first
        }
        func skipSign() {
            if position < bytes.count,
                bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")
            {
                position += 1
            }
        }

        skipSign()
        let integerDigits = skipDigits()
        var fractionDigits = 0
        var hasDot = false
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            hasDot = true
            position += 1
            fractionDigits = skipDigits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }

        var hasExponent = false
        if position < bytes.count,
            bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")
        {
            hasExponent = true
            position += 1
            skipSign()
            guard skipDigits() > 0 else { return false }
        }
        return position == bytes.count && (hasDot || hasExponent)
    }
}
