import NGCPCore

/// A failure to compile or evaluate a CEL expression, with its position in the expression.
public struct CELError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The text is not a valid expression of the supported subset.
        case syntax
        /// The expression is valid but failed on the given values.
        case evaluation
        /// The expression exceeded a length, nesting or cost limit.
        case limit
    }

    public let kind: Kind
    public let message: String
    /// The whole expression text.
    public let expression: String
    /// The 0-based offset of the problem in the expression, counted in Unicode scalars.
    public let offset: Int

    public init(_ kind: Kind, _ message: String, expression: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.expression = expression
        self.offset = offset
    }

    /// The 1-based line of the problem inside the expression.
    public var line: Int { position.line }
    /// The 1-based column of the problem inside its line of the expression.
    public var column: Int { position.column }

    /// The line and column of `offset`, with lines split as `snippet` splits them: at LF, CRLF,
    /// CR, NEL, LS and PS.
    private var position: (line: Int, column: Int) {
        let scalars = expression.unicodeScalars
        var line = 1
        var lineStart = 0
        var previous = (index: scalars.startIndex, offset: 0)
        for (number, text) in expression.sourceLines().enumerated() {
            // Counting on from the previous line's start walks the expression only once.
            let start =
                previous.offset + scalars.distance(from: previous.index, to: text.startIndex)
            guard start <= offset else { break }
            line = number + 1
            lineStart = start
            previous = (text.startIndex, start)
        }
        return (line, offset - lineStart + 1)
    }

    /// `message (column N of the expression)`, with the line for multi-line expressions.
    public var description: String { describe(in: "expression") }

    /// The message with the position in `text`, such as `message (column 4 of the message)`.
    public func describe(in text: String) -> String {
        if expression.sourceLines().count > 1 {
            return "\(message) (line \(line), column \(column) of the \(text))"
        }
        return "\(message) (column \(column) of the \(text))"
    }

    /// The offending line of the expression with a caret under the problem, for printing both
    /// lines at the same indentation. The caret moves by terminal columns, so a wide character
    /// takes two and a combining accent none, and a tab stays a tab. A problem inside a
    /// character of several scalars points at that character. Control characters other than
    /// tab, and formatting characters such as bidirectional controls or a zero-width space,
    /// are shown as `\u{..}` escapes. Diagnostics print the snippet in a hint, which escapes
    /// the same characters, so the caret stays under the problem.
    public var snippet: String {
        let lines = expression.sourceLines()
        let text = line <= lines.count ? lines[line - 1] : ""

        // `column` counts scalars, so only the characters that end before it add padding.
        var scalarCount = 0
        var before = ""
        for character in text {
            scalarCount += character.unicodeScalars.count
            guard scalarCount < column else { break }
            before.append(character)
        }
        let pastEnd = max(0, column - 1 - text.unicodeScalars.count)

        // An escape such as `\u{1b}` is wider than the character it shows, so the caret is
        // placed by the escaped text.
        let printed = text.escapingControlCharacters(escapingFormatCharacters: true)
        let padding = DisplayWidth.caretPadding(
            before: before.escapingControlCharacters(escapingFormatCharacters: true))
        return printed + "\n" + padding + String(repeating: " ", count: pastEnd) + "^"
    }
}

// Messages shared by the parser and the evaluator, kept together so tests can match them.
extension CELError {
    static func noMatchingOverload(
        _ function: String, _ types: [CELType], expression: String, offset: Int
    ) -> CELError {
        let list = types.map(\.rawValue)
        let typeText: String
        switch list.count {
        case 0: typeText = "no arguments"
        case 1: typeText = list[0]
        default: typeText = list.dropLast().joined(separator: ", ") + " and " + list.last!
        }
        return CELError(
            .evaluation, "no matching overload for '\(function)' with \(typeText)",
            expression: expression, offset: offset)
    }
}
