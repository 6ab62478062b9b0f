/// The part of one source line that a diagnostic shows, cut to a window around the column so
/// that a very long line (a 70 KB scalar, minified YAML) does not flood the terminal.
struct SourceExcerpt: Equatable {
    /// The characters a line may have before it is cut.
    static let maxWidth = 160
    static let ellipsis = "..."

    /// The text to print, with `...` where the line was cut.
    let text: String
    /// The 1-based column in `text` that the caret points at.
    let column: Int

    init(line: String, column: Int, maxWidth: Int = maxWidth) {
        let characters = Array(line)
        guard characters.count > maxWidth else {
            self.text = line
            self.column = column
            return
        }

        // Center the window on the column, keeping it inside the line.
        let target = min(max(0, column - 1), characters.count)
        var start = max(0, target - maxWidth / 2)
        let end = min(characters.count, start + maxWidth)
        start = max(0, end - maxWidth)

        let head = start > 0 ? Self.ellipsis : ""
        let tail = end < characters.count ? Self.ellipsis : ""
        self.text = head + String(characters[start..<end]) + tail
        self.column = head.count + (target - start) + 1
    }
}
