import NGCPCore

/// The effect of a violated rule on the run: `deny` blocks the plan, `warn` only reports.
public enum PolicySeverity: String, Sendable, Hashable, CaseIterable, Comparable {
    case warn
    case deny

    public static func < (lhs: PolicySeverity, rhs: PolicySeverity) -> Bool {
        lhs == .warn && rhs == .deny
    }
}

/// The extent of one evaluation of a rule.
public enum PolicyScope: String, Sendable, Hashable, CaseIterable {
    /// Once for each planned operation that the rule's `match` selects.
    case operation
    /// Once for the whole plan; `operation`, `desired` and `live` are null.
    case plan
}

/// A message with `{{ expression }}` placeholders, each a CEL expression evaluated with the
/// same variables as the rule's condition.
public struct MessageTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        case expression(CELProgram)
    }

    public let source: String
    let parts: [Part]

    /// True when a placeholder uses the variable `value`.
    public let usesValue: Bool
}

/// One guardrail: a CEL condition that is true when the rule is violated.
public struct PolicyRule: Sendable {
    /// The rule's name: lowercase letters, digits and dashes. Waiver annotations use it.
    public let name: String
    public let description: String?
    public var severity: PolicySeverity
    public let scope: PolicyScope
    /// The collections the rule applies to; every collection when the rule names none.
    public let resources: Set<ResourceKind>
    /// The planned actions the rule applies to; every action when the rule names none.
    public let actions: Set<PlannedAction>
    /// The CEL condition. The rule is violated when it evaluates to true.
    public let condition: CELProgram
    /// An expression for the offending value, available to the message as `value`.
    public let value: CELProgram?
    public let message: MessageTemplate?
    /// The rule's `parameters`, as the expressions see them in `params`.
    public var parameters: [String: JSONValue]
    /// False when an override switched the rule off.
    public var enabled: Bool
    /// The rule's position in its policy file.
    public let location: SourceLocation?

    /// The annotation that waives this rule for one object.
    public var waiverAnnotation: String { PolicyWaiver.annotationPrefix + name }

    func applies(to operation: PlannedOperation) -> Bool {
        (resources.isEmpty || resources.contains(operation.resource))
            && (actions.isEmpty || actions.contains(operation.action))
    }
}

/// The names an expression may use.
enum PolicyVariables {
    static let names: Set<String> = ["operation", "desired", "live", "plan", "target", "params"]
    static let messageNames: Set<String> = names.union(["value"])
}
