/// The change a plan intends for one object. Present tense, because nothing has happened yet.
public enum PlannedAction: String, Sendable, Hashable, Codable, CaseIterable {
    case create
    case update
    case delete
}

/// The result of applying an operation. Past tense, recorded after the fact.
public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
    case created
    case updated
    case deleted
    case unchanged
    case skipped
    case failed
}

public enum HTTPMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
}

/// One field that an operation changes, for review. `nil` means the field is absent on that side.
public struct FieldChange: Sendable, Hashable {
    /// A dotted path from the object's root, for example `primary_number.sn` or `cft.ringtimeout`.
    public var path: String
    public var before: JSONValue?
    public var after: JSONValue?
    /// True for passwords: the plan shows only that the value changes, never the value.
    public var sensitive: Bool
    /// True for a sensitive change that removes the field, which its missing values cannot
    /// show. A change that is not sensitive shows a removal as a `before` without an `after`,
    /// and is never `removed`.
    public var removed: Bool
    /// The natural key of each live object whose server id `before` or `after` contains, such as
    /// the handle of a billing profile or `username@domain` of a PBX group, for review only.
    /// Empty for a sensitive change.
    public var names: [Int: String]

    public init(
        path: String, before: JSONValue?, after: JSONValue?, sensitive: Bool = false,
        removed: Bool = false, names: [Int: String] = [:]
    ) {
        self.path = path
        self.before = sensitive ? nil : before
        self.after = sensitive ? nil : after
        self.sensitive = sensitive
        self.removed = sensitive && removed
        self.names = sensitive ? [:] : names
    }
}

/// One API request of a plan.
///
/// The body and path may hold placeholders (see `PlanPlaceholder`) for values that exist only
/// during apply: the id of an object that an earlier operation creates, and secrets.
public struct PlannedOperation: Sendable, Hashable {
    /// Position in the plan's order, from 1. Operations run in increasing id order unless
    /// `dependsOn` allows them to run earlier.
    public var id: Int
    public var action: PlannedAction
    public var resource: ResourceKind
    /// The natural key of the object, or of its owner for contacts, forwards and preferences.
    public var name: String
    public var method: HTTPMethod
    /// The request path, possibly with `{id:N}` for the id created by operation N.
    public var path: String
    public var body: JSONValue?
    public var dependsOn: [Int]
    public var changes: [FieldChange]
    /// The live object's server id when the object exists at plan time.
    public var liveID: Int?
    /// True when the operation cannot be undone by another apply, such as a customer
    /// termination.
    public var irreversible: Bool
    /// Why the operation is planned, for display only: apply never branches on it.
    public var reason: String?
    /// A digest of the live object the operation was computed from, so that applying a saved
    /// plan can tell whether the object changed since; nil when nothing existed live.
    public var liveFingerprint: String?

    public init(
        id: Int, action: PlannedAction, resource: ResourceKind, name: String,
        method: HTTPMethod, path: String, body: JSONValue? = nil, dependsOn: [Int] = [],
        changes: [FieldChange] = [], liveID: Int? = nil, irreversible: Bool = false,
        reason: String? = nil, liveFingerprint: String? = nil
    ) {
        self.id = id
        self.action = action
        self.resource = resource
        self.name = name
        self.method = method
        self.path = path
        self.body = body
        self.dependsOn = dependsOn
        self.changes = changes
        self.liveID = liveID
        self.irreversible = irreversible
        self.reason = reason
        self.liveFingerprint = liveFingerprint
    }

    public var resourceID: ResourceID { ResourceID(resource, name) }
}

/// The git revision that the desired state was read from.
public struct PlanSource: Sendable, Hashable {
    /// The commit id, or nil when the manifests are not in a git repository.
    public var revision: String?
    public var branch: String?
    public var dirty: Bool
    /// Manifest files that differ from the revision (modified, added or untracked).
    public var dirtyFiles: [String]

    public init(
        revision: String? = nil, branch: String? = nil, dirty: Bool = false,
        dirtyFiles: [String] = []
    ) {
        self.revision = revision
        self.branch = branch
        self.dirty = dirty
        self.dirtyFiles = dirtyFiles
    }
}

/// An ordered set of operations that takes the live state to the desired state.
public struct Plan: Sendable, Hashable {
    public static let formatVersion = 1

    public var source: PlanSource
    /// The API base URL that the live state was read from.
    public var target: String?
    /// The name of the ngcpctl.yaml target selected for the run, when one was.
    public var targetName: String?
    public var operations: [PlannedOperation]
    /// Live objects that the plan leaves alone because ngcpctl never managed them, sorted.
    public var unmanaged: [ResourceID]
    /// Undeclared live objects that ngcpctl manages and would remove with prune, left alone
    /// because prune is off, sorted.
    public var notPruned: [ResourceID] = []
    /// Notes for a reviewer before applying, such as data that the operations lose.
    public var warnings: [PlanWarning] = []
    /// A keyed digest of each secret the plan uses, so that apply can tell whether the value
    /// changed since the plan was made. Never the value itself.
    public var secretDigests: [PlanSecretDigest]

    public init(
        source: PlanSource = PlanSource(), target: String? = nil,
        operations: [PlannedOperation] = [], unmanaged: [ResourceID] = [],
        secretDigests: [PlanSecretDigest] = []
    ) {
        self.source = source
        self.target = target
        self.operations = operations
        self.unmanaged = unmanaged
        self.secretDigests = secretDigests
    }

    public var isEmpty: Bool { operations.isEmpty }

    /// Operation counts per action, with every action present.
    public var summary: [PlannedAction: Int] {
        var counts: [PlannedAction: Int] = [:]
        for action in PlannedAction.allCases { counts[action] = 0 }
        for operation in operations { counts[operation.action, default: 0] += 1 }
        return counts
    }
}

/// A consequence of a plan that its operations do not show by themselves, for the reviewer.
/// A warning never blocks a plan.
public struct PlanWarning: Sendable, Hashable {
    /// Subscribers that move to another customer, which NGCP allows only by deleting and
    /// creating them again.
    public static let subscribersRecreated = "subscribers_recreated"

    /// A stable name of the case, such as `subscribers_recreated`, for programs.
    public var kind: String
    /// The explanation for a reviewer, in full sentences.
    public var message: String
    /// The objects concerned.
    public var objects: [ResourceID]

    public init(kind: String, message: String, objects: [ResourceID]) {
        self.kind = kind
        self.message = message
        self.objects = objects
    }
}

/// The keyed digest of one secret a plan uses, identified like its placeholder.
public struct PlanSecretDigest: Sendable, Hashable {
    /// `env:NAME` or `file:PATH`.
    public var source: String
    /// The owning object as `collection/name`.
    public var owner: String
    public var field: String
    /// HMAC-SHA256 of the value, as lowercase hex.
    public var digest: String

    public init(source: String, owner: String, field: String, digest: String) {
        self.source = source
        self.owner = owner
        self.field = field
        self.digest = digest
    }
}

/// Markers inside a planned request body for values that are known only during apply.
///
/// In plan JSON a placeholder is an object with the member `"$ngcpctl"`:
/// - `{"$ngcpctl": "id", "operation": N}` is replaced by the id that operation N created;
/// - `{"$ngcpctl": "secret", "source": "env:NAME" | "file:PATH" | "literal", "owner": KEY,
///   "field": NAME}` is replaced by the secret's value, read again at apply time.
/// In a path, `{id:N}` stands for the id that operation N created.
public enum PlanPlaceholder {
    public static let marker = "$ngcpctl"

    public static func createdID(of operation: Int) -> JSONValue {
        [marker: "id", "operation": .int(operation)]
    }

    public static func createdIDPath(of operation: Int) -> String {
        "{id:\(operation)}"
    }

    public static func secret(_ source: SecretSource, owner: ResourceID, field: String) -> JSONValue
    {
        let sourceText: String
        switch source {
        case .literal: sourceText = "literal"
        case .environment(let name): sourceText = "env:\(name)"
        case .file(let path): sourceText = "file:\(path)"
        }
        return [
            marker: "secret", "source": .string(sourceText), "owner": .string(owner.description),
            "field": .string(field),
        ]
    }

    /// The secret source named by a placeholder's `source` member.
    public static func secretSource(from text: String) -> SecretSource? {
        if text.hasPrefix("env:") { return .environment(String(text.dropFirst(4))) }
        if text.hasPrefix("file:") { return .file(String(text.dropFirst(5))) }
        return nil
    }
}
