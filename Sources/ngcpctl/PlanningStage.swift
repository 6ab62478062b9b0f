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
    /// `--max-deletes`, which overrides the target's guard.
    var maxDeletes: Int? = nil
    /// The policy check to run on the plan; nil skips it.
    var policies: PolicyStage? = nil

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

    func run() async throws -> Output {
        // 1. Manifests, checked completely before the network is touched. Preferences outside
        // the built-in catalogue wait for the target's catalogue in step 4.
        var loadOptions = connection.project.manifestOptions()
        loadOptions.deferUnknownPreferences = true
        var revisionSource: PlanSource?
        var revisionReader: (repository: RevisionRepository, commit: String)?
        var manifests: ManifestLoadResult
        if let revision {
            let loaded = try RevisionManifests.load(
                paths, revision: revision, purpose: "--rev", colorMode: colorMode,
                options: loadOptions)
            manifests = loaded.result
            revisionReader = (loaded.repository, loaded.commit)
            revisionSource = PlanSource(
                revision: loaded.commit, branch: loaded.repository.branchName(revision))
        } else {
            manifests = try ManifestStage.load(paths, options: loadOptions, colorMode: colorMode)
        }

        // 2. Secrets: a missing variable or file stops the run before any request.
        let resolver = SecretAccessSetup.resolver(
            connection: connection, environment: environment, manifestPaths: paths)
        let secretProblems = resolveSecrets(in: manifests.desired, resolver: resolver)
        if secretProblems.hasErrors {
            ManifestStage.report(
                manifests.locatingSecretFields(secretProblems), sources: manifests.sources,
                colorMode: colorMode)
            throw CommandFailure("cannot read every secret the manifests name; nothing was sent")
        }
        let secretValues = try resolveSecretValues(manifests.desired, resolver: resolver)

        // 3. The git revision that the manifests come from.
        let source = try revisionSource ?? planSource()

        // 4. Live state: the collections, then forwards and preferences of managed subscribers.
        let reading = connection.reading
        let display = reading.showProgress ? ReadProgressDisplay() : nil
        let client = connection.makeClient(progress: display.map { display in display.report })
        let reader = LiveStateReader(
            client: client, scope: reading.scope, rows: reading.pageSize,
            itemConcurrency: reading.concurrency, logger: connection.logger)
        var live: LiveState
        var desired = manifests.desired
        let readTimer = StageTimer()
        do {
            defer { display?.finish() }
            live = try await reader.read(expecting: Self.blockDemand(desired, reading.scope))
            // A scoped read covers part of the target, so the manifests are cut to the same part.
            if reading.isScoped {
                desired = reading.scope.restrict(desired, live: live)
            }
            let blocks = Planner.managedBlocks(desired: desired, live: live)
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

        // What only the target knows (its preference catalogue, its customers) can add
        // diagnostics; a recheck that reloads the manifests also refreshes the desired state.
        let checked = try ManifestStage.recheck(
            first: manifests, options: loadOptions, live: live, target: connection.url,
            colorMode: colorMode
        ) { options in
            // The second load reads the same source as the first: a revision stays a revision.
            if let revision, let revisionReader {
                return try revisionReader.repository.loadManifests(
                    paths, at: revisionReader.commit, revision: revision, options: options)
            }
            return ManifestLoader(options: options).load(paths: paths)
        }
        manifests = checked
        if reading.isScoped {
            desired = reading.scope.restrict(manifests.desired, live: live)
        } else {
            desired = manifests.desired
        }

        // 5. Pairing, diff and order, then the target's guards.
        let guards = Guards.settings(target: target, maxDeletes: maxDeletes)
        var options = PlannerOptions(
            prune: prune, pruneDomains: prune && guards.allowDomainDelete,
            managedInventory: managedInventory, ignoreRules: try Guards.ignoreRules(target),
            secrets: { owner, field in secretValues[SecretKey(owner: owner, field: field)] },
            source: source, target: connection.url)
        if reading.isScoped {
            // Subscribers outside the scope were not read, so an unused-looking domain may
            // still have some.
            options.pruneDomains = false
        }
        var plan: Plan
        do {
            let planTimer = StageTimer()
            plan = try Planner.plan(desired: desired, live: live, options: options)
            connection.logger.debug("planned", planTimer.fields)
        } catch {
            ManifestStage.report(
                error.problems.map(\.diagnostic), sources: manifests.sources,
                colorMode: colorMode)
            throw CommandFailure(
                "cannot plan: \(error.problems.count) problem(s) with the manifests against "
                    + "\(connection.url)")
        }

        // Keyed digests of the secrets, so that a saved plan can tell when one changes.
        let key = SecretDigest.key(
            apiUser: connection.user, apiPassword: connection.password, target: connection.url)
        let owners = Dictionary(
            manifests.desired.subscribers.map { ($0.id.description, $0.id) },
            uniquingKeysWith: { first, _ in first })
        plan.secretDigests = SecretDigest.record(plan, key: key) { reference in
            guard let owner = owners[reference.owner] else { return nil }
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
        return Output(
            plan: plan, manifests: manifests, secretValues: secretValues,
            violations: violations, policyResult: policyResult, requests: client.statistics)
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

    private func resolveSecretValues(
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
    private func planSource() throws -> PlanSource {
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
                Self.relativePath(URL(fileURLWithPath: path).standardizedFileURL.path, to: workdir)
            }
            let changed = try repository.changedFiles(under: prefixes)
            return PlanSource(
                revision: head.commit, branch: head.branch, dirty: !changed.isEmpty,
                dirtyFiles: changed)
        } catch {
            throw CommandFailure("cannot read the git repository of '\(paths[0])': \(error)")
        }
    }

    private static func relativePath(_ path: String, to root: String) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        if path + "/" == base { return "" }
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
