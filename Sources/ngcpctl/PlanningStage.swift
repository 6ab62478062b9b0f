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
    var target: TargetConfiguration? = nil
    /// Where the policy files are; nil skips the policy check.
    var policies: PolicyStage? = nil

    /// What a planning run produced, kept for apply.
    struct Output {
        let plan: Plan
        let manifests: ManifestLoadResult
        /// Secret values by owner and field, for the executor's literal secrets.
        let secretValues: [SecretKey: SecretValue]
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
        // 1. Manifests, checked completely before the network is touched.
        let manifests = try ManifestStage.load(paths, colorMode: colorMode)

        // 2. Secrets: a missing variable or file stops the run before any request.
        let resolver = SecretResolver(environment: environment)
        let secretProblems = resolveSecrets(in: manifests.desired, resolver: resolver)
        if secretProblems.hasErrors {
            ManifestStage.report(secretProblems, sources: manifests.sources, colorMode: colorMode)
            throw CommandFailure("cannot read every secret the manifests name; nothing was sent")
        }
        let secretValues = try resolveSecretValues(manifests.desired, resolver: resolver)

        // 3. The git revision that the manifests come from.
        let source = try planSource()

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
            // A scoped read sees part of the target; the manifests are cut to the same part.
            if reading.isScoped {
                desired = reading.scope.restrict(desired, live: live)
            }
            let blocks = Planner.managedBlocks(desired: desired, live: live)
            try await reader.readSubscriberBlocks(
                forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        } catch let error as NGCPAPIError {
            throw CommandFailure("cannot read the live state from \(connection.url): \(error)")
        } catch let error as LiveStateError {
            throw CommandFailure("cannot read the live state from \(connection.url): \(error)")
        }
        connection.logger.debug("live state read", readTimer.fields)

        // 5. Pairing, diff and order.
        var options = PlannerOptions(
            prune: prune,
            secrets: { owner, field in secretValues[SecretKey(owner: owner, field: field)] },
            source: source, target: connection.url)
        if reading.isScoped {
            // Subscribers outside the scope were not read, so an unused-looking domain may
            // still have some.
            options.pruneDomains = false
        }
        let plan: Plan
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

        // 6. Policies: guardrails on the plan, with the desired and live objects.
        let policyResult =
            try policies?.check(
                plan: plan, manifests: manifests, live: live, target: target?.name,
                secret: { owner, field in secretValues[SecretKey(owner: owner, field: field)] })
            ?? PolicyResult()
        return Output(
            plan: plan, manifests: manifests, secretValues: secretValues,
            policyResult: policyResult, requests: client.statistics)
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
        FileManager.default.fileExists(atPath: first.path, isDirectory: &isDirectory)
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
