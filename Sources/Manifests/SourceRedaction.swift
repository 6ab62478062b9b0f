import NGCPCore

/// Removes secrets from source lines before a diagnostic shows them.
///
/// `redactLines(in:)` masks the values that the parse events place under sensitive keys
/// (see `SecretSpans`), and then what the text shows of secrets. The text-based part covers
/// what the events miss: the text after a YAML syntax error, comments, and user information
/// in URLs.
public enum SourceRedaction {
    /// The text that replaces a secret. Its width is fixed, so it does not reveal the length.
    public static let mask = "(sensitive value)"

    /// The keys whose values are secrets.
    static let sensitiveKeys = ["webpassword", "password"]

    /// Keys whose value, when it is a mapping, contains settings about secrets and no secret,
    /// such as the `secrets` section of ngcpctl.yaml. The keys inside are judged on their own,
    /// and any other value of such a key is masked.
    static let secretSettingsKeys: Set<String> = ["secrets"]

    /// Words that contain `pass` or `secret` but name no secret, as in the keys
    /// `bypass_rtpproxy`, `passreset_email_template_id`, `manager_secretary` and
    /// `secretary_numbers`.
    private static let nonSecretWords: [StaticString] = [
        "bypass", "passthrough", "passreset", "secretary",
    ]

    /// One part of a source line that masking replaced, counted in characters.
    public struct Replacement: Sendable, Equatable {
        /// The 0-based position of the first replaced character, in the line as the earlier
        /// replacements of the line left it.
        public let offset: Int
        public let removedCount: Int
        /// The number of Unicode scalars in the removed characters, which YAML marks count.
        public let removedScalarCount: Int
        public let insertedCount: Int

        public init(offset: Int, removedCount: Int, removedScalarCount: Int, insertedCount: Int) {
            self.offset = offset
            self.removedCount = removedCount
            self.removedScalarCount = removedScalarCount
            self.insertedCount = insertedCount
        }

        /// Creates the replacement of `removed` at `offset` with `insertedCount` characters.
        init(offset: Int, removed: some Collection<Character>, insertedCount: Int) {
            self.init(
                offset: offset, removedCount: removed.count,
                removedScalarCount: removed.reduce(0) { $0 + $1.unicodeScalars.count },
                insertedCount: insertedCount)
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

    /// Returns the 0-based character offset, in a line as written, of the Unicode scalar at
    /// the 0-based `scalarOffset`. YAML marks count scalars, and a character may have several,
    /// such as a letter with combining accents. `line` is the line after `replacements`, made
    /// from left to right as the loader makes them. A scalar inside a replaced part maps to
    /// the part's first character, and scalars past the end count one character each.
    public static func characterOffset(
        ofScalarOffset scalarOffset: Int, in line: Substring, after replacements: [Replacement]
    ) -> Int {
        let hasMultiScalarRemoval = replacements.contains {
            $0.removedScalarCount != $0.removedCount
        }
        if !hasMultiScalarRemoval, line.utf8.allSatisfy({ $0 < 0x80 }) { return scalarOffset }

        let characters = Array(line)
        var scalars = 0
        var written = 0
        var index = 0
        var next = 0
        while true {
            if next < replacements.count, replacements[next].offset == index {
                let replacement = replacements[next]
                next += 1
                if scalars + replacement.removedScalarCount > scalarOffset { return written }
                scalars += replacement.removedScalarCount
                written += replacement.removedCount
                index += replacement.insertedCount
                continue
            }
            guard index < characters.count else { break }
            let count = characters[index].unicodeScalars.count
            if scalars + count > scalarOffset { return written }
            scalars += count
            written += 1
            index += 1
        }
        return written + (scalarOffset - scalars)
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

    /// Returns the lines of `text` with their secrets masked, each with its replacements:
    /// first the values that the parse events place under sensitive keys, then those that
    /// `redact(_:)` finds in the text. The keys that the events found are left to them, so
    /// that a value the events keep readable (the variable name of `{env: NAME}`) stays so.
    static func redactLines(in text: String) -> [RedactedLine] {
        let lines = text.sourceLines()
        let spans = SecretSpans(text: text)
        let masked = spans.masked(lines)
        let redacted = redactLines(
            masked.map { Substring($0.text) },
            handledKeys: SecretSpans.keyRanges(spans.keys, in: lines, masked: masked),
            unfinishedKeys: SecretSpans.keyRanges(spans.unfinishedKeys, in: lines, masked: masked))
        return zip(masked, redacted).map { masked, redacted in
            RedactedLine(
                text: redacted.text, replacements: masked.replacements + redacted.replacements)
        }
    }

    /// Masks `lines` as `redact(_:)` does, and returns each line with its replacements.
    /// `handledKeys` are character ranges of keys by 0-based line whose values were masked
    /// already, as far as they contain secrets. Their values are left as they are.
    /// `unfinishedKeys` are those of sensitive keys that the text may not show as such, and
    /// their values are masked as those of the keys found in the text.
    static func redactLines(
        _ lines: [Substring], handledKeys: [Int: [Range<Int>]] = [:],
        unfinishedKeys: [Int: [Range<Int>]] = [:]
    ) -> [RedactedLine] {
        var result = lines.map { redactUserInfo(String($0)) }
        var index = 0
        while index < result.count {
            // User information was masked first, which moved the keys after it.
            let replacements = result[index].replacements
            func moved(_ range: Range<Int>) -> Range<Int> {
                let lower = offset(range.lowerBound, after: replacements)
                return lower..<max(lower, offset(range.upperBound, after: replacements))
            }
            guard
                let masked = maskSensitiveValues(
                    result[index].text, skipping: (handledKeys[index] ?? []).map(moved),
                    adding: (unfinishedKeys[index] ?? []).map(moved))
            else {
                index += 1
                continue
            }
            result[index] = RedactedLine(
                text: masked.text,
                replacements: result[index].replacements + masked.replacements)
            index += 1

            // When a value runs to the end of its line, the lines indented past its key belong
            // to it. A sibling key of a `- ` item starts at the key's own column.
            guard let base = masked.continuationColumn else { continue }
            while index < result.count {
                let line = result[index].text
                let isBlank = line.allSatisfy { $0 == " " || $0 == "\r" }
                guard isBlank || indentation(of: line) > base else { break }
                if !isBlank && line.dropFirst(indentation(of: line)) != mask {
                    let indent = indentation(of: line)
                    let replacement = Replacement(
                        offset: indent, removed: line.dropFirst(indent),
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
    /// When a value was masked to the end of the line, it may continue on the lines indented
    /// past the 0-based `continuationColumn`. That is its key's column, or the line's
    /// indentation for a quoted value or one in a flow collection, because YAML lets those
    /// continue at any deeper indentation. It is nil when every masked value ended on the
    /// line. Keys that start inside a range of `skipped` are left out, and the ranges of
    /// `added` count as sensitive keys.
    ///
    /// Besides `password` and `webpassword`, a key is sensitive when it looks like a
    /// misspelling of them (edit distance 2 or less, such as `pasword`, or 3 or less from a
    /// secret preference such as `peer_auth_pw`) or contains `pass`, `pwd` or `secret`: an
    /// unknown-field error shows exactly those lines.
    static func maskSensitiveValues(
        _ line: String, skipping skipped: [Range<Int>] = [], adding added: [Range<Int>] = []
    ) -> (text: String, replacements: [Replacement], continuationColumn: Int?)? {
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
            let found = sensitiveKeyColon(
                at: start, in: characters, lowered: lowered, skipping: skipped, adding: added)
            guard let colon = found.colon else {
                start = found.next
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
                    Replacement(offset: textCount, removed: "", insertedCount: 1))
                text += " "
                textCount += 1
            }
            // A value masked already needs no replacement, which would move a caret inside
            // it to its start.
            if String(characters[valueStart..<maskedEnd]) != mask {
                replacements.append(
                    Replacement(
                        offset: textCount, removed: characters[valueStart..<maskedEnd],
                        insertedCount: mask.count))
            }
            text += mask
            textCount += mask.count
            copied = maskedEnd
            guard valueEnd != nil else {
                let inFlow =
                    (valueStart < characters.count && "[{\"'".contains(characters[valueStart]))
                    || opensFlowCollection(characters[..<start])
                let keyColumn =
                    start > 0 && "\"'".contains(characters[start - 1]) ? start - 1 : start
                return (text, replacements, inFlow ? indentation(of: line) : keyColumn)
            }
            start = maskedEnd
        }
        guard !replacements.isEmpty else { return nil }
        return (text + String(characters[copied...]), replacements, nil)
    }

    /// Returns the position of the colon after the sensitive key that starts at `start`, or
    /// nil and the position to read on from when no such key starts there. A key is a word
    /// that `isSensitiveKey` accepts and that starts in no range of `skipped`, or a range of
    /// `added`.
    private static func sensitiveKeyColon(
        at start: Int, in characters: [Character], lowered: [Character],
        skipping skipped: [Range<Int>], adding added: [Range<Int>]
    ) -> (colon: Int?, next: Int) {
        if let addedKey = added.first(where: { $0.lowerBound == start }) {
            var afterKey = addedKey.upperBound
            while afterKey < characters.count,
                characters[afterKey] == " " || characters[afterKey] == "\t"
            {
                afterKey += 1
            }
            guard afterKey < characters.count, characters[afterKey] == ":" else {
                return (nil, max(addedKey.upperBound, start + 1))
            }
            return (afterKey, afterKey + 1)
        }

        guard isKeyCharacter(lowered[start]), start == 0 || !isKeyCharacter(lowered[start - 1])
        else { return (nil, start + 1) }
        var end = start
        while end < lowered.count, isKeyCharacter(lowered[end]) { end += 1 }
        let key = Array(lowered[start..<end])
        // The colon first: it is cheap, and most words are not keys.
        guard let colon = keyColon(lowered, key: key, at: start), isSensitiveKey(String(key)),
            !skipped.contains(where: { $0.contains(start) })
        else { return (nil, end) }
        return (colon, end)
    }

    /// Returns whether `text` opens more flow collections than it closes. Quotes are not
    /// read, so a bracket inside a quoted scalar counts too.
    private static func opensFlowCollection(_ text: ArraySlice<Character>) -> Bool {
        var depth = 0
        for character in text {
            if character == "{" || character == "[" { depth += 1 }
            if character == "}" || character == "]" { depth -= 1 }
        }
        return depth > 0
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
        if sensitiveKeys.contains(key) || secretPreferenceNames.contains(key) { return true }
        // A key such as `password_env` names a variable; its value is not a secret.
        if key.hasSuffix("_env") { return false }
        var bytes = Array(key.utf8)
        if containsSecretWord(bytes) {
            // Checked again without the words that only look like one.
            for word in nonSecretWords { blank(word, in: &bytes) }
            if containsSecretWord(bytes) { return true }
        }
        if sensitiveKeys.contains(where: { sensitive in
            abs(key.count - sensitive.count) <= 2 && editDistance(key, sensitive) <= 2
        }) {
            return true
        }
        // The secret preferences have long names, whose misspellings (`peer_auth_pw`) lie
        // further away.
        return secretPreferenceNames.contains { name in
            abs(key.count - name.count) <= 3 && editDistance(key, name) <= 3
        }
    }

    private static func containsSecretWord(_ bytes: [UInt8]) -> Bool {
        contains(bytes, "pass") || contains(bytes, "pwd") || contains(bytes, "secret")
    }

    /// Returns whether `part` occurs in `bytes`. A plain scan: the keys are a few bytes long.
    private static func contains(_ bytes: [UInt8], _ part: StaticString) -> Bool {
        firstOffset(of: part, in: bytes, from: 0) != nil
    }

    /// Returns the offset of the first `part` in `bytes` at or after `start`.
    private static func firstOffset(of part: StaticString, in bytes: [UInt8], from start: Int)
        -> Int?
    {
        let needle = UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount)
        guard bytes.count >= start + needle.count else { return nil }
        for offset in start...(bytes.count - needle.count) {
            if bytes[offset..<offset + needle.count].elementsEqual(needle) { return offset }
        }
        return nil
    }

    /// Replaces each `word` in `bytes` with as many `_`.
    private static func blank(_ word: StaticString, in bytes: inout [UInt8]) {
        var start = 0
        while let offset = firstOffset(of: word, in: bytes, from: start) {
            let end = offset + word.utf8CodeUnitCount
            bytes.replaceSubrange(
                offset..<end, with: repeatElement(UInt8(ascii: "_"), count: end - offset))
            start = end
        }
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

    /// Returns `fieldPath` cut after its first `password`, `webpassword` or secret preference
    /// component when more follows that is not `env` or `file`: keys below a secret are the
    /// user's own text (a mapping written in place of the password), not the schema's. The
    /// exception is a key of a secret source mapping (`{env: NAME, extra: 1}`) whose path is
    /// in `secretSources`, because such a mapping names where the secret is and contains none.
    public static func redactFieldPath(_ fieldPath: String?, secretSources: Set<String> = [])
        -> String?
    {
        guard let fieldPath else { return nil }
        let components = fieldPath.split(separator: ".", omittingEmptySubsequences: false)
        guard let index = secretComponentIndex(components),
            index + 1 < components.count, !["env", "file"].contains(components[index + 1]),
            !namesSourceKey(components, secretAt: index, secretSources: secretSources)
        else { return fieldPath }
        return components[...index].joined(separator: ".")
    }

    /// Returns `message` with each quoted value masked when `fieldPath` lies under a
    /// `password` or `webpassword` key or a secret preference, because a value that failed to
    /// parse there (such as `{env: Pa55word!}`) may be the password itself. The schema's own
    /// words stay readable, and so do a `{file:}` path, which names no secret, and the key of
    /// a secret source mapping in `secretSources` (see `redactFieldPath`) that `fieldPath`
    /// names. `readableWords` are other words of the schema that the message quotes, such as
    /// the field name that an unknown-field error suggests.
    public static func redactMessage(
        _ message: String, fieldPath: String?, secretSources: Set<String> = [],
        readableWords extraWords: [String] = []
    ) -> String {
        guard let fieldPath else { return message }
        let components = fieldPath.split(separator: ".", omittingEmptySubsequences: false)
        guard let index = secretComponentIndex(components),
            components.last != "file"
        else { return message }

        // Schema words stay readable; any other quoted text under a secret key may be the
        // secret itself (a mapping key written in place of the password, for example).
        var readableWords: Set<Substring> = ["env", "file", "password", "webpassword"]
        readableWords.formUnion(secretPreferenceNames.map { Substring($0) })
        readableWords.formUnion(extraWords.map { Substring($0) })
        if namesSourceKey(components, secretAt: index, secretSources: secretSources),
            let key = components.last
        {
            readableWords.insert(key)
        }
        var output = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "'"),
            let close = rest[rest.index(after: open)...].firstIndex(of: "'")
        {
            let quoted = rest[rest.index(after: open)..<close]
            output += rest[...open]
            output += readableWords.contains(quoted) ? quoted : Substring(mask)
            output += "'"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    /// Returns the index of the first field path component that is a secret field, with or
    /// without a list position: `password`, `webpassword`, or a secret preference inside
    /// `preferences`.
    private static func secretComponentIndex(_ components: [Substring]) -> Int? {
        components.indices.first { index in
            let key = String(components[index].prefix { $0 != "[" })
            if sensitiveKeys.contains(key) { return true }
            return index > 0 && components[index - 1] == "preferences"
                && secretPreferenceNames.contains(key)
        }
    }

    /// Returns whether `components` end in a key right below the secret component at
    /// `index`, and the path up to that component is in `secretSources`.
    private static func namesSourceKey(
        _ components: [Substring], secretAt index: Int, secretSources: Set<String>
    ) -> Bool {
        index + 2 == components.count
            && secretSources.contains(components[...index].joined(separator: "."))
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
                    Replacement(offset: outputCount, removed: userInfo, insertedCount: mask.count))
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
