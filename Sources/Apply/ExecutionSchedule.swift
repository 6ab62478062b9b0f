import NGCPCore

/// The order in which a plan's operations may run: a value-type state machine with no I/O.
///
/// An operation is ready when every operation it depends on has succeeded, none of its
/// serialisation keys is held by a running operation, and scheduling has not stopped. Ready
/// operations start in id order. Dependencies are the plan's `dependsOn` plus every operation
/// whose created id the operation's path or body refers to.
struct ExecutionSchedule {
    enum State: Equatable {
        case pending
        case running
        case succeeded
        case failed
        case skipped(String)
    }

    private(set) var operations: [PlannedOperation]
    private(set) var states: [Int: State]
    private let dependencies: [Int: Set<Int>]
    private let keys: [Int: Set<String>]
    private var heldKeys: [String: Int] = [:]
    private let keepGoing: Bool
    /// The id of the first failed operation, once one failed.
    private(set) var firstFailure: Int?

    init(plan: Plan, keepGoing: Bool) {
        self.operations = plan.operations.sorted { $0.id < $1.id }
        self.keepGoing = keepGoing
        var states: [Int: State] = [:]
        var dependencies: [Int: Set<Int>] = [:]
        for operation in operations {
            states[operation.id] = .pending
            dependencies[operation.id] = Set(operation.dependsOn).union(
                PlaceholderResolver.referencedOperations(in: operation))
        }
        self.states = states
        self.dependencies = dependencies
        self.keys = SerialisationKeys.compute(for: operations)
    }

    /// Operations that no longer wait on anything, marked running, lowest id first, at most
    /// `limit` of them.
    mutating func start(limit: Int) -> [PlannedOperation] {
        var started: [PlannedOperation] = []
        guard limit > 0, keepGoing || firstFailure == nil else { return started }

        for operation in operations where started.count < limit {
            guard states[operation.id] == .pending else { continue }
            guard isReady(operation.id) else { continue }
            let operationKeys = keys[operation.id] ?? []
            guard operationKeys.allSatisfy({ heldKeys[$0] == nil }) else { continue }

            states[operation.id] = .running
            for key in operationKeys { heldKeys[key] = operation.id }
            started.append(operation)
        }
        return started
    }

    /// Records the end of a running operation and skips what can no longer run.
    mutating func finish(_ id: Int, succeeded: Bool) {
        precondition(
            states[id] == .running,
            "operation \(id) finished while \(String(describing: states[id]))")
        states[id] = succeeded ? .succeeded : .failed
        for key in keys[id] ?? [] where heldKeys[key] == id {
            heldKeys[key] = nil
        }
        if !succeeded, firstFailure == nil {
            firstFailure = id
        }
        skipUnreachable()
    }

    var isRunning: Bool { states.values.contains(.running) }

    /// Marks every operation that has not started as skipped, with the reason why, once
    /// nothing is running and nothing more can start.
    mutating func skipRemaining() {
        skipUnreachable()
        for operation in operations where states[operation.id] == .pending {
            if !keepGoing, let failure = firstFailure {
                states[operation.id] = .skipped(
                    "not run because operation \(failure) failed and the apply stopped")
            } else {
                states[operation.id] = .skipped(
                    "not run because its dependencies form a cycle or name a missing operation")
            }
        }
    }

    private func isReady(_ id: Int) -> Bool {
        (dependencies[id] ?? []).allSatisfy { states[$0] == .succeeded }
    }

    /// Skips pending operations whose dependency failed, was skipped or is not in the plan,
    /// repeating until no more change, so that skips propagate down a chain.
    private mutating func skipUnreachable() {
        var changed = true
        while changed {
            changed = false
            for operation in operations where states[operation.id] == .pending {
                guard let reason = blockedReason(operation.id) else { continue }
                states[operation.id] = .skipped(reason)
                changed = true
            }
        }
    }

    private func blockedReason(_ id: Int) -> String? {
        for dependency in (dependencies[id] ?? []).sorted() {
            switch states[dependency] {
            case nil:
                return "not run because it depends on operation \(dependency), "
                    + "which is not in the plan"
            case .failed:
                return "not run because it depends on operation \(dependency), which failed"
            case .skipped:
                return "not run because it depends on operation \(dependency), "
                    + "which was skipped"
            case .pending, .running, .succeeded:
                continue
            }
        }
        return nil
    }
}

/// Keys that make operations on the same customer or subscriber run one at a time when
/// several run in parallel. NGCP updates a customer's subscribers, numbers and limits
/// together, so concurrent writes to one customer risk lock waits and limit races.
enum SerialisationKeys {
    static func compute(for operations: [PlannedOperation]) -> [Int: Set<String>] {
        var keys: [Int: Set<String>] = [:]
        // Operations are handled in id order, so a referenced create usually has its keys
        // already.
        for operation in operations.sorted(by: { $0.id < $1.id }) {
            keys[operation.id] = ownKeys(of: operation, known: keys)
        }
        return keys
    }

    private static func ownKeys(of operation: PlannedOperation, known: [Int: Set<String>])
        -> Set<String>
    {
        var result: Set<String> = []
        switch operation.resource {
        case .customers, .customercontacts:
            result.insert("customer:\(operation.name)")
            if operation.resource == .customers, let id = operation.liveID {
                result.insert("customer-id:\(id)")
            }
        case .subscribers, .callforwards, .subscriberpreferences:
            result.insert("subscriber:\(operation.name)")
            switch operation.body?["customer_id"] {
            case .int(let id)?:
                result.insert("customer-id:\(id)")
            case let placeholder?:
                if let source = PlaceholderResolver.createdIDReference(placeholder) {
                    result.formUnion(known[source] ?? [])
                }
            case nil:
                break
            }
        case .domains:
            result.insert("domain:\(operation.name)")
        }
        return result
    }
}
