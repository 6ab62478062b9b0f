// The plan file format, version 1 (described field by field in docs/plan-format.md).
//
// A saved plan is applied later, maybe on another machine. So reading one checks everything
// that apply relies on: the version, the fields and order of the operations, the targets of
// dependencies and placeholders, the summary, and the absence of password values.

/// A plan file that cannot be read, with the JSON path of the offending member.
public struct PlanJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the problem, for example `operations[2].method`, or empty for the whole
    /// document.
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "invalid plan file: \(message)" : "invalid plan file: \(path): \(message)"
    }
}

extension Plan {
    /// The plan as a version 1 plan document.
    public var jsonValue: JSONValue {
        let counts = summary
        var members: [String: JSONValue] = [
            "format_version": .int(Plan.formatVersion),
            "source": source.jsonValue,
            "target": target.map(JSONValue.string) ?? .null,
            "summary": [
                "create": .int(counts[.create] ?? 0), "update": .int(counts[.update] ?? 0),
                "delete": .int(counts[.delete] ?? 0),
            ],
            "operations": .array(operations.map(\.jsonValue)),
            "unmanaged": .array(unmanaged.map { .string($0.description) }),
            "secret_digests": .array(secretDigests.map(\.jsonValue)),
        ]
        // Written only when present, so that plans without them keep their earlier form.
        if let targetName { members["target_name"] = .string(targetName) }
        if !notPruned.isEmpty {
            members["not_pruned"] = .array(notPruned.map { .string($0.description) })
        }
        if !warnings.isEmpty { members["warnings"] = .array(warnings.map(\.jsonValue)) }
        return .object(members)
    }

    /// Reads a plan document.
    ///
    /// - Throws: `PlanJSONError` when a check fails: a wrong `format_version`, a missing or
    ///   mistyped member, ids out of order, or a summary that does not match. Also when a
    ///   dependency or id placeholder points at a later operation, or a password is a value.
    public init(json: JSONValue) throws(PlanJSONError) {
        let root = try PlanReader(json, path: "")
        let version = try root.int("format_version")
        guard version == Plan.formatVersion else {
            let advice =
                version > Plan.formatVersion
                ? "it was written by a newer ngcpctl; upgrade ngcpctl or plan again"
                : "plan again with this ngcpctl"
            throw PlanJSONError(
                path: "format_version",
                message: "unsupported version \(version), expected \(Plan.formatVersion); "
                    + advice)
        }

        let source = try PlanSource(json: try root.object("source"))
        let target = try root.optionalString("target")
        var operations: [PlannedOperation] = []
        for (index, item) in try root.array("operations").enumerated() {
            let reader = try PlanReader(item, path: "operations[\(index)]")
            let operation = try PlannedOperation(reader: reader)
            guard operation.id == index + 1 else {
                throw PlanJSONError(
                    path: reader.path + ".id",
                    message: "expected id \(index + 1), found \(operation.id); ids must run "
                        + "1...N in order")
            }
            operations.append(operation)
        }
        var unmanaged: [ResourceID] = []
        for (index, item) in (root.member("unmanaged")?.arrayValue ?? []).enumerated() {
            guard let text = item.stringValue, let id = Self.resourceID(text) else {
                throw PlanJSONError(
                    path: "unmanaged[\(index)]", message: "expected 'collection/name'")
            }
            unmanaged.append(id)
        }
        var notPruned: [ResourceID] = []
        for (index, item) in (root.member("not_pruned")?.arrayValue ?? []).enumerated() {
            guard let text = item.stringValue, let id = Self.resourceID(text) else {
                throw PlanJSONError(
                    path: "not_pruned[\(index)]", message: "expected 'collection/name'")
            }
            notPruned.append(id)
        }
        var warnings: [PlanWarning] = []
        for (index, item) in (root.member("warnings")?.arrayValue ?? []).enumerated() {
            let reader = try PlanReader(item, path: "warnings[\(index)]")
            var objects: [ResourceID] = []
            for (position, object) in try reader.array("objects").enumerated() {
                guard let text = object.stringValue, let id = Self.resourceID(text) else {
                    throw PlanJSONError(
                        path: reader.path + ".objects[\(position)]",
                        message: "expected 'collection/name'")
                }
                objects.append(id)
            }
            warnings.append(
                PlanWarning(
                    kind: try reader.string("kind"), message: try reader.string("message"),
                    objects: objects))
        }
        var digests: [PlanSecretDigest] = []
        for (index, item) in (root.member("secret_digests")?.arrayValue ?? []).enumerated() {
            let reader = try PlanReader(item, path: "secret_digests[\(index)]")
            digests.append(
                PlanSecretDigest(
                    source: try reader.string("source"), owner: try reader.string("owner"),
                    field: try reader.string("field"), digest: try reader.string("digest")))
        }
        self.init(
            source: source, target: target, operations: operations, unmanaged: unmanaged,
            secretDigests: digests)
        self.notPruned = notPruned
        self.warnings = warnings
        self.targetName = try root.optionalString("target_name")

        let summaryReader = try root.object("summary")
        for action in PlannedAction.allCases {
            let stated = try summaryReader.int(action.rawValue)
            let actual = summary[action] ?? 0
            guard stated == actual else {
                throw PlanJSONError(
                    path: "summary.\(action.rawValue)",
                    message: "states \(stated) but the plan has \(actual) such operations")
            }
        }
    }

    /// Reads `collection/name`, as written in `unmanaged`.
    private static func resourceID(_ text: String) -> ResourceID? {
        guard let slash = text.firstIndex(of: "/"),
            let kind = ResourceKind(rawValue: String(text[..<slash]))
        else { return nil }
        return ResourceID(kind, String(text[text.index(after: slash)...]))
    }

    /// Parses and reads a plan document from its text.
    public init(jsonText: String) throws(PlanJSONError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(jsonText)
        } catch {
            throw PlanJSONError(path: "", message: "not valid JSON: \(error)")
        }
        try self.init(json: value)
    }
}

extension PlanSource {
    public var jsonValue: JSONValue {
        [
            "revision": revision.map(JSONValue.string) ?? .null,
            "branch": branch.map(JSONValue.string) ?? .null,
            "dirty": .bool(dirty),
            "dirty_files": .array(dirtyFiles.map(JSONValue.string)),
        ]
    }

    fileprivate init(json reader: PlanReader) throws(PlanJSONError) {
        let files = try reader.array("dirty_files").enumerated().map {
            (index, file) throws(PlanJSONError) -> String in
            guard let text = file.stringValue else {
                throw PlanJSONError(
                    path: "\(reader.path).dirty_files[\(index)]", message: "expected a string")
            }
            return text
        }
        self.init(
            revision: try reader.optionalString("revision"),
            branch: try reader.optionalString("branch"), dirty: try reader.bool("dirty"),
            dirtyFiles: files)
    }
}

extension FieldChange {
    /// `before`/`after` are omitted when the field is absent on that side, and always for a
    /// sensitive change. `removed` is written only when true. `names` is written only when not
    /// empty, with each id as a decimal string because JSON object keys are strings.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["path": .string(path), "sensitive": .bool(sensitive)]
        if let before { object["before"] = before }
        if let after { object["after"] = after }
        if removed { object["removed"] = true }
        if !names.isEmpty {
            var members: [String: JSONValue] = [:]
            for (id, name) in names { members[String(id)] = .string(name) }
            object["names"] = .object(members)
        }
        return .object(object)
    }
}

extension PlannedOperation {
    public var jsonValue: JSONValue {
        [
            "id": .int(id),
            "action": .string(action.rawValue),
            "resource": .string(resource.rawValue),
            "name": .string(name),
            "method": .string(method.rawValue),
            "path": .string(path),
            "body": body ?? .null,
            "depends_on": .array(dependsOn.map(JSONValue.int)),
            "changes": .array(changes.map(\.jsonValue)),
            "live_id": liveID.map(JSONValue.int) ?? .null,
            "irreversible": .bool(irreversible),
            "reason": reason.map(JSONValue.string) ?? .null,
            "live_fingerprint": liveFingerprint.map(JSONValue.string) ?? .null,
        ]
    }

    fileprivate init(reader: PlanReader) throws(PlanJSONError) {
        let id = try reader.int("id")
        let action = try reader.enumeration("action", PlannedAction.self)
        let resource = try reader.enumeration("resource", ResourceKind.self)
        let method = try reader.enumeration("method", HTTPMethod.self)
        let path = try reader.string("path")
        // JSONValue accepts a `nil` literal as `.null`, so the absent body is spelled out.
        let member = reader.member("body")
        let body: JSONValue? = (member == nil || member == .null) ? Optional.none : member

        var dependencies: [Int] = []
        for (index, item) in try reader.array("depends_on").enumerated() {
            guard let dependency = item.intValue, dependency >= 1, dependency < id else {
                throw PlanJSONError(
                    path: "\(reader.path).depends_on[\(index)]",
                    message: "expected the id of an earlier operation (1...\(id - 1)), "
                        + "found \(item)")
            }
            dependencies.append(dependency)
        }

        var changes: [FieldChange] = []
        for (index, item) in try reader.array("changes").enumerated() {
            let change = try PlanReader(item, path: "\(reader.path).changes[\(index)]")
            let sensitive = try change.bool("sensitive")
            let before = change.member("before")
            let after = change.member("after")
            let names = try change.names()
            // Plans written before the member existed have no `removed`.
            let removed = try change.optionalBool("removed") ?? false
            if sensitive && (before != nil || after != nil) {
                throw PlanJSONError(
                    path: change.path, message: "a sensitive change must not carry values")
            }
            if removed && !sensitive {
                throw PlanJSONError(
                    path: change.path + ".removed",
                    message: "'removed' is valid only on a sensitive change, since any other"
                        + " change shows a removal as 'before' without 'after'")
            }
            if sensitive && !names.isEmpty {
                throw PlanJSONError(
                    path: change.path + ".names", message: "a sensitive change must not carry names"
                )
            }
            changes.append(
                FieldChange(
                    path: try change.string("path"), before: before, after: after,
                    sensitive: sensitive, removed: removed, names: names))
        }

        try PlanRequestCheck.check(
            action: action, resource: resource, method: method, path: path, at: reader.path)
        let name = try reader.string("name")
        // Names reach terminals and reports, where control characters could rewrite them.
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw PlanJSONError(
                path: reader.path + ".name", message: "the name contains control characters")
        }
        try PlanBodyCheck.check(path, at: reader.path + ".path", before: id)
        if let body { try PlanBodyCheck.check(body, at: reader.path + ".body", before: id) }

        self.init(
            id: id, action: action, resource: resource, name: name,
            method: method, path: path, body: body, dependsOn: dependencies, changes: changes,
            liveID: try reader.optionalInt("live_id"),
            irreversible: try reader.bool("irreversible"),
            reason: try reader.optionalString("reason"),
            liveFingerprint: try reader.optionalString("live_fingerprint"))
    }
}

extension PlanSecretDigest {
    public var jsonValue: JSONValue {
        [
            "source": .string(source), "owner": .string(owner), "field": .string(field),
            "digest": .string(digest),
        ]
    }
}

/// Checks that an operation's request is one ngcpctl itself would plan, so that an edited
/// plan file cannot send a request to another path or with another method.
enum PlanRequestCheck {
    static func check(
        action: PlannedAction, resource: ResourceKind, method: HTTPMethod, path: String,
        at location: String
    ) throws(PlanJSONError) {
        let collection = "/api/\(resource.rawValue)/"
        guard path.hasPrefix(collection) else {
            throw PlanJSONError(
                path: location + ".path",
                message: "'\(path)' is not a path of \(resource.rawValue); expected "
                    + "\(collection) or \(collection)<id>")
        }
        let id = path.dropFirst(collection.count)
        let isItem = !id.isEmpty
        guard !isItem || isIDSegment(id) else {
            throw PlanJSONError(
                path: location + ".path",
                message: "'\(path)' has an invalid id; expected digits or an {id:N} "
                    + "placeholder after \(collection)")
        }

        // Callforwards and preferences exist with their subscriber, so they are only written.
        let perSubscriber = resource == .callforwards || resource == .subscriberpreferences
        let allowed: [HTTPMethod]
        switch (action, isItem) {
        case (.create, false) where !perSubscriber: allowed = [.post]
        case (.create, true) where perSubscriber: allowed = [.put, .patch]
        case (.update, true): allowed = [.put, .patch]
        // A customer is removed by setting its status to terminated.
        case (.delete, true): allowed = resource == .customers ? [.patch, .delete] : [.delete]
        default: allowed = []
        }
        guard allowed.contains(method) else {
            let expected =
                allowed.isEmpty
                ? "no request of this shape"
                : allowed.map(\.rawValue).joined(separator: " or ")
            throw PlanJSONError(
                path: location + ".method",
                message: "\(method.rawValue) \(path) does not fit a \(action.rawValue) of "
                    + "\(resource.rawValue); expected \(expected)")
        }
    }

    /// Digits, or an `{id:N}` placeholder for the id of an earlier operation's object.
    private static func isIDSegment(_ segment: Substring) -> Bool {
        let digits = { (text: Substring) in
            !text.isEmpty && text.count <= 18 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        }
        if digits(segment) { return true }
        guard segment.hasPrefix("{id:"), segment.hasSuffix("}") else { return false }
        return digits(segment.dropFirst(4).dropLast())
    }
}

/// Checks of placeholders and secrets inside a path or body.
private enum PlanBodyCheck {
    /// Members and JSON Patch targets whose values are secrets: the subscriber passwords and
    /// the secret preferences.
    static let secretFields: Set<String> = secretPreferenceNames.union(["password", "webpassword"])

    static func check(_ path: String, at location: String, before id: Int) throws(PlanJSONError) {
        var rest = Substring(path)
        while let open = rest.range(of: "{id:") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}"),
                let operation = Int(rest[open.upperBound..<close])
            else {
                throw PlanJSONError(
                    path: location, message: "malformed id placeholder in '\(path)'")
            }
            try checkReference(operation, at: location, before: id)
            rest = rest[rest.index(after: close)...]
        }
    }

    static func check(_ body: JSONValue, at location: String, before id: Int)
        throws(PlanJSONError)
    {
        switch body {
        case .array(let items):
            for (index, item) in items.enumerated() {
                try check(item, at: "\(location)[\(index)]", before: id)
            }
        case .object(let members):
            if let kind = members[PlanPlaceholder.marker] {
                try checkPlaceholder(kind, members, at: location, before: id)
                return
            }
            for field in secretFields where members[field]?.stringValue != nil {
                throw secretValue(at: "\(location).\(field)")
            }
            if let pointer = members["path"]?.stringValue, members["op"] != nil,
                secretFields.contains(String(pointer.dropFirst())),
                members["value"]?.stringValue != nil
            {
                throw secretValue(at: "\(location).value")
            }
            for key in members.keys.sorted() {
                try check(members[key] ?? .null, at: "\(location).\(key)", before: id)
            }
        default:
            return
        }
    }

    private static func checkPlaceholder(
        _ kind: JSONValue, _ members: [String: JSONValue], at location: String, before id: Int
    ) throws(PlanJSONError) {
        switch kind.stringValue {
        case "id":
            guard let operation = members["operation"]?.intValue else {
                throw PlanJSONError(path: location, message: "id placeholder without 'operation'")
            }
            try checkReference(operation, at: location, before: id)
        case "secret":
            for member in ["source", "owner", "field"] where members[member]?.stringValue == nil {
                throw PlanJSONError(
                    path: location, message: "secret placeholder without '\(member)'")
            }
        default:
            throw PlanJSONError(
                path: location, message: "unknown placeholder kind \(kind); expected id or secret")
        }
    }

    private static func checkReference(_ operation: Int, at location: String, before id: Int)
        throws(PlanJSONError)
    {
        guard operation >= 1, operation < id else {
            throw PlanJSONError(
                path: location,
                message: "refers to operation \(operation), which does not come before "
                    + "operation \(id)")
        }
    }

    private static func secretValue(at location: String) -> PlanJSONError {
        PlanJSONError(
            path: location,
            message: "a password is given as a value; plan files carry only secret placeholders")
    }
}

/// Typed access to the members of one object in a plan document, with errors that name the
/// member's JSON path.
private struct PlanReader {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(PlanJSONError) {
        guard let members = value.objectValue else {
            throw PlanJSONError(path: path, message: "expected an object, found \(value.typeName)")
        }
        self.members = members
        self.path = path
    }

    private func location(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func member(_ key: String) -> JSONValue? { members[key] }

    private func required(_ key: String) throws(PlanJSONError) -> JSONValue {
        guard let value = members[key] else {
            throw PlanJSONError(path: location(key), message: "missing")
        }
        return value
    }

    private func mistyped(_ key: String, _ expected: String, _ value: JSONValue) -> PlanJSONError {
        PlanJSONError(path: location(key), message: "expected \(expected), found \(value.typeName)")
    }

    func int(_ key: String) throws(PlanJSONError) -> Int {
        let value = try required(key)
        guard case .int(let number) = value else { throw mistyped(key, "an integer", value) }
        return number
    }

    func optionalInt(_ key: String) throws(PlanJSONError) -> Int? {
        guard let value = members[key], !value.isNull else { return nil }
        guard case .int(let number) = value else { throw mistyped(key, "an integer", value) }
        return number
    }

    func bool(_ key: String) throws(PlanJSONError) -> Bool {
        let value = try required(key)
        guard let flag = value.boolValue else { throw mistyped(key, "a boolean", value) }
        return flag
    }

    func optionalBool(_ key: String) throws(PlanJSONError) -> Bool? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw mistyped(key, "a boolean", value) }
        return flag
    }

    func string(_ key: String) throws(PlanJSONError) -> String {
        let value = try required(key)
        guard let text = value.stringValue else { throw mistyped(key, "a string", value) }
        return text
    }

    func optionalString(_ key: String) throws(PlanJSONError) -> String? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw mistyped(key, "a string", value) }
        return text
    }

    func array(_ key: String) throws(PlanJSONError) -> [JSONValue] {
        let value = try required(key)
        guard let items = value.arrayValue else { throw mistyped(key, "an array", value) }
        return items
    }

    /// Reads the optional `names` of a change: an object that maps ids, as decimal strings,
    /// to names. Plans written before the member existed have none.
    func names() throws(PlanJSONError) -> [Int: String] {
        guard let value = members["names"] else { return [:] }
        guard let entries = value.objectValue else { throw mistyped("names", "an object", value) }
        var names: [Int: String] = [:]
        for (key, entry) in entries {
            let location = location("names") + ".\(key)"
            guard let id = Int(key), String(id) == key else {
                throw PlanJSONError(path: location, message: "expected an integer id as the key")
            }
            guard let name = entry.stringValue else {
                throw PlanJSONError(
                    path: location, message: "expected a string, found \(entry.typeName)")
            }
            names[id] = name
        }
        return names
    }

    func object(_ key: String) throws(PlanJSONError) -> PlanReader {
        try PlanReader(try required(key), path: location(key))
    }

    func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type)
        throws(PlanJSONError) -> Value where Value.RawValue == String
    {
        let text = try string(key)
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw PlanJSONError(
                path: location(key), message: "unknown value '\(text)'; expected one of \(allowed)")
        }
        return value
    }
}

extension PlanWarning {
    /// The warning as a member of the plan document's `warnings`.
    public var jsonValue: JSONValue {
        [
            "kind": .string(kind), "message": .string(message),
            "objects": .array(objects.map { .string($0.description) }),
        ]
    }
}
