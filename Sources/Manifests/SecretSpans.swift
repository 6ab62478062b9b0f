import YAMLReader

/// The places of secrets in a YAML text, found from its parse events: the values of the keys
/// that `SourceRedaction.isSensitiveKey` accepts. Keys are compared as YAML decodes them, so
/// a quoted key, a key with escapes (`"pass\u0077ord"`) and a key reached through an alias
/// count as well as a plain one.
///
/// The scan reads the text up to its first syntax error, and it reads documents that the
/// tree builder rejects, such as those with repeated keys. Text from the line of a syntax
/// error on is left to the text-based masking of `SourceRedaction`, and so are comments.
struct SecretSpans {
    /// A part of the text, from the position of its first character to the position after
    /// its last one.
    struct Span: Equatable {
        let start: YAMLMark
        let end: YAMLMark
    }

    /// The values to mask.
    private(set) var values: [Span] = []
    /// The sensitive keys whose whole values were read and are in `values` or were judged
    /// to contain no secret, where they end before the line of a syntax error. The
    /// text-based masking leaves their values alone.
    private(set) var keys: [Span] = []
    /// The text from each key of `keys` to the end of the last line of its value, where a
    /// comment may repeat the secret.
    private(set) var commentRegions: [Span] = []
    /// The other sensitive keys: those whose values a syntax error cut off or follows on the
    /// same line. The text-based masking masks their values as if it had found the keys
    /// itself, which it cannot for a key such as `"pass\u0077ord"`.
    private(set) var unfinishedKeys: [Span] = []

    private let events: [YAMLEvent]
    /// The index of the last event of the node that starts at each index.
    private var nodeEnds: [Int]
    /// The position after the last character of the node that starts at each index.
    private var nodeEndMarks: [YAMLMark]
    /// Whether the node that starts at each index was read to its end.
    private var isComplete: [Bool]
    /// The line of the syntax error that ended the scan.
    private let errorLine: Int?
    /// The node that each anchor names, by index, as the scan has read them so far.
    private var anchors: [String: Int] = [:]

    init(text: String) {
        // The text is in memory already, so its size needs no limit here.
        let parser = try? YAMLParser(text, limits: YAMLLimits(maxInputBytes: .max))
        if let read = parser?.events() {
            events = read.events
            // A problem without a position leaves every line to the text-based masking.
            errorLine = read.error.map { $0.mark?.line ?? 0 }
        } else {
            events = []
            errorLine = 0
        }
        nodeEnds = Array(repeating: 0, count: events.count)
        nodeEndMarks = Array(repeating: YAMLMark(line: 0, column: 0), count: events.count)
        isComplete = Array(repeating: true, count: events.count)
        findNodeEnds()
        scan()

        // The value of an unfinished key may be anything up to the syntax error, which the
        // events did not read. The text-based masking masks it on the key's own line, where
        // it finds the key's colon, and the lines from the next one to the error's are
        // masked here. No diagnostic but the syntax error points at those lines, because
        // the document that contains them is not decoded.
        if let errorLine {
            for key in unfinishedKeys {
                values.append(
                    Span(
                        start: YAMLMark(line: key.end.line, column: .max),
                        end: YAMLMark(line: errorLine, column: .max)))
            }
        }
    }

    /// The state of one open collection.
    private struct Frame {
        let isMapping: Bool
        /// Set in a mapping while the next node is a key.
        var expectsKey = true
        /// The text of the key whose value comes next, when it is a scalar.
        var key: String?
        /// The span of that key when it is sensitive.
        var sensitiveKey: Span?
    }

    private mutating func findNodeEnds() {
        // The open collections, by the index of their start.
        var open: [Int] = []
        var lastEnd = YAMLMark(line: 0, column: 0)
        for (index, event) in events.enumerated() {
            switch event.kind {
            case .scalar, .alias:
                nodeEnds[index] = index
                nodeEndMarks[index] = event.end
                lastEnd = event.end
            case .sequenceStart, .mappingStart:
                open.append(index)
            case .collectionEnd:
                guard let start = open.popLast() else { continue }
                nodeEnds[start] = index
                // A block collection ends where the next token starts, which can be lines
                // further down after comments, so it ends with its last child instead.
                let end =
                    events[start].isFlow || lastEnd < events[start].start ? event.end : lastEnd
                nodeEndMarks[start] = end
                lastEnd = end
            }
        }
        // Collections that a syntax error left open end with the last node read.
        for start in open {
            nodeEnds[start] = events.count - 1
            nodeEndMarks[start] = lastEnd
            isComplete[start] = false
        }
    }

    private mutating func scan() {
        var frames: [Frame] = []
        var index = 0
        while index < events.count {
            let event = events[index]
            if event.kind == .collectionEnd {
                _ = frames.popLast()
                Self.advance(&frames)
                index += 1
                continue
            }
            if let anchor = event.anchor { anchors[anchor] = index }

            guard let frame = frames.last, frame.isMapping else {
                index = enter(index, frames: &frames)
                continue
            }
            if frame.expectsKey {
                let key = keyText(at: index)
                frames[frames.count - 1].key = key
                frames[frames.count - 1].sensitiveKey = nil
                if let key, SourceRedaction.isSensitiveKey(key) {
                    frames[frames.count - 1].sensitiveKey = Span(
                        start: event.start, end: nodeEndMarks[index])
                }
                index = enter(index, frames: &frames)
            } else if let sensitiveKey = frame.sensitiveKey {
                if let key = frame.key, SourceRedaction.secretSettingsKeys.contains(key),
                    event.kind == .mappingStart
                {
                    // Settings about secrets stay readable, and the keys inside are judged
                    // like any others.
                    noteKey(sensitiveKey, valueAt: index, masksComments: false)
                    index = enter(index, frames: &frames)
                } else {
                    noteKey(sensitiveKey, valueAt: index)
                    index = maskSecret(at: index, frames: &frames)
                }
            } else {
                index = enter(index, frames: &frames)
            }
        }

        // A syntax error came after these keys and before their values.
        for frame in frames where frame.isMapping && !frame.expectsKey {
            if let key = frame.sensitiveKey { unfinishedKeys.append(key) }
        }
    }

    /// Adds `key` to `keys` when its value at `index` was read whole and ends before the
    /// line of the syntax error. Otherwise the text-based masking masks the value too: text
    /// that the events did not reach, such as the rest of an unclosed quote, may belong to it.
    /// With `masksComments` off, comments on the lines of the value stay readable.
    private mutating func noteKey(_ key: Span, valueAt index: Int, masksComments: Bool = true) {
        let endsBeforeError = errorLine.map { nodeEndMarks[index].line < $0 } ?? true
        guard isComplete[index], endsBeforeError else {
            unfinishedKeys.append(key)
            return
        }
        keys.append(key)
        guard masksComments else { return }
        let lineEnd = YAMLMark(line: nodeEndMarks[index].line, column: Int.max)
        commentRegions.append(Span(start: key.end, end: lineEnd))
    }

    /// Opens the collection that starts at `index`, or steps past the scalar or alias there.
    /// Returns the index of the next event.
    private func enter(_ index: Int, frames: inout [Frame]) -> Int {
        let kind = events[index].kind
        guard kind == .mappingStart || kind == .sequenceStart else {
            Self.advance(&frames)
            return index + 1
        }
        frames.append(Frame(isMapping: kind == .mappingStart))
        return index + 1
    }

    /// Records the value of a sensitive key at `index` in `values`, and returns the index of
    /// the event after it.
    private mutating func maskSecret(at index: Int, frames: inout [Frame]) -> Int {
        maskValue(at: index, isSecret: true)
        // Anchors inside the secret still count for aliases further down.
        let end = nodeEnds[index]
        for inner in index..<(end + 1) {
            if let anchor = events[inner].anchor { anchors[anchor] = inner }
        }
        Self.advance(&frames)
        return end + 1
    }

    /// Records the node at `index` in `values`, or the node that an alias there names.
    /// With `isSecret` set, a secret source mapping (`{env: NAME}` or `{file: PATH}`) is
    /// recorded by its values that may hold the secret instead, so that the rest stays
    /// readable.
    ///
    /// A collection that a syntax error cut off is masked to the end of the line of the last
    /// node read in it, and the text-based masking masks what follows. Masking only up to
    /// that node would make the rest of its line look like the value ended cleanly there.
    private mutating func maskValue(at index: Int, isSecret: Bool) {
        var target = index
        if events[index].kind == .alias {
            guard let name = events[index].text, let anchored = anchors[name] else { return }
            target = anchored
        }
        guard isComplete[target] else {
            let end = YAMLMark(line: nodeEndMarks[target].line, column: Int.max)
            values.append(Span(start: events[target].start, end: end))
            return
        }
        guard isSecret, events[target].kind == .mappingStart, isSecretSource(at: target) else {
            values.append(Span(start: events[target].start, end: nodeEndMarks[target]))
            return
        }

        // In `{env: NAME}` or `{file: PATH}` only the name and the path stay readable: any
        // other value there may be the secret written in the wrong place.
        var key = target + 1
        while key < nodeEnds[target] {
            let value = nodeEnds[key] + 1
            guard value < nodeEnds[target] else { break }
            if !isReadableSourceValue(at: value, key: keyText(at: key)) {
                maskValue(at: value, isSecret: false)
            }
            key = nodeEnds[value] + 1
        }
    }

    /// Moves the innermost mapping from its key to its value or back, after a node.
    private static func advance(_ frames: inout [Frame]) {
        guard let last = frames.indices.last, frames[last].isMapping else { return }
        frames[last].expectsKey.toggle()
    }

    /// Returns the text of the scalar key at `index`, or of the scalar that an alias there
    /// names; nil for any other key.
    private func keyText(at index: Int) -> String? {
        let event = events[index]
        switch event.kind {
        case .scalar:
            return event.text
        case .alias:
            guard let name = event.text, let target = anchors[name] else { return nil }
            return events[target].kind == .scalar ? events[target].text : nil
        default:
            return nil
        }
    }

    /// Returns whether the mapping at `index` has an `env` or a `file` key.
    private func isSecretSource(at index: Int) -> Bool {
        var child = index + 1
        while child < nodeEnds[index] {
            if let key = keyText(at: child), key == "env" || key == "file" {
                return true
            }
            // Past the key and its value.
            child = nodeEnds[child] + 1
            guard child < nodeEnds[index] else { break }
            child = nodeEnds[child] + 1
        }
        return false
    }

    /// Returns whether the value at `index` of a secret source mapping stays readable: the
    /// variable name of `env` when it is a valid name, and the path of `file`.
    private func isReadableSourceValue(at index: Int, key: String?) -> Bool {
        let event = events[index]
        guard event.kind == .scalar, let text = event.text else { return false }
        switch key {
        case "env": return isValidEnvironmentName(text)
        case "file": return true
        default: return false
        }
    }
}

extension SecretSpans {
    /// Returns `lines` with the characters of each value of `values` and of `additional`
    /// replaced by `SourceRedaction.mask`, on each line that the value spans, so that the
    /// rest of those lines stays readable. The indentation of a value's later lines stays
    /// too, and so does the text after the value unless it is a comment, which is masked to
    /// the end of its line. `lines` are the lines of the scanned text.
    func masked(_ lines: [Substring], additional: [Span] = []) -> [SourceRedaction.RedactedLine] {
        var ranges: [Int: [Range<Int>]] = [:]
        for span in values + additional {
            for (line, range) in Self.characterRanges(of: span, in: lines) {
                ranges[line, default: []].append(range)
            }
        }
        for region in commentRegions {
            for (line, range) in Self.characterRanges(of: region, in: lines) {
                let values = ranges[line] ?? []
                if let comment = Self.commentStart(in: lines[line], within: range, outside: values)
                {
                    ranges[line, default: []].append(comment..<lines[line].count)
                }
            }
        }
        return lines.indices.map { index in
            guard let lineRanges = ranges[index] else {
                return SourceRedaction.RedactedLine(text: String(lines[index]), replacements: [])
            }
            return Self.mask(lines[index], ranges: lineRanges)
        }
    }

    /// Returns the character ranges of `keys` by 0-based line, in the lines that
    /// `masked(lines)` returned. `lines` are the lines of the scanned text.
    static func keyRanges(
        _ keys: [Span], in lines: [Substring], masked: [SourceRedaction.RedactedLine]
    ) -> [Int: [Range<Int>]] {
        var ranges: [Int: [Range<Int>]] = [:]
        for key in keys {
            for (line, range) in Self.characterRanges(of: key, in: lines) {
                let replacements = masked[line].replacements
                let lower = SourceRedaction.offset(range.lowerBound, after: replacements)
                let upper = SourceRedaction.offset(range.upperBound, after: replacements)
                ranges[line, default: []].append(lower..<max(lower, upper))
            }
        }
        return ranges
    }

    /// Returns the 0-based line and character range of each line part of `span`. Its first
    /// line starts at the span's start, and each later line at its first character that is
    /// no space or tab.
    private static func characterRanges(of span: Span, in lines: [Substring])
        -> [(line: Int, range: Range<Int>)]
    {
        guard span.start.line >= 1, span.start < span.end else { return [] }
        var result: [(line: Int, range: Range<Int>)] = []
        for number in span.start.line...min(span.end.line, lines.count) {
            let line = lines[number - 1]
            let shift = uncountedScalars(onLine: number, line)
            // A span may end at `Int.max`, which stands for the end of its line.
            func shifted(_ column: Int) -> Int { column == .max ? column : column + shift }
            let lower =
                number == span.start.line
                ? characterOffset(ofColumn: shifted(span.start.column), in: line)
                : line.prefix { $0 == " " || $0 == "\t" }.count
            let upper =
                number == span.end.line
                ? characterOffset(
                    ofColumn: shifted(span.end.column), in: line, roundingUp: true)
                : line.count
            if upper > lower { result.append((number - 1, lower..<upper)) }
        }
        return result
    }

    /// Returns the position of the first `#` in `range` of `line` that starts a comment (it
    /// starts the line or follows a space or tab) and lies in none of `values`. Quotes are
    /// not read, so a `#` inside a quoted scalar after a secret counts too, which masks more
    /// than needed but never less.
    private static func commentStart(
        in line: Substring, within range: Range<Int>, outside values: [Range<Int>]
    ) -> Int? {
        let characters = Array(line)
        for position in range where characters[position] == "#" {
            let startsComment =
                position == 0 || characters[position - 1] == " " || characters[position - 1] == "\t"
            if startsComment, !values.contains(where: { $0.contains(position) }) {
                return position
            }
        }
        return nil
    }

    /// Returns the number of Unicode scalars of `line`, the 1-based line `number` of a text,
    /// that lie before libyaml's column 1. That is 1 for a byte order mark at the start of
    /// the text, which libyaml reads past without counting it, and 0 otherwise.
    static func uncountedScalars(onLine number: Int, _ line: some StringProtocol) -> Int {
        number == 1 && line.unicodeScalars.first == "\u{FEFF}" ? 1 : 0
    }

    /// Returns the 0-based character offset of the 1-based `column` of a YAML mark in `line`.
    /// Marks count Unicode scalars, of which a character may have several. A column inside a
    /// character is rounded down, or up when `roundingUp` is set, so that a range of columns
    /// becomes the range of the characters that hold them.
    static func characterOffset(ofColumn column: Int, in line: Substring, roundingUp: Bool = false)
        -> Int
    {
        let offset = max(0, column - 1)
        if line.utf8.allSatisfy({ $0 < 0x80 }) { return min(offset, line.utf8.count) }

        var scalars = 0
        var characters = 0
        for character in line {
            let count = character.unicodeScalars.count
            if scalars + count > offset {
                return roundingUp && scalars < offset ? characters + 1 : characters
            }
            scalars += count
            characters += 1
        }
        return characters
    }

    /// Replaces the character ranges `ranges` of `line`, merged where they overlap, with the
    /// mask. A range that contains the mask already stays as it is.
    private static func mask(_ line: Substring, ranges: [Range<Int>])
        -> SourceRedaction.RedactedLine
    {
        var merged: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }

        let characters = Array(line)
        let mask = SourceRedaction.mask
        var text = ""
        var textCount = 0
        var copied = 0
        var replacements: [SourceRedaction.Replacement] = []
        for range in merged {
            let upper = min(range.upperBound, characters.count)
            guard range.lowerBound >= copied, range.lowerBound < upper else { continue }
            text += String(characters[copied..<range.lowerBound])
            textCount += range.lowerBound - copied
            let removed = characters[range.lowerBound..<upper]
            if String(removed) != mask {
                replacements.append(
                    SourceRedaction.Replacement(
                        offset: textCount, removed: removed, insertedCount: mask.count))
            }
            text += mask
            textCount += mask.count
            copied = upper
        }
        text += String(characters[copied...])
        return SourceRedaction.RedactedLine(text: text, replacements: replacements)
    }
}
