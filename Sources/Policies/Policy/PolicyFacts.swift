import NGCPCore

/// The `operation` and `plan` variables, built from the plan.
enum PolicyFacts {
    static func operation(_ operation: PlannedOperation) -> CELValue {
        let changes: [JSONValue] = operation.changes.map { change in
            [
                "path": .string(change.path), "before": change.before ?? .null,
                "after": change.after ?? .null, "sensitive": .bool(change.sensitive),
                "removed": .bool(change.removed),
            ]
        }
        let value: JSONValue = [
            "id": .int(operation.id),
            "action": .string(operation.action.rawValue),
            "resource": .string(operation.resource.rawValue),
            "name": .string(operation.name),
            "method": .string(operation.method.rawValue),
            "path": .string(operation.path),
            "body": operation.body ?? .null,
            "depends_on": .array(operation.dependsOn.map(JSONValue.int)),
            "changes": .array(changes),
            "live_id": operation.liveID.map(JSONValue.int) ?? .null,
            "irreversible": .bool(operation.irreversible),
            "terminates": .bool(terminates(operation)),
        ]
        return CELValue(value)
    }

    /// True for an operation that terminates a customer or subscriber: NGCP's DELETE on these
    /// collections terminates, and so does setting `status` to `terminated`.
    static func terminates(_ operation: PlannedOperation) -> Bool {
        guard operation.resource == .customers || operation.resource == .subscribers else {
            return false
        }
        if operation.action == .delete { return true }
        return operation.changes.contains {
            $0.path == "status" && $0.after == .string("terminated")
        }
    }

    static func plan(_ plan: Plan) -> CELValue {
        var actions: [String: JSONValue] = [:]
        for action in PlannedAction.allCases { actions[action.rawValue] = .int(0) }
        var resources: [String: [String: JSONValue]] = [:]
        for kind in ResourceKind.allCases { resources[kind.rawValue] = actions }

        var terminations = 0
        var removals = 0
        var irreversible = 0
        for operation in plan.operations {
            let action = operation.action.rawValue
            let kind = operation.resource.rawValue
            actions[action] = .int((actions[action]?.intValue ?? 0) + 1)
            let count = resources[kind]?[action]?.intValue ?? 0
            resources[kind]?[action] = .int(count + 1)
            if terminates(operation) { terminations += 1 }
            if operation.action == .delete || terminates(operation) { removals += 1 }
            if operation.irreversible { irreversible += 1 }
        }

        let value: JSONValue = [
            "operations": .int(plan.operations.count),
            "actions": .object(actions),
            "resources": .object(resources.mapValues(JSONValue.object)),
            "terminations": .int(terminations),
            "removals": .int(removals),
            "irreversible": .int(irreversible),
        ]
        return CELValue(value)
    }
}
