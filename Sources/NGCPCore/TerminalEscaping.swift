extension StringProtocol {
    /// Returns the text with control characters (except those in `kept`) and bidirectional
    /// embeddings, overrides and isolates written as `\u{..}`, so that printing it cannot move
    /// the cursor, recolour the terminal or reorder the text around it.
    ///
    /// With `escapingFormatCharacters`, every other character of Unicode's format category
    /// is escaped too, such as a zero-width space (U+200B), a zero-width joiner (U+200D), a
    /// soft hyphen (U+00AD) or a byte order mark (U+FEFF). A key or value quoted in a message
    /// then shows a character that would make it look like a different text. Source lines are
    /// printed without it, because some scripts and emoji sequences need the joiners.
    package func escapingControlCharacters(
        keeping kept: Set<Unicode.Scalar> = ["\t"], escapingFormatCharacters: Bool = false
    ) -> String {
        var output = ""
        for scalar in unicodeScalars {
            let category = scalar.properties.generalCategory
            let isControl = !kept.contains(scalar) && category == .control
            let isFormat = escapingFormatCharacters && category == .format
            if scalar.isBidirectionalControl || isControl || isFormat {
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
