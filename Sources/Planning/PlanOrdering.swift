import NGCPCore

/// Puts draft operations into their final, deterministic order and numbers them 1...N.
///
/// The sort key, compared field by field:
/// 1. removals (`delete` actions) before everything else, so that numbers and usernames are
///    free before other operations take them;
/// 2. the kind rank (`ResourceKind.applyRank`: domains, contacts, customers, subscribers,
///    call forwards, preferences), ascending for creates and updates and descending for
///    removals, so that subscriber deletes come before customer terminations and domain deletes;
/// 3. the natural key, ignoring case, then exactly;
/// 4. the method: POST, PUT, PATCH, DELETE;
/// 5. the step: a step that frees numbers before the main operation on the same object.
///
/// A dependency pass then walks the sorted list and places each operation's prerequisites
/// (in sort order) right before it when they are not placed yet, which lifts a prerequisite
/// ahead of its dependents without disturbing anything else.
enum PlanOrdering {
    struct CycleError: Error {
        var names: [String]
        var problem: PlanningProblem { .dependencyCycle(names) }
    }

    static func order(_ drafts: [DraftOperation]) throws(CycleError) -> [PlannedOperation] {
        // Names are lowered once, not in every comparison: a first import sorts tens of
        // thousands of drafts.
        let lowered = drafts.map { $0.name.lowercased() }
        let sorted = drafts.indices.sorted {
            precedes(drafts[$0], lowered[$0], drafts[$1], lowered[$1])
        }
        var rank: [Int: Int] = [:]
        for (position, draft) in sorted.enumerated() { rank[draft] = position }

        var placed: [Int] = []
        var state: [Int: Bool] = [:]  // false while visiting, true once placed
        func visit(_ draft: Int, path: [Int]) throws(CycleError) {
            if state[draft] == true { return }
            if state[draft] == false {
                let cycle = path.drop { $0 != draft } + [draft]
                throw CycleError(names: cycle.map { drafts[$0].resourceID.description })
            }
            state[draft] = false
            let prerequisites = drafts[draft].dependsOn.sorted {
                rank[$0, default: 0] < rank[$1, default: 0]
            }
            for prerequisite in prerequisites {
                try visit(prerequisite, path: path + [draft])
            }
            state[draft] = true
            placed.append(draft)
        }
        for draft in sorted { try visit(draft, path: []) }

        var finalID: [Int: Int] = [:]
        for (position, draft) in placed.enumerated() { finalID[draft] = position + 1 }
        return placed.map { draft in
            let operation = drafts[draft]
            return PlannedOperation(
                id: finalID[draft] ?? 0, action: operation.action, resource: operation.resource,
                name: operation.name, method: operation.method,
                path: renumber(path: operation.path, finalID),
                body: operation.body.map { renumber(body: $0, finalID) },
                dependsOn: operation.dependsOn.compactMap { finalID[$0] }.sorted(),
                changes: operation.changes.map { renumber(change: $0, finalID) },
                liveID: operation.liveID, irreversible: operation.irreversible,
                reason: operation.reason)
        }
    }

    /// Compares two drafts by the sort key described on the type, given their names in lower
    /// case.
    static func precedes(
        _ left: DraftOperation, _ leftName: String, _ right: DraftOperation,
        _ rightName: String
    ) -> Bool {
        let leftRemoval = left.action == .delete
        let rightRemoval = right.action == .delete
        if leftRemoval != rightRemoval { return leftRemoval }

        let leftRank = leftRemoval ? -left.resource.applyRank : left.resource.applyRank
        let rightRank = rightRemoval ? -right.resource.applyRank : right.resource.applyRank
        if leftRank != rightRank { return leftRank < rightRank }

        if leftName != rightName { return leftName < rightName }
        if left.name != right.name { return left.name < right.name }

        let leftMethod = methodRank(left.method)
        let rightMethod = methodRank(right.method)
        if leftMethod != rightMethod { return leftMethod < rightMethod }
        return left.step < right.step
    }

    private static func methodRank(_ method: HTTPMethod) -> Int {
        switch method {
        case .post: return 0
        case .put: return 1
        case .patch: return 2
        case .delete: return 3
        case .get: return 4
        }
    }

    // MARK: Renumbering

    /// Rewrites `{id:N}` segments from draft indices to final ids.
    static func renumber(path: String, _ finalID: [Int: Int]) -> String {
        guard let open = path.range(of: "{id:"),
            let close = path[open.upperBound...].firstIndex(of: "}"),
            let draft = Int(path[open.upperBound..<close]), let id = finalID[draft]
        else { return path }
        let rest = renumber(path: String(path[path.index(after: close)...]), finalID)
        return String(path[..<open.lowerBound]) + PlanPlaceholder.createdIDPath(of: id) + rest
    }

    /// Rewrites id placeholders inside a body from draft indices to final ids.
    static func renumber(body: JSONValue, _ finalID: [Int: Int]) -> JSONValue {
        switch body {
        case .array(let items):
            return .array(items.map { renumber(body: $0, finalID) })
        case .object(let members):
            if members[PlanPlaceholder.marker] == "id", let draft = members["operation"]?.intValue,
                let id = finalID[draft]
            {
                return PlanPlaceholder.createdID(of: id)
            }
            return .object(members.mapValues { renumber(body: $0, finalID) })
        default:
            return body
        }
    }

    private static func renumber(change: FieldChange, _ finalID: [Int: Int]) -> FieldChange {
        var result = change
        result.before = change.before.map { renumber(body: $0, finalID) }
        result.after = change.after.map { renumber(body: $0, finalID) }
        return result
    }
}

extension DraftOperation {
    var resourceID: ResourceID { ResourceID(resource, name) }
}
