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

        let byKind = ManifestSchema.kinds.map { rule in
            kindRule(rule.kind, spec: rule.spec, specRequired: rule.specRequired, name: rule.name)
        }
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

    /// Builds the `if`/`then` rule that gives the documents of `kind` their spec type and name
    /// rules.
    private static func kindRule(
        _ kind: String, spec: SchemaType, specRequired: Bool, name: SchemaType
    ) -> JSONValue {
        var then: [String: JSONValue] = [
            "properties": [
                "spec": schema(spec),
                "metadata": ["properties": ["name": schema(name)]],
            ]
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

        // A field that needs another applies only when its value is not null.
        var dependencies: [String: JSONValue] = [:]
        for field in fields {
            guard let needs = field.needs else { continue }
            var requirement: [String: JSONValue] = ["required": [.string(needs)]]
            if let value = field.needsValue {
                requirement["properties"] = [needs: ["const": .string(value)]]
            }
            dependencies[field.name] = [
                "anyOf": [
                    ["properties": [field.name: ["type": "null"]]],
                    .object(requirement),
                ]
            ]
        }
        if !dependencies.isEmpty { result["dependentSchemas"] = .object(dependencies) }
        return .object(result)
    }

    static func schema(_ type: SchemaType) -> JSONValue {
        switch type {
        case .string(let minLength, let maxLength, let pattern):
            return textSchema(
                types: ["string"], minLength: minLength, maxLength: maxLength, pattern: pattern)
        case .text(let minLength, let maxLength, let pattern):
            return textSchema(
                types: ["string", "number"], minLength: minLength, maxLength: maxLength,
                pattern: pattern)
        case .digits(let count, let leadingZero):
            return digitsSchema(count, leadingZero: leadingZero)
        case .period(let range):
            // NOTE: the loader also rejects a descending year range such as 2030-2025, which
            // the pattern does not express.
            let number = "0*(\(NumberPattern.alternatives(range)))"
            return [
                "anyOf": [
                    [
                        "type": "integer", "minimum": .int(range.lowerBound),
                        "maximum": .int(range.upperBound),
                    ],
                    ["type": "string", "pattern": .string("^\(number)(-\(number))?$")],
                ]
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
            // The loader reads an unquoted number as its text, so `1` matches the value "1".
            let numbers = values.compactMap { value in
                Int(value).flatMap { String($0) == value ? JSONValue.int($0) : nil }
            }
            return ["enum": .array(values.map { .string($0) } + numbers)]
        case .email:
            return ["type": "string", "format": "email", "maxLength": 255]
        case .object(let fields):
            return object(fields)
        case .list(let item, let minCount):
            var result: [String: JSONValue] = ["type": "array", "items": schema(item)]
            if minCount > 0 { result["minItems"] = .int(minCount) }
            return .object(result)
        case .map(let value, let keyPattern, let minCount):
            var result: [String: JSONValue] = [
                "type": "object", "additionalProperties": schema(value),
            ]
            if let keyPattern { result["propertyNames"] = ["pattern": .string(keyPattern)] }
            if minCount > 0 { result["minProperties"] = .int(minCount) }
            return .object(result)
        case .secret:
            return [
                "anyOf": [
                    ["type": "string", "minLength": 1],
                    [
                        "$ref": "#/$defs/SecretSource", "minProperties": 1,
                        "maxProperties": 1,
                    ],
                ]
            ]
        case .nullable(let inner):
            return nullable(schema(inner))
        case .clearable(let inner):
            return [
                "anyOf": [schema(inner), ["type": "null"], ["type": "object", "maxProperties": 0]]
            ]
        case .oneOrList(let item):
            return oneOrList(schema(item))
        case .any:
            return [:]
        case .reference(let name):
            return ["$ref": .string("#/$defs/\(name)")]
        }
    }

    /// The preferences of `catalogue` with their types. Names that the loader rejects even
    /// when the catalogue lists them are excluded by `propertyNames`: internal and blob
    /// preferences, and `lock`, which the subscriber's own `lock` field sets.
    private static func preferences(_ catalogue: PreferenceCatalogue) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        var rejected: Set<String> = ["lock"]
        for definition in catalogue.definitions.values {
            guard !definition.isInternal, definition.dataType != .blob,
                !rejected.contains(definition.name)
            else {
                rejected.insert(definition.name)
                continue
            }
            if secretPreferenceNames.contains(definition.name) {
                properties[definition.name] = nullable(secretPreferenceValue)
                continue
            }
            let value = preferenceValue(definition)
            guard definition.isList else {
                properties[definition.name] = nullable(value)
                continue
            }
            var list: [String: JSONValue] = ["type": "array", "items": value]
            if DocumentContext.uniqueListPreferences.contains(definition.name) {
                // NOTE: JSON Schema takes 1 and 1.0 as equal, while the loader reads them as
                // the texts "1" and "1.0", so this rejects such a pair that the loader accepts.
                list["uniqueItems"] = true
            }
            properties[definition.name] = nullable(["anyOf": [value, .object(list)]])
        }

        var result: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        result["propertyNames"] = ["not": ["enum": .array(rejected.sorted().map { .string($0) })]]
        return .object(result)
    }

    /// A secret preference takes a secret source, or a literal of the length NGCP accepts.
    private static let secretPreferenceValue: JSONValue = [
        "anyOf": [
            [
                "type": "string", "minLength": 1,
                "maxLength": .int(DocumentContext.maxPreferenceLength),
            ],
            ["$ref": "#/$defs/SecretSource", "minProperties": 1, "maxProperties": 1],
        ]
    ]

    private static func preferenceValue(_ definition: PreferenceDefinition) -> JSONValue {
        switch definition.dataType {
        case .boolean:
            return schema(.boolean)
        case .int:
            // NGCP and the loader also take a numeric string such as "5" (Swift's `Int(_:)`
            // syntax: an optional sign, then decimal digits).
            return [
                "anyOf": [["type": "integer"], ["type": "string", "pattern": "^[+-]?[0-9]+$"]]
            ]
        case .string, .blob:
            return schema(.text(maxLength: DocumentContext.maxPreferenceLength))
        case .enumeration:
            return schema(
                definition.enumValues.isEmpty ? .text() : .choice(definition.enumValues))
        }
    }

    private static func textSchema(
        types: [String], minLength: Int, maxLength: Int?, pattern: String?
    ) -> JSONValue {
        var result: [String: JSONValue] = [
            "type": types.count == 1 ? .string(types[0]) : .array(types.map { .string($0) })
        ]
        if minLength > 0 { result["minLength"] = .int(minLength) }
        if let maxLength { result["maxLength"] = .int(maxLength) }
        if let pattern { result["pattern"] = .string(pattern) }
        return .object(result)
    }

    /// Builds the schema of a digit string: text, or an integer whose decimal digits fit the same
    /// rules.
    private static func digitsSchema(_ count: ClosedRange<Int>, leadingZero: Bool) -> JSONValue {
        // Without a leading zero there is at least one digit, and the first is 1 to 9.
        precondition(leadingZero || count.lowerBound >= 1, "digits without leading zero")
        let pattern =
            leadingZero
            ? "^[0-9]{\(count.lowerBound),\(count.upperBound)}$"
            : "^[1-9][0-9]{\(count.lowerBound - 1),\(count.upperBound - 1)}$"

        // An integer has at least one digit and no leading zero, except 0 itself.
        var integer: [String: JSONValue] = ["type": "integer"]
        if count.lowerBound > 1 {
            integer["minimum"] = .int(power(10, count.lowerBound - 1))
        } else {
            integer["minimum"] = leadingZero ? 0 : 1
        }
        // `Int` represents every number of up to 18 digits, so longer ones get no maximum.
        if count.upperBound <= 18 { integer["maximum"] = .int(power(10, count.upperBound) - 1) }

        return ["anyOf": [["type": "string", "pattern": .string(pattern)], .object(integer)]]
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { result, _ in result * base }
    }

    private static func nullable(_ value: JSONValue) -> JSONValue {
        ["anyOf": [value, ["type": "null"]]]
    }

    private static func oneOrList(_ item: JSONValue) -> JSONValue {
        ["anyOf": [item, ["type": "array", "items": item]]]
    }

    private static func merging(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var result) = base else { return base }
        for (key, value) in extra { result[key] = value }
        return .object(result)
    }
}

/// Regular expressions for the prefixes of a set of words, built as a tree of shared
/// prefixes: the prefixes of `ab` and `ac` are `(?:a(?:b|c)?)?`.
enum PrefixPattern {
    /// Returns a pattern, to be embedded in a longer one, that matches exactly the prefixes of
    /// `words`, the empty one included. The words must be ASCII letters and digits, which
    /// need no escaping.
    static func prefixes(of words: [String]) -> String {
        precondition(
            words.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } },
            "prefix patterns take ASCII letters and digits")
        let alternatives = nonEmptyPrefixes(of: words.map { Substring($0) })
        return alternatives.isEmpty ? "" : "(?:\(alternatives))?"
    }

    /// Returns alternatives, joined by `|`, for the non-empty prefixes of `words`.
    private static func nonEmptyPrefixes(of words: [Substring]) -> String {
        // Words are grouped by their first letter, in the order of first appearance.
        var groups: [(first: Character, rests: [Substring])] = []
        for word in words {
            guard let first = word.first else { continue }
            if let position = groups.firstIndex(where: { $0.first == first }) {
                groups[position].rests.append(word.dropFirst())
            } else {
                groups.append((first, [word.dropFirst()]))
            }
        }
        return groups.map { group in
            let rest = nonEmptyPrefixes(of: group.rests)
            return rest.isEmpty ? String(group.first) : "\(group.first)(?:\(rest))?"
        }.joined(separator: "|")
    }
}

/// Regular expressions for the decimal numbers of a range, built the way a person would write
/// them: 0 to 23 is `[0-9]|1[0-9]|2[0-3]`.
enum NumberPattern {
    /// Alternatives, joined by `|`, that match exactly the numbers in `range` written without
    /// leading zeros. The range must not be negative.
    static func alternatives(_ range: ClosedRange<Int>) -> String {
        precondition(range.lowerBound >= 0, "negative ranges have no pattern")
        var result: [String] = []

        // Numbers of one digit count at a time, so that both bounds have the same length.
        var lower = range.lowerBound
        while lower <= range.upperBound {
            let length = String(lower).count
            let largest = Int(String(repeating: "9", count: length)) ?? Int.max
            let upper = min(largest, range.upperBound)
            result += alternatives(digits(lower), digits(upper))
            if upper == range.upperBound { break }
            lower = upper + 1
        }
        return result.joined(separator: "|")
    }

    private static func digits(_ number: Int) -> [Int] {
        String(number).map { Int(String($0))! }
    }

    /// Alternatives for the digit strings from `lower` to `upper`, both of one length.
    private static func alternatives(_ lower: [Int], _ upper: [Int]) -> [String] {
        guard let first = lower.first, let last = upper.first else { return [""] }
        let lowerRest = Array(lower.dropFirst())
        let upperRest = Array(upper.dropFirst())
        if first == last {
            return alternatives(lowerRest, upperRest).map { "\(first)" + $0 }
        }

        // Split off the partial blocks at both ends, such as 199[0-9] below 2000 in 1990-3000,
        // so that the middle block takes any digits after its first one.
        let startsBlock = lowerRest.allSatisfy { $0 == 0 }
        let endsBlock = upperRest.allSatisfy { $0 == 9 }
        var result: [String] = []
        var middle = first...last
        if !startsBlock {
            let nines = Array(repeating: 9, count: lowerRest.count)
            result += alternatives(lowerRest, nines).map { "\(first)" + $0 }
            middle = (first + 1)...last
        }
        var tail: [String] = []
        if !endsBlock {
            let zeros = Array(repeating: 0, count: upperRest.count)
            tail = alternatives(zeros, upperRest).map { "\(last)" + $0 }
            middle = middle.lowerBound...(last - 1)
        }
        if middle.lowerBound <= middle.upperBound {
            result.append(digitClass(middle) + anyDigits(lowerRest.count))
        }
        return result + tail
    }

    private static func digitClass(_ range: ClosedRange<Int>) -> String {
        range.lowerBound == range.upperBound
            ? "\(range.lowerBound)" : "[\(range.lowerBound)-\(range.upperBound)]"
    }

    private static func anyDigits(_ count: Int) -> String {
        switch count {
        case 0: return ""
        case 1: return "[0-9]"
        default: return "[0-9]{\(count)}"
        }
    }
}
