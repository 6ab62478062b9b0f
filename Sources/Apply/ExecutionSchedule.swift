import NGCPCore

/// The order in which a plan's operations may run: a value-type state machine with no I/O.
///
/// An operation is ready when every operation it depends on has succeeded, none of its
/// serialisation keys is held by a running operation, and scheduling has not stopped. Ready
/// operations start in id order. Dependencies are the plan's `dependsOn` plus every operation
/// whose created id the operation's path or body refers to.
///
/// Each step costs time in proportion to the operations it touches, not to the plan's size.
/// An operation enters a priority queue once its last dependency succeeded, and it waits on
/// the key that blocked it. A failure walks only the operations that depend on it.
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
    private let operationsByID: [Int: PlannedOperation]
    private let dependencies: [Int: Set<Int>]
    /// The operations that depend on each operation, in id order.
    private let dependents: [Int: [Int]]
    /// For each operation, the number of its dependencies that have not succeeded yet.
    private var unmetDependencies: [Int: Int]
    private let keys: [Int: Set<String>]
    private var heldKeys: [String: Int] = [:]
    /// Pending operations whose dependencies have all succeeded, lowest id first.
    private var ready = IDHeap()
    /// Ready operations that found one of their keys held, by that key. When the key is
    /// released, only the lowest id is woken, so a customer's many subscribers are not all
    /// examined each time one of them finishes.
    private var waitingForKey: [String: IDHeap] = [:]
    private var runningCount = 0
    private let keepGoing: Bool
    /// The id of the first failed operation, once one failed.
    private(set) var firstFailure: Int?
    /// The number of operations examined by `start`, `finish` and the skipping of dependants,
    /// summed over the schedule's life: the measure of its work that tests check.
    private(set) var examinedCount = 0

    init(plan: Plan, keepGoing: Bool) {
        self.operations = plan.operations.sorted { $0.id < $1.id }
        self.keepGoing = keepGoing
        var states: [Int: State] = [:]
        var operationsByID: [Int: PlannedOperation] = [:]
        var dependencies: [Int: Set<Int>] = [:]
        for operation in operations where states[operation.id] == nil {
            states[operation.id] = .pending
            operationsByID[operation.id] = operation
            dependencies[operation.id] = Set(operation.dependsOn).union(
                PlaceholderResolver.referencedOperations(in: operation))
        }

        var dependents: [Int: [Int]] = [:]
        var unmet: [Int: Int] = [:]
        for operation in operations where operationsByID[operation.id] != nil {
            let required = dependencies[operation.id] ?? []
            unmet[operation.id] = required.count
            for dependency in required {
                dependents[dependency, default: []].append(operation.id)
            }
        }
        self.states = states
        self.operationsByID = operationsByID
        self.dependencies = dependencies
        self.dependents = dependents
        self.unmetDependencies = unmet
        self.keys = SerialisationKeys.compute(for: operations)

        for (id, count) in unmet.sorted(by: { $0.key < $1.key }) where count == 0 {
            ready.insert(id)
        }
        // A dependency that is not in the plan can never succeed.
        for operation in operations {
            let missing = (dependencies[operation.id] ?? []).contains { states[$0] == nil }
            if missing, self.states[operation.id] == .pending {
                skip(operation.id)
            }
        }
    }

    /// The operations that `id` depends on: its `dependsOn` and the operations whose created
    /// ids it refers to.
    func dependencies(of id: Int) -> Set<Int> {
        dependencies[id] ?? []
    }

    /// Operations that no longer wait on anything, marked running, lowest id first, at most
    /// `limit` of them.
    mutating func start(limit: Int) -> [PlannedOperation] {
        var started: [PlannedOperation] = []
        guard limit > 0, keepGoing || firstFailure == nil else { return started }

        while started.count < limit, let id = ready.popMin() {
            examinedCount += 1
            let operationKeys = keys[id] ?? []
            // An operation skipped while it was queued is dropped here. It may have been
            // woken for a free key, so the next waiter for that key is woken in its place.
            guard states[id] == .pending, let operation = operationsByID[id] else {
                wakeNextWaiter(for: operationKeys)
                continue
            }
            if let held = operationKeys.first(where: { heldKeys[$0] != nil }) {
                waitingForKey[held, default: IDHeap()].insert(id)
                wakeNextWaiter(for: operationKeys)
                continue
            }

            states[id] = .running
            runningCount += 1
            for key in operationKeys { heldKeys[key] = id }
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
        runningCount -= 1

        let released = (keys[id] ?? []).filter { heldKeys[$0] == id }
        for key in released { heldKeys[key] = nil }
        wakeNextWaiter(for: released)

        if succeeded {
            for dependent in dependents[id] ?? [] {
                examinedCount += 1
                guard states[dependent] == .pending else { continue }
                let remaining = (unmetDependencies[dependent] ?? 0) - 1
                unmetDependencies[dependent] = remaining
                if remaining == 0 { ready.insert(dependent) }
            }
            return
        }
        if firstFailure == nil {
            firstFailure = id
        }
        skipDependents(of: id)
    }

    var isRunning: Bool { runningCount > 0 }

    /// Marks every operation that has not started as skipped, with the reason why, once
    /// nothing is running and nothing more can start.
    mutating func skipRemaining() {
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

    /// Moves the lowest waiting operation of each free key among `keys` back to the ready
    /// queue. That operation either takes the key or, blocked by another key, wakes the next.
    private mutating func wakeNextWaiter(for keys: Set<String>) {
        for key in keys where heldKeys[key] == nil {
            guard let next = waitingForKey[key]?.popMin() else { continue }
            examinedCount += 1
            ready.insert(next)
        }
    }

    /// Skips `id` and, transitively, the pending operations that depend on it.
    private mutating func skip(_ id: Int) {
        guard let reason = blockedReason(id) else { return }
        states[id] = .skipped(reason)
        skipDependents(of: id)
    }

    /// Skips the pending operations that depend on `id`, which failed or was skipped, and
    /// the ones that depend on those, so that skips propagate down a chain.
    private mutating func skipDependents(of id: Int) {
        var queue = [id]
        var next = 0
        while next < queue.count {
            let source = queue[next]
            next += 1
            for dependent in dependents[source] ?? [] {
                examinedCount += 1
                guard states[dependent] == .pending, let reason = blockedReason(dependent)
                else { continue }
                states[dependent] = .skipped(reason)
                queue.append(dependent)
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

/// A binary min-heap of operation ids.
private struct IDHeap {
    private var items: [Int] = []

    mutating func insert(_ id: Int) {
        items.append(id)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { return first }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
