import NGCPCore

/// The result of applying one planned operation.
public struct OperationResult: Sendable, Hashable {
    /// The `PlannedOperation.id` this result belongs to.
    public var operationID: Int
    public var resourceID: ResourceID
    public var action: PlannedAction
    public var outcome: Outcome
    /// The reason the operation failed or was skipped, or nil.
    public var error: String?
    /// The server id of the object that a create made (or adopted), from its Location header.
    public var createdID: Int?
    /// Extra facts about a success, such as an object adopted after a lost response.
    public var note: String?
    /// Fields that the server stored differently from what was sent, found by reading the
    /// object back. They do not make the operation fail.
    public var warnings: [String] = []
    /// True when reading the written object back failed, so that its fields were not
    /// checked. One of `warnings` gives the reason.
    public var readBackFailed = false
    /// True for a failed write that may or may not have taken effect: its response was lost
    /// or was a 5xx, and neither a lookup nor a read-back settled it.
    public var outcomeUnknown = false
    /// True for a create that was not sent because an interrupted earlier apply had made the
    /// object already. The object has the values of that apply's request.
    public var adoptedFromEarlierApply = false
    public var duration: Duration

    public init(
        operationID: Int, resourceID: ResourceID, action: PlannedAction, outcome: Outcome,
        error: String? = nil, createdID: Int? = nil, note: String? = nil,
        duration: Duration = .zero
    ) {
        self.operationID = operationID
        self.resourceID = resourceID
        self.action = action
        self.outcome = outcome
        self.error = error
        self.createdID = createdID
        self.note = note
        self.duration = duration
    }

    /// True for every outcome but `failed` and `skipped`.
    public var succeeded: Bool { outcome != .failed && outcome != .skipped }

    /// The result members that an operation's JSON gains in apply output: `outcome`, `error`,
    /// `created_id`, `note` and `duration_ms`. Absent values are `null`, so every result has
    /// the same keys.
    public var outcomeFields: [String: JSONValue] {
        let milliseconds =
            duration.components.seconds * 1000
            + duration.components.attoseconds / 1_000_000_000_000_000
        return [
            "outcome": .string(outcome.rawValue),
            "error": error.map { .string($0) } ?? .null,
            "created_id": createdID.map { .int($0) } ?? .null,
            "note": note.map { .string($0) } ?? .null,
            "duration_ms": .int(Int(milliseconds)),
            "warnings": .array(warnings.map(JSONValue.string)),
        ]
    }

    /// `operationJSON` (an operation as the plan encoder writes it) with the outcome fields
    /// added. A value that is not an object is returned unchanged.
    public func merged(into operationJSON: JSONValue) -> JSONValue {
        guard case .object(var members) = operationJSON else { return operationJSON }
        for (key, value) in outcomeFields { members[key] = value }
        return .object(members)
    }
}

/// The results of applying a whole plan, operation by operation.
public struct ApplyResult: Sendable, Hashable {
    /// One result per planned operation, in operation id order.
    public var operations: [OperationResult]
    /// A failure that stopped the apply before any request, such as an unreadable secret.
    public var error: String?
    /// True when SIGINT or SIGTERM stopped the apply before every operation ran.
    public var interrupted: Bool = false
    public var duration: Duration

    public init(operations: [OperationResult], error: String? = nil, duration: Duration = .zero) {
        self.operations = operations
        self.error = error
        self.duration = duration
    }

    /// True when every operation succeeded.
    public var succeeded: Bool {
        error == nil && !interrupted && operations.allSatisfy(\.succeeded)
    }

    /// True when the apply changed the target or may have changed it: an operation created,
    /// updated or deleted something, or a failed write's outcome is unknown.
    public var mayHaveChangedTarget: Bool {
        operations.contains { result in
            [.created, .updated, .deleted].contains(result.outcome) || result.outcomeUnknown
        }
    }

    /// The operations that failed with an unknown outcome.
    public var unknownOutcomes: [OperationResult] {
        operations.filter { $0.outcome == .failed && $0.outcomeUnknown }
    }

    /// Result counts per outcome, with every outcome present.
    public var summary: [Outcome: Int] {
        var counts: [Outcome: Int] = [:]
        for outcome in Outcome.allCases { counts[outcome] = 0 }
        for result in operations { counts[result.outcome, default: 0] += 1 }
        return counts
    }

    public func result(for operationID: Int) -> OperationResult? {
        operations.first { $0.operationID == operationID }
    }

    /// The apply output document: `operations` (each planned operation as `operationJSON`
    /// writes it, with its outcome fields added) and `summary`. The plan's own encoder is
    /// passed in, so this module does not define a second one.
    public func jsonValue(
        for plan: Plan, operationJSON: (PlannedOperation) -> JSONValue
    ) -> JSONValue {
        let byID = Dictionary(
            operations.map { ($0.operationID, $0) }, uniquingKeysWith: { first, _ in first })
        let operations = plan.operations.sorted { $0.id < $1.id }.map { operation in
            let encoded = operationJSON(operation)
            return byID[operation.id]?.merged(into: encoded) ?? encoded
        }
        return ["operations": .array(operations), "summary": summaryJSON]
    }

    /// The summary as a JSON object: one count per outcome plus `succeeded` and `error`.
    public var summaryJSON: JSONValue {
        var members: [String: JSONValue] = [:]
        for (outcome, count) in summary { members[outcome.rawValue] = .int(count) }
        members["succeeded"] = .bool(succeeded)
        members["interrupted"] = .bool(interrupted)
        members["error"] = error.map { .string($0) } ?? .null
        return .object(members)
    }
}
