import NGCPCore
import Testing

@Suite struct DisplayWidthTests {
    @Test(
        "columns of one character",
        arguments: [
            ("a", 1),
            ("名", 2),
            ("Ａ", 2),
            ("e\u{301}", 1),
            ("\u{200B}", 0),
            ("\u{AD}", 1),
            ("\u{1F600}", 2),
            ("\u{1F1E6}\u{1F1F9}", 2),
            ("\u{1100}\u{1161}\u{11A8}", 2),
        ] as [(Character, Int)])
    func columnsOfCharacter(character: Character, columns: Int) {
        #expect(DisplayWidth.columns(of: character) == columns)
    }

    @Test func caretPaddingKeepsTabs() {
        #expect(DisplayWidth.caretPadding(before: "ab") == "  ")
        #expect(DisplayWidth.caretPadding(before: "a\t名") == " \t  ")
        #expect(DisplayWidth.caretPadding(before: "e\u{301}\u{200B}") == " ")
        #expect(DisplayWidth.caretPadding(before: "") == "")
    }
}
