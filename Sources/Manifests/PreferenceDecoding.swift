import NGCPCore
import YAMLReader

/// The definitions of a preference catalogue, found by the fingerprint of a mapping key, with
/// the checks that depend on the name alone worked out once per name.
///
/// Looking a key up in the catalogue's dictionary hashes its name, and each name check
/// hashed it again. A load decodes a preference block for each of tens of thousands of
/// subscribers, so one index serves every document of a load.
final class PreferenceIndex: Sendable {
    struct Entry: Sendable {
        let definition: PreferenceDefinition
        let isNumberDerived: Bool
        let isSecret: Bool
        let isUniqueList: Bool

        init(_ definition: PreferenceDefinition) {
            self.definition = definition
            let name = definition.name
            isNumberDerived = DocumentContext.numberDerivedPreferences.contains(name)
            isSecret = secretPreferenceNames.contains(name)
            isUniqueList = DocumentContext.uniqueListPreferences.contains(name)
        }
    }

    let catalogue: PreferenceCatalogue
    /// The ASCII names of the catalogue, and their entries at the same positions. A name with
    /// other characters is found through the catalogue's dictionary.
    private let names: KeyNames
    private let entries: [Entry]

    init(_ catalogue: PreferenceCatalogue) {
        self.catalogue = catalogue
        let definitions = catalogue.definitions.values.filter {
            $0.name.utf8.allSatisfy { $0 < 0x80 }
        }
        names = KeyNames(definitions.map(\.name))
        entries = definitions.map(Entry.init)
    }

    /// Returns the entry of the preference named by the key at `position` of `pairs`, whose
    /// text is `name`, or nil when the catalogue has no such preference.
    func entry(forKeyAt position: Int, of pairs: YAMLNode.Pairs, name: String) -> Entry? {
        if let index = pairs.lastIndex(ofKeyAt: position, in: names) { return entries[index] }
        // Not an ASCII name of the catalogue. String comparison in the dictionary still
        // finds a name that is canonically equivalent to the key.
        return catalogue[name].map(Entry.init)
    }
}

extension DocumentContext {
    /// Preferences NGCP fills in from the primary number when a subscriber is created.
    static let numberDerivedPreferences: Set<String> = ["cc", "ac"]

    /// List preferences whose entries NGCP rejects when one is repeated; other lists accept
    /// repeats.
    static let uniqueListPreferences: Set<String> = ["allowed_clis"]

    /// NGCP rejects preference values longer than this many characters.
    static let maxPreferenceLength = 128

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
        for position in pairs.indices {
            let key = pairs.key(at: position)
            guard let name = reader.string(key, path) else {
                valid = false
                continue
            }
            let entry = preferenceIndex.entry(forKeyAt: position, of: pairs, name: name)
            if let value = decodePreference(
                name, entry: entry, key: key, value: pairs.value(at: position),
                path: join(path, name))
            {
                // `decodeSubscriber` reads the value of a secret preference as a secret source.
                // The catalogue entry records whether the name is secret, so only a name
                // outside the catalogue is hashed.
                let isSecret = entry?.isSecret ?? secretPreferenceNames.contains(name)
                guard !isSecret || pairs.value(at: position).isNull
                else {
                    continue
                }
                preferences[name] = value
            } else {
                valid = false
            }
        }
        return valid ? preferences : nil
    }

    /// Decodes one preference, whose catalogue entry is `entry`. `path` is built only when a
    /// diagnostic needs it. For a secret preference with a value it checks the name only, and
    /// returns null.
    private func decodePreference(
        _ name: String, entry: PreferenceIndex.Entry?, key: YAMLNode, value: YAMLNode,
        path: @autoclosure () -> String
    ) -> JSONValue? {
        guard let entry else {
            if deferUnknownPreferences {
                reader.warning(key, path(), Message.preferenceUnknownOffline(name))
                if secretPreferenceNames.contains(name) { return .null }
                return plainValue(value, path: path())
            }
            let suggestion = nearestName(to: name, in: catalogue.names)
            reader.error(key, path(), Message.unknownPreference(name, suggestion: suggestion))
            return nil
        }
        let definition = entry.definition
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
        if entry.isNumberDerived {
            reader.warning(key, path(), Message.serverSetPreference(name))
        }

        if value.isNull || entry.isSecret { return .null }
        if definition.isNameMapped {
            reader.warning(
                value, path(), Message.nameMappedPreference(name),
                hint: Message.nameMappedPreferenceHint)
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

            if entry.isUniqueList, values.contains(element) {
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
