/// Reads the subset of YAML that manifests are mostly written in, without libyaml.
///
/// libyaml's scanner costs about 250 instructions per byte of a typical manifest, more than
/// all of ngcpctl's own reading and checking of it. Most manifests use a small part of YAML:
/// block mappings and sequences, one-line flow collections, comments, and one-line scalars,
/// plain or quoted without escapes. This reader handles that part with one pass over the
/// bytes and folds it into the same `TreeBuilder`, with the positions libyaml reports.
///
/// It gives up on anything else (anchors, tags, block and multi-line scalars, escapes,
/// empty values, tabs, byte order marks, every syntax error, and more) by returning nil. The
/// caller then reads the whole input with libyaml, so anything outside the subset, and every
/// error message about syntax, comes from libyaml as before. What the subset accepts must
/// give exactly the tree that libyaml's events give: the tests compare both readers on every
/// manifest of the test suite and on generated variations.
struct BlockSubsetReader: ~Copyable {
    /// Thrown to give up on the input, so that the caller reads it again with libyaml.
    struct OutsideSubset: Error {}

    /// Nesting beyond this gives up, so that recursion stays shallow whatever the input.
    /// libyaml reads deeper documents without recursion, and the tree builder's own limit
    /// applies to them.
    private static let maxNesting = 64
    /// libyaml (0.2.5) reads a key as one only while its `:` is at most 1,024 characters
    /// after the key's start, spaces before the `:` included. This reader gives up on keys
    /// whose `:` is more than this many bytes after their start, which leaves a margin,
    /// since a character takes one byte or more.
    private static let maxKeySpan = 1000

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxScalarBytes: Int
    private var builder: TreeBuilder
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var nesting = 0
    /// Whether every character is one byte, so that a column is a byte offset.
    private var isASCII = true
    /// The last line and byte offset whose column `currentMark()` counted, and that column.
    private var countedLine = 0
    private var countedIndex = 0
    private var countedColumn = 1
    /// Set after a problem that leaves out the current document, until its end.
    private var skipping = false
    /// Set after a problem that ends the stream.
    private var stopped = false

    private init(
        bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits, builder: consuming TreeBuilder
    ) {
        self.bytes = bytes
        self.maxScalarBytes = limits.maxScalarBytes
        self.builder = builder
    }

    /// Returns the stream that `bytes` contain, or nil when they are outside the subset.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits, builder: consuming TreeBuilder
    ) -> YAMLStream? {
        guard let text = classify(bytes) else { return nil }
        var reader = BlockSubsetReader(bytes: bytes, limits: limits, builder: builder)
        reader.isASCII = text == .ascii
        do {
            try reader.readStream()
        } catch {
            return nil
        }
        return reader.finish()
    }

    private consuming func finish() -> YAMLStream {
        let errors = builder.errors
        return YAMLStream(documents: builder.documents(), errors: errors)
    }

    /// The kind of text the input contains: printable ASCII and line feeds only, or also printable
    /// characters beyond ASCII. Nil for anything else: tabs, carriage returns, other
    /// control characters, the line and paragraph separators and U+0085 (line breaks to
    /// libyaml), byte order marks, and characters that libyaml's reader refuses.
    private enum Text {
        case ascii
        case unicode
    }

    private static func classify(_ bytes: UnsafeBufferPointer<UInt8>) -> Text? {
        guard let base = bytes.baseAddress else { return .ascii }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var index = 0
        var text = Text.ascii

        while index < count {
            // Eight bytes at a time: a byte outside 0x20-0x7E that is not a line feed has
            // its top bit set, or is below 0x20, or is 0x7F. Such a word is read byte by
            // byte. The tests of the other bytes are exact: no carry crosses a byte, so no
            // test marks a byte by mistake, and none leaves out a byte that another marked.
            if index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & Self.highBits == 0
                    && Self.equalBytes(word, 0x7F) == 0
                    && Self.bytesBelowSpace(word) & ~Self.equalBytes(word, 0x0A) == 0
                {
                    index += 8
                    continue
                }
            }

            let byte = bytes[index]
            if byte < 0x80 {
                guard (byte >= 0x20 && byte < 0x7F) || byte == UInt8(ascii: "\n") else {
                    return nil
                }
                index += 1
                continue
            }
            guard let (scalar, length) = decode(bytes, at: index), isPrintable(scalar) else {
                return nil
            }
            text = .unicode
            index += length
        }
        return text
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Returns the top bit of each byte of `word` below 0x80 that equals `value` (below
    /// 0x80). Each byte's sum stays below 0x100, so no carry reaches the next byte.
    @inline(__always)
    private static func equalBytes(_ word: UInt64, _ value: UInt8) -> UInt64 {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(value))
        return ~(((difference & lowBits) &+ lowBits) | difference) & highBits
    }

    /// Returns the top bit of each byte of `word` below 0x20. Adding 0x60 to a byte's low
    /// seven bits sets its top bit exactly when the byte is 0x20 or more, without a carry.
    @inline(__always)
    private static func bytesBelowSpace(_ word: UInt64) -> UInt64 {
        ~((word & lowBits) &+ 0x6060_6060_6060_6060) & ~word & highBits
    }

    /// Decodes the UTF-8 sequence at `index`, or returns nil when it is invalid.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int)
        -> (UInt32, Int)?
    {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, value) = (4, UInt32(lead & 0x07))
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
        let smallest: UInt32
        switch length {
        case 2: smallest = 0x80
        case 3: smallest = 0x800
        default: smallest = 0x1_0000
        }
        guard value >= smallest, value <= 0x10_FFFF, !(0xD800...0xDFFF).contains(value) else {
            return nil
        }
        return (value, length)
    }

    /// Returns whether libyaml reads the character as printable text that is no line break.
    private static func isPrintable(_ value: UInt32) -> Bool {
        switch value {
        case 0xA0...0xD7FF: return value != 0x2028 && value != 0x2029
        case 0xE000...0xFFFD: return value != 0xFEFF
        case 0x1_0000...0x10_FFFF: return true
        default: return false
        }
    }

    // MARK: - Documents

    private mutating func readStream() throws(OutsideSubset) {
        while !stopped {
            skipBlankAndCommentLines()
            guard position < bytes.count else { return }

            let mark: YAMLMark
            if isDocumentMarker(UInt8(ascii: "-")) {
                mark = currentMark()
                position += 3
                try endLine()
                skipBlankAndCommentLines()
                // An empty document, or content on the marker's line, is left to libyaml.
                guard position < bytes.count, !isDocumentMarker(UInt8(ascii: "-")) else {
                    throw OutsideSubset()
                }
            } else {
                mark = currentMark()
            }
            // Only documents whose root starts in the first column, and markers of document
            // ends and directives are left to libyaml.
            guard position == lineStart, !isDocumentMarker(UInt8(ascii: ".")),
                bytes[position] != UInt8(ascii: "%")
            else { throw OutsideSubset() }

            skipping = false
            builder.startDocument(at: mark)
            try readBlockNode(indent: 0)
            guard position >= bytes.count || isDocumentMarker(UInt8(ascii: "-")) else {
                throw OutsideSubset()
            }
            if !skipping && !stopped {
                do {
                    try builder.endDocument()
                } catch {
                    record(error)
                }
            }
        }
    }

    /// Returns whether the line starts with `---` or `...` followed by a space or the line's
    /// end.
    ///
    /// Always inlined, because with Swift 6.3.1 a call that is not inlined copies the whole
    /// reader, tree builder included, to borrow it from a mutating caller such as
    /// `scanBlockKey()`, which runs for every key.
    @inline(__always)
    private func isDocumentMarker(_ byte: UInt8) -> Bool {
        guard position == lineStart, position + 3 <= bytes.count,
            bytes[position] == byte, bytes[position + 1] == byte, bytes[position + 2] == byte
        else { return false }
        return position + 3 == bytes.count || bytes[position + 3] == UInt8(ascii: " ")
            || bytes[position + 3] == UInt8(ascii: "\n")
    }

    // MARK: - Block collections

    /// Reads the block mapping or sequence that starts at the position, whose lines are
    /// indented by `indent` spaces.
    private mutating func readBlockNode(indent: Int) throws(OutsideSubset) {
        if isBlockEntry {
            try readBlockSequence(indent: indent, isIndentless: false)
        } else {
            try readBlockMapping(indent: indent)
        }
    }

    /// Whether the byte at the position is a `-` that starts a sequence entry.
    private var isBlockEntry: Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "-") else { return false }
        return position + 1 == bytes.count || bytes[position + 1] == UInt8(ascii: " ")
            || bytes[position + 1] == UInt8(ascii: "\n")
    }

    /// Reads a block mapping whose first key is at the position and whose keys are in
    /// column `indent + 1`. The first key may follow a sequence entry's `- `.
    private mutating func readBlockMapping(indent: Int) throws(OutsideSubset) {
        try enter()
        emitCollectionStart(isMapping: true, at: currentMark())

        while true {
            let keyMark = currentMark()
            let key = try scanBlockKey()
            emitScalar(key, style: .plain, at: keyMark)
            // After the `:`.
            position += 1
            try readBlockValue(ownerIndent: indent)

            skipBlankAndCommentLines()
            guard position < bytes.count else { break }
            let lineIndent = indentation()
            if lineIndent < indent { break }
            guard lineIndent == indent else { throw OutsideSubset() }
            if indent == 0 && isDocumentMarker(UInt8(ascii: "-")) { break }
            position = lineStart + lineIndent
        }

        emitCollectionEnd()
        nesting -= 1
    }

    /// Reads a block sequence whose entries start in column `indent + 1`. An indentless
    /// sequence is a mapping value whose entries are in the mapping's own column. It ends at
    /// the next line of that column that is no entry.
    private mutating func readBlockSequence(indent: Int, isIndentless: Bool)
        throws(OutsideSubset)
    {
        try enter()
        emitCollectionStart(isMapping: false, at: currentMark())

        while true {
            // After the `-`.
            position += 1
            skipSpaces()
            if position >= bytes.count || bytes[position] == UInt8(ascii: "\n")
                || bytes[position] == UInt8(ascii: "#")
            {
                try endLine()
                try readNestedBlockNode(ownerIndent: indent, allowsIndentless: false)
            } else {
                try readEntryContent()
            }

            skipBlankAndCommentLines()
            guard position < bytes.count else { break }
            let lineIndent = indentation()
            if lineIndent < indent { break }
            guard lineIndent == indent else { throw OutsideSubset() }
            position = lineStart + lineIndent
            if isBlockEntry { continue }
            // A line in the sequence's column that is no entry ends an indentless sequence
            // (it is the mapping's next key) or a document's root sequence (at a `---`).
            guard isIndentless || (indent == 0 && isDocumentMarker(UInt8(ascii: "-"))) else {
                throw OutsideSubset()
            }
            break
        }

        emitCollectionEnd()
        nesting -= 1
    }

    /// Reads what follows `- ` on an entry's line: a compact mapping or a one-line value.
    private mutating func readEntryContent() throws(OutsideSubset) {
        let start = position
        if isPlainScalarStart(inFlow: false), (try? scanBlockKey()) != nil {
            position = start
            try readBlockMapping(indent: start - lineStart)
            return
        }
        position = start
        if isBlockEntry { throw OutsideSubset() }
        try readInlineValue()
    }

    /// Reads the value after a block mapping key's `:`.
    private mutating func readBlockValue(ownerIndent: Int) throws(OutsideSubset) {
        let afterIndicator = position
        skipSpaces()
        if position >= bytes.count || bytes[position] == UInt8(ascii: "\n")
            || (bytes[position] == UInt8(ascii: "#") && position > afterIndicator)
        {
            try endLine()
            try readNestedBlockNode(ownerIndent: ownerIndent, allowsIndentless: true)
        } else {
            try readInlineValue()
        }
    }

    /// Reads a block collection on the lines after its owner's line: indented further than
    /// the owner, or, for a mapping value, a sequence in the mapping's own column.
    private mutating func readNestedBlockNode(ownerIndent: Int, allowsIndentless: Bool)
        throws(OutsideSubset)
    {
        skipBlankAndCommentLines()
        // An empty value is left to libyaml, whose position for it is the next token's.
        guard position < bytes.count else { throw OutsideSubset() }
        let lineIndent = indentation()
        position = lineStart + lineIndent

        if lineIndent > ownerIndent {
            guard isBlockEntry || isPlainScalarStart(inFlow: false) else {
                throw OutsideSubset()
            }
            try readBlockNode(indent: lineIndent)
        } else if allowsIndentless && lineIndent == ownerIndent && isBlockEntry {
            try readBlockSequence(indent: ownerIndent, isIndentless: true)
        } else {
            throw OutsideSubset()
        }
    }

    /// Reads a one-line value in block context: a flow collection or a scalar, then the
    /// rest of the line.
    private mutating func readInlineValue() throws(OutsideSubset) {
        let mark = currentMark()
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try readFlowMapping()
        case UInt8(ascii: "["):
            try readFlowSequence()
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let (text, style) = try scanQuoted()
            emitScalar(text, style: style, at: mark)
        default:
            guard isPlainScalarStart(inFlow: false) else { throw OutsideSubset() }
            emitScalar(try scanBlockPlainValue(), style: .plain, at: mark)
        }
        try endLine()
    }

    // MARK: - Flow collections

    private mutating func readFlowMapping() throws(OutsideSubset) {
        try enter()
        emitCollectionStart(isMapping: true, at: currentMark())
        position += 1
        skipSpaces()

        if !consume(UInt8(ascii: "}")) {
            while true {
                let keyMark = currentMark()
                guard isPlainScalarStart(inFlow: true) else { throw OutsideSubset() }
                let keyStart = position
                let key = try scanFlowPlain()
                skipSpaces()
                guard position - keyStart <= Self.maxKeySpan else { throw OutsideSubset() }
                // `:` must be followed by a space: an adjacent value, or a key without
                // one, is left to libyaml.
                guard consume(UInt8(ascii: ":")), position < bytes.count,
                    bytes[position] == UInt8(ascii: " ")
                else { throw OutsideSubset() }
                emitScalar(key, style: .plain, at: keyMark)
                skipSpaces()
                try readFlowNode()
                skipSpaces()
                if consume(UInt8(ascii: "}")) { break }
                guard consume(UInt8(ascii: ",")) else { throw OutsideSubset() }
                skipSpaces()
                // A trailing comma is left to libyaml.
                if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
                    throw OutsideSubset()
                }
            }
        }

        emitCollectionEnd()
        nesting -= 1
    }

    private mutating func readFlowSequence() throws(OutsideSubset) {
        try enter()
        emitCollectionStart(isMapping: false, at: currentMark())
        position += 1
        skipSpaces()

        if !consume(UInt8(ascii: "]")) {
            while true {
                try readFlowNode()
                skipSpaces()
                if consume(UInt8(ascii: "]")) { break }
                // A `key: value` entry is a one-pair mapping, left to libyaml.
                guard consume(UInt8(ascii: ",")) else { throw OutsideSubset() }
                skipSpaces()
                if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
                    throw OutsideSubset()
                }
            }
        }

        emitCollectionEnd()
        nesting -= 1
    }

    /// Reads a node inside a flow collection.
    private mutating func readFlowNode() throws(OutsideSubset) {
        guard position < bytes.count else { throw OutsideSubset() }
        let mark = currentMark()
        switch bytes[position] {
        case UInt8(ascii: "{"):
            try readFlowMapping()
        case UInt8(ascii: "["):
            try readFlowSequence()
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let (text, style) = try scanQuoted()
            emitScalar(text, style: style, at: mark)
        default:
            guard isPlainScalarStart(inFlow: true) else { throw OutsideSubset() }
            emitScalar(try scanFlowPlain(), style: .plain, at: mark)
        }
    }

    // MARK: - Scalars

    /// Returns whether the position starts a plain scalar. Indicators that could also start
    /// one (`-`, `?` and `:` before a non-space) are left to libyaml, except `-` before a
    /// letter or digit, as in negative numbers.
    private func isPlainScalarStart(inFlow: Bool) -> Bool {
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "-"):
            guard position + 1 < bytes.count else { return false }
            let next = bytes[position + 1]
            return isLetterOrDigit(next)
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"),
            UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
            UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"),
            UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: " "), UInt8(ascii: "\n"):
            return false
        default:
            return true
        }
    }

    private func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    /// Scans a block mapping key: a plain scalar followed by `:` and a space or the line's
    /// end. Leaves the position at the `:`.
    private mutating func scanBlockKey() throws(OutsideSubset) -> Range<Int> {
        // A `...` in the first column ends the document, even where a key could follow.
        guard isPlainScalarStart(inFlow: false), !isDocumentMarker(UInt8(ascii: ".")) else {
            throw OutsideSubset()
        }
        let start = position
        var end = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") { throw OutsideSubset() }
            if byte == UInt8(ascii: ":") && isSpaceOrLineEnd(at: position + 1) {
                guard position - start <= Self.maxKeySpan else { throw OutsideSubset() }
                // A space before the `:` is not part of the key.
                return start..<end
            }
            if byte == UInt8(ascii: " ") {
                // A comment ends the line without a `:`.
                if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "#") {
                    throw OutsideSubset()
                }
            } else {
                end = position + 1
            }
            position += 1
        }
        throw OutsideSubset()
    }

    /// Scans a plain scalar value in block context, up to the line's end or a comment.
    /// A `: ` inside it is left to libyaml, which rejects it. A next line that would go on
    /// with the scalar is indented beyond its block, which the block's reading gives up on.
    private mutating func scanBlockPlainValue() throws(OutsideSubset) -> Range<Int> {
        let start = position
        var end = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: ":") && isSpaceOrLineEnd(at: position + 1) {
                throw OutsideSubset()
            }
            if byte == UInt8(ascii: " ") {
                if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "#") {
                    break
                }
            } else {
                end = position + 1
            }
            position += 1
        }
        return start..<end
    }

    /// Scans a plain scalar in flow context, up to a flow indicator or `: `. A `:` before
    /// anything else, a comment, or the line's end are left to libyaml.
    private mutating func scanFlowPlain() throws(OutsideSubset) -> Range<Int> {
        let start = position
        var end = position
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\n"):
                throw OutsideSubset()
            case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
                UInt8(ascii: "}"):
                return start..<end
            case UInt8(ascii: ":"):
                guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: " ")
                else { throw OutsideSubset() }
                return start..<end
            case UInt8(ascii: " "):
                if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "#") {
                    throw OutsideSubset()
                }
            default:
                end = position + 1
            }
            position += 1
        }
        throw OutsideSubset()
    }

    /// Scans a one-line quoted scalar without escapes, and returns its text between the
    /// quotes.
    private mutating func scanQuoted() throws(OutsideSubset) -> (Range<Int>, YAMLScalarStyle.Code) {
        let quote = bytes[position]
        let isDouble = quote == UInt8(ascii: "\"")
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == quote {
                // A doubled single quote is an escaped one.
                if !isDouble && position + 1 < bytes.count && bytes[position + 1] == quote {
                    throw OutsideSubset()
                }
                let text = start..<position
                position += 1
                return (text, isDouble ? .doubleQuoted : .singleQuoted)
            }
            if byte == UInt8(ascii: "\n") || (isDouble && byte == UInt8(ascii: "\\")) {
                throw OutsideSubset()
            }
            position += 1
        }
        throw OutsideSubset()
    }

    // MARK: - Lines and positions

    /// Returns the position's line and column. The column counts characters, as libyaml's
    /// do. Beyond ASCII, the count goes on from the last position counted on the line, so
    /// that the marks of a long line cost one pass over it, not one pass per mark.
    ///
    /// Always inlined, for the reason given at `isDocumentMarker(_:)`: it is read for every
    /// node.
    @inline(__always)
    private mutating func currentMark() -> YAMLMark {
        guard !isASCII else { return YAMLMark(line: line, column: position - lineStart + 1) }
        if countedLine != line || countedIndex > position {
            countedLine = line
            countedIndex = lineStart
            countedColumn = 1
        }
        for index in countedIndex..<position where bytes[index] & 0xC0 != 0x80 {
            countedColumn += 1
        }
        countedIndex = position
        return YAMLMark(line: line, column: countedColumn)
    }

    /// Returns the number of spaces at the start of the current line.
    private func indentation() -> Int {
        var index = lineStart
        while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index - lineStart
    }

    private mutating func skipSpaces() {
        while position < bytes.count && bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private func isSpaceOrLineEnd(at index: Int) -> Bool {
        index >= bytes.count || bytes[index] == UInt8(ascii: " ")
            || bytes[index] == UInt8(ascii: "\n")
    }

    /// Moves past the rest of the line, which may contain spaces and a comment after a
    /// space, and its line feed.
    private mutating func endLine() throws(OutsideSubset) {
        let start = position
        skipSpaces()
        guard position < bytes.count else { return }
        if bytes[position] == UInt8(ascii: "#") {
            // A `#` directly after a token is no comment.
            guard
                position > start || position == lineStart
                    || bytes[position - 1] == UInt8(ascii: " ")
            else { throw OutsideSubset() }
            while position < bytes.count && bytes[position] != UInt8(ascii: "\n") {
                position += 1
            }
            guard position < bytes.count else { return }
        }
        guard bytes[position] == UInt8(ascii: "\n") else { throw OutsideSubset() }
        position += 1
        line += 1
        lineStart = position
    }

    /// Moves to the first line at or after the position that contains more than spaces and
    /// a comment, and leaves the position at that line's start. The position must be at a
    /// line's start.
    private mutating func skipBlankAndCommentLines() {
        while position < bytes.count {
            var index = position
            while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
            if index < bytes.count && bytes[index] == UInt8(ascii: "#") {
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            }
            guard index >= bytes.count || bytes[index] == UInt8(ascii: "\n") else { return }
            if index >= bytes.count {
                position = index
                return
            }
            position = index + 1
            line += 1
            lineStart = position
        }
    }

    private mutating func enter() throws(OutsideSubset) {
        nesting += 1
        guard nesting <= Self.maxNesting else { throw OutsideSubset() }
    }

    // MARK: - Building

    private mutating func emitScalar(
        _ range: Range<Int>, style: YAMLScalarStyle.Code, at mark: YAMLMark
    ) {
        guard !skipping && !stopped else { return }
        do throws(YAMLError) {
            guard range.count <= maxScalarBytes else {
                throw YAMLError.scalarTooLarge(range.count, limit: maxScalarBytes, at: mark)
            }
            let text = UnsafeBufferPointer(rebasing: bytes[range])
            // The whole input is valid UTF-8, and so is each scalar, which starts and ends
            // at ASCII characters or the input's ends.
            guard let summary = ScalarBytes.summary(of: text) else {
                throw YAMLError.invalidUTF8(at: mark)
            }
            try builder.scalar(
                bytes: text, summary: summary, style: style, anchor: nil, tag: nil, at: mark)
        } catch {
            record(error)
        }
    }

    private mutating func emitCollectionStart(isMapping: Bool, at mark: YAMLMark) {
        guard !skipping && !stopped else { return }
        do {
            try builder.startCollection(isMapping: isMapping, anchor: nil, tag: nil, at: mark)
        } catch {
            record(error)
        }
    }

    private mutating func emitCollectionEnd() {
        guard !skipping && !stopped else { return }
        do {
            try builder.endCollection()
        } catch {
            record(error)
        }
    }

    /// Leaves out the current document after `error`, as the reading with libyaml does.
    private mutating func record(_ error: YAMLError) {
        builder.abandonDocument(after: error)
        if error.endsStream {
            stopped = true
        } else {
            skipping = true
        }
    }
}

extension YAMLStream {
    /// Every document's nodes with their positions, styles and tags, and every error, one
    /// per line. Two readers of the same input must give the same outline.
    package var outline: String {
        var lines: [String] = []
        for document in documents {
            lines.append("document \(document.mark)")
            Self.outline(document.root, depth: 1, into: &lines)
        }
        for error in errors {
            lines.append("error \(error)")
        }
        return lines.joined(separator: "\n")
    }

    private static func outline(_ node: YAMLNode, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "  ", count: depth)
        switch node.content {
        case .scalar(let scalar):
            lines.append(
                "\(indent)\(node.mark) \(scalar.style.rawValue) \(scalar.tag ?? "-")"
                    + " \(String(reflecting: scalar.text))")
        case .sequence(let items):
            lines.append("\(indent)\(node.mark) sequence")
            for item in items { outline(item, depth: depth + 1, into: &lines) }
        case .mapping(let pairs):
            lines.append("\(indent)\(node.mark) mapping")
            for pair in pairs {
                outline(pair.key, depth: depth + 1, into: &lines)
                outline(pair.value, depth: depth + 2, into: &lines)
            }
        }
    }
}
