import YAMLReader

/// Rejects control characters in the strings of a manifest document.
///
/// Names and values reach terminals, plan files and pull-request comments. An escape
/// sequence or carriage return there can recolour or overwrite what a reviewer reads, and a
/// NUL can cut a value short in C code. Tab and line feed stay allowed in values, where block
/// scalars need them, but not in keys or in `metadata.name`.
enum ControlCharacterCheck {
    /// Reports each scalar of `root` that contains a control character; returns whether any
    /// did.
    @discardableResult
    static func check(_ root: YAMLNode, reader: NodeReader) -> Bool {
        var found = false
        walk(root, path: "", isKey: false, reader: reader, found: &found)
        return found
    }

    private static func walk(
        _ node: YAMLNode, path: String, isKey: Bool, reader: NodeReader, found: inout Bool
    ) {
        switch node.content {
        case .scalar(let scalar):
            let strict = isKey || path == "metadata.name"
            if let character = firstControlCharacter(scalar.text, allowingWhitespace: !strict) {
                reader.error(
                    node, path, Message.controlCharacter(character),
                    hint: "remove the character from the value")
                found = true
            }
        case .sequence(let items):
            for (position, item) in items.enumerated() {
                walk(
                    item, path: index(path, position), isKey: false, reader: reader,
                    found: &found)
            }
        case .mapping(let pairs):
            for pair in pairs {
                walk(pair.key, path: path, isKey: true, reader: reader, found: &found)
                // A key with a control character is reported above; its value keeps the key's
                // printable form in the path.
                let name = pair.key.scalar.map { printable($0.text) } ?? "?"
                walk(
                    pair.value, path: join(path, name), isKey: false, reader: reader,
                    found: &found)
            }
        }
    }

    /// Returns the first control character of `text`. Tab and line feed count only when
    /// `allowingWhitespace` is false.
    static func firstControlCharacter(_ text: String, allowingWhitespace: Bool)
        -> Unicode.Scalar?
    {
        text.unicodeScalars.first { scalar in
            guard scalar.properties.generalCategory == .control else { return false }
            return !(allowingWhitespace && (scalar == "\t" || scalar == "\n"))
        }
    }

    private static func printable(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map {
                    $0.properties.generalCategory == .control ? "?" : $0
                }))
    }
}
