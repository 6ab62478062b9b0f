import NGCPCore
import YAMLReader

/// Rejects YAML aliases that copy a literal secret into a place that is not a secret field.
///
/// The loader hides a literal secret only in the fields that it decodes as secrets
/// (`spec.password`, `spec.webpassword`, the secret preferences). An alias of the same node in
/// any other field makes the value an ordinary one there, which plans, saved plans, exports,
/// `changes` and policy messages show. A merge key (`<<`) copies through an alias too, so
/// the same check covers it. An alias into another secret field stays allowed.
///
/// Each copy is reported at the alias that placed it. When the value is written in a field
/// that is not a secret and an alias copies it into a secret field, the value is reported
/// where it is written. Writing the same value twice is not detected.
enum SecretAliasCheck {
    /// Reports each place of `root` outside a secret field that contains one of `secrets`.
    /// `secrets` are the literal secrets that decoding `root` recorded.
    static func check(
        _ root: YAMLNode, secrets: ArraySlice<NodeReader.LiteralSecret>, reader: NodeReader
    ) {
        // Without an alias in the stream, each literal secret is in its own field only.
        guard !secrets.isEmpty, root.streamHasAliases else { return }
        var walk = Walk(reader: reader)
        for secret in secrets {
            walk.secretFieldPaths.insert(secret.fieldPath)
            if walk.firstSecret[secret.mark] == nil { walk.firstSecret[secret.mark] = secret }
        }
        walk.visit(root, path: "", aliasMark: nil)
    }

    private struct Walk {
        let reader: NodeReader
        /// Each literal secret as first decoded, by its mark.
        var firstSecret: [YAMLMark: NodeReader.LiteralSecret] = [:]
        /// Every field path that a literal secret was decoded for.
        var secretFieldPaths: Set<String> = []
        /// The positions reported at already. An alias of a collection may place one secret
        /// in many fields, and one error for that alias is enough.
        var reported: Set<YAMLMark> = []

        init(reader: NodeReader) {
            self.reader = reader
        }

        /// Visits `node` at `path`. `aliasMark` is the position of the outermost alias that
        /// placed the node or a collection around it, nil when none did.
        ///
        /// The walk follows aliases as the decoder does, so it visits as many nodes as the
        /// parser's limit on alias expansion allows.
        mutating func visit(_ node: YAMLNode, path: String, aliasMark: YAMLMark?) {
            switch node.content {
            case .scalar:
                check(node, path: path, aliasMark: aliasMark, isKey: false)
            case .sequence(let items):
                for position in items.indices {
                    visit(
                        items[position], path: index(path, position),
                        aliasMark: aliasMark ?? items.aliasMark(at: position))
                }
            case .mapping(let pairs):
                for position in pairs.indices {
                    let key = pairs.key(at: position)
                    let keyPath = join(path, key.scalar?.text ?? "?")
                    if key.scalar != nil {
                        check(
                            key, path: keyPath,
                            aliasMark: aliasMark ?? pairs.aliasMark(ofKeyAt: position),
                            isKey: true)
                    }
                    visit(
                        pairs.value(at: position), path: keyPath,
                        aliasMark: aliasMark ?? pairs.aliasMark(ofValueAt: position))
                }
            }
        }

        /// Reports the scalar `node` when it is a literal secret outside a secret field.
        private mutating func check(
            _ node: YAMLNode, path: String, aliasMark: YAMLMark?, isKey: Bool
        ) {
            guard let secret = firstSecret[node.mark] else { return }
            if !isKey, secretFieldPaths.contains(path) { return }

            let mark = aliasMark ?? node.mark
            guard reported.insert(mark).inserted else { return }
            // The path of a key contains the secret itself, which the reader masks.
            let message =
                switch (aliasMark != nil, isKey) {
                case (true, false): Message.aliasCopiesSecret(from: secret.fieldPath)
                case (true, true): Message.aliasCopiesSecretIntoKey(from: secret.fieldPath)
                case (false, _): Message.secretCopiedByAlias(to: secret.fieldPath)
                }
            let hint = Message.aliasedSecretHint(secret.fieldPath)
            reader.append(
                Diagnostic(
                    .error, message, at: reader.location(mark), fieldPath: path, hint: hint),
                readableName: secret.fieldPath)
        }
    }
}
