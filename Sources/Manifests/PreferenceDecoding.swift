import NGCPCore
import YAMLReader

extension DocumentContext {
    /// Preferences NGCP fills in from the primary number when a subscriber is created.
    static let numberDerivedPreferences: Set<String> = ["cc", "ac"]

    /// List preferences whose entries NGCP rejects when one is repeated; other lists accept
    /// repeats.
    static let uniqueListPreferences: Set<String> = ["allowed_clis"]

    /// NGCP rejects preference values longer than this many characters.
    static let maxPreferenceLength = 128

    /// Preferences whose values are passwords, as Planning's
    /// `Normalization.passwordPreferences` lists them.
    static let secretPreferences = ["peer_auth_pass"]

    /// Managed preferences in the API shape: booleans as JSON booleans, integers as numbers,
    /// strings and enumeration values as strings, list preferences as arrays (a single value
    /// becomes a one-element array). Null removes the preference.
    func decodePreferences(_ node: YAMLNode, path: String) -> [String: JSONValue]? {
        if node.isNull { return [:] }
        guard let pairs = node.mapping else {
            reader.typeError(node, path, expected: "a mapping")
            return nil
        }

        var preferences: [String: JSONValue] = Dictionary(minimumCapacity: pairs.count)
        var valid = true
        for pair in pairs {
            guard let name = reader.string(pair.key, path) else {
                valid = false
                continue
            }
            if let value = decodePreference(
                name, key: pair.key, value: pair.value, path: join(path, name))
            {
                preferences[name] = value
            } else {
                valid = false
            }
        }
        return valid ? preferences : nil
    }

    /// Decodes one preference. `path` is built only when a diagnostic needs it.
    private func decodePreference(
        _ name: String, key: YAMLNode, value: YAMLNode, path: @autoclosure () -> String
    ) -> JSONValue? {
        guard let definition = catalogue[name] else {
            if deferUnknownPreferences {
                reader.warning(key, path(), Message.preferenceUnknownOffline(name))
                return plainValue(value, path: path())
            }
            let suggestion = nearestName(to: name, in: catalogue.names)
            reader.error(key, path(), Message.unknownPreference(name, suggestion: suggestion))
            return nil
        }
        if definition.isInternal {
            reader.error(
                key, path(), Message.internalPreference(name),
                hint: Message.internalPreferenceHint(name))
            return nil
        }
        if name == "lock" {
            reader.error(key, path(), Message.lockPreference, hint: Message.lockPreferenceHint)
            return nil
        }
        if definition.dataType == .blob {
            reader.error(key, path(), Message.blobPreference(name))
            return nil
        }
        if Self.numberDerivedPreferences.contains(name) {
            reader.warning(key, path(), Message.serverSetPreference(name))
        }

        if value.isNull { return .null }
        if definition.isNameMapped {
            reader.warning(
                value, path(), Message.nameMappedPreference(name),
                hint: Message.nameMappedPreferenceHint)
        }
        // Recorded as a subscriber's literal password is, so that an alias that repeats the
        // value in a message or a field path and the excerpts of the source hide it.
        if Self.secretPreferences.contains(name), let scalar = value.scalar,
            !scalar.text.isEmpty
        {
            reader.literalSecretMarks.append(value.mark)
            reader.literalSecretValues.insert(scalar.text)
        }
        guard definition.isList else {
            return decodePreferenceValue(value, definition: definition, path: path())
        }

        // A list preference takes a list, or one value that stands for a one-element list.
        let items = value.sequence.map { Array($0) } ?? [value]
        var values: [JSONValue] = []
        for (position, item) in items.enumerated() {
            let isList = value.sequence != nil
            func itemPath() -> String { isList ? index(path(), position) : path() }
            guard
                let element = decodePreferenceValue(
                    item, definition: definition, path: itemPath())
            else { continue }

            if Self.uniqueListPreferences.contains(name), values.contains(element) {
                reader.error(item, itemPath(), Message.duplicateListValue(item, preference: name))
                continue
            }
            values.append(element)
        }
        return values.count == items.count ? .array(values) : nil
    }

    /// Converts a scalar or a list of scalars as YAML typed it, for a preference whose
    /// definition is not known yet.
    private func plainValue(_ node: YAMLNode, path: @autoclosure () -> String) -> JSONValue? {
        if let items = node.sequence {
            let values = items.enumerated().compactMap { position, item in
                plainValue(item, path: index(path(), position))
            }
            return values.count == items.count ? .array(values) : nil
        }
        guard let scalar = node.scalar else {
            reader.typeError(node, path(), expected: "a scalar or a list of scalars")
            return nil
        }
        switch scalar.value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float, .string: return .string(scalar.text)
        }
    }

    private func decodePreferenceValue(
        _ node: YAMLNode, definition: PreferenceDefinition, path: @autoclosure () -> String
    ) -> JSONValue? {
        switch definition.dataType {
        case .boolean:
            return reader.bool(node, path()).map { .bool($0) }
        case .int:
            // NGCP also takes a numeric string for an integer preference.
            if let text = node.stringValue, let number = Int(text) {
                return .int(number)
            }
            return reader.int(node, path()).map { .int($0) }
        case .string, .blob:
            // A name-mapped preference (ncos, sound_set, rewrite_rule_set, ...) is checked as
            // text only, with a warning: whether the named object exists is known only to the
            // target, which rejects an unknown name at apply.
            guard
                let text = reader.string(
                    node, path(), numbersAsText: true, maxLength: Self.maxPreferenceLength)
            else { return nil }
            return .string(text)
        case .enumeration:
            guard definition.enumValues.isEmpty else {
                return reader.choice(node, path(), definition.enumValues).map { .string($0) }
            }
            return reader.string(node, path(), numbersAsText: true).map { .string($0) }
        }
    }
}
