import NGCPCore

/// The part of one source line that a diagnostic shows, cut to a window around the column so
/// that a very long line (a 70 KB scalar, minified YAML) does not flood the terminal.
struct SourceExcerpt: Equatable {
    /// The terminal columns a line may take before it is cut, not counting the `...` marks.
    static let maxWidth = 160
    static let ellipsis = "..."

    /// The text to print, with `...` where the line was cut.
    let text: String
    /// The 1-based column in `text` that the caret points at, counted in characters.
    let column: Int

    /// Cuts `line` to at most `maxWidth` terminal columns around the character at the 1-based
    /// `column`, with about half of the window before it. The window is made of whole
    /// characters, so a character of several scalars is either shown or left out entirely.
    init(line: String, column: Int, maxWidth: Int = maxWidth) {
        let characters = Array(line)
        let widths = characters.map(Self.columns)
        guard widths.reduce(0, +) > maxWidth else {
            self.text = line
            self.column = column
            return
        }

        // Take up to half the width before the column, then fill the window after it, and
        // if the line ends first, give the room left to the characters before.
        let target = min(max(0, column - 1), characters.count)
        var start = target
        var end = target
        var used = 0
        while start > 0, used + widths[start - 1] <= maxWidth / 2 {
            start -= 1
            used += widths[start]
        }
        // The character under the caret is always shown, however wide.
        while end < characters.count, end == target || used + widths[end] <= maxWidth {
            used += widths[end]
            end += 1
        }
        while start > 0, used + widths[start - 1] <= maxWidth {
            start -= 1
            used += widths[start]
        }

        let head = start > 0 ? Self.ellipsis : ""
        let tail = end < characters.count ? Self.ellipsis : ""
        self.text = head + String(characters[start..<end]) + tail
        // Counted in the joined text, because a combining mark that starts the window (after
        // a tab, say) joins the last dot of the ellipsis into one character.
        self.column = (head + String(characters[start..<target])).count + 1
    }

    /// Returns the columns that `character` takes, counting a tab as 8, the most it can take.
    private static func columns(_ character: Character) -> Int {
        character == "\t" ? 8 : DisplayWidth.columns(of: character)
    }
}
