import NGCPCore

/// Facts about a plan that the caller supplies besides the plan itself.
public struct PolicyContext: Sendable {
    /// The target's name, as `target` in expressions.
    public var target: String?
    /// The desired object of each operation, by operation id, in API shape. For subscribers,
    /// the caller adds the derived password facts (see docs/policies.md), never a password.
    public var desired: [Int: JSONValue]
    /// The live object of each operation, by operation id, in API shape.
    public var live: [Int: JSONValue]
    /// The manifest annotations of each declared object.
    public var annotations: [ResourceID: [String: String]]

    public init(
        target: String? = nil, desired: [Int: JSONValue] = [:], live: [Int: JSONValue] = [:],
        annotations: [ResourceID: [String: String]] = [:]
    ) {
        self.target = target
        self.desired = desired
        self.live = live
        self.annotations = annotations
    }
}

/// A violated rule.
public struct PolicyViolation: Sendable, Hashable, CustomStringConvertible {
    public var rule: String
    public var severity: PolicySeverity
    /// The object concerned; nil for a rule with scope `plan`.
    public var resource: ResourceID?
    public var operationID: Int?
    public var message: String
    /// The result of the rule's `value` expression, when it has one.
    public var value: JSONValue?
    /// True when the rule failed to evaluate; the violation then takes its place, because an
    /// unchecked rule must not let a plan through.
    public var isEvaluationError: Bool
    /// The rule's position in its policy file; nil for violations about waiver annotations.
    public var ruleLocation: SourceLocation?

    public init(
        rule: String, severity: PolicySeverity, resource: ResourceID?, operationID: Int?,
        message: String, value: JSONValue? = nil, isEvaluationError: Bool = false,
        ruleLocation: SourceLocation? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.resource = resource
        self.operationID = operationID
        self.message = message
        self.value = value
        self.isEvaluationError = isEvaluationError
        self.ruleLocation = ruleLocation
    }

    /// `deny rule-name (subscribers/a@b, operation 3): message`
    public var description: String {
        var scope: [String] = []
        if let resource { scope.append(resource.description) }
        if let operationID { scope.append("operation \(operationID)") }
        let scopeText = scope.isEmpty ? "" : " (\(scope.joined(separator: ", ")))"
        return "\(severity.rawValue) \(rule)\(scopeText): \(message)"
    }
}

/// A violation that a manifest annotation waived.
public struct PolicyWaiver: Sendable, Hashable {
    /// Waiver annotations are this prefix followed by the rule name.
    public static let annotationPrefix = "ngcpctl.io/waive-"

    public var violation: PolicyViolation
    /// The annotation's value: why the rule does not apply to this object.
    public var reason: String
    /// The object whose manifest carries the annotation.
    public var annotatedResource: ResourceID
}

/// The outcome of checking one plan.
public struct PolicyResult: Sendable, Hashable {
    public var violations: [PolicyViolation]
    public var waivers: [PolicyWaiver]

    public init(violations: [PolicyViolation] = [], waivers: [PolicyWaiver] = []) {
        self.violations = violations
        self.waivers = waivers
    }

    /// True when a `deny` violation blocks the plan.
    public var isDenied: Bool { violations.contains { $0.severity == .deny } }
    public var denials: [PolicyViolation] { violations.filter { $0.severity == .deny } }
    public var warnings: [PolicyViolation] { violations.filter { $0.severity == .warn } }

    /// True when the plan must not proceed: a `deny` violation, or with `warningsAsErrors`
    /// any violation.
    public func blocks(warningsAsErrors: Bool) -> Bool {
        warningsAsErrors ? !violations.isEmpty : isDenied
    }
}

/// A loaded set of rules.
public struct PolicySet: Sendable {
    public private(set) var rules: [PolicyRule]

    public init(rules: [PolicyRule] = []) {
        self.rules = rules
    }

    public func rule(named name: String) -> PolicyRule? {
        rules.first { $0.name == name }
    }

    /// Evaluates the rules on `plan` and returns the violations that no annotation waived.
    public func evaluate(plan: Plan, context: PolicyContext) -> [PolicyViolation] {
        check(plan: plan, context: context).violations
    }

    /// Evaluates the rules on `plan` and returns the violations and the waivers that applied.
    /// Plan-wide violations come first, then those of each operation in rule order.
    public func check(plan: Plan, context: PolicyContext) -> PolicyResult {
        let planValue = PolicyFacts.plan(plan)
        let target: CELValue = context.target.map(CELValue.string) ?? .null
        let active = rules.filter(\.enabled)
        var result = PolicyResult()

        for rule in active where rule.scope == .plan {
            let variables: [String: CELValue] = [
                "operation": .null, "desired": .null, "live": .null, "plan": planValue,
                "target": target, "params": CELValue(.object(rule.parameters)),
            ]
            if let violation = evaluate(rule, variables, resource: nil, operationID: nil) {
                result.violations.append(violation)
            }
        }

        for operation in plan.operations {
            let annotations = Waivers.annotations(for: operation.resourceID, in: context)
            let rulesForOperation = active.filter {
                $0.scope == .operation && $0.applies(to: operation)
            }
            guard !rulesForOperation.isEmpty else { continue }

            // Converted once per operation and shared by its rules.
            var variables: [String: CELValue] = [
                "operation": PolicyFacts.operation(operation),
                "desired": context.desired[operation.id].map(CELValue.init) ?? .null,
                "live": context.live[operation.id].map(CELValue.init) ?? .null,
                "plan": planValue, "target": target,
            ]
            for rule in rulesForOperation {
                variables["params"] = CELValue(.object(rule.parameters))
                guard
                    let violation = evaluate(
                        rule, variables, resource: operation.resourceID,
                        operationID: operation.id)
                else { continue }
                Waivers.apply(
                    violation, rule: rule, annotations: annotations, to: &result)
            }
        }

        result.violations += Waivers.annotationProblems(
            in: plan, context: context, rules: rules)
        return result
    }

    private func evaluate(
        _ rule: PolicyRule, _ variables: [String: CELValue], resource: ResourceID?,
        operationID: Int?
    ) -> PolicyViolation? {
        // The value comes first, so that the condition can test it.
        var scope = variables
        var value: CELValue?
        if let program = rule.value {
            do {
                value = try program.evaluate(variables)
                scope["value"] = value
            } catch {
                return PolicyViolation(
                    rule: rule.name, severity: rule.severity, resource: resource,
                    operationID: operationID,
                    message: "rule could not be evaluated: value: \(error)",
                    isEvaluationError: true, ruleLocation: rule.location)
            }
        }

        let outcome: CELValue
        do {
            outcome = try rule.condition.evaluate(scope)
        } catch {
            return PolicyViolation(
                rule: rule.name, severity: rule.severity, resource: resource,
                operationID: operationID,
                message: "rule could not be evaluated: condition: \(error)",
                isEvaluationError: true, ruleLocation: rule.location)
        }
        switch outcome {
        case .bool(false):
            return nil
        case .bool(true):
            break
        default:
            return PolicyViolation(
                rule: rule.name, severity: rule.severity, resource: resource,
                operationID: operationID,
                message: "rule could not be evaluated: the condition returned "
                    + "\(outcome.type.rawValue), not bool",
                isEvaluationError: true, ruleLocation: rule.location)
        }

        let message =
            rule.message.map { $0.render(scope) }
            ?? rule.description ?? "rule '\(rule.name)' is violated"
        return PolicyViolation(
            rule: rule.name, severity: rule.severity, resource: resource,
            operationID: operationID, message: message, value: value?.json,
            ruleLocation: rule.location)
    }
}

extension MessageTemplate {
    /// Renders the message with each placeholder replaced. A placeholder that fails to
    /// evaluate shows the error in angle brackets, so the violation is still reported.
    func render(_ variables: [String: CELValue]) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let literal):
                text += literal
            case .expression(let program):
                do {
                    text += Self.display(try program.evaluate(variables))
                } catch {
                    text += "<\(error.message)>"
                }
            }
        }
        return text
    }

    /// Strings appear without quotes, lists as comma-separated items, other values as CEL
    /// literals.
    static func display(_ value: CELValue) -> String {
        switch value {
        case .string(let text): return text
        case .list(let items): return items.map(display).joined(separator: ", ")
        default: return value.literal
        }
    }
}

extension PolicySet {
    /// The built-in pack with its default parameters.
    ///
    /// The pack is part of the program and checked by the test suite, so a load failure here
    /// is a programming error.
    public static let builtIn: PolicySet = {
        let result = PolicyLoader().load(documents: BuiltInPolicies.documents)
        precondition(
            !result.hasErrors, "the built-in policy pack has errors: \(result.diagnostics)")
        return result.policies
    }()
}
