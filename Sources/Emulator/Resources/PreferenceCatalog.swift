import NGCPCore

/// One subscriber preference definition.
struct PreferenceDefinition: Sendable {
    var name: String
    /// boolean, int, string, enum or blob, as stored.
    var dataType: String
    /// Name-mapped preferences (NCOS levels, sound sets, ...) take an object's name.
    var isNameMapped: Bool
    var isList: Bool
    /// 1 hides the preference from the API; -1 marks an API-only virtual name.
    var internalFlag: Int
    var readOnly: Bool
    var group: String
    /// Enum options; nil is the "use default" option.
    var enumValues: [String?]

    var isVisible: Bool { internalFlag != 1 }
}

/// The subscriber preference catalogue and the value rules NGCP applies on write.
enum PreferenceCatalog {
    static let definitions: [String: PreferenceDefinition] = parse(preferenceTableText)

    private static func parse(_ text: String) -> [String: PreferenceDefinition] {
        var result: [String: PreferenceDefinition] = [:]
        var last: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix(" "), let name = last {
                let extra = String(line).trimmingWhitespace().dropFirst()
                result[name]?.enumValues += extra.split(
                    separator: ",", omittingEmptySubsequences: false
                )
                .map(enumValue)
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map(
                String.init)
            guard cells.count >= 7 else { continue }
            let type = cells[1]
            let enums =
                cells[6].isEmpty
                ? []
                : cells[6].split(separator: ",", omittingEmptySubsequences: false).map(enumValue)
            result[cells[0]] = PreferenceDefinition(
                name: cells[0], dataType: type.replacingAll("*", with: ""),
                isNameMapped: type.hasSuffix("*"), isList: cells[2] != "1",
                internalFlag: Int(cells[3]) ?? 0, readOnly: cells[4] == "1", group: cells[5],
                enumValues: enums)
            last = cells[0]
        }
        return result
    }

    private static func enumValue(_ text: Substring) -> String? {
        text == "null" ? nil : String(text)
    }

    // MARK: Definitions document

    /// The flat object `/api/subscriberpreferencedefs/` returns, keyed by preference name.
    static func definitionsDocument() -> [String: JSONValue] {
        var document: [String: JSONValue] = [:]
        for definition in definitions.values where definition.isVisible {
            let texts = preferenceTexts[definition.name]
            var entry: [String: JSONValue] = [
                "data_type": .string(definition.isNameMapped ? "string" : definition.dataType),
                "label": .string(texts?.label ?? definition.name),
                "description": .string(texts?.description ?? ""),
                "max_occur": .int(definition.isList ? 0 : 1),
                "read_only": .bool(definition.readOnly),
                "preference_group": .string(definition.group),
                "dynamic": 0, "dev_pref": 0, "devprof_pref": 0, "fielddev_pref": 0,
            ]
            if definition.dataType == "enum" {
                let labels = preferenceEnumLabels[definition.name] ?? [:]
                entry["enum_values"] = .array(
                    definition.enumValues.map { value in
                        let key = value ?? "null"
                        let fallback =
                            value ?? (definition.name == "lock" ? "none" : "use domain default")
                        return [
                            "value": value.map { .string($0) } ?? .null,
                            "label": .string(labels[key] ?? fallback),
                            "default_val": .bool(value == nil),
                            "dev_pref": 0, "devprof_pref": 0, "fielddev_pref": 0,
                        ]
                    })
            }
            document[definition.name] = .object(entry)
        }
        return document
    }

    // MARK: Values

    /// The stored form of `value` for the preference `name`: nil means "drop silently"
    /// (unknown names, null), a throw is the 422 NGCP gives.
    static func normalize(_ name: String, _ value: JSONValue) throws(APIError) -> JSONValue? {
        guard let definition = definitions[name], definition.isVisible else { return nil }
        if case .null = value { return nil }
        if definition.isList {
            guard case .array(let items) = value else {
                throw APIError.unprocessable(
                    "Invalid data type '\(value.typeName)' for preference '\(name)', expected ARRAY"
                )
            }
            var result: [JSONValue] = []
            for item in items {
                guard let element = try element(definition, item) else { continue }
                if name == "allowed_clis", result.contains(element) {
                    throw APIError.unprocessable(
                        "Duplicate allowed_clis value: \(Fields.text(element) ?? "")")
                }
                result.append(element)
            }
            return .array(result)
        }
        if case .array = value {
            throw APIError.unprocessable(
                "Invalid data type 'ARRAY' for preference '\(name)', expected flat value")
        }
        return try element(definition, value)
    }

    private static func element(_ definition: PreferenceDefinition, _ value: JSONValue)
        throws(APIError) -> JSONValue?
    {
        let name = definition.name
        switch value {
        case .object, .array:
            throw APIError.unprocessable(
                "Invalid data structure as value for element in preference '\(name)'")
        case .null:
            return nil
        default:
            break
        }
        if let text = Fields.text(value), text.count > 128 {
            throw APIError.unprocessable(
                "Preference '\(name)' exceeds maximum length of 128 characters")
        }
        if definition.isNameMapped {
            // NOTE: the emulator has no NCOS levels, sound sets or rule sets, so every
            // name-mapped value is unknown here.
            let kind =
                name.hasSuffix("ncos")
                ? "ncos_level" : (name.hasSuffix("ncos_set") ? "ncos_set" : name)
            throw APIError.unprocessable("Unknown \(kind) '\(Fields.text(value) ?? "")'")
        }
        switch definition.dataType {
        case "boolean":
            switch value {
            case .bool(let flag): return .bool(flag)
            case .int(let number) where number == 0 || number == 1: return .bool(number == 1)
            case .string(let text) where text == "0" || text == "1": return .bool(text == "1")
            default:
                throw APIError.unprocessable(
                    "Invalid data type for element in preference '\(name)', expected 'boolean'")
            }
        case "int":
            switch value {
            case .int(let number): return .int(number)
            case .string(let text):
                let digits =
                    text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : text[...]
                if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let number = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
                {
                    return .int(number)
                }
            default:
                break
            }
            throw APIError.unprocessable(
                "Invalid data type for element in preference '\(name)', expected 'int'")
        case "enum":
            let text = Fields.text(value)
            guard let text, definition.enumValues.contains(text) else {
                throw APIError.unprocessable("Invalid enum value in preference '\(name)'")
            }
            return .string(text)
        case "blob":
            return nil
        default:
            return Fields.text(value).map { .string($0) }
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false)
            .joined(separator: replacement)
    }
}
