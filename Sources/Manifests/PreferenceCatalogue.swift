import NGCPCore

/// The definition of one subscriber preference on NGCP.
public struct PreferenceDefinition: Sendable, Hashable {
    public enum DataType: String, Sendable, Hashable {
        case boolean
        case int
        case string
        case enumeration = "enum"
        case blob
    }

    public let name: String
    public let dataType: DataType
    /// True when the preference holds a list of values (`max_occur` other than 1).
    public let isList: Bool
    /// True for preferences the API hides and the server manages (`internal` = 1).
    public let isInternal: Bool
    /// NGCP's `read_only` flag; the API does not enforce it.
    public let isReadOnly: Bool
    /// True when the API takes and returns the name of another object (an NCOS level, a sound
    /// set, a rewrite rule set) in place of the stored id.
    public let isNameMapped: Bool
    /// The allowed values of an enumeration, without the "use default" choice that `null`
    /// stands for.
    public let enumValues: [String]

    public init(
        _ name: String, _ dataType: DataType, list: Bool = false, internal isInternal: Bool = false,
        readOnly: Bool = false, nameMapped: Bool = false, values: [String] = []
    ) {
        self.name = name
        self.dataType = dataType
        self.isList = list
        self.isInternal = isInternal
        self.isReadOnly = readOnly
        self.isNameMapped = nameMapped
        self.enumValues = values
    }
}

/// A failure to read preference definitions from the API.
public struct PreferenceCatalogueError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The subscriber preferences that manifests may set, by name.
///
/// `builtIn` contains the definitions of a stock NGCP. At plan time the target's own
/// `/api/subscriberpreferencedefs/` answer is authoritative, because installations add and
/// remove preferences between versions.
public struct PreferenceCatalogue: Sendable, Hashable {
    public let definitions: [String: PreferenceDefinition]

    public init(definitions: [PreferenceDefinition]) {
        var byName: [String: PreferenceDefinition] = [:]
        for definition in definitions { byName[definition.name] = definition }
        self.definitions = byName
    }

    /// Reads the object that `GET /api/subscriberpreferencedefs/` returns: preference names as
    /// keys, each with `data_type`, `max_occur`, `read_only` and, for enumerations,
    /// `enum_values` (`[{value, ...}]`). `_links` is skipped.
    public init(subscriberPreferenceDefs json: JSONValue) throws(PreferenceCatalogueError) {
        guard let object = json.objectValue else {
            throw PreferenceCatalogueError(
                "preference definitions must be a JSON object, found \(json.typeName)")
        }

        var definitions: [PreferenceDefinition] = []
        for (name, entry) in object where name != "_links" {
            guard let typeName = entry["data_type"]?.stringValue,
                let dataType = PreferenceDefinition.DataType(rawValue: typeName)
            else {
                throw PreferenceCatalogueError(
                    "preference '\(name)' has a missing or unknown data_type")
            }

            let values = (entry["enum_values"]?.arrayValue ?? []).compactMap { item -> String? in
                switch item["value"] {
                case .string(let value): return value
                case .int(let value): return String(value)
                default: return nil
                }
            }
            definitions.append(
                PreferenceDefinition(
                    name, dataType, list: (entry["max_occur"]?.intValue ?? 1) != 1,
                    readOnly: Self.flag(entry["read_only"]), values: values))
        }
        self.init(definitions: definitions)
    }

    public subscript(name: String) -> PreferenceDefinition? { definitions[name] }

    /// Names that the API accepts, sorted.
    public var names: [String] {
        definitions.values.filter { !$0.isInternal }.map(\.name).sorted()
    }

    /// Names that manifests may set, sorted: not internal, not a blob, and not `lock`, which
    /// the subscriber's own `lock` field sets.
    var settableNames: [String] {
        definitions.values.filter { !$0.isInternal && $0.dataType != .blob && $0.name != "lock" }
            .map(\.name).sorted()
    }

    private static func flag(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .string(let text): return text == "1" || text == "true"
        default: return false
        }
    }
}
