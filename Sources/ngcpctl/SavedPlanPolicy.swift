import Manifests
import NGCPCore
import Planning
import Policies

/// Checks a saved plan against the guards and policies before `apply --plan` runs it.
///
/// A plan file is not signed, so it may have been edited after `plan --out` checked it. The
/// checks here see only what the file carries: its operations, bodies and changes.
enum SavedPlanPolicy {
    /// Returns the guards the plan breaks. `refuse_remove_all` needs the manifests, which a
    /// saved plan does not carry, so it is checked only when the plan is made.
    static func guardViolations(_ plan: Plan, target: TargetConfiguration?, maxDeletes: Int?)
        -> [GuardViolation]
    {
        var settings = Guards.settings(target: target, maxDeletes: maxDeletes)
        settings.refuseRemoveAll = false
        return GuardCheck.evaluate(
            plan: plan, settings: settings, desired: DesiredState(), live: LiveState())
    }

    /// Checks the plan against the policy files and the built-in pack. Rules see no desired
    /// or live objects, because a saved plan does not carry them.
    // NOTE: a rule that only reads `desired` or `live` objects cannot fire on a saved plan.
    // Such rules were checked by `plan --out` when the plan was made.
    static func check(
        _ plan: Plan, stage: PolicyStage, target: String?, resolver: SecretResolver
    ) throws -> PolicyResult {
        var sources: [String: SecretSource] = [:]
        for reference in SecretDigest.references(in: plan) {
            guard let source = PlanPlaceholder.secretSource(from: reference.source) else {
                continue
            }
            sources[reference.owner + "\u{0}" + reference.field] = source
        }
        return try stage.check(
            plan: requestView(of: plan), manifests: ManifestLoadResult(), live: nil,
            target: target,
            secret: { owner, field in
                guard let source = sources[owner.description + "\u{0}" + field] else {
                    return nil
                }
                return try? resolver.resolve(source)
            })
    }

    /// Returns `plan` with each operation's changes rebuilt from its request body.
    ///
    /// A saved plan's `changes` are only a description, and an edit can make them disagree
    /// with the `body` that apply sends. Policies must judge what is sent, so every value the
    /// body sets becomes a change (keeping the file's `before` for the same path), and the
    /// file's changes for paths the body does not set stay as they are.
    static func requestView(of plan: Plan) -> Plan {
        var view = plan
        for index in view.operations.indices {
            let operation = view.operations[index]
            let sent = sentValues(operation.body)
            guard !sent.isEmpty else { continue }
            let described = Dictionary(
                operation.changes.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            var changes = sent.map { path, value, removes in
                let sensitive = described[path]?.sensitive ?? Self.secretFields.contains(path)
                return FieldChange(
                    path: path, before: described[path]?.before, after: value,
                    sensitive: sensitive, removed: removes)
            }
            let sentPaths = Set(sent.map(\.path))
            changes += operation.changes.filter { !sentPaths.contains($0.path) }
            view.operations[index].changes = changes
        }
        return view
    }

    private static let secretFields = secretPreferenceNames.union(["password", "webpassword"])

    /// The fields a request body sets, by dotted path: the members of an object body, or the
    /// operations of a JSON Patch body. A `remove` sets no value and `removes` the field.
    private static func sentValues(_ body: JSONValue?)
        -> [(path: String, value: JSONValue?, removes: Bool)]
    {
        switch body {
        case .object(let members):
            return members.keys.sorted().map { ($0, members[$0], false) }
        case .array(let operations):
            return operations.compactMap { operation in
                guard let pointer = operation["path"]?.stringValue,
                    let op = operation["op"]?.stringValue
                else { return nil }
                let path = pointer.split(separator: "/", omittingEmptySubsequences: true)
                    .map {
                        $0.replacingOccurrences(of: "~1", with: "/")
                            .replacingOccurrences(of: "~0", with: "~")
                    }
                    .joined(separator: ".")
                let removes = op == "remove"
                return (path, removes ? nil : operation["value"], removes)
            }
        default:
            return []
        }
    }
}
