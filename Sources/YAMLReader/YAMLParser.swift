internal import CYaml

/// The documents of a stream that could be read, and the problems of the others.
public struct YAMLStream {
    public var documents: [YAMLDocument]
    /// Problems in the order found. Each left out the document it is in.
    public var errors: [YAMLError]
}

/// A YAML reader built on libyaml's event parser.
///
/// One instance owns one libyaml parser and a copy of the input bytes, which libyaml reads
/// from during the whole parse. Events are folded into `YAMLNode` trees with anchors and
/// aliases expanded, merge keys applied and duplicate keys rejected. Every limit in
/// `YAMLLimits` is checked while the events arrive, so a hostile input is rejected before it
/// costs much memory.
public final class YAMLParser {
    private let limits: YAMLLimits
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// The input's size, which is 0 for an empty input that still has a byte allocated.
    private let size: Int
    private var hasRead = false
    private let parser: UnsafeMutablePointer<yaml_parser_t>

    /// Prepares a parse of `text`; throws when the input is larger than the limit.
    public init(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) {
        // Checked before copying, so an oversized input costs no memory.
        let size = text.utf8.count
        guard size <= limits.maxInputBytes else {
            throw .inputTooLarge(size, limit: limits.maxInputBytes)
        }
        self.limits = limits
        self.size = size
        input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(size, 1))
        _ = input.initialize(from: text.utf8)
        parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        yaml_parser_initialize(parser)
        // The encoding is left for libyaml to detect: the text is UTF-8, and only then does
        // libyaml read past a byte order mark without counting it as a column. With the
        // encoding set, the mark indents the first line by one column more than the next.
        yaml_parser_set_input_string(parser, input.baseAddress, size)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// Parses `text` into its documents, and throws the first problem of any document.
    public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError)
        -> [YAMLDocument]
    {
        try YAMLParser(text, limits: limits).documents()
    }

    /// Reads the whole stream, and throws the first problem of any document. Call it once per
    /// parser.
    public func documents() throws(YAMLError) -> [YAMLDocument] {
        let stream = read()
        if let error = stream.errors.first { throw error }
        return stream.documents
    }

    /// Reads the whole stream, leaving out each document with a problem. Call it once per
    /// parser.
    ///
    /// A problem of the YAML syntax ends the stream, because libyaml cannot go on after it.
    /// The documents before it are kept. Any other problem leaves out its document only, and
    /// the next documents are read, so that one run reports the problems of all of them. A
    /// repeated key is reported and the document read on, so that every repeated key is.
    public func read() -> YAMLStream {
        // A second read finds the stream at its end, as libyaml's parser does.
        guard !hasRead else { return YAMLStream(documents: [], errors: []) }
        hasRead = true
        return readWithSubsetReader() ?? readWithLibyaml()
    }

    /// Reads the stream with `BlockSubsetReader`, or returns nil when the input is outside
    /// the subset that it reads.
    package func readWithSubsetReader() -> YAMLStream? {
        BlockSubsetReader.read(
            UnsafeBufferPointer(rebasing: input[..<size]), limits: limits, builder: makeBuilder())
    }

    private func makeBuilder() -> TreeBuilder {
        // The benchmark's manifests have a little more than one node per ten bytes, and
        // their scalars take about 60% of the bytes. Reserving one node per eight bytes and
        // the input's size for scalars avoids regrowing the buffers, which the tree keeps.
        TreeBuilder(limits: limits, expectedNodes: size / 8, expectedScalarBytes: size)
    }

    /// Reads the stream with libyaml's event parser.
    package func readWithLibyaml() -> YAMLStream {
        var builder = makeBuilder()
        var event = yaml_event_t()
        // Set after a problem that leaves out the current document, until its end.
        var skipping = false

        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                builder.abandonDocument(after: parserError())
                let errors = builder.errors
                return YAMLStream(documents: builder.documents(), errors: errors)
            }
            defer { yaml_event_delete(&event) }

            if event.type == YAML_STREAM_END_EVENT || event.type == YAML_NO_EVENT {
                // libyaml sends no further events after the stream end.
                let errors = builder.errors
                return YAMLStream(documents: builder.documents(), errors: errors)
            }
            if skipping {
                if event.type == YAML_DOCUMENT_END_EVENT { skipping = false }
                continue
            }

            do {
                try add(event, to: &builder)
            } catch {
                builder.abandonDocument(after: error)
                // Aliases of the whole stream beyond their bound end it, because each later
                // document would only add to the expansion.
                if error.endsStream {
                    let errors = builder.errors
                    return YAMLStream(documents: builder.documents(), errors: errors)
                }
                skipping = event.type != YAML_DOCUMENT_END_EVENT
            }
        }
    }

    /// Folds one event into the tree.
    @inline(__always)
    private func add(_ event: yaml_event_t, to builder: inout TreeBuilder) throws(YAMLError) {
        let mark = YAMLMark(
            line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)

        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            builder.startDocument(at: mark)
        case YAML_DOCUMENT_END_EVENT:
            try builder.endDocument()
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            try builder.alias(name, at: mark)
        case YAML_SCALAR_EVENT:
            try scalar(event, at: mark, into: &builder)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            try startCollection(
                isMapping: false, anchor: data.anchor, tag: data.tag, at: mark, into: &builder)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            try startCollection(
                isMapping: true, anchor: data.anchor, tag: data.tag, at: mark, into: &builder)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try builder.endCollection()
        default:
            break
        }
    }

    private func scalar(_ event: yaml_event_t, at mark: YAMLMark, into builder: inout TreeBuilder)
        throws(YAMLError)
    {
        let data = event.data.scalar
        guard data.length <= limits.maxScalarBytes else {
            throw .scalarTooLarge(data.length, limit: limits.maxScalarBytes, at: mark)
        }

        let buffer = UnsafeBufferPointer(start: data.value, count: data.length)
        let summary = try summarize(buffer, at: mark)

        let style: YAMLScalarStyle.Code
        switch data.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }

        // Most nodes have neither an anchor nor a tag. Literal nils spare releasing two
        // optional strings per node.
        if data.anchor == nil, data.tag == nil {
            try builder.scalar(
                bytes: buffer, summary: summary, style: style, anchor: nil, tag: nil, at: mark)
        } else {
            try builder.scalar(
                bytes: buffer, summary: summary, style: style, anchor: string(data.anchor),
                tag: string(data.tag), at: mark)
        }
    }

    private func startCollection(
        isMapping: Bool, anchor: UnsafeMutablePointer<yaml_char_t>?,
        tag: UnsafeMutablePointer<yaml_char_t>?, at mark: YAMLMark,
        into builder: inout TreeBuilder
    ) throws(YAMLError) {
        // As for scalars, literal nils spare releasing two optional strings.
        if anchor == nil, tag == nil {
            try builder.startCollection(isMapping: isMapping, anchor: nil, tag: nil, at: mark)
        } else {
            try builder.startCollection(
                isMapping: isMapping, anchor: string(anchor), tag: string(tag), at: mark)
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// Returns a summary of the bytes. Throws for invalid UTF-8.
    private func summarize(_ bytes: UnsafeBufferPointer<UInt8>, at mark: YAMLMark)
        throws(YAMLError) -> ScalarBytes
    {
        guard let summary = ScalarBytes.summary(of: bytes) else { throw .invalidUTF8(at: mark) }
        return summary
    }

    /// Returns the line and column of the byte at `offset` in the input. The column counts
    /// characters, as libyaml's marks do.
    private func mark(atByte offset: Int) -> YAMLMark {
        var line = 1
        var column = 1
        // libyaml does not count a byte order mark in its positions.
        let start = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for byte in input.prefix(max(0, offset)).dropFirst(start) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return YAMLMark(line: line, column: column)
    }

    /// Turns libyaml's error fields into a `YAMLError` at the problem's position.
    private func parserError() -> YAMLError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "invalid YAML"
        // Errors of libyaml's reader (control characters, invalid UTF-8) give a byte offset
        // instead of a mark.
        let mark =
            state.error == YAML_READER_ERROR
            ? mark(atByte: Int(state.problem_offset))
            : YAMLMark(
                line: Int(state.problem_mark.line) + 1,
                column: Int(state.problem_mark.column) + 1)

        var message = problem
        if let context = state.context.map({ String(cString: $0) }) {
            let contextMark = state.context_mark
            message +=
                " (\(context) at line \(contextMark.line + 1), column \(contextMark.column + 1))"
        }
        return YAMLError(message, at: mark)
    }
}

/// One parse event with the span of text it was read from. Aliases are not expanded.
public struct YAMLEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scalar
        case alias
        case sequenceStart
        case mappingStart
        case collectionEnd
    }

    public let kind: Kind
    /// The position of the event's first character: a node's anchor or tag when it has one.
    public let start: YAMLMark
    /// The position after the event's last character. A block collection's end has no text
    /// of its own, so it is where the next token starts, possibly lines later.
    public let end: YAMLMark
    /// A scalar's text after unescaping, or an alias's anchor name.
    public let text: String?
    /// The anchor that a scalar or collection defines.
    public let anchor: String?
    /// Set for a collection written in flow style (`{...}` or `[...]`).
    public let isFlow: Bool
}

extension YAMLParser {
    /// Reads the node events of every document, without building trees, so that no limit
    /// but the input size applies and documents with repeated keys are read too. Returns the
    /// events up to the first syntax error, and that error. Call it once per parser, and
    /// not together with `read()`.
    public func events() -> (events: [YAMLEvent], error: YAMLError?) {
        var events: [YAMLEvent] = []
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else {
                return (events, parserError())
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT || event.type == YAML_NO_EVENT {
                return (events, nil)
            }
            if let read = nodeEvent(event) { events.append(read) }
        }
    }

    private func nodeEvent(_ event: yaml_event_t) -> YAMLEvent? {
        let start = YAMLMark(
            line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        let end = YAMLMark(
            line: Int(event.end_mark.line) + 1, column: Int(event.end_mark.column) + 1)
        func make(_ kind: YAMLEvent.Kind, text: String?, anchor: String?, isFlow: Bool = false)
            -> YAMLEvent
        {
            YAMLEvent(
                kind: kind, start: start, end: end, text: text, anchor: anchor, isFlow: isFlow)
        }

        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
            return make(
                .scalar, text: String(decoding: bytes, as: UTF8.self),
                anchor: string(data.anchor))
        case YAML_ALIAS_EVENT:
            return make(.alias, text: string(event.data.alias.anchor), anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return make(
                .sequenceStart, text: nil, anchor: string(data.anchor),
                isFlow: data.style == YAML_FLOW_SEQUENCE_STYLE)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return make(
                .mappingStart, text: nil, anchor: string(data.anchor),
                isFlow: data.style == YAML_FLOW_MAPPING_STYLE)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            return make(.collectionEnd, text: nil, anchor: nil)
        default:
            return nil
        }
    }
}
