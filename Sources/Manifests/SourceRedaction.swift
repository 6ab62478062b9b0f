/// Removes secrets from source lines before a diagnostic shows them.
///
/// The redaction works on the text alone, so it also covers values that do not parse: a YAML
/// syntax error, a number, a list or a mapping under `password` or `webpassword`.
public enum SourceRedaction {
    /// The text that replaces a secret. Its width is fixed, so it does not reveal the length.
    public static let mask = "(sensitive value)"

    /// The keys whose values are secrets.
    static let sensitiveKeys = ["webpassword", "password"]

    /// One part of a source line that masking replaced, counted in characters.
    public struct Replacement: Sendable, Equatable {
        /// The 0-based position of the first replaced character, in the line as the earlier
        /// replacements of the line left it.
        public let offset: Int
        public let removedCount: Int
        public let insertedCount: Int

        public init(offset: Int, removedCount: Int, insertedCount: Int) {
            self.offset = offset
            self.removedCount = removedCount
            self.insertedCount = insertedCount
        }
    }

    /// A source line with its secrets masked.
    struct RedactedLine: Equatable {
        let text: String
        /// The replacements that turned the line into `text`, in the order made.
        let replacements: [Replacement]
    }

    /// Returns where the character at the 0-based `offset` of a line is once `replacements`
    /// are made in order. A character that a replacement removed maps to the replacement's
    /// start, so that a caret there points at the mask and not into it.
    public static func offset(_ offset: Int, after replacements: [Replacement]) -> Int {
        var offset = offset
        for replacement in replacements where offset >= replacement.offset {
            if offset < replacement.offset + replacement.removedCount {
                offset = replacement.offset
            } else {
                offset += replacement.insertedCount - replacement.removedCount
            }
        }
        return offset
    }

    /// Returns `lines` with the value of every `password` or `webpassword` key masked, together
    /// with the following lines indented deeper when the value may continue there (block
    /// scalars, folded scalars and nested mappings). A value inside a flow mapping that
    /// visibly ends on its line (see `FlowValueEnd`) is masked alone, and any other value from
    /// the key's colon to the end of the line. User information in URLs (`user:password@host`)
    /// is masked too.
    public static func redact(_ lines: [Substring]) -> [String] {
        redactLines(lines).map(\.text)
    }

    /// Masks `lines` as `redact(_:)` does, and returns each line with its replacements.
    static func redactLines(_ lines: [Substring]) -> [RedactedLine] {
        var result = lines.map { redactUserInfo(String($0)) }
        var index = 0
        while index < result.count {
            guard let masked = maskSensitiveValues(result[index].text) else {
                index += 1
                continue
            }
            result[index] = RedactedLine(
                text: masked.text,
                replacements: result[index].replacements + masked.replacements)
            index += 1

            // When a value runs to the end of its line, the lines indented past its key belong
            // to it. A sibling key of a `- ` item starts at the key's own column.
            guard let base = masked.continuingKeyColumn else { continue }
            while index < result.count {
                let line = result[index].text
                let isBlank = line.allSatisfy { $0 == " " || $0 == "\r" }
                guard isBlank || indentation(of: line) > base else { break }
                if !isBlank {
                    let indent = indentation(of: line)
                    let replacement = Replacement(
                        offset: indent, removedCount: line.count - indent,
                        insertedCount: mask.count)
                    result[index] = RedactedLine(
                        text: String(line.prefix(indent)) + mask,
                        replacements: result[index].replacements + [replacement])
                }
                index += 1
            }
        }
        return result
    }

    /// Masks the value after each sensitive key of `line`; nil when the line has none.
    /// `continuingKeyColumn` is the 0-based column of the key whose value was masked to the
    /// end of the line, because that value may continue on the lines below. It is nil when
    /// every masked value ended on the line.
    ///
    /// Besides `password` and `webpassword`, a key is sensitive when it looks like a
    /// misspelling of them (edit distance 2 or less, such as `pasword`) or contains `pass`,
    /// `pwd` or `secret`: an unknown-field error shows exactly those lines.
    static func maskSensitiveValues(_ line: String)
        -> (text: String, replacements: [Replacement], continuingKeyColumn: Int?)?
    {
        // Without a colon the line starts no mapping key. Most lines of a diagnostic's file
        // are redacted without being shown, so this check saves most of the work.
        guard line.utf8.contains(UInt8(ascii: ":")) else { return nil }
        let characters = Array(line)
        let lowered = Array(line.lowercased())
        // Lower-casing can change the length of some non-ASCII text; positions must match.
        guard lowered.count == characters.count else { return nil }

        var text = ""
        var textCount = 0
        // The characters before `copied` are in `text` or were replaced.
        var copied = 0
        var replacements: [Replacement] = []
        var start = 0
        while start < lowered.count {
            guard isKeyCharacter(lowered[start]), start == 0 || !isKeyCharacter(lowered[start - 1])
            else {
                start += 1
                continue
            }
            var end = start
            while end < lowered.count, isKeyCharacter(lowered[end]) { end += 1 }
            let key = Array(lowered[start..<end])
            // The colon first: it is cheap, and most words are not keys.
            guard let colon = keyColon(lowered, key: key, at: start),
                isSensitiveKey(String(key))
            else {
                start = end
                continue
            }

            let valueEnd = FlowValueEnd.end(in: characters, valueAt: colon + 1)
            let maskedEnd = valueEnd ?? characters.count
            // The mask replaces the value from its first character, so that a caret at the
            // value points at the mask. The spaces before it stay, or one is added.
            var valueStart = colon + 1
            while valueStart < maskedEnd,
                characters[valueStart] == " " || characters[valueStart] == "\t"
            {
                valueStart += 1
            }
            text += String(characters[copied..<valueStart])
            textCount += valueStart - copied
            if valueStart == colon + 1 {
                replacements.append(
                    Replacement(offset: textCount, removedCount: 0, insertedCount: 1))
                text += " "
                textCount += 1
            }
            replacements.append(
                Replacement(
                    offset: textCount, removedCount: maskedEnd - valueStart,
                    insertedCount: mask.count))
            text += mask
            textCount += mask.count
            copied = maskedEnd
            guard valueEnd != nil else {
                let column = start > 0 && "\"'".contains(characters[start - 1]) ? start - 1 : start
                return (text, replacements, column)
            }
            start = maskedEnd
        }
        guard !replacements.isEmpty else { return nil }
        return (text + String(characters[copied...]), replacements, nil)
    }

    private static func isKeyCharacter(_ character: Character) -> Bool {
        // ASCII, nearly every character of a manifest, needs no Unicode property lookup.
        if let ascii = character.asciiValue {
            return isASCIILetterOrDigit(ascii) || ascii == UInt8(ascii: "_")
                || ascii == UInt8(ascii: "-")
        }
        return character.isLetter || character.isNumber
    }

    static func isSensitiveKey(_ key: String) -> Bool {
        if sensitiveKeys.contains(key) { return true }
        // A key such as `password_env` names a variable; its value is not a secret.
        if key.hasSuffix("_env") { return false }
        let bytes = Array(key.utf8)
        if contains(bytes, "pass") || contains(bytes, "pwd") || contains(bytes, "secret") {
            return true
        }
        return sensitiveKeys.contains { sensitive in
            abs(key.count - sensitive.count) <= 2 && editDistance(key, sensitive) <= 2
        }
    }

    /// Returns whether `part` occurs in `bytes`. A plain scan: the keys are a few bytes long.
    private static func contains(_ bytes: [UInt8], _ part: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    /// The position of the colon when `key` starts a mapping key at `start`: the key is a
    /// whole word (start of line, or after a space, `{`, `[`, `,`, `-` or a quote), and an
    /// optional closing quote and spaces lead to `:`.
    private static func keyColon(_ text: [Character], key: [Character], at start: Int) -> Int? {
        guard start + key.count <= text.count, Array(text[start..<start + key.count]) == key
        else { return nil }
        if start > 0, !" \t{[,-\"'".contains(text[start - 1]) { return nil }
        var position = start + key.count
        if position < text.count, text[position] == "\"" || text[position] == "'" {
            position += 1
        }
        while position < text.count, text[position] == " " || text[position] == "\t" {
            position += 1
        }
        guard position < text.count, text[position] == ":" else { return nil }
        return position
    }

    /// Returns `message` with each quoted value masked when `fieldPath` lies under a
    /// `password` or `webpassword` key, because a value that failed to parse there (such as
    /// `{env: Pa55word!}`) may be the password itself. The schema's own words stay readable,
    /// and so does a `{file:}` path, which names no secret.
    /// Returns `fieldPath` cut after its first `password` or `webpassword` component when
    /// more follows that is not `env` or `file`: keys below a secret are the user's own text
    /// (a mapping written in place of the password), not the schema's.
    public static func redactFieldPath(_ fieldPath: String?) -> String? {
        guard let fieldPath else { return nil }
        let components = fieldPath.split(separator: ".", omittingEmptySubsequences: false)
        guard
            let index = components.firstIndex(where: {
                sensitiveKeys.contains(String($0.prefix { $0 != "[" }))
            }), index + 1 < components.count,
            !["env", "file"].contains(components[index + 1])
        else { return fieldPath }
        return components[...index].joined(separator: ".")
    }

    public static func redactMessage(_ message: String, fieldPath: String?) -> String {
        guard let fieldPath else { return message }
        let components = fieldPath.split(separator: ".").map {
            String($0.prefix { $0 != "[" })
        }
        guard components.contains(where: sensitiveKeys.contains), components.last != "file"
        else { return message }

        // Schema words stay readable; any other quoted text under a secret key may be the
        // secret itself (a mapping key written in place of the password, for example).
        let kept: Set<Substring> = ["env", "file", "password", "webpassword"]
        var output = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "'"),
            let close = rest[rest.index(after: open)...].firstIndex(of: "'")
        {
            let quoted = rest[rest.index(after: open)..<close]
            output += rest[...open]
            output += kept.contains(quoted) ? quoted : Substring(mask)
            output += "'"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    /// Masks `user:password@` after each `://` of the line.
    static func redactUserInfo(_ line: String) -> RedactedLine {
        guard line.contains("://"), line.contains("@") else {
            return RedactedLine(text: line, replacements: [])
        }
        var output = ""
        var outputCount = 0
        var replacements: [Replacement] = []
        var rest = Substring(line)
        while let scheme = rest.range(of: "://") {
            let head = rest[..<scheme.upperBound]
            output += head
            outputCount += head.count
            rest = rest[scheme.upperBound...]
            let end =
                rest.firstIndex(where: { "/?# \t\"'".contains($0) }) ?? rest.endIndex
            if let at = rest[..<end].lastIndex(of: "@") {
                let userInfo = rest[..<at]
                replacements.append(
                    Replacement(
                        offset: outputCount, removedCount: userInfo.count,
                        insertedCount: mask.count))
                output += mask + "@"
                outputCount += mask.count + 1
                rest = rest[rest.index(after: at)...]
            }
        }
        return RedactedLine(text: output + rest, replacements: replacements)
    }

    private static func indentation(of line: String) -> Int {
        line.prefix { $0 == " " }.count
    }
}
