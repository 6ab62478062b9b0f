extension StringProtocol {
    /// Returns the lines of a source text, split at every line break that libyaml counts in
    /// its marks: LF, CRLF, CR, NEL, LS and PS. Line numbers then match the parser's.
    ///
    /// Swift compares characters, and CRLF is one character, so splitting at `"\n"` alone
    /// would keep a file with Windows line ends in one line.
    public func sourceLines() -> [SubSequence] {
        split(omittingEmptySubsequences: false) { character in
            switch character {
            case "\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": true
            default: false
            }
        }
    }
}
