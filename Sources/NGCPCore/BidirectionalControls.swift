extension Unicode.Scalar {
    /// True for a bidirectional embedding, override or isolate (U+202A to U+202E, U+2066 to
    /// U+2069), which reorders the text around it when it is shown.
    public var isBidirectionalControl: Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}
