import NGCPCore

/// Renders the field tables as JSON Schema (draft 2020-12) for editors and other tools.
public enum JSONSchemaRenderer {
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    /// The schema of one manifest document. Preferences list the names and types of
    /// `catalogue` but admit other names, because the target's own catalogue decides at plan
    /// time.
    public static func manifestSchema(catalogue: PreferenceCatalogue = .builtIn) -> JSONValue {
        var definitions: [String: JSONValue] = [:]
        for (name, fields) in ManifestSchema.definitions {
            definitions[name] = object(fields)
        }
        definitions["DomainSpec"] = object(ManifestSchema.domainSpec)
        definitions["CustomerSpec"] = object(ManifestSchema.customerSpec)
        definitions["SubscriberSpec"] = object(ManifestSchema.subscriberSpec)
        definitions["Preferences"] = preferences(catalogue)

        // The generic spec property is refined per kind, so that completion follows `kind`.
        var subscriberSpec = object(ManifestSchema.subscriberSpec)
        if case .object(var properties) = subscriberSpec["properties"] {
            properties["preferences"] = [
                "description": "Managed preferences by name; others are left alone.",
                "anyOf": [["$ref": "#/$defs/Preferences"], ["type": "null"]],
            ]
            subscriberSpec = merging(subscriberSpec, ["properties": .object(properties)])
        }
        definitions["SubscriberSpec"] = subscriberSpec

        let byKind: [JSONValue] = [
            kindRule("Domain", spec: "DomainSpec", specRequired: false),
            kindRule("Customer", spec: "CustomerSpec", specRequired: true),
            kindRule("Subscriber", spec: "SubscriberSpec", specRequired: true),
        ]
        return merging(
            object(ManifestSchema.envelope),
            [
                "$schema": .string(draft),
                "$id": "urn:ngcpctl:manifest:v1",
                "title": "ngcpctl manifest (apiVersion ngcpctl/v1)",
                "allOf": .array(byKind),
                "$defs": .object(definitions),
            ])
    }

    /// The schema of `ngcpctl.yaml`.
    public static func projectSchema() -> JSONValue {
        merging(
            object(ProjectSchema.project),
            [
                "$schema": .string(draft),
                "$id": "urn:ngcpctl:project:v1",
                "title": "ngcpctl.yaml project configuration",
                "$defs": [
                    "Target": object(ProjectSchema.target),
                    "Guards": object(ProjectSchema.guards),
                    "Secrets": object(ProjectSchema.secrets),
                ],
            ])
    }

    private static func kindRule(_ kind: String, spec: String, specRequired: Bool) -> JSONValue {
        var then: [String: JSONValue] = [
            "properties": ["spec": ["$ref": .string("#/$defs/\(spec)")]]
        ]
        if specRequired { then["required"] = ["spec"] }
        return [
            "if": ["properties": ["kind": ["const": .string(kind)]], "required": ["kind"]],
            "then": .object(then),
        ]
    }

    static func object(_ fields: [SchemaField]) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for field in fields {
            properties[field.name] = merging(
                schema(field.type), ["description": .string(field.summary)])
        }
        var result: [String: JSONValue] = [
            "type": "object", "properties": .object(properties), "additionalProperties": false,
        ]
        let required = fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { result["required"] = .array(required) }
        return .object(result)
    }

    static func schema(_ type: SchemaType) -> JSONValue {
        switch type {
        case .string(let maxLength):
            var result: [String: JSONValue] = ["type": "string"]
            if let maxLength { result["maxLength"] = .int(maxLength) }
            return .object(result)
        case .digits(let count):
            // An unquoted number is accepted too; the loader keeps its text as written.
            return [
                "type": ["string", "integer"],
                "pattern": .string("^[0-9]{\(count.lowerBound),\(count.upperBound)}$"),
            ]
        case .integer(let range):
            var result: [String: JSONValue] = ["type": "integer"]
            if let range {
                result["minimum"] = .int(range.lowerBound)
                if range.upperBound != Int.max { result["maximum"] = .int(range.upperBound) }
            }
            return .object(result)
        case .number(let range):
            return [
                "type": "number", "minimum": .double(range.lowerBound),
                "maximum": .double(range.upperBound),
            ]
        case .boolean:
            return ["type": "boolean"]
        case .choice(let values):
            return ["enum": .array(values.map { .string($0) })]
        case .email:
            return ["type": "string", "format": "email", "maxLength": 255]
        case .object(let fields):
            return object(fields)
        case .list(let item):
            return ["type": "array", "items": schema(item)]
        case .map(let value):
            return ["type": "object", "additionalProperties": schema(value)]
        case .secret:
            return [
                "anyOf": [
                    ["type": "string"],
                    [
                        "$ref": "#/$defs/SecretSource", "minProperties": 1,
                        "maxProperties": 1,
                    ],
                ]
            ]
        case .nullable(let inner):
            return ["anyOf": [schema(inner), ["type": "null"]]]
        case .oneOrList(let item):
            return ["anyOf": [schema(item), ["type": "array", "items": schema(item)]]]
        case .any:
            return [:]
        case .reference(let name):
            return ["$ref": .string("#/$defs/\(name)")]
        }
    }

    private static func preferences(_ catalogue: PreferenceCatalogue) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for name in catalogue.names {
            guard let definition = catalogue[name], definition.dataType != .blob else { continue }
            let value: SchemaType
            switch definition.dataType {
            case .boolean: value = .boolean
            case .int: value = .integer()
            case .string, .blob:
                value = .string(maxLength: DocumentContext.maxPreferenceLength)
            case .enumeration:
                value = definition.enumValues.isEmpty ? .string() : .choice(definition.enumValues)
            }
            properties[name] = schema(.nullable(definition.isList ? .oneOrList(value) : value))
        }
        return ["type": "object", "properties": .object(properties)]
    }

    private static func merging(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var result) = base else { return base }
        for (key, value) in extra { result[key] = value }
        return .object(result)
    }
}
