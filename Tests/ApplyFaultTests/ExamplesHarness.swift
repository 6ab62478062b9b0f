import Apply
import Emulator
import Foundation
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning

/// Plans and applies the repository's examples/ against an emulator that keeps its data in
/// a file, so that a test can restart it with other fault settings between runs.
struct ExamplesHarness {
    let directory: String
    let examples: String
    /// Every secret the examples name, with a made-up value.
    let environment: [String: String]

    init() throws {
        directory = NSTemporaryDirectory() + "applyfault-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        examples = root.appendingPathComponent("examples").path

        var environment: [String: String] = [:]
        let desired = ManifestLoader().load(paths: [examples]).desired
        for subscriber in desired.subscribers {
            for source in subscriber.secrets.values {
                if case .environment(let name) = source { environment[name] = "Secret-\(name)" }
            }
        }
        self.environment = environment
    }

    var journalPath: String { directory + "/journal.jsonl" }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts an emulator on the harness's database with `faults`, runs `body`, stops it.
    /// The client tries each request up to six times, so that a fault rate of 0.2 almost
    /// never defeats a read; writes are retried only where the client considers it safe.
    func withServer<T>(
        faults: FaultSettings = FaultSettings(),
        _ body: (EmulatorServer, NGCPAPIClient) async throws -> T
    ) async throws -> T {
        var configuration = EmulatorConfiguration()
        configuration.databasePath = directory + "/ngcp.sqlite"
        configuration.faults = faults
        let server = try EmulatorServer(configuration: configuration)
        defer { server.stop() }
        let account = EmulatorAccount.defaultAdministrator
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: account.username,
            password: SecretValue(account.password),
            retryPolicy: RetryPolicy(maxAttempts: 6, initialDelay: 0.01, maxRetryAfter: 0.05))
        return try await body(server, client)
    }

    /// Reads the live state and plans examples/ against it.
    func plan(_ client: NGCPAPIClient) async throws -> Plan {
        let manifests = ManifestLoader().load(paths: [examples])
        let reader = LiveStateReader(client: client)
        var live = try await reader.read()
        let blocks = Planner.managedBlocks(desired: manifests.desired, live: live)
        try await reader.readSubscriberBlocks(
            forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        let resolver = SecretResolver(environment: environment)
        let options = PlannerOptions(secrets: { owner, field in
            guard
                let source = manifests.desired.subscribers.first(where: { $0.id == owner })?
                    .secrets[field]
            else { return nil }
            return try? resolver.resolve(source)
        })
        return try Planner.plan(desired: manifests.desired, live: live, options: options)
    }

    /// Plans and applies once, journalling to `journalPath` as the command does.
    func apply(
        _ client: NGCPAPIClient, parallelism: Int = 4, keepGoing: Bool = false,
        stop: StopRequest? = nil, progress: (@Sendable (ApplyEvent) -> Void)? = nil
    ) async throws -> ApplyResult {
        let plan = try await plan(client)
        let recovery = try ApplyJournal.read(path: journalPath)
        let journal = try ApplyJournal(path: journalPath)
        await journal.begin(
            target: client.baseURL, operations: plan.operations.count, revision: nil)
        let executor = PlanExecutor(
            client: client,
            secrets: PlanSecrets(resolver: SecretResolver(environment: environment)),
            options: PlanExecutor.Options(
                parallelism: parallelism, keepGoing: keepGoing, recovery: recovery),
            journal: journal, stop: stop, progress: progress)
        let result = await executor.execute(plan)
        await journal.end(succeeded: result.succeeded, interrupted: result.interrupted)
        if result.succeeded { journal.remove() }
        return result
    }

    /// Natural keys that occur more than once, and contacts that no customer uses.
    func duplicates(_ client: NGCPAPIClient) async throws -> [String] {
        var found: [String] = []
        func count(_ keys: [String], _ kind: String) {
            var seen: [String: Int] = [:]
            for key in keys { seen[key, default: 0] += 1 }
            for (key, number) in seen.sorted(by: { $0.key < $1.key }) where number > 1 {
                found.append("\(kind) \(key) x\(number)")
            }
        }
        let domains = try await client.list("domains", rows: 100)
        count(domains.compactMap { $0["domain"]?.stringValue?.lowercased() }, "domain")
        let customers = try await client.list("customers", rows: 100)
        count(customers.compactMap { $0["external_id"]?.stringValue }, "customer")
        let subscribers = try await client.list("subscribers", rows: 100)
        count(
            subscribers.compactMap { item -> String? in
                guard let user = item["username"]?.stringValue,
                    let domain = item["domain"]?.stringValue
                else { return nil }
                return "\(user)@\(domain)".lowercased()
            }, "subscriber")
        let contacts = try await client.list("customercontacts", rows: 100)
        count(contacts.compactMap { $0["email"]?.stringValue?.lowercased() }, "contact")
        let used = Set(customers.compactMap { $0["contact_id"]?.intValue })
        // Contacts 1 and 2 come with a fresh installation.
        for contact in contacts {
            guard let id = contact["id"]?.intValue, id > 2, !used.contains(id) else { continue }
            found.append("unused contact \(id)")
        }
        return found
    }
}
