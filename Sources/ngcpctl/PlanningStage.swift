import Apply
import Foundation
import GitSource
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Policies

/// The steps shared by `plan` and `apply`: manifests, secrets, git source, live state, plan.
struct PlanningStage {
    let paths: [String]
    let connection: Connection
    let prune: Bool
    let colorMode: String
    let environment: [String: String]
    /// The selected target of ngcpctl.yaml, or nil when the repository has none. Its guards
    /// and ignore rules apply to the plan.
    var target: TargetConfiguration?
    /// A git revision to read the manifests from instead of the working tree (`--rev`).
    var revision: String? = nil
    /// The objects ngcpctl manages, for prune: those declared by the target's last applied
    /// revision. Nil means the subscribers of declared customers.
    var managedInventory: Set<ResourceID>? = nil
    /// Without `--prune`: the revision last applied to the target. The plan lists what prune
    /// would remove, and this revision's inventory keeps that list in prune's scope.
    var appliedRevision: AppliedRevision? = nil
    /// Contacts that an interrupted apply created, from its journal, as the planner's
    /// `interruptedContacts`.
    var interruptedContacts: [Int: String] = [:]
    /// The changes to the web password records that the runs in the apply journal made,
    /// which a killed run never wrote to the records. The plan compares with the records as
    /// these changes leave them.
    var interruptedWebPasswords: [JournalledWebPasswordChange] = []
    /// `--max-deletes`, which overrides the target's guard.
    var maxDeletes: Int? = nil
    /// The policy check to run on the plan; nil skips it.
    var policies: PolicyStage? = nil
    /// `--set-webpasswords`: also send the web passwords that no apply recorded.
    var sendUnrecordedWebPasswords = false

    init(
        paths: [String], connection: Connection, prune: Bool, colorMode: String,
        environment: [String: String], target: TargetConfiguration? = nil
    ) {
        self.paths = paths
        self.connection = connection
        self.prune = prune
        self.colorMode = colorMode
        self.environment = environment
        self.target = target ?? connection.target
    }

    /// The results of a planning run, kept for apply.
    struct Output {
        let plan: Plan
        let manifests: ManifestLoadResult
        /// Secret values by owner and field, for the executor's literal secrets.
        let secretValues: [SecretKey: SecretValue]
        /// The guards the plan breaks; the commands stop when there are any.
        let violations: [GuardViolation]
        /// Policy violations and waivers; empty when no policy was checked.
        let policyResult: PolicyResult
        /// The requests sent to read the live state.
        var requests = RequestStatistics()
    }

    struct SecretKey: Hashable {
        let owner: ResourceID
        let field: String
    }

    /// The manifests with their secrets and source, ready to plan.
    private struct PreparedManifests: Sendable {
        var manifests: ManifestLoadResult
        var secretValues: [SecretKey: SecretValue]
        var source: PlanSource
    }

    func run() async throws -> Output {
        // 1. Manifests, checked completely before anything is planned. Preferences outside
        // the built-in catalogue wait for the target's catalogue in step 4.
        var loadOptions = connection.project.manifestOptions()
        loadOptions.deferUnknownPreferences = true
        var revisionReader: (repository: RevisionRepository, commit: String)?
        // Problems with a target's setting are reported at the ngcpctl.yaml the manifests
        // were loaded with: a revision's own file when planning from a revision.
        var project = connection.project
        let reading = connection.reading

        // Steps 1 to 3 from the working tree run on their own thread while the live state is
        // read, because loading is CPU work and the read mostly waits for the server. A
        // revision is read from git first, as before. With a progress display the read
        // waits for them, so that their diagnostics do not interleave with the progress.
        let resolver = SecretAccessSetup.resolver(
            connection: connection, environment: environment, manifestPaths: paths)
        let preparation: Task<PreparedManifests, any Error>
        if let revision {
            let loaded = try RevisionManifests.load(
                paths, revision: revision, purpose: "--rev", colorMode: colorMode,
                options: loadOptions, quietUnlessErrors: true,
                check: { resolveSecrets(in: $0.secretOwners, resolver: resolver) })
            revisionReader = (loaded.repository, loaded.commit)
            project = loaded.project
            let source = PlanSource(
                revision: loaded.commit, branch: loaded.repository.branchName(revision))
            let prepared = try Self.prepare(
                loaded.result, source: { source }, resolver: resolver)
            preparation = Task { prepared }
        } else {
            let paths = paths
            let colorMode = colorMode
            let options = loadOptions
            preparation = Task {
                try await Self.onOwnThread {
                    let manifests = try ManifestStage.load(
                        paths, options: options, colorMode: colorMode, quietUnlessErrors: true,
                        check: { resolveSecrets(in: $0.secretOwners, resolver: resolver) })
                    return try Self.prepare(
                        manifests, source: { try Self.planSource(paths) }, resolver: resolver)
                }
            }
        }
        if reading.showProgress { _ = try await preparation.value }

        // 4. Live state: the collections, then forwards and preferences of managed subscribers.
        let display = reading.showProgress ? ReadProgressDisplay() : nil
        let client = connection.makeClient(progress: display.map { display in display.report })
        let reader = LiveStateReader(
            client: client, scope: reading.scope, rows: reading.pageSize,
            itemConcurrency: reading.concurrency, logger: connection.logger)
        var live: LiveState
        var manifests: ManifestLoadResult
        let secretValues: [SecretKey: SecretValue]
        let source: PlanSource
        let recheck: ManifestLoadResult
        let draft: PlanDraft
        let guards = Guards.settings(target: target, maxDeletes: maxDeletes)
        let ignoreRules = try Guards.ignoreRules(target)
        // The key of the secret digests, for the web password records and the plan's own.
        let digestKey = SecretDigest.key(
            apiUser: connection.user, apiPassword: connection.password, target: connection.url)
        let webPasswords = webPasswordComparison(key: digestKey)
        let readTimer = StageTimer()
        do {
            defer { display?.finish() }
            let scope = reading.scope
            // Everything but comparing call forwards and preferences needs only the collections,
            // so it is planned while the block collections are still being read.
            let (collectionsRead, collectionsReady) = AsyncStream.makeStream(
                of: (state: LiveState, preparation: LivePreparation).self)
            async let liveRead = Self.readLive(
                reader,
                demand: { Self.blockDemand(try await preparation.value.manifests.desired, scope) },
                collectionsReady: collectionsReady)
            // A manifest, secret or git error ends the run here, which cancels the read.
            let prepared = try await preparation.value
            manifests = prepared.manifests
            secretValues = prepared.secretValues
            source = prepared.source
            // Loading another revision is CPU work, so it overlaps with the read.
            let inventory = Task { [self, source, manifests] in
                try await self.inventory(source: source, declared: manifests.desired)
            }

            // The stream ends without collections only when the read failed, and awaiting the
            // read then throws its error.
            var iterator = collectionsRead.makeAsyncIterator()
            guard let collections = await iterator.next() else {
                _ = try await liveRead
                throw LiveStateError(message: "the read ended before the collections were read")
            }

            // The target's preference catalogue and customers can add diagnostics, and a
            // recheck that reloads the manifests also refreshes the desired state. The
            // diagnostics are printed once the read has ended. A reload takes seconds of CPU
            // for large sets, so it runs on a thread of its own, as the first load does.
            let (first, options, url, paths) = (manifests, loadOptions, connection.url, paths)
            let (revision, revisionReader) = (revision, revisionReader)
            let logger = connection.logger
            recheck = try await Self.onOwnThread {
                let recheckTimer = StageTimer(threadOnly: true)
                defer { logger.debug("manifests checked against the target", recheckTimer.fields) }
                return try ManifestStage.recheck(
                    first: first, options: options, live: collections.state, target: url
                ) { options in
                    // The second load reads the same source as the first: a revision stays a
                    // revision.
                    if let revision, let revisionReader {
                        return try revisionReader.repository.loadManifests(
                            paths, at: revisionReader.commit, revision: revision,
                            options: options)
                    }
                    return ManifestLoader(options: options).load(paths: paths)
                }
            }
            manifests = recheck

            // The draft is CPU work too, and on the pool it would hold one of the two threads
            // that receive the pages. With errors in the manifests it is drafted but never used,
            // because reporting them below ends the run.
            let desired = restricted(manifests.desired, live: collections.state)
            let draftOptions = plannerOptions(
                guards: guards, ignoreRules: ignoreRules, source: source,
                secretValues: secretValues, webPasswords: webPasswords.comparison,
                managedInventory: try await inventory.value)
            draft = try await Self.onOwnThread {
                let draftTimer = StageTimer(threadOnly: true)
                defer { logger.debug("plan drafted", draftTimer.fields) }
                return Planner.draft(
                    desired: desired, collections: collections.state, options: draftOptions,
                    preparation: collections.preparation)
            }

            let read = try await liveRead
            live = read.state
            let blocks = Planner.managedBlocks(
                desired: desired, live: live, preparation: read.result)
            try await reader.readSubscriberBlocks(
                forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        } catch let error as NGCPAPIError {
            throw CommandFailure(
                "cannot read the live state from \(connection.url): \(error)",
                exitCode: error.isTransient ? .transient : .failure)
        } catch let error as LiveStateError {
            throw CommandFailure("cannot read the live state from \(connection.url): \(error)")
        }
        connection.logger.debug("live state read", readTimer.fields)

        // 5. The comparison of the blocks, the order, and then the target's guards.
        let planTimer = StageTimer()
        let planned = Result { () throws(PlanningError) in
            try Planner.plan(completing: draft, live: live)
        }
        connection.logger.debug("planned", planTimer.fields)
        var plan = try Self.report(
            manifests, planned: planned, target: connection.url, project: project,
            colorMode: colorMode)
        plan.targetName = connection.target?.name
        if !sendUnrecordedWebPasswords {
            Terminal.error(
                Self.uncomparedWebPasswordNote(
                    draft.uncomparedWebPasswords, records: webPasswords.path,
                    otherKey: webPasswords.otherKey))
        }

        // Keyed digests of the secrets, so that a saved plan can tell when one changes.
        // The owners are indexed only when the plan sends a secret at all.
        var owners: [String: ResourceID]?
        plan.secretDigests = SecretDigest.record(plan, key: digestKey) { reference in
            if owners == nil {
                owners = Dictionary(
                    manifests.desired.subscribers.map { ($0.id.description, $0.id) },
                    uniquingKeysWith: { first, _ in first })
            }
            guard let owner = owners?[reference.owner] else { return nil }
            return secretValues[SecretKey(owner: owner, field: reference.field)]
        }
        let violations = GuardCheck.evaluate(
            plan: plan, settings: guards, desired: manifests.desired, live: live)

        // 6. Policies: guardrails on the plan, with the desired and live objects.
        let policyResult =
            try policies?.check(
                plan: plan, manifests: manifests, live: live, target: target?.name,
                secret: { owner, field in secretValues[SecretKey(owner: owner, field: field)] })
            ?? PolicyResult()
        ExitRetention.keep(live)
        ExitRetention.keep(reader)
        return Output(
            plan: plan, manifests: manifests, secretValues: secretValues,
            violations: violations, policyResult: policyResult, requests: client.statistics)
    }

    /// Reads the live state with `reader`, passing the collections and their planner indexes
    /// to `collectionsReady` as soon as they are read, before the blocks are.
    private static func readLive(
        _ reader: LiveStateReader, demand: @escaping @Sendable () async throws -> BlockDemand,
        collectionsReady: AsyncStream<(state: LiveState, preparation: LivePreparation)>
            .Continuation
    ) async throws -> (state: LiveState, result: LivePreparation) {
        // A failed read ends the stream without collections.
        defer { collectionsReady.finish() }
        return try await reader.read(expectingAfter: demand) { collections in
            let preparation = Planner.prepare(collections)
            collectionsReady.yield((collections, preparation))
            collectionsReady.finish()
            return preparation
        }
    }

    /// Returns prune's inventory: the one loaded for `--prune`, or without it the inventory of
    /// `appliedRevision`, so that the plan lists what prune would remove.
    private func inventory(source: PlanSource, declared: DesiredState) async throws
        -> Set<ResourceID>?
    {
        if prune { return managedInventory }
        guard let appliedRevision else { return nil }
        let (paths, options) = (paths, connection.project.manifestOptions())
        return try await Self.onOwnThread {
            PruneInventory.inventory(
                of: appliedRevision, plannedFrom: source, declared: declared, paths: paths,
                options: options)
        }
    }

    /// Reads the target's web password records for the planner. Records made with another
    /// key (other API credentials) are left out, and `otherKey` is then true. A file that
    /// cannot be read counts as no records, with a warning, so nothing is compared.
    private func webPasswordComparison(key: [UInt8])
        -> (comparison: WebPasswordComparison, path: String, otherKey: Bool)
    {
        let path = WebPasswordRecordLocation.path(manifestPaths: paths, target: connection.url)
        var comparison = WebPasswordComparison(
            key: key, sendUnrecorded: sendUnrecordedWebPasswords)
        var records: WebPasswordRecords?
        do {
            records = try WebPasswordRecordFile.read(path: path)
        } catch {
            Terminal.error("warning: \(error); no web password is compared in this run\n")
            return (comparison, path, false)
        }
        if let replayed = WebPasswordRecordFile.replaying(
            interruptedWebPasswords, onto: records, keyCheck: SecretDigest.keyCheck(key: key))
        {
            records = replayed
        }
        guard let records else { return (comparison, path, false) }
        guard records.keyCheck == SecretDigest.keyCheck(key: key) else {
            return (comparison, path, true)
        }
        comparison.records = records.entries
        return (comparison, path, false)
    }

    /// Returns the note on the subscribers whose web password was not compared, or "" when
    /// there are none.
    static func uncomparedWebPasswordNote(
        _ subscribers: [ResourceID], records path: String, otherKey: Bool
    ) -> String {
        guard !subscribers.isEmpty else { return "" }
        let count = subscribers.count == 1 ? "1 subscriber" : "\(subscribers.count) subscribers"
        let reason =
            otherKey
            ? "the digests in \(path) were made with other API credentials"
            : "\(path) has no digest of one that ngcpctl sent to them"
        return
            "note: the web passwords of \(count) (\(subscribers.map(\.name).shortList())) "
            + "were not compared and are not sent: NGCP never returns a web password, and "
            + "\(reason). Pass --set-webpasswords to send them and record their digests.\n"
    }

    /// Returns the desired state within the scope of the read: a scoped read covers part of the
    /// target, so the manifests are cut to the same part.
    private func restricted(_ desired: DesiredState, live: LiveState) -> DesiredState {
        connection.reading.isScoped
            ? connection.reading.scope.restrict(desired, live: live) : desired
    }

    private func plannerOptions(
        guards: GuardSettings, ignoreRules: [IgnoreRule], source: PlanSource,
        secretValues: [SecretKey: SecretValue], webPasswords: WebPasswordComparison,
        managedInventory: Set<ResourceID>?
    ) -> PlannerOptions {
        var options = PlannerOptions(
            prune: prune, pruneDomains: guards.allowDomainDelete,
            managedInventory: managedInventory, interruptedContacts: interruptedContacts,
            ignoreRules: ignoreRules,
            secrets: { owner, field in secretValues[SecretKey(owner: owner, field: field)] },
            webPasswords: webPasswords, source: source, target: connection.url)
        if connection.reading.isScoped {
            // Subscribers outside the scope were not read, so an unused-looking domain may
            // still have some.
            options.pruneDomains = false
        }
        return options
    }

    /// The subscribers whose blocks the manifests declare, within a customer scope. With a
    /// reseller scope the customers in scope are known only after the read, so nothing is
    /// read ahead.
    private static func blockDemand(_ desired: DesiredState, _ scope: LiveStateScope)
        -> BlockDemand
    {
        guard scope.resellerName == nil else { return BlockDemand() }
        return BlockDemand(scope.restrict(desired, live: LiveState()))
    }

    /// Prints the diagnostics of the manifests as checked against the target, with the
    /// planner's problems, under one summary, and returns the plan. Throws when either has
    /// errors. The first load printed nothing unless it had errors, so a warning that the
    /// check turned into an error shows once, as the error.
    private static func report(
        _ manifests: ManifestLoadResult, planned: Result<Plan, PlanningError>, target: String,
        project: ProjectSelection, colorMode: String
    ) throws -> Plan {
        var problems: [PlanningProblem] = []
        if case .failure(let error) = planned { problems = error.problems }
        // With errors in the manifests, the problems that their check reports too are left
        // out, so that each shows once.
        if manifests.hasErrors { problems.removeAll(where: \.repeatsManifestCheck) }
        let (settingDiagnostics, objectProblems) = settingProblems(problems, project: project)
        let diagnostics =
            manifests.diagnostics + settingDiagnostics + objectProblems.map(\.diagnostic)
        var sources = manifests.sources
        if !settingDiagnostics.isEmpty, let file = project.file { sources[file.path] = file.text }
        ManifestStage.report(
            diagnostics, sources: sources, sourceReplacements: manifests.sourceReplacements,
            colorMode: colorMode, files: manifests.files)

        // The summary line above counts the errors, so the closing line does not.
        if manifests.hasErrors {
            throw CommandFailure(
                "the manifests do not fit \(target) and nothing was sent to NGCP. "
                    + ManifestStage.fixAndRunAgain)
        }
        guard case .success(let plan) = planned else {
            throw CommandFailure(
                "cannot plan the manifests against \(target), so nothing was sent to NGCP. "
                    + ManifestStage.fixAndRunAgain)
        }
        return plan
    }

    /// Returns one diagnostic at ngcpctl.yaml for each default of the selected target that
    /// the target does not know, in place of the problems of every object that relies on it,
    /// and the other problems. A wrong default is one mistake, however many objects use it.
    static func settingProblems(_ problems: [PlanningProblem], project: ProjectSelection)
        -> (diagnostics: [Diagnostic], remaining: [PlanningProblem])
    {
        guard let target = project.target else { return ([], problems) }
        let values = [
            "reseller": target.reseller, "default_billing_profile": target.defaultBillingProfile,
        ]

        var relying: [TargetDefault: [ResourceID]] = [:]
        var remaining: [PlanningProblem] = []
        for problem in problems {
            // A value other than the file's is not that line's mistake, so each object that
            // relies on it keeps its own problem.
            guard let setting = problem.targetDefault,
                target.fieldLocations[setting.field] != nil,
                values[setting.field] == setting.value
            else {
                remaining.append(problem)
                continue
            }
            relying[setting, default: []].append(problem.resource)
        }

        let diagnostics = relying.keys.sorted { $0.field < $1.field }.map { setting in
            let objects = relying[setting, default: []].sorted()
            let isReseller = setting.field == "reseller"
            let message =
                isReseller
                ? "unknown reseller '\(setting.value)'"
                : "unknown billing profile handle '\(setting.value)'"
            let names = objects.map(\.name).shortList()
            let kind = isReseller ? "domain" : "customer"
            let subject = objects.count == 1 ? "1 \(kind) relies" : "\(objects.count) \(kind)s rely"
            let hint =
                "\(subject) on this default (\(names)); "
                + (isReseller
                    ? "name an existing reseller here, or set spec.reseller in their manifests"
                    : "name an existing billing profile here, or set spec.billing_profile in "
                        + "their manifests")
            return Diagnostic(
                .error, message, at: target.fieldLocations[setting.field],
                fieldPath: "targets.\(target.name).\(setting.field)", hint: hint)
        }
        return (diagnostics, remaining)
    }

    /// Resolves the secrets of loaded manifests and finds their source. The load checked
    /// them already, with its other diagnostics.
    private static func prepare(
        _ manifests: ManifestLoadResult, source: () throws -> PlanSource,
        resolver: SecretResolver
    ) throws -> PreparedManifests {
        // 2. Secrets: a missing variable or file, or one the access rules forbid, stopped the
        // load before any write. A file removed since then stops the run here.
        let secretValues: [SecretKey: SecretValue]
        do {
            secretValues = try resolveSecretValues(manifests.desired, resolver: resolver)
        } catch {
            throw CommandFailure("\(error); nothing was sent")
        }

        // 3. The git revision that the manifests come from.
        return PreparedManifests(
            manifests: manifests, secretValues: secretValues, source: try source())
    }

    /// Runs `body` on a thread of its own, off the cooperative pool. The body reads files,
    /// calls libgit2 and takes seconds of CPU for large manifest sets, so on the pool it
    /// would hold back one of the few threads that the live read needs.
    private static func onOwnThread<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try body() })
            }
            // The loader recurses once per YAML nesting level; the main thread's stack size
            // keeps the depth it could reach before.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private static func resolveSecretValues(
        _ desired: DesiredState, resolver: SecretResolver
    ) throws -> [SecretKey: SecretValue] {
        var values: [SecretKey: SecretValue] = [:]
        for subscriber in desired.subscribers {
            for (field, source) in subscriber.secrets {
                values[SecretKey(owner: subscriber.id, field: field)] = try resolver.resolve(source)
            }
        }
        return values
    }

    /// The commit, branch and dirty manifest files, or an empty source outside git.
    private static func planSource(_ paths: [String]) throws -> PlanSource {
        let first = URL(fileURLWithPath: paths[0]).standardizedFileURL
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: first.path, isDirectory: &isDirectory)
        let directory = isDirectory.boolValue ? first.path : first.deletingLastPathComponent().path
        do {
            guard let repository = try GitRepository.discover(containing: directory),
                let workdir = repository.workdir
            else { return PlanSource() }
            let head = try repository.head()
            let prefixes = paths.map { path in
                relativePath(URL(fileURLWithPath: path).standardizedFileURL.path, to: workdir)
            }
            let changed = try repository.changedFiles(under: prefixes).filter(isManifestPath)
            return PlanSource(
                revision: head.commit, branch: head.branch, dirty: !changed.isEmpty,
                dirtyFiles: changed)
        } catch {
            throw CommandFailure("cannot read the git repository of '\(paths[0])': \(error)")
        }
    }

    /// Returns whether a changed file is one the loader reads: a `*.yaml` or `*.yml` file
    /// outside hidden directories. A saved plan, notes or the journal under `.ngcpctl/` do
    /// not make the manifests differ from their commit.
    private static func isManifestPath(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard let name = components.last, !components.contains(where: { $0.hasPrefix(".") })
        else { return false }
        return name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }

    private static func relativePath(_ path: String, to root: String) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        if path + "/" == base { return "" }
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
