import NGCPCore

/// One guard that a plan breaks, with the objects concerned.
public struct GuardViolation: Sendable, Hashable, CustomStringConvertible {
    /// The guard's name as written in `ngcpctl.yaml`: `max_deletes`, `max_terminations`,
    /// `allow_domain_delete`, `refuse_remove_all` or `protected`.
    public var guardName: String
    public var message: String
    public var objects: [ResourceID]

    public init(guardName: String, message: String, objects: [ResourceID]) {
        self.guardName = guardName
        self.message = message
        self.objects = objects
    }

    public var description: String {
        "guard \(guardName): \(message): "
            + objects.map(\.description).joined(separator: ", ")
    }
}

/// Checks a plan against a target's guards before anything is sent.
///
/// A removal is a `delete` operation, or an update that terminates a customer (a declared
/// `status: terminated`); both remove the object for good.
public enum GuardCheck {
    /// Every guard that `plan` breaks, in the order of `GuardSettings`' members.
    public static func evaluate(
        plan: Plan, settings: GuardSettings, desired: DesiredState, live: LiveState
    ) -> [GuardViolation] {
        var violations: [GuardViolation] = []
        let deletes = removals(plan, of: .subscribers)
        let terminations = removals(plan, of: .customers)
        let domainDeletes = removals(plan, of: .domains)

        if let limit = settings.maxDeletes, deletes.count > limit {
            violations.append(
                GuardViolation(
                    guardName: "max_deletes",
                    message: "the plan deletes \(deletes.count) subscribers, more than the "
                        + "limit of \(limit)",
                    objects: deletes))
        }
        if let limit = settings.maxTerminations, terminations.count > limit {
            violations.append(
                GuardViolation(
                    guardName: "max_terminations",
                    message: "the plan terminates \(terminations.count) customers, more than "
                        + "the limit of \(limit)",
                    objects: terminations))
        }
        if !settings.allowDomainDelete, !domainDeletes.isEmpty {
            violations.append(
                GuardViolation(
                    guardName: "allow_domain_delete",
                    message: "the plan deletes domains, which also deletes their subscribers, "
                        + "and this target does not allow it",
                    objects: domainDeletes))
        }
        if settings.refuseRemoveAll {
            violations += removeAll(plan, desired: desired, live: live)
        }
        let protected = plan.operations.filter { isRemoval($0) }.map(\.resourceID).filter { id in
            settings.protected.contains { matches(pattern: $0, id) }
        }
        if !protected.isEmpty {
            violations.append(
                GuardViolation(
                    guardName: "protected",
                    message: "the plan removes protected objects",
                    objects: unique(protected)))
        }
        return violations
    }

    static func isRemoval(_ operation: PlannedOperation) -> Bool {
        if operation.action == .delete { return true }
        return operation.resource == .customers && operation.irreversible
    }

    private static func removals(_ plan: Plan, of kind: ResourceKind) -> [ResourceID] {
        unique(plan.operations.filter { $0.resource == kind && isRemoval($0) }.map(\.resourceID))
    }

    /// The plan removes every live domain, customer or subscriber there is and the manifests
    /// declare none of that kind, which points at an empty or wrong manifest directory rather
    /// than an intent. Replacing the only subscriber is not such a case.
    private static func removeAll(_ plan: Plan, desired: DesiredState, live: LiveState)
        -> [GuardViolation]
    {
        var violations: [GuardViolation] = []
        let activeCustomers = desired.customers.filter { $0.fields["status"] != "terminated" }
        let present: [(ResourceKind, Int, Bool)] = [
            (.domains, live.domains.count, desired.domains.isEmpty),
            (
                .customers, live.customers.filter { $0["status"] != "terminated" }.count,
                activeCustomers.isEmpty
            ),
            (.subscribers, live.subscribers.count, desired.subscribers.isEmpty),
        ]
        for (kind, count, noneDeclared) in present where count > 0 && noneDeclared {
            let removed = removals(plan, of: kind)
            guard removed.count >= count else { continue }
            violations.append(
                GuardViolation(
                    guardName: "refuse_remove_all",
                    message: "the plan removes all \(count) live \(kind.rawValue); check that "
                        + "the manifest paths are right",
                    objects: removed))
        }
        return violations
    }

    /// Matches `collection/name` patterns with `*`; a pattern without `/` matches names in
    /// every collection.
    static func matches(pattern: String, _ id: ResourceID) -> Bool {
        guard let slash = pattern.firstIndex(of: "/") else {
            return Glob.matches(pattern: pattern, text: id.name)
        }
        let kind = String(pattern[..<slash])
        let name = String(pattern[pattern.index(after: slash)...])
        return Glob.matches(pattern: kind, text: id.kind.rawValue)
            && Glob.matches(pattern: name, text: id.name)
    }

    private static func unique(_ ids: [ResourceID]) -> [ResourceID] {
        Array(Set(ids)).sorted()
    }
}
