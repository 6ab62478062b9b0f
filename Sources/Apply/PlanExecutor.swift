import NGCPClient
import NGCPCore

/// A step of an apply, reported to the progress callback as it happens.
public enum ApplyEvent: Sendable {
    case started(PlannedOperation)
    case finished(PlannedOperation, OperationResult)
}

/// Runs the operations of a `Plan` against the API, exactly as planned.
///
/// Operations run in dependency order and then in id order. With `parallelism` above 1,
/// independent operations run at the same time, except that operations on the same customer
/// or subscriber still run one after the other. After the first failure no new operation
/// starts, unless `keepGoing` is set, in which case only the operations that depend on the
/// failed one are skipped.
public struct PlanExecutor: Sendable {
    public struct Options: Sendable {
        /// The maximum number of operations in flight.
        public var parallelism: Int
        /// Continue with the operations that do not depend on a failed one.
        public var keepGoing: Bool
        /// Count a DELETE that gets 404 as done (outcome `unchanged`), because the object is
        /// already gone, which is what the plan wanted.
        public var deleteNotFoundIsDone: Bool

        public init(
            parallelism: Int = 1, keepGoing: Bool = false, deleteNotFoundIsDone: Bool = true
        ) {
            self.parallelism = max(1, parallelism)
            self.keepGoing = keepGoing
            self.deleteNotFoundIsDone = deleteNotFoundIsDone
        }
    }

    public let client: NGCPAPIClient
    public let secrets: PlanSecrets
    public let options: Options
    public let logger: Logger
    private let progress: (@Sendable (ApplyEvent) -> Void)?

    public init(
        client: NGCPAPIClient, secrets: PlanSecrets = PlanSecrets(), options: Options = Options(),
        logger: Logger = .disabled, progress: (@Sendable (ApplyEvent) -> Void)? = nil
    ) {
        self.client = client
        self.secrets = secrets
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    /// Applies `plan` and returns one result per operation. Never throws: failures are
    /// recorded in the results.
    public func execute(_ plan: Plan) async -> ApplyResult {
        let clock = ContinuousClock()
        let started = clock.now

        // Every secret is read before the first request, so a missing one cannot leave the
        // target half changed.
        let resolvedSecrets: [SecretReference: SecretValue]
        do {
            resolvedSecrets = try readSecrets(plan)
        } catch {
            let message = "\(error)"
            let skipped = plan.operations.sorted { $0.id < $1.id }.map { operation in
                OperationResult(
                    operationID: operation.id, resourceID: operation.resourceID,
                    action: operation.action, outcome: .skipped,
                    error: "not run because a secret could not be read")
            }
            return ApplyResult(
                operations: skipped, error: message, duration: clock.now - started)
        }

        var schedule = ExecutionSchedule(plan: plan, keepGoing: options.keepGoing)
        var createdIDs: [Int: Int] = [:]
        var results: [Int: OperationResult] = [:]
        let operationsByID = Dictionary(
            plan.operations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        await withTaskGroup(of: OperationResult.self) { group in
            var running = 0
            while true {
                for operation in schedule.start(limit: options.parallelism - running) {
                    progress?(.started(operation))
                    let snapshot = createdIDs
                    group.addTask {
                        await self.run(operation, createdIDs: snapshot, secrets: resolvedSecrets)
                    }
                    running += 1
                }

                guard let result = await group.next() else { break }
                running -= 1
                results[result.operationID] = result
                if let id = result.createdID { createdIDs[result.operationID] = id }
                schedule.finish(result.operationID, succeeded: result.succeeded)
                if let operation = operationsByID[result.operationID] {
                    progress?(.finished(operation, result))
                }
            }
        }

        schedule.skipRemaining()
        for operation in schedule.operations where results[operation.id] == nil {
            var reason = "not run"
            if case .skipped(let text)? = schedule.states[operation.id] { reason = text }
            let result = OperationResult(
                operationID: operation.id, resourceID: operation.resourceID,
                action: operation.action, outcome: .skipped, error: reason)
            results[operation.id] = result
            progress?(.finished(operation, result))
        }

        let ordered = schedule.operations.compactMap { results[$0.id] }
        let result = ApplyResult(operations: ordered, duration: clock.now - started)
        var counts: [String: String] = [:]
        for (outcome, count) in result.summary { counts[outcome.rawValue] = "\(count)" }
        logger.info("apply finished", counts)
        return result
    }

    private func readSecrets(_ plan: Plan) throws -> [SecretReference: SecretValue] {
        var values: [SecretReference: SecretValue] = [:]
        for operation in plan.operations {
            guard let body = operation.body else { continue }
            for reference in PlaceholderResolver.secretReferences(in: body)
            where values[reference] == nil {
                values[reference] = try secrets.value(for: reference)
            }
        }
        return values
    }

    // MARK: One operation

    private func run(
        _ operation: PlannedOperation, createdIDs: [Int: Int],
        secrets: [SecretReference: SecretValue]
    ) async -> OperationResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = OperationResult(
            operationID: operation.id, resourceID: operation.resourceID,
            action: operation.action, outcome: Self.outcome(of: operation.action))

        do {
            let path = try PlaceholderResolver.resolvePath(
                operation.path, operation: operation.id, createdIDs: createdIDs)
            let body = try operation.body.map {
                try PlaceholderResolver.resolveBody(
                    $0, operation: operation.id, createdIDs: createdIDs, secrets: secrets)
            }
            try await send(operation, path: path, body: body, into: &result)
        } catch let error as NGCPAPIError {
            result.outcome = .failed
            result.error = error.description
        } catch {
            result.outcome = .failed
            result.error = "\(error)"
        }

        result.duration = clock.now - started
        logFinished(operation, result)
        return result
    }

    private func send(
        _ operation: PlannedOperation, path: String, body: JSONValue?,
        into result: inout OperationResult
    ) async throws {
        switch operation.method {
        case .post:
            let created: Result<Int, NGCPAPIError>
            do {
                created = .success(try await client.post(path, body: body ?? .object([:])))
            } catch {
                created = .failure(error)
            }
            switch created {
            case .success(let id):
                result.createdID = id
            case .failure(let error):
                guard error.outcomeUnknown else { throw error }
                try await recoverCreate(operation, after: error, into: &result)
            }
        case .put:
            try await client.put(path, body: body ?? .object([:]))
        case .patch:
            let operations = body?.arrayValue ?? []
            // A patch without `add` gives the same result when sent twice, so it may be
            // retried after a lost response.
            let idempotent = operations.allSatisfy { $0["op"]?.stringValue != "add" }
            try await client.patch(path, operations: operations, idempotent: idempotent)
        case .delete:
            let deletion = try await client.delete(
                path, notFoundIsDone: options.deleteNotFoundIsDone)
            if deletion == .alreadyAbsent {
                result.outcome = .unchanged
                result.note = "the object was already gone (404)"
            }
        case .get:
            _ = try await client.get(path)
            result.outcome = .unchanged
        }
    }

    /// Handles a create whose response was lost or was a 5xx: the object may exist. It is
    /// looked up by its natural key and adopted when found; a create is never sent twice.
    private func recoverCreate(
        _ operation: PlannedOperation, after error: NGCPAPIError,
        into result: inout OperationResult
    ) async throws {
        logger.warning(
            "create outcome unknown, looking the object up",
            ["resource": operation.resourceID.description, "error": error.message])

        guard let lookup = NaturalKeyLookup(operation) else {
            throw ApplyError(
                "\(error.description). A \(operation.resource.rawValue) object has no unique "
                    + "key to look it up by: check whether it was created before applying again")
        }

        let found: Int?
        do {
            found = try await lookup.find(with: client)
        } catch {
            throw ApplyError(
                "\(error.description). Looking \(operation.resourceID) up afterwards failed "
                    + "as well (\(error)): check whether it exists before applying again")
        }

        guard let id = found else {
            throw ApplyError(
                "\(error.description). No \(operation.resourceID) exists afterwards, so the "
                    + "create did not take effect")
        }
        result.createdID = id
        result.note = "the create's response was lost; adopted the existing object \(id)"
    }

    private static func outcome(of action: PlannedAction) -> Outcome {
        switch action {
        case .create: return .created
        case .update: return .updated
        case .delete: return .deleted
        }
    }

    private func logFinished(_ operation: PlannedOperation, _ result: OperationResult) {
        var metadata = [
            "operation": "\(operation.id)", "resource": operation.resourceID.description,
            "outcome": result.outcome.rawValue,
        ]
        if let id = result.createdID { metadata["created_id"] = "\(id)" }
        if let error = result.error {
            metadata["error"] = error
            logger.error("operation failed", metadata)
        } else {
            logger.info("operation finished", metadata)
        }
    }
}

/// Finds an object by its natural key with server-side filters, then compares exactly,
/// because NGCP filters are case-insensitive and treat `*` and `?` as wildcards.
struct NaturalKeyLookup {
    let collection: String
    let filters: [String: String]
    let matches: @Sendable (JSONValue) -> Bool

    /// Nil for kinds without a unique key: a contact's e-mail may repeat.
    init?(_ operation: PlannedOperation) {
        let name = operation.name
        switch operation.resource {
        case .domains:
            collection = "domains"
            filters = ["domain": name]
            matches = { $0["domain"]?.stringValue?.lowercased() == name.lowercased() }
        case .customers:
            collection = "customers"
            filters = ["external_id": name]
            matches = { $0["external_id"]?.stringValue == name }
        case .subscribers:
            guard let at = name.lastIndex(of: "@") else { return nil }
            let username = String(name[..<at])
            let domain = String(name[name.index(after: at)...])
            collection = "subscribers"
            filters = ["username": username, "domain": domain]
            // The domain member is the name in NGCP's subscriber representation.
            matches = {
                $0["username"]?.stringValue?.lowercased() == username.lowercased()
                    && ($0["domain"]?.stringValue.map { $0.lowercased() == domain.lowercased() }
                        ?? true)
            }
        case .customercontacts, .callforwards, .subscriberpreferences:
            return nil
        }
    }

    func find(with client: NGCPAPIClient) async throws(NGCPAPIError) -> Int? {
        let items = try await client.list(collection, filters: filters, rows: 10)
        return items.first(where: matches)?["id"]?.intValue
    }
}
