extension StringProtocol {
    /// Returns the text with control characters (except those in `kept`) and bidirectional
    /// embeddings, overrides and isolates written as `\u{..}`, so that printing it cannot move
    /// the cursor, recolour the terminal or reorder the text around it.
    package func escapingControlCharacters(keeping kept: Set<Unicode.Scalar> = ["\t"])
        -> String
    {
        var output = ""
        for scalar in unicodeScalars {
            let isControl = !kept.contains(scalar) && scalar.properties.generalCategory == .control
            if scalar.isBidirectionalControl || isControl {
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
