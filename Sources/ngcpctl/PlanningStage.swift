import Foundation
import GitSource
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning

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

    /// What a planning run produced, kept for apply.
    struct Output {
        let plan: Plan
        let manifests: ManifestLoadResult
        /// Secret values by owner and field, for the executor's literal secrets.
        let secretValues: [SecretKey: SecretValue]
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
        var manifests = try ManifestStage.load(paths, options: loadOptions, colorMode: colorMode)

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
        let client = connection.makeClient()
        let reader = LiveStateReader(client: client, logger: connection.logger)
        var live: LiveState
        do {
            live = try await reader.read()
            let blocks = Planner.managedBlocks(desired: manifests.desired, live: live)
            try await reader.readSubscriberBlocks(
                forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        } catch let error as NGCPAPIError {
            throw CommandFailure("cannot read the live state from \(connection.url): \(error)")
        }
        manifests = try ManifestStage.recheck(
            paths, first: manifests, options: loadOptions, live: live, target: connection.url,
            colorMode: colorMode)

        // 5. Pairing, diff and order.
        let options = PlannerOptions(
            prune: prune,
            secrets: { owner, field in secretValues[SecretKey(owner: owner, field: field)] },
            source: source, target: connection.url)
        do {
            let plan = try Planner.plan(desired: manifests.desired, live: live, options: options)
            return Output(plan: plan, manifests: manifests, secretValues: secretValues)
        } catch {
            ManifestStage.report(
                error.problems.map(\.diagnostic), sources: manifests.sources,
                colorMode: colorMode)
            throw CommandFailure(
                "cannot plan: \(error.problems.count) problem(s) with the manifests against "
                    + "\(connection.url)")
        }
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
