import YAMLReader

/// Rejects control characters, and invisible characters that change how text reads, in
/// the strings of a manifest document.
///
/// Names and values reach terminals, plan files and pull-request comments. An escape
/// sequence or carriage return there can recolour or overwrite what a reviewer reads, and a
/// NUL can cut a value short in C code. Tab and line feed stay allowed in values, where block
/// scalars need them, but not in keys or in `metadata.name`.
///
/// A bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) reorders the
/// text around it, so that a value reads differently from what it is: it is rejected
/// everywhere. Keys, names and references to names (`spec.customer`, the items of
/// `spec.pbx_groups`) must not have any invisible formatting character (Unicode's format
/// category, such as a zero-width space), because two names that look the same would be
/// different objects. Other values may, as some scripts need a zero-width joiner or
/// non-joiner.
enum ControlCharacterCheck {
    /// One step of the path to a scalar. The dotted path is built only for a scalar that is
    /// reported, because most documents have none and building it for every scalar costs
    /// more than the check.
    private enum Step {
        case key(YAMLNode)
        case index(Int)
    }

    /// Reports each scalar of `root` that contains a control character; returns whether any
    /// did.
    @discardableResult
    static func check(_ root: YAMLNode, reader: NodeReader) -> Bool {
        // The parser flags every scalar whose bytes may hold a control character, so a
        // document of a clean stream needs no walk.
        guard root.mayContainControlCharacters else { return false }
        var found = false
        var steps: [Step] = []
        walk(root, steps: &steps, isKey: false, reader: reader, found: &found)
        return found
    }

    private static func walk(
        _ node: YAMLNode, steps: inout [Step], isKey: Bool, reader: NodeReader,
        found: inout Bool
    ) {
        switch node.content {
        case .scalar(let scalar):
            guard node.mayContainControlCharacters else { return }
            let strict = isKey || isMetadataName(steps)
            let isName = strict || isReference(steps)
            if let character = firstControlCharacter(scalar.text, allowingWhitespace: !strict) {
                reader.error(
                    node, path(steps), Message.controlCharacter(character),
                    hint: isKey
                        ? "remove the character from the key"
                        : "remove the character from the value")
                found = true
            } else if let character = firstInvisibleCharacter(scalar.text, inName: isName) {
                reader.error(
                    node, path(steps), Message.invisibleCharacter(character),
                    hint: isKey
                        ? "remove the character from the key"
                        : "remove the character from the value")
                found = true
            }
        case .sequence(let items):
            for (position, item) in items.enumerated() {
                steps.append(.index(position))
                walk(item, steps: &steps, isKey: false, reader: reader, found: &found)
                steps.removeLast()
            }
        case .mapping(let pairs):
            for pair in pairs {
                walk(pair.key, steps: &steps, isKey: true, reader: reader, found: &found)
                steps.append(.key(pair.key))
                walk(pair.value, steps: &steps, isKey: false, reader: reader, found: &found)
                steps.removeLast()
            }
        }
    }

    /// Fields of `spec` that name other objects or log-in names: an invisible character
    /// there makes a name that looks like another one.
    private static let referenceFields: Set<String> = [
        "customer", "billing_profile", "reseller", "webusername",
    ]

    /// Fields of `spec` whose items name other objects.
    private static let referenceListFields: Set<String> = ["pbx_groups"]

    private static func isReference(_ steps: [Step]) -> Bool {
        guard steps.count == 2 || steps.count == 3, case .key(let first) = steps[0],
            case .key(let second) = steps[1], first.scalar?.text == "spec",
            let field = second.scalar?.text
        else { return false }
        guard steps.count == 3 else { return referenceFields.contains(field) }
        guard case .index = steps[2] else { return false }
        return referenceListFields.contains(field)
    }

    private static func isMetadataName(_ steps: [Step]) -> Bool {
        guard steps.count == 2, case .key(let first) = steps[0], case .key(let second) = steps[1]
        else { return false }
        return first.scalar?.text == "metadata" && second.scalar?.text == "name"
    }

    /// Returns the dotted path of `steps`. A key with a control character is reported on its
    /// own, and the values under it keep the key's printable form in their path.
    private static func path(_ steps: [Step]) -> String {
        steps.reduce(into: "") { path, step in
            switch step {
            case .key(let key): path = join(path, key.scalar.map { printable($0.text) } ?? "?")
            case .index(let position): path = index(path, position)
            }
        }
    }

    /// Returns the first control character of `text`. Tab and line feed count only when
    /// `allowingWhitespace` is false.
    ///
    /// Unicode's control category is exactly U+0000-U+001F and U+007F-U+009F, so the UTF-8
    /// bytes tell directly. The general-category lookup cost more than the rest of loading a
    /// manifest when it ran on every scalar.
    static func firstControlCharacter(_ text: String, allowingWhitespace: Bool)
        -> Unicode.Scalar?
    {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            defer { previous = byte }
            if byte < 0x20 || byte == 0x7F {
                if allowingWhitespace && (byte == 0x09 || byte == 0x0A) { continue }
                return Unicode.Scalar(byte)
            }
            // U+0080-U+009F are encoded as C2 80 to C2 9F.
            if previous == 0xC2, (0x80...0x9F).contains(byte) {
                return Unicode.Scalar(UInt32(byte))
            }
        }
        return nil
    }

    /// Returns the first character of `text` that reorders or hides text: a bidirectional
    /// embedding, override or isolate anywhere, and in a name any formatting character.
    static func firstInvisibleCharacter(_ text: String, inName: Bool) -> Unicode.Scalar? {
        // Every such character is outside ASCII, which nearly every manifest string is.
        guard !allBytes(of: text, { $0 < 0x80 }) else { return nil }
        return text.unicodeScalars.first { scalar in
            scalar.isBidirectionalControl
                || (inName && scalar.properties.generalCategory == .format)
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
