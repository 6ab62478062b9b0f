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
            plan: plan, manifests: ManifestLoadResult(), live: nil, target: target,
            secret: { owner, field in
                guard let source = sources[owner.description + "\u{0}" + field] else {
                    return nil
                }
                return try? resolver.resolve(source)
            })
    }
}
