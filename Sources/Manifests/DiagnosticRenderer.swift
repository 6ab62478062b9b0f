import NGCPCore
import Synchronization

/// Renders diagnostics the way compilers do: the position and message, the source line, and a
/// caret under the column, followed by a hint when there is one.
public struct DiagnosticRenderer: Sendable {
    /// File texts by the path used in diagnostic locations.
    public let sources: [String: String]
    /// Adds ANSI colours: red errors, yellow warnings, bold messages.
    public let colored: Bool
    /// Each file's lines, as given and with secrets masked, made on first use. A run with
    /// thousands of diagnostics in one file masked the whole file again for each of them.
    private let fileLines = FileLines()

    /// The replacements that masking made in `sources`, by file and 1-based line. Columns
    /// count the Unicode scalars of the file as written, so the caret is moved past them.
    public let sourceReplacements: [String: [Int: [SourceRedaction.Replacement]]]

    public init(
        sources: [String: String],
        sourceReplacements: [String: [Int: [SourceRedaction.Replacement]]] = [:],
        colored: Bool = false
    ) {
        self.sources = sources
        self.sourceReplacements = sourceReplacements
        self.colored = colored
    }

    /// Renders every diagnostic, then a summary line such as `2 errors, 1 warning`.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var text = ""
        for diagnostic in diagnostics {
            text += render(diagnostic)
        }
        return text + Self.summary(of: diagnostics) + "\n"
    }

    /// Renders one diagnostic with its source excerpt, ending in a newline.
    public func render(_ diagnostic: Diagnostic) -> String {
        let severity = diagnostic.severity.rawValue
        var header = ""
        // A file name or a key in the field path can hold escapes as well as a value can.
        if let location = diagnostic.location { header += Self.quotable("\(location): ") }
        header += paint(severity + ":", diagnostic.severity == .error ? "31;1" : "33;1")
        var message = " "
        if let fieldPath = diagnostic.fieldPath, !fieldPath.isEmpty {
            message += Self.quotable(fieldPath, keeping: []) + ": "
        }
        message += Self.quotable(diagnostic.message, keeping: ["\t", "\n"])
        var text = header + paint(message, "1") + "\n"

        if let location = diagnostic.location, let (line, column) = sourceLine(location) {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            let excerpt = SourceExcerpt(line: line, column: column)
            text += "\(number) | \(excerpt.text)\n"
            text += "\(gutter) | " + Self.caretPadding(excerpt) + paint("^", "32;1") + "\n"
        }
        if let hint = diagnostic.hint {
            // A hint can quote a policy expression with a caret on the line below, so every
            // later line is indented as far as the first. The indent is 8 columns, which keeps
            // tabs at the same tab stops on every line.
            let label = "  hint: "
            let indent = "\n" + String(repeating: " ", count: label.count)
            let printed = Self.quotable(hint, keeping: ["\t", "\n"])
            let lines = printed.split(separator: "\n", omittingEmptySubsequences: false)
            text += label + lines.joined(separator: indent) + "\n"
        }
        return text
    }

    /// Returns the whitespace that moves the caret under the excerpt's column. The column
    /// counts characters, but the padding counts the columns a terminal shows them in, so that
    /// East Asian wide characters take two spaces and combining or zero-width ones none. Tabs
    /// stay tabs so that they expand the same way as in the source line above.
    static func caretPadding(_ excerpt: SourceExcerpt) -> String {
        DisplayWidth.caretPadding(before: excerpt.text.prefix(max(0, excerpt.column - 1)))
    }

    /// `2 errors, 1 warning`.
    public static func summary(of diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.errors.count
        let warnings = diagnostics.warnings.count
        return "\(errors) \(errors == 1 ? "error" : "errors"), "
            + "\(warnings) \(warnings == 1 ? "warning" : "warnings")"
    }

    /// Returns the masked source line of `location` as printed, and the 1-based column in it
    /// of the character that the location names.
    private func sourceLine(_ location: SourceLocation) -> (text: String, column: Int)? {
        guard let text = sources[location.file], location.line >= 1 else { return nil }

        // Secrets are masked whether or not they parsed; a block scalar's later lines
        // depend on the lines above, so the whole file is masked from the top.
        let lines = fileLines.lines(of: location.file) {
            (text.sourceLines(), SourceRedaction.redactLines(in: text))
        }
        guard location.line <= lines.redacted.count else { return nil }
        let line = lines.redacted[location.line - 1]

        // The column counts the Unicode scalars of the line as written, before the loader
        // masked it. The loader's masks and then this renderer's moved the characters after
        // each masked value. A caret inside a masked value points at the mask's start, so
        // that it reveals nothing of the secret's length.
        let loaderReplacements = sourceReplacements[location.file]?[location.line] ?? []
        let uncounted = SecretSpans.uncountedScalars(
            onLine: location.line, lines.given[location.line - 1])
        var offset = SourceRedaction.characterOffset(
            ofScalarOffset: max(0, location.column - 1) + uncounted,
            in: lines.given[location.line - 1], after: loaderReplacements)
        offset = SourceRedaction.offset(offset, after: loaderReplacements)
        offset = SourceRedaction.offset(offset, after: line.replacements)

        // A byte order mark is not shown.
        var characters = Array(line.text)
        if uncounted > 0, characters.first == "\u{FEFF}" {
            characters.removeFirst()
            offset = max(0, offset - 1)
        }

        // Escaped control characters take more room than the characters they replace, so
        // the column is counted in the printed text up to the caret.
        let printedPrefix = Self.printable(String(characters.prefix(offset)))
        let pastEnd = max(0, offset - characters.count)
        return (Self.printable(String(characters)), printedPrefix.count + pastEnd + 1)
    }

    /// Shows control characters (except `kept`: tab aligns the caret) and bidirectional
    /// embeddings, overrides and isolates as `\u{..}`, so that a source line cannot move the
    /// cursor, recolour the terminal or reorder the text around it.
    static func printable(_ text: String, keeping kept: Set<Unicode.Scalar> = ["\t"]) -> String {
        text.escapingControlCharacters(keeping: kept)
    }

    /// Shows what `printable` escapes and also every formatting character, such as a
    /// zero-width space, as `\u{..}`. Messages, field paths and hints quote keys and values,
    /// and a key with a zero-width space would otherwise read like the valid key next to it.
    static func quotable(_ text: String, keeping kept: Set<Unicode.Scalar> = ["\t"]) -> String {
        text.escapingControlCharacters(keeping: kept, escapingFormatCharacters: true)
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Source lines by file, as given to the renderer and masked by it, shared by the copies of
/// one renderer.
private final class FileLines: Sendable {
    typealias Lines = (given: [Substring], redacted: [SourceRedaction.RedactedLine])

    private let files = Mutex<[String: Lines]>([:])

    func lines(of file: String, split: () -> Lines) -> Lines {
        if let lines = files.withLock({ $0[file] }) { return lines }
        let lines = split()
        files.withLock { $0[file] = lines }
        return lines
    }
}
