import NGCPCore

/// A secret placeholder as it appears in a planned body.
public struct SecretReference: Sendable, Hashable {
    /// The placeholder's `source` member: `env:NAME`, `file:PATH` or `literal`.
    public var source: String
    /// The owner's `ResourceID` text, such as `subscribers/alice@example.org`.
    public var owner: String
    public var field: String

    public init(source: String, owner: String, field: String) {
        self.source = source
        self.owner = owner
        self.field = field
    }
}

/// Supplies secret values for the placeholders of a plan.
public struct PlanSecrets: Sendable {
    private let lookup: @Sendable (SecretReference) throws -> SecretValue

    /// Looks each placeholder up with `lookup`.
    public init(lookup: @escaping @Sendable (SecretReference) throws -> SecretValue) {
        self.lookup = lookup
    }

    /// Reads `env:` and `file:` sources with `resolver`. Literal sources come from `literals`,
    /// keyed by owner and field, because a plan never contains a literal's value.
    public init(
        resolver: SecretResolver = SecretResolver(), literals: [SecretReference: SecretValue] = [:]
    ) {
        self.lookup = { reference in
            if reference.source == "literal" {
                let key = SecretReference(
                    source: "literal", owner: reference.owner, field: reference.field)
                guard let value = literals[key] else {
                    throw ApplyError.missingLiteral(reference)
                }
                return value
            }
            guard let source = PlanPlaceholder.secretSource(from: reference.source) else {
                throw ApplyError.unknownSecretSource(reference)
            }
            return try resolver.resolve(source)
        }
    }

    func value(for reference: SecretReference) throws -> SecretValue {
        try lookup(reference)
    }
}

/// A failure to prepare or run an apply, with a message that names the next step.
public struct ApplyError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// True when the failed write may or may not have taken effect.
    public let outcomeUnknown: Bool

    public init(_ message: String, outcomeUnknown: Bool = false) {
        self.message = message
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String { message }

    static func missingLiteral(_ reference: SecretReference) -> ApplyError {
        ApplyError(
            "the \(reference.field) of \(reference.owner) is a literal in the manifest, and a "
                + "saved plan does not contain it: apply from the manifests, or move the value "
                + "to an {env: NAME} or {file: PATH} source")
    }

    static func unknownSecretSource(_ reference: SecretReference) -> ApplyError {
        ApplyError(
            "the \(reference.field) of \(reference.owner) has the unknown secret source "
                + "'\(reference.source)': expected env:NAME, file:PATH or literal")
    }

    static func malformedPlaceholder(_ placeholder: JSONValue, operation: Int) -> ApplyError {
        ApplyError(
            "operation \(operation) contains the malformed placeholder "
                + "\(placeholder.serialized()): regenerate the plan")
    }

    static func missingCreatedID(_ source: Int, operation: Int) -> ApplyError {
        ApplyError(
            "operation \(operation) needs the id created by operation \(source), but operation "
                + "\(source) created no object: regenerate the plan")
    }
}

/// Replaces the placeholders of a planned operation with apply-time values.
enum PlaceholderResolver {
    /// Operations whose created id `operation` refers to, in its path or body.
    static func referencedOperations(in operation: PlannedOperation) -> Set<Int> {
        var result = Set(pathReferences(operation.path))
        if let body = operation.body { collectReferences(body, into: &result) }
        return result
    }

    /// The operation number of a `{"$ngcpctl": "id", "operation": N}` value, if it is one.
    static func createdIDReference(_ value: JSONValue) -> Int? {
        guard value[PlanPlaceholder.marker]?.stringValue == "id" else { return nil }
        return value["operation"]?.intValue
    }

    /// Every secret placeholder in a body.
    static func secretReferences(in value: JSONValue) -> [SecretReference] {
        var found: [SecretReference] = []
        collectSecrets(value, into: &found)
        return found
    }

    /// The path with each `{id:N}` replaced by the id that operation N created.
    static func resolvePath(_ path: String, operation: Int, createdIDs: [Int: Int]) throws
        -> String
    {
        var result = path
        for source in pathReferences(path) {
            guard let id = createdIDs[source] else {
                throw ApplyError.missingCreatedID(source, operation: operation)
            }
            result = result.replacingOccurrences(
                of: PlanPlaceholder.createdIDPath(of: source), with: "\(id)")
        }
        return result
    }

    /// The body with every placeholder replaced.
    static func resolveBody(
        _ value: JSONValue, operation: Int, createdIDs: [Int: Int],
        secrets: [SecretReference: SecretValue]
    ) throws -> JSONValue {
        switch value {
        case .object(let members):
            if let kind = members[PlanPlaceholder.marker] {
                return try resolvePlaceholder(
                    value, kind: kind, operation: operation, createdIDs: createdIDs,
                    secrets: secrets)
            }
            var resolved: [String: JSONValue] = [:]
            for (key, member) in members {
                resolved[key] = try resolveBody(
                    member, operation: operation, createdIDs: createdIDs, secrets: secrets)
            }
            return .object(resolved)
        case .array(let elements):
            return .array(
                try elements.map {
                    try resolveBody(
                        $0, operation: operation, createdIDs: createdIDs, secrets: secrets)
                })
        default:
            return value
        }
    }

    private static func resolvePlaceholder(
        _ value: JSONValue, kind: JSONValue, operation: Int, createdIDs: [Int: Int],
        secrets: [SecretReference: SecretValue]
    ) throws -> JSONValue {
        switch kind.stringValue {
        case "id":
            guard let source = createdIDReference(value) else {
                throw ApplyError.malformedPlaceholder(value, operation: operation)
            }
            guard let id = createdIDs[source] else {
                throw ApplyError.missingCreatedID(source, operation: operation)
            }
            return .int(id)
        case "secret":
            guard let reference = secretReference(value), let secret = secrets[reference] else {
                throw ApplyError.malformedPlaceholder(value, operation: operation)
            }
            return .string(secret.value)
        default:
            throw ApplyError.malformedPlaceholder(value, operation: operation)
        }
    }

    private static func secretReference(_ value: JSONValue) -> SecretReference? {
        guard value[PlanPlaceholder.marker]?.stringValue == "secret",
            let source = value["source"]?.stringValue,
            let owner = value["owner"]?.stringValue,
            let field = value["field"]?.stringValue
        else { return nil }
        return SecretReference(source: source, owner: owner, field: field)
    }

    private static func pathReferences(_ path: String) -> [Int] {
        var result: [Int] = []
        var rest = Substring(path)
        while let open = rest.range(of: "{id:") {
            let tail = rest[open.upperBound...]
            guard let close = tail.firstIndex(of: "}") else { break }
            if let number = Int(tail[..<close]) { result.append(number) }
            rest = tail[tail.index(after: close)...]
        }
        return result
    }

    private static func collectReferences(_ value: JSONValue, into result: inout Set<Int>) {
        switch value {
        case .object(let members):
            if let source = createdIDReference(value) {
                result.insert(source)
                return
            }
            for member in members.values { collectReferences(member, into: &result) }
        case .array(let elements):
            for element in elements { collectReferences(element, into: &result) }
        default:
            break
        }
    }

    private static func collectSecrets(_ value: JSONValue, into result: inout [SecretReference]) {
        switch value {
        case .object(let members):
            if let reference = secretReference(value) {
                result.append(reference)
                return
            }
            for member in members.values { collectSecrets(member, into: &result) }
        case .array(let elements):
            for element in elements { collectSecrets(element, into: &result) }
        default:
            break
        }
    }
}
