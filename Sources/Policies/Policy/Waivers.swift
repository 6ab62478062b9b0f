import NGCPCore

/// Waiver annotations: `ngcpctl.io/waive-<rule>: "<reason>"` on an object's manifest.
enum Waivers {
    /// The rule that reports a waiver annotation without a reason.
    static let reasonRequiredRule = "waiver-reason-required"
    /// The rule that reports a waiver annotation naming no loaded rule.
    static let unknownRuleRule = "waiver-unknown-rule"

    /// Returns the manifest that declares `resource`. Contacts belong to their customer's
    /// manifest, call forwards and preferences to their subscriber's.
    static func manifestOwner(of resource: ResourceID) -> ResourceID {
        switch resource.kind {
        case .customercontacts: return ResourceID(.customers, resource.name)
        case .callforwards, .subscriberpreferences: return ResourceID(.subscribers, resource.name)
        default: return resource
        }
    }

    static func annotations(for resource: ResourceID, in context: PolicyContext)
        -> (owner: ResourceID, values: [String: String])
    {
        let owner = manifestOwner(of: resource)
        return (owner, context.annotations[owner] ?? context.annotations[resource] ?? [:])
    }

    /// Records `violation`, or a waiver when the manifest waives the rule with a reason. An
    /// annotation with an empty reason waives nothing; `annotationProblems` reports it.
    static func apply(
        _ violation: PolicyViolation, rule: PolicyRule,
        annotations: (owner: ResourceID, values: [String: String]), to result: inout PolicyResult
    ) {
        guard let reason = annotations.values[rule.waiverAnnotation], !isBlank(reason) else {
            result.violations.append(violation)
            return
        }
        result.waivers.append(
            PolicyWaiver(violation: violation, reason: reason, annotatedResource: annotations.owner)
        )
    }

    /// Checks the waiver annotations of every object that the plan touches: an empty reason is
    /// a `deny` violation whether or not the rule is violated, and a waiver that names no
    /// loaded rule is a warning.
    static func annotationProblems(in plan: Plan, context: PolicyContext, rules: [PolicyRule])
        -> [PolicyViolation]
    {
        let names = rules.map(\.name)
        var seen: Set<ResourceID> = []
        var violations: [PolicyViolation] = []
        for operation in plan.operations {
            let (owner, values) = annotations(for: operation.resourceID, in: context)
            guard seen.insert(owner).inserted else { continue }

            for key in values.keys.sorted() where key.hasPrefix(PolicyWaiver.annotationPrefix) {
                if isBlank(values[key] ?? "") {
                    violations.append(
                        PolicyViolation(
                            rule: reasonRequiredRule, severity: .deny, resource: owner,
                            operationID: operation.id,
                            message: "annotation '\(key)' has an empty reason, so it waives"
                                + " nothing; write why the rule does not apply to this object"))
                }

                let name = String(key.dropFirst(PolicyWaiver.annotationPrefix.count))
                guard !names.contains(name) else { continue }
                var message = "annotation '\(key)' names no loaded rule"
                if let suggestion = closestName(to: name, in: names) {
                    message += "; did you mean '\(PolicyWaiver.annotationPrefix)\(suggestion)'?"
                }
                violations.append(
                    PolicyViolation(
                        rule: unknownRuleRule, severity: .warn, resource: owner,
                        operationID: operation.id, message: message))
            }
        }
        return violations
    }

    private static func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }
}
