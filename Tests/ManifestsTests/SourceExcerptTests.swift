import NGCPCore
import Testing

@testable import Manifests

/// The window that a diagnostic shows of a long source line, measured in terminal columns.
@Suite struct SourceExcerptTests {
    /// Returns the columns that `text` takes, counting a tab as the 8 it can take at most.
    private func columns(_ text: some StringProtocol) -> Int {
        text.reduce(0) { sum, character in
            sum + (character == "\t" ? 8 : DisplayWidth.columns(of: character))
        }
    }

    /// Returns the character under the caret, or nil when the caret is past the end.
    private func pointed(_ excerpt: SourceExcerpt) -> Character? {
        excerpt.text.dropFirst(excerpt.column - 1).first
    }

    @Test(
        "long line of wide or multi-scalar characters",
        arguments: [
            // CJK ideographs, two columns each.
            "名",
            // A flag: two regional indicators, two columns.
            "\u{1F1E6}\u{1F1F9}",
            // A Hangul syllable as conjoining jamo: three scalars, two columns.
            "\u{1100}\u{1161}\u{11A8}",
            // A letter with two accents: three scalars, one column.
            "e\u{301}\u{308}",
            // A tab, counted as 8 columns.
            "\t",
        ] as [Character])
    func longLineIsCutByColumns(character: Character) throws {
        let side = String(repeating: character, count: 300)
        let line = side + "X" + side
        let excerpt = SourceExcerpt(line: line, column: 301)
        let ellipsis = SourceExcerpt.ellipsis

        #expect(excerpt.text.hasPrefix(ellipsis))
        #expect(excerpt.text.hasSuffix(ellipsis))
        #expect(pointed(excerpt) == "X")

        // The window takes at most 160 columns, and the ellipses 3 each.
        let width = columns(excerpt.text)
        #expect(width <= SourceExcerpt.maxWidth + 2 * ellipsis.count)
        #expect(width >= SourceExcerpt.maxWidth + 2 * ellipsis.count - 8)

        // The window is centred on the caret.
        let before = columns(excerpt.text.prefix(excerpt.column - 1)) - ellipsis.count
        #expect(before <= SourceExcerpt.maxWidth / 2)
        #expect(before >= SourceExcerpt.maxWidth / 2 - 8)

        // No character is cut: the text is whole copies of the character around the X.
        let window = excerpt.text.dropFirst(ellipsis.count).dropLast(ellipsis.count)
        let scalarCount = character.unicodeScalars.count
        #expect(window.filter { $0 != "X" }.allSatisfy { $0 == character })
        #expect((window.unicodeScalars.count - 1) % scalarCount == 0)
    }

    @Test func wideLineCutAtItsStart() throws {
        let line = "X" + String(repeating: "名", count: 300)
        let excerpt = SourceExcerpt(line: line, column: 1)
        #expect(!excerpt.text.hasPrefix(SourceExcerpt.ellipsis))
        #expect(excerpt.text.hasSuffix(SourceExcerpt.ellipsis))
        #expect(excerpt.column == 1)
        #expect(pointed(excerpt) == "X")
        #expect(columns(excerpt.text) == 1 + 158 + 3)
    }

    @Test func wideLineCutAtItsEnd() throws {
        let line = String(repeating: "名", count: 300) + "X"
        let excerpt = SourceExcerpt(line: line, column: 301)
        #expect(excerpt.text.hasPrefix(SourceExcerpt.ellipsis))
        #expect(!excerpt.text.hasSuffix(SourceExcerpt.ellipsis))
        #expect(pointed(excerpt) == "X")
        #expect(columns(excerpt.text) == 3 + 158 + 1)
    }

    @Test func caretPastEndOfWideLine() throws {
        let line = String(repeating: "名", count: 300)
        let excerpt = SourceExcerpt(line: line, column: 301)
        #expect(excerpt.text.hasPrefix(SourceExcerpt.ellipsis))
        #expect(!excerpt.text.hasSuffix(SourceExcerpt.ellipsis))
        #expect(pointed(excerpt) == nil)
        #expect(excerpt.column == excerpt.text.count + 1)
        #expect(columns(excerpt.text) == 3 + 160)
    }

    /// A line of 100 wide characters takes 200 columns, more than the limit, though it has
    /// fewer characters than the limit.
    @Test func shortWideLineIsCut() throws {
        let line = String(repeating: "名", count: 100)
        let excerpt = SourceExcerpt(line: line, column: 1)
        #expect(excerpt.text != line)
        #expect(columns(excerpt.text) == 160 + 3)
    }

    @Test func lineWithinLimitIsKept() throws {
        let line = String(repeating: "名", count: 80)
        let excerpt = SourceExcerpt(line: line, column: 41)
        #expect(excerpt.text == line)
        #expect(excerpt.column == 41)
    }

    @Test func renderedCaretUnderWideLine() throws {
        let side = String(repeating: "名", count: 300)
        let source = "k: " + side + "bogus" + side
        let column = source.unicodeScalars.count - side.count - "bogus".count + 1
        let diagnostic = Diagnostic(
            .error, "bogus", at: SourceLocation(file: "f", line: 1, column: column))
        let rendered = DiagnosticRenderer(sources: ["f": source]).render(diagnostic)
        let lines = rendered.split(separator: "\n")
        #expect(lines.count == 3, "\(rendered)")
        let sourceLine = try #require(lines.dropFirst().first)
        let caretLine = try #require(lines.last)

        // The caret's column on the terminal is that of the `b` above it.
        let caretColumn = try #require(caretLine.firstIndex(of: "^"))
        let padding = caretLine[..<caretColumn]
        let bogus = try #require(sourceLine.range(of: "bogus"))
        #expect(padding.allSatisfy { $0 == " " || $0 == "|" })
        #expect(padding.count == columns(sourceLine[..<bogus.lowerBound]), "\(rendered)")
        #expect(columns(sourceLine) <= "1 | ".count + SourceExcerpt.maxWidth + 6)
    }
}
