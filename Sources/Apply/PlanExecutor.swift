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
        /// Creates that an earlier, interrupted run started (from `ApplyJournal.read`): the
        /// object is looked up before it is posted, and adopted when it exists.
        public var recovery: ApplyJournal.Recovery
        /// Read each written object back and compare it with what was sent.
        public var verifyWrites: Bool

        public init(
            parallelism: Int = 1, keepGoing: Bool = false, deleteNotFoundIsDone: Bool = true,
            recovery: ApplyJournal.Recovery = ApplyJournal.Recovery(), verifyWrites: Bool = true
        ) {
            self.parallelism = max(1, parallelism)
            self.keepGoing = keepGoing
            self.deleteNotFoundIsDone = deleteNotFoundIsDone
            self.recovery = recovery
            self.verifyWrites = verifyWrites
        }
    }

    public let client: NGCPAPIClient
    public let secrets: PlanSecrets
    public let options: Options
    public let logger: Logger
    /// The journal that records each operation before it is sent and after it finishes, or nil.
    public let journal: ApplyJournal?
    /// Set by a signal handler to stop starting operations.
    public let stop: StopRequest?
    private let progress: (@Sendable (ApplyEvent) -> Void)?

    public init(
        client: NGCPAPIClient, secrets: PlanSecrets = PlanSecrets(), options: Options = Options(),
        logger: Logger = .disabled, journal: ApplyJournal? = nil, stop: StopRequest? = nil,
        progress: (@Sendable (ApplyEvent) -> Void)? = nil
    ) {
        self.stop = stop
        self.client = client
        self.secrets = secrets
        self.options = options
        self.logger = logger
        self.journal = journal
        self.progress = progress
    }

    /// Applies `plan` and returns one result per operation. Never throws: failures are
    /// recorded in the results. When the calling task is cancelled (on SIGINT or SIGTERM), no
    /// new operation starts, the running ones finish, and the rest are skipped.
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
        let webPasswordDigests = WebPasswordRecords.webPasswordDigests(of: plan)

        var interrupted = false
        await withTaskGroup(of: OperationResult.self) { group in
            var running = 0
            while true {
                if Task.isCancelled || stop?.isRequested == true, !interrupted {
                    interrupted = true
                    logger.warning("interrupted: waiting for the requests in flight", [:])
                }
                let limit = interrupted ? 0 : options.parallelism - running
                for operation in schedule.start(limit: limit) {
                    progress?(.started(operation))
                    // Only the ids this operation refers to are passed: a copy of the whole
                    // map per operation would make an apply quadratic in its size.
                    var referenced: [Int: Int] = [:]
                    for source in schedule.dependencies(of: operation.id) {
                        referenced[source] = createdIDs[source]
                    }
                    group.addTask { [referenced] in
                        await self.run(
                            operation, createdIDs: referenced, secrets: resolvedSecrets)
                    }
                    running += 1
                }

                guard let result = await group.next() else { break }
                running -= 1
                results[result.operationID] = result
                if let id = result.createdID { createdIDs[result.operationID] = id }
                schedule.finish(result.operationID, succeeded: result.succeeded)
                if let operation = operationsByID[result.operationID] {
                    // The records are written once the operations end, so a killed run leaves
                    // their changes only in the journal.
                    await journal?.finished(
                        operation, result,
                        webPasswordRecord: WebPasswordRecords.change(
                            for: operation, outcome: result, digests: webPasswordDigests))
                    progress?(.finished(operation, result))
                }
            }
        }

        schedule.skipRemaining()
        for operation in schedule.operations where results[operation.id] == nil {
            var reason = "not run"
            if case .skipped(let text)? = schedule.states[operation.id] { reason = text }
            if interrupted, schedule.firstFailure == nil || options.keepGoing {
                reason = "not run because the apply was interrupted"
            }
            let result = OperationResult(
                operationID: operation.id, resourceID: operation.resourceID,
                action: operation.action, outcome: .skipped, error: reason)
            results[operation.id] = result
            progress?(.finished(operation, result))
        }

        let ordered = schedule.operations.compactMap { results[$0.id] }
        var result = ApplyResult(operations: ordered, duration: clock.now - started)
        result.interrupted = interrupted && ordered.contains { $0.outcome == .skipped }
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
            if operation.method == .post,
                options.recovery.creates.keys.contains(
                    operation.resourceID),
                try await adoptEarlierCreate(operation, body: body, into: &result)
            {
                result.duration = clock.now - started
                logFinished(operation, result)
                return result
            }
            await journal?.started(operation, path: path)
            try await send(operation, path: path, body: body, into: &result)
            if options.verifyWrites {
                await verify(operation, path: path, body: body, into: &result)
            }
        } catch let error as NGCPAPIError {
            result.outcome = .failed
            result.error = error.description
            result.outcomeUnknown = error.outcomeUnknown
        } catch let error as ApplyError {
            result.outcome = .failed
            result.error = error.message
            result.outcomeUnknown = error.outcomeUnknown
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
            try await create(operation, path: path, body: body, into: &result)
        case .put:
            let failure: NGCPAPIError
            do {
                try await client.put(path, body: body ?? .object([:]))
                return
            } catch {
                failure = error
            }
            try await confirmWrite(operation, path: path, body: body, after: failure, into: &result)
        case .patch:
            let operations = body?.arrayValue ?? []
            let failure: NGCPAPIError
            do {
                try await client.patch(
                    path, operations: operations,
                    idempotent: operations.allSatisfy(Self.isIdempotentPatch))
                return
            } catch {
                failure = error
            }
            try await confirmWrite(operation, path: path, body: body, after: failure, into: &result)
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

    /// True for a JSON Patch operation that leaves the same result when applied twice:
    /// `replace`, `add` of an object member (NGCP's `add` sets the member), and `remove`
    /// without `index`. An `add` with `mode: append`, to an array position or to `-` adds
    /// again, and a `remove` with `index` removes the next match.
    static func isIdempotentPatch(_ patch: JSONValue) -> Bool {
        let lastSegment = patch["path"]?.stringValue?.split(separator: "/").last.map(String.init)
        switch patch["op"]?.stringValue {
        case "replace":
            return true
        case "add":
            guard patch["mode"] == nil, let lastSegment else { return false }
            return lastSegment != "-" && Int(lastSegment) == nil
        case "remove":
            return patch["index"] == nil
        default:
            return false
        }
    }

    /// Posts a create. When its outcome is unknown, the object is looked up by its natural
    /// key and adopted when found. When the lookup shows that it does not exist after a 500,
    /// 502 or 503, the create certainly did not take effect, so it is posted again, up to
    /// the retry policy's attempts.
    private func create(
        _ operation: PlannedOperation, path: String, body: JSONValue?,
        into result: inout OperationResult
    ) async throws {
        let maxAttempts = client.retryPolicy.maxAttempts
        var attempt = 1
        while true {
            let failure: NGCPAPIError
            do {
                result.createdID = try await client.post(path, body: body ?? .object([:]))
                if attempt > 1 {
                    result.note =
                        "created at attempt \(attempt); the earlier ones did not "
                        + "take effect"
                }
                return
            } catch {
                failure = error
            }
            guard failure.outcomeUnknown else { throw failure }
            if try await recoverCreate(operation, body: body, after: failure, into: &result) {
                return
            }

            guard Self.absentCreateMayBeRepeated(failure) else {
                throw ApplyError(
                    "\(failure.description). No \(operation.resourceID) exists yet, but the "
                        + "server may still be creating it: run the same command again, it "
                        + "checks the live state", outcomeUnknown: true)
            }
            guard attempt < maxAttempts else {
                throw ApplyError(
                    "\(failure.description). No \(operation.resourceID) exists afterwards, so "
                        + "the create did not take effect (\(attempt) attempts); run the same "
                        + "command again")
            }
            let delay = client.retryPolicy.delay(afterAttempt: attempt, retryAfter: nil)
            logger.warning(
                "create did not take effect, posting it again",
                [
                    "resource": operation.resourceID.description, "attempt": "\(attempt)",
                    "delay_s": "\(delay)", "error": failure.message,
                ])
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            attempt += 1
        }
    }

    /// True when a create that failed with `error`, and whose object does not exist
    /// afterwards, may be posted again. A 500, 502 or 503 is the server's final response, so
    /// the lookup that follows it sees whatever the create did. After a 504, a timeout or a
    /// lost connection the server may still be working on the create, and a second one could
    /// make a duplicate.
    static func absentCreateMayBeRepeated(_ error: NGCPAPIError) -> Bool {
        error.kind == .http && [500, 502, 503].contains(error.status ?? 0)
    }

    /// Handles a create whose response was lost or was a 5xx: the object may exist. It is
    /// looked up by its natural key and adopted when found, and then true is returned. False
    /// means that no such object exists, so the create did not take effect.
    private func recoverCreate(
        _ operation: PlannedOperation, body: JSONValue?, after error: NGCPAPIError,
        into result: inout OperationResult
    ) async throws -> Bool {
        logger.warning(
            "create outcome unknown, looking the object up",
            ["resource": operation.resourceID.description, "error": error.message])

        guard let lookup = NaturalKeyLookup(operation, body: body) else {
            throw ApplyError(
                "\(error.description). A \(operation.resource.rawValue) object has no unique "
                    + "key to look it up by: check whether it was created before applying again",
                outcomeUnknown: true)
        }

        let found: Int?
        do {
            found = try await lookup.find(with: client)
        } catch {
            throw ApplyError(
                "\(error.description). Looking \(operation.resourceID) up afterwards failed "
                    + "as well (\(error)): run the same command again, it checks whether the "
                    + "object exists",
                outcomeUnknown: true)
        }

        guard let id = found else { return false }
        result.createdID = id
        result.note = "the create's response was lost; adopted the existing object \(id)"
        return true
    }

    /// Handles a PUT or PATCH whose outcome stayed unknown through the client's retries: the
    /// object is read back, and when it contains the values sent the write counts as done.
    /// Otherwise the original error is thrown, with the outcome still unknown.
    private func confirmWrite(
        _ operation: PlannedOperation, path: String, body: JSONValue?, after error: NGCPAPIError,
        into result: inout OperationResult
    ) async throws {
        guard error.outcomeUnknown else { throw error }
        logger.warning(
            "write outcome unknown, reading the object back",
            ["resource": operation.resourceID.description, "error": error.message])
        guard let body, let live = try? await client.get(path),
            WriteCheck.tookEffect(sent: body, method: operation.method, live: live)
        else { throw error }
        result.note = "the write's response was lost; reading the object back shows the change"
    }

    /// Handles a create that an earlier run started: the object it may have made is looked
    /// up first (by the id the journal recorded, else by natural key) and adopted when it
    /// exists. Returns false when nothing was found, so the create is sent.
    private func adoptEarlierCreate(
        _ operation: PlannedOperation, body: JSONValue?, into result: inout OperationResult
    ) async throws -> Bool {
        guard let lookup = NaturalKeyLookup(operation, body: body) else { return false }
        var found: Int?
        if case .some(.some(let recorded)) = options.recovery.creates[operation.resourceID] {
            found = try await lookup.check(id: recorded, with: client)
        }
        if found == nil {
            found = try await lookup.find(with: client)
        }
        guard let id = found else { return false }
        result.createdID = id
        result.adoptedFromEarlierApply = true
        result.note = "adopted object \(id), which an interrupted earlier apply created"
        logger.info(
            "adopted an object created by an earlier apply",
            ["resource": operation.resourceID.description, "id": "\(id)"])
        return true
    }

    /// Reads the written object back and records a warning for each field that the server
    /// stored differently from what was sent. A failed read is a warning too: the write
    /// itself succeeded.
    private func verify(
        _ operation: PlannedOperation, path: String, body: JSONValue?,
        into result: inout OperationResult
    ) async {
        guard let body, operation.method != .delete, operation.method != .get else { return }
        var objectPath = path
        if operation.method == .post {
            guard let id = result.createdID else { return }
            objectPath = path.hasSuffix("/") ? "\(path)\(id)" : "\(path)/\(id)"
        }
        let live: JSONValue
        do {
            live = try await client.get(objectPath)
        } catch {
            result.warnings.append("could not read \(objectPath) back to check it: \(error)")
            result.readBackFailed = true
            return
        }
        for difference in WriteCheck.differences(sent: body, method: operation.method, live: live) {
            result.warnings.append(difference)
            logger.warning(
                "the server stored a field differently",
                ["resource": operation.resourceID.description, "detail": difference])
        }
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
///
/// A contact has no unique key. It is found by e-mail and reseller, and accepted only when
/// every field that the create sends matches and no customer uses it yet; of several such
/// contacts the newest is taken. A contact that someone else made with exactly the same
/// values and left unused could be adopted in its place (see docs/apply.md).
struct NaturalKeyLookup: Sendable {
    let collection: String
    let filters: [String: String]
    let matches: @Sendable (JSONValue) -> Bool
    let mustBeUnused: Bool

    /// Nil for kinds without a key to look up by.
    init?(_ operation: PlannedOperation, body: JSONValue?) {
        let name = operation.name
        mustBeUnused = operation.resource == .customercontacts
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
        case .customercontacts:
            guard let fields = body?.objectValue, let email = fields["email"]?.stringValue
            else { return nil }
            collection = "customercontacts"
            var filters = ["email": email]
            if let reseller = fields["reseller_id"]?.intValue {
                filters["reseller_id"] = "\(reseller)"
            }
            self.filters = filters
            matches = { live in
                fields.allSatisfy { key, value in
                    WriteCheck.scalarsMatch(value, live[key] ?? .null)
                }
            }
        case .callforwards, .subscriberpreferences:
            return nil
        }
    }

    func find(with client: NGCPAPIClient) async throws(NGCPAPIError) -> Int? {
        let items = try await client.list(collection, filters: filters, rows: 50)
        let ids = items.filter(matches).compactMap { $0["id"]?.intValue }.sorted()
        for id in ids.reversed() {
            if try await isAcceptable(id, with: client) { return id }
        }
        return nil
    }

    /// The id when the object `id` exists and matches, else nil.
    func check(id: Int, with client: NGCPAPIClient) async throws(NGCPAPIError) -> Int? {
        let item: JSONValue
        do {
            item = try await client.get("/api/\(collection)/\(id)")
        } catch let error where error.isNotFound {
            return nil
        }
        guard matches(item) else { return nil }
        return try await isAcceptable(id, with: client) ? id : nil
    }

    private func isAcceptable(_ id: Int, with client: NGCPAPIClient) async throws(NGCPAPIError)
        -> Bool
    {
        guard mustBeUnused else { return true }
        return try await client.count("customers", filters: ["contact_id": "\(id)"]) == 0
    }
}
