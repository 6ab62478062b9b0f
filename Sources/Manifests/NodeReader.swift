import NGCPCore
import YAMLReader

/// The allowed string keys of one mapping, after unknown and missing keys were reported.
///
/// Lookups search the mapping's pairs linearly and compare key fingerprints: a manifest
/// mapping has a handful of keys, and this costs less than building a dictionary or an array
/// of its entries for every mapping.
struct Fields {
    private let pairs: YAMLNode.Pairs
    #if DEBUG
        /// The field names the mapping may have, which are the only names looked up. The other
        /// keys of the mapping were reported, and they never equal a looked-up name. Debug
        /// builds check each lookup against them.
        private let allowed: KeyNames
    #endif
    /// The number of allowed keys.
    let count: Int
    /// Bit `n % 64` is set when some allowed key is `n` bytes long, and bit `f % 64` of
    /// `fingerprintBits` when some allowed key has the fingerprint `f`. Most lookups are for
    /// fields that a mapping does not have. The lengths rule out most of them at the cost of
    /// reading a count, and the fingerprints most of the rest without a search.
    private let lengthBits: UInt64
    private let fingerprintBits: UInt64

    init(
        pairs: YAMLNode.Pairs, allowed: KeyNames, count: Int, lengthBits: UInt64,
        fingerprintBits: UInt64
    ) {
        self.pairs = pairs
        #if DEBUG
            self.allowed = allowed
        #endif
        self.count = count
        self.lengthBits = lengthBits
        self.fingerprintBits = fingerprintBits
    }

    var isEmpty: Bool { count == 0 }

    /// Returns the value of the allowed field `key`. A repeated key yields its last value.
    subscript(key: String) -> YAMLNode? {
        #if DEBUG
            assert(lastIndex(of: key, in: allowed.names) != nil, "'\(key)' is not an allowed field")
        #endif
        guard lengthBits & Fields.bit(UInt64(key.utf8.count)) != 0 else { return nil }
        let fingerprint = KeyNames.fingerprint(of: key)
        guard fingerprintBits & Fields.bit(fingerprint) != 0 else { return nil }
        return pairs.lastPosition(ofKey: key, fingerprint: fingerprint).map { pairs.value(at: $0) }
    }

    static func bit(_ value: UInt64) -> UInt64 {
        1 << (value % 64)
    }
}

/// Returns the last position of `name` in `names`. Lengths are compared first: most field
/// names differ in length, and comparing two lengths costs much less than comparing strings.
func lastIndex(of name: String, in names: [String]) -> Int? {
    let count = name.utf8.count
    var position = names.count
    while position > 0 {
        position -= 1
        if names[position].utf8.count == count, names[position] == name { return position }
    }
    return nil
}

/// Typed access to the nodes of one manifest file that records every problem as a diagnostic
/// at the offending node, so that loading goes on after an error and reports all of them.
final class NodeReader {
    let file: String
    /// The diagnostics as recorded. Their messages and field paths may hold secrets until
    /// `diagnosticsInSourceOrder` masks them, so they are not readable outside.
    private var recorded: [Diagnostic] = []
    /// The number of errors recorded.
    private(set) var errorCount = 0
    /// A literal secret value as decoded: where it starts, so that the source kept for
    /// rendering can hide it, and the field path of the secret field it was decoded for.
    struct LiteralSecret {
        let mark: YAMLMark
        let fieldPath: String
    }

    /// The literal secrets of the file, in the order decoded. An alias can place one value
    /// in several secret fields, so a mark may occur more than once.
    private(set) var literalSecrets: [LiteralSecret] = []
    /// Literal secret values of the file. An alias can repeat one in a field that is no
    /// secret, or as a mapping key, whose messages and field paths show it, so they are
    /// masked in every message and field path.
    var literalSecretValues: Set<String> = []
    /// Field paths of secrets written as a mapping with an `env` or `file` key and problems
    /// of its own keys. Such a mapping names where the secret is, so the names of its keys
    /// stay readable in messages and field paths (see `SourceRedaction.redactFieldPath`).
    var secretSourcePaths: Set<String> = []

    /// Names of the schema that recorded messages quote, by position in `recorded`: a field
    /// name an error suggests, or the path of the secret field an alias copies. They stay
    /// readable under a secret's field path, where every other quoted value of a message is
    /// masked.
    private var readableNames: [Int: String] = [:]

    /// The number of diagnostics recorded.
    var diagnosticCount: Int { recorded.count }

    /// The diagnostics sorted by position, with secrets masked and long messages cut. The
    /// sort is stable, so a warning that explains an error at the same node stays in front
    /// of it.
    ///
    /// Secrets are masked only here, because a secret may be decoded after a diagnostic
    /// that shows it was recorded, and a mapping may turn out to be a secret source only
    /// after the problems of its keys were recorded.
    var diagnosticsInSourceOrder: [Diagnostic] {
        let sorted = recorded.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.location?.line ?? 0, lhs.element.location?.column ?? 0)
            let right = (rhs.element.location?.line ?? 0, rhs.element.location?.column ?? 0)
            return left != right ? left < right : lhs.offset < rhs.offset
        }
        let redacted = sorted.map { offset, diagnostic in
            var redacted = diagnostic
            redacted.message = SourceRedaction.redactMessage(
                diagnostic.message, fieldPath: diagnostic.fieldPath,
                secretSources: secretSourcePaths,
                readableWords: readableNames[offset].map { [$0] } ?? [])
            redacted.fieldPath = SourceRedaction.redactFieldPath(
                diagnostic.fieldPath, secretSources: secretSourcePaths)
            return redacted
        }
        guard !literalSecretValues.isEmpty else { return redacted.map(Self.shortened) }

        // Line breaks in messages are escaped already, so the secrets are looked up the same way.
        let secrets = Set(literalSecretValues.map(Self.withEscapedLineBreaks))
        let lengths = Set(secrets.map(\.utf8.count))
        let pathLengths = Set(literalSecretValues.map(\.utf8.count))
        // Messages quote values in single quotes, so only the quoted parts of a message are
        // looked up among the secrets. Testing every secret against every message took
        // minutes for a file with thousands of literal passwords.
        return redacted.map { diagnostic in
            let candidates =
                Self.quotedParts(of: diagnostic.message, lengths: lengths)
                ?? Array(secrets)
            let found = candidates.filter {
                secrets.contains($0) && diagnostic.message.contains("'\($0)'")
            }
            var masked = diagnostic
            // Longest first, so that a secret that contains another is masked whole. A hint
            // about the value may quote it too, in either kind of quotes.
            for value in Set(found).sorted(by: { $0.utf8.count > $1.utf8.count }) {
                masked.message = masked.message.replacingOccurrences(
                    of: "'\(value)'", with: "'\(SourceRedaction.mask)'")
                masked.hint = masked.hint?
                    .replacingOccurrences(of: "'\(value)'", with: "'\(SourceRedaction.mask)'")
                    .replacingOccurrences(of: "\"\(value)\"", with: "\"\(SourceRedaction.mask)\"")
            }
            masked.fieldPath = diagnostic.fieldPath.map {
                Self.maskingComponents(
                    of: $0, in: literalSecretValues, lengths: pathLengths)
            }
            // Cut only now: a secret cut in half would no longer be found.
            return Self.shortened(masked)
        }
    }

    /// Returns `fieldPath` with each run of whole components that equals one of `secrets`
    /// replaced by `SourceRedaction.mask`. A component starts at the path's start or after a
    /// `.`, and ends before a `.`, a `[` or the path's end. A run of components is matched,
    /// so that a secret with a `.` in it, used as a mapping key through an alias, is found
    /// too. `lengths` are the UTF-8 lengths of `secrets`.
    static func maskingComponents(
        of fieldPath: String, in secrets: Set<String>, lengths: Set<Int>
    ) -> String {
        let bytes = Array(fieldPath.utf8)
        var ends: Set<Int> = [bytes.count]
        for (position, byte) in bytes.enumerated()
        where byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[") {
            ends.insert(position)
        }

        // The longest secret first, as in messages.
        let descendingLengths = lengths.sorted(by: >)
        var output: [UInt8] = []
        var position = 0
        var atComponentStart = true
        while position < bytes.count {
            if atComponentStart {
                let match = descendingLengths.first { length in
                    ends.contains(position + length)
                        && secrets.contains(
                            String(decoding: bytes[position..<(position + length)], as: UTF8.self)
                        )
                }
                if let match {
                    output += Array(SourceRedaction.mask.utf8)
                    position += match
                    atComponentStart = false
                    continue
                }
            }
            atComponentStart = bytes[position] == UInt8(ascii: ".")
            output.append(bytes[position])
            position += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns the text between pairs of single quotes in `message` whose length in bytes is
    /// one of `lengths`. Every pair counts, not only adjacent ones, because a quoted value may
    /// contain a quote itself. Nil when the message has so many quotes that the pairs would be
    /// too many to try.
    static func quotedParts(of message: String, lengths: Set<Int>) -> [String]? {
        let bytes = Array(message.utf8)
        let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "'") }
        guard quotes.count <= 64 else { return nil }
        var parts: [String] = []
        for (position, start) in quotes.enumerated() {
            for end in quotes[(position + 1)...] where lengths.contains(end - start - 1) {
                parts.append(String(decoding: bytes[(start + 1)..<end], as: UTF8.self))
            }
        }
        return parts
    }

    private static func shortened(_ diagnostic: Diagnostic) -> Diagnostic {
        var shortened = diagnostic
        shortened.message = cut(diagnostic.message)
        return shortened
    }

    init(file: String) {
        self.file = file
    }

    /// Records the literal secret `value` of `node`, decoded for the secret field `path`.
    func recordLiteralSecret(
        _ value: String, at node: YAMLNode, path: String
    ) {
        literalSecrets.append(
            LiteralSecret(
                mark: node.mark, fieldPath: path))
        literalSecretValues.insert(value)
    }

    /// Returns the position of the alias that placed `node`, or else the node's own position.
    /// A value reached through an alias is so reported where the alias uses it, not in the
    /// field whose anchor wrote it.
    func location(_ node: YAMLNode) -> SourceLocation {
        let mark = node.aliasMark ?? node.mark
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(
        _ node: YAMLNode, _ path: @autoclosure () -> String, _ message: String, hint: String? = nil
    ) {
        record(
            Diagnostic(
                .error, message, at: location(node), fieldPath: fieldPath(path()),
                hint: hint))
    }

    func warning(
        _ node: YAMLNode, _ path: @autoclosure () -> String, _ message: String, hint: String? = nil
    ) {
        record(
            Diagnostic(
                .warning, message, at: location(node), fieldPath: fieldPath(path()),
                hint: hint))
    }

    private func fieldPath(_ path: String) -> String? {
        path.isEmpty ? nil : path
    }

    /// Records `diagnostic`, whose message may quote `readableName`, a name of the schema that
    /// is never a secret (see `readableNames`).
    func append(_ diagnostic: Diagnostic, readableName: String? = nil) {
        record(diagnostic)
        if let readableName { readableNames[recorded.count - 1] = readableName }
    }

    /// Returns whether an error among the diagnostics recorded after the first `count` is at
    /// `location`.
    func hasError(at location: SourceLocation, recordedAfter count: Int) -> Bool {
        recorded[count...].contains { $0.severity == .error && $0.location == location }
    }

    private func record(_ diagnostic: Diagnostic) {
        var diagnostic = diagnostic
        // Secrets are masked and the message is cut in `diagnosticsInSourceOrder`.
        diagnostic.message = Self.withEscapedLineBreaks(diagnostic.message)
        recorded.append(diagnostic)
        if diagnostic.severity == .error { errorCount += 1 }
    }

    /// The maximum length of a message kept whole. Messages quote values, and a 60 KB value
    /// quoted in full would flood the terminal. The source excerpt shows it cut at the caret.
    static let maxMessageLength = 400

    /// Returns `message` with its line breaks written as `\n`.
    static func withEscapedLineBreaks(_ message: String) -> String {
        guard message.contains(where: { $0.isNewline }) else { return message }
        return String(
            message.flatMap { character -> [Character] in
                character.isNewline ? ["\\", "n"] : [character]
            })
    }

    /// Returns `message` cut in the middle when it is longer than `maxMessageLength`.
    static func cut(_ message: String) -> String {
        guard message.count > maxMessageLength else { return message }
        let keep = (maxMessageLength - 5) / 2
        return message.prefix(keep) + " ... " + message.suffix(keep)
    }

    // MARK: - Shapes

    /// Reads the fields of a mapping. Reports a node that is no mapping, keys that are no
    /// strings, unknown keys (with the nearest valid name) and missing required keys.
    func fields(
        _ node: YAMLNode, _ path: @autoclosure () -> String, allowed: KeyNames,
        required: [String] = []
    ) -> Fields? {
        guard let pairs = node.mapping else {
            typeError(node, path(), expected: "a mapping")
            return nil
        }

        var count = 0
        var lengthBits: UInt64 = 0
        var fingerprintBits: UInt64 = 0
        // Bit `n` is set when the mapping has `allowed.names[n]`, for the first 64 names.
        var found: UInt64 = 0
        // Keys are compared by fingerprint, without building the pair or the key's string, which
        // most mappings need for nothing else.
        for position in pairs.indices {
            if let index = pairs.lastIndex(ofKeyAt: position, in: allowed) {
                count += 1
                if index < 64 { found |= 1 << UInt64(index) }
                lengthBits |= Fields.bit(UInt64(allowed.names[index].utf8.count))
                fingerprintBits |= Fields.bit(allowed.fingerprints[index])
                continue
            }
            guard let name = pairs.stringKey(at: position) else {
                let key = pairs.key(at: position)
                error(key, path(), Message.keyNotString(key))
                continue
            }
            let suggestion = nearestName(to: name, in: allowed.names)
            error(
                pairs.key(at: position), join(path(), name),
                Message.unknownField(name, suggestion: suggestion),
                hint: suggestion == nil ? Message.validFields(allowed.names) : nil)
            if let suggestion { readableNames[recorded.count - 1] = suggestion }
        }

        let fields = Fields(
            pairs: pairs, allowed: allowed, count: count, lengthBits: lengthBits,
            fingerprintBits: fingerprintBits)
        for name in required {
            // Comparing the literal names costs less than looking the field up.
            let isFound =
                if let index = allowed.names.firstIndex(of: name), index < 64 {
                    found & (1 << UInt64(index)) != 0
                } else {
                    fields[name] != nil
                }
            if !isFound { error(node, path(), Message.missingField(name)) }
        }
        return fields
    }

    func list(_ node: YAMLNode, _ path: @autoclosure () -> String) -> YAMLNode.Items? {
        guard let items = node.sequence else {
            typeError(node, path(), expected: "a list")
            return nil
        }
        return items
    }

    // MARK: - Scalars

    /// Reads a string. Numbers are taken as written when `numbersAsText` is set, because the API
    /// stringifies them for text fields.
    func string(
        _ node: YAMLNode, _ path: @autoclosure () -> String, numbersAsText: Bool = false,
        maxLength: Int? = nil
    ) -> String? {
        // A string's value is its text, and a number's text is the number as written.
        guard let text = numbersAsText ? node.stringOrNumberText : node.stringValue else {
            typeError(node, path(), expected: "a string")
            return nil
        }

        // A string has at most as many characters as UTF-8 bytes, so counting characters
        // (which walks grapheme clusters) is needed only for long byte strings.
        if let maxLength, text.utf8.count > maxLength, text.count > maxLength {
            error(node, path(), Message.tooLong(text, maxLength: maxLength))
            return nil
        }
        return text
    }

    /// Reads a string or null. A nil result means the value was not valid.
    func nullableString(
        _ node: YAMLNode, _ path: @autoclosure () -> String, numbersAsText: Bool = false,
        maxLength: Int? = nil
    ) -> JSONValue? {
        if node.isNull { return .null }
        return string(node, path(), numbersAsText: numbersAsText, maxLength: maxLength)
            .map { .string($0) }
    }

    func int(_ node: YAMLNode, _ path: @autoclosure () -> String, range: ClosedRange<Int>? = nil)
        -> Int?
    {
        guard let value = node.intValue else {
            // Digits beyond 64 bits resolve as a float, so they are reported as too large.
            if let scalar = node.scalar, case .float = scalar.value, isIntegerText(scalar.text) {
                error(node, path(), Message.beyond64Bits(scalar.text))
                return nil
            }
            typeError(node, path(), expected: "an integer")
            return nil
        }
        if let range, !range.contains(value) {
            error(node, path(), Message.outOfRange(node.stringOrNumberText ?? "", range: range))
            return nil
        }
        if node.isPlainUntaggedScalar, let text = node.stringOrNumberText, hasLeadingZero(text) {
            warning(
                node, path(), Message.leadingZeroInteger(text, value: value),
                hint: Message.leadingZeroIntegerHint)
        }
        return value
    }

    /// Returns whether `text` is decimal digits with an optional sign.
    private func isIntegerText(_ text: String) -> Bool {
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
        return !digits.isEmpty
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// True for `0`-prefixed decimal digits such as `010` or `-007`, which YAML 1.1 read as
    /// octal.
    /// It reads UTF-8 bytes: the text resolved as an integer, so every character is ASCII.
    private func hasLeadingZero(_ text: String) -> Bool {
        let digits = text.utf8.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
        return digits.count > 1 && digits.first == UInt8(ascii: "0")
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    func number(_ node: YAMLNode, _ path: @autoclosure () -> String, range: ClosedRange<Double>)
        -> JSONValue?
    {
        guard let scalar = node.scalar else {
            typeError(node, path(), expected: "a number")
            return nil
        }

        let value: JSONValue
        let double: Double
        switch scalar.value {
        case .int(let number):
            value = .int(number)
            double = Double(number)
        case .float(let number) where number.isFinite:
            value = .double(number)
            double = number
        case .float:
            error(node, path(), Message.notFinite(scalar.text))
            return nil
        default:
            typeError(node, path(), expected: "a number")
            return nil
        }
        guard range.contains(double) else {
            error(node, path(), Message.outOfRange(scalar.text, range: range))
            return nil
        }
        return value
    }

    /// Reads a boolean. An unquoted YAML 1.1 spelling (`yes`, `off`, ...) is a string in
    /// YAML 1.2, so it is a type error here, with a hint that explains why.
    func bool(_ node: YAMLNode, _ path: @autoclosure () -> String) -> Bool? {
        if let value = node.boolValue { return value }
        if let scalar = node.scalar, scalar.isYAML11Boolean {
            error(
                node, path(), Message.typeMismatch(expected: "a boolean", found: node),
                hint: Message.yaml11Boolean(scalar.text) + ": " + Message.yaml11BooleanHint)
            return nil
        }
        typeError(node, path(), expected: "a boolean")
        return nil
    }

    /// Reads one of `allowed`, and reports the nearest allowed value on a mismatch.
    func choice(_ node: YAMLNode, _ path: @autoclosure () -> String, _ allowed: [String]) -> String?
    {
        guard let value = string(node, path(), numbersAsText: true) else { return nil }
        guard allowed.contains(value) else {
            let suggestion = nearestName(to: value, in: allowed)
            error(
                node, path(), Message.invalidChoice(value, allowed: allowed, suggestion: suggestion)
            )
            return nil
        }
        return value
    }

    func typeError(_ node: YAMLNode, _ path: @autoclosure () -> String, expected: String) {
        error(node, path(), Message.typeMismatch(expected: expected, found: node))
    }
}

/// True when `text` contains whitespace; ASCII text is checked byte by byte, which avoids
/// Unicode property lookups for the usual names.
func containsWhitespace(_ text: String) -> Bool {
    // Nil inside: the text is not ASCII, and Unicode decides.
    let asciiResult = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
        for byte in bytes {
            if byte >= 0x80 { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return true }
        }
        return false
    }
    if case .some(.some(let result)) = asciiResult { return result }
    return text.contains(where: \.isWhitespace)
}

/// Returns whether every UTF-8 byte of `text` satisfies `predicate`. It reads the
/// contiguous bytes when the string has them, which costs much less than iterating
/// `String.UTF8View`.
func allBytes(of text: String, _ predicate: (UInt8) -> Bool) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(predicate) }
        ?? text.utf8.allSatisfy(predicate)
}

func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

/// Joins a dotted field path: `join("spec", "contact")` is `spec.contact`.
func join(_ path: String, _ field: String) -> String {
    path.isEmpty ? field : path + "." + field
}

/// Appends a list position to a field path: `spec.alias_numbers[2]`.
func index(_ path: String, _ position: Int) -> String {
    "\(path)[\(position)]"
}
