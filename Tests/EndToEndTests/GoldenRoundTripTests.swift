import Apply
import Emulator
import Foundation
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Testing

/// For every recorded planning case: applying its desired state to a fresh emulator and
/// planning again gives an empty plan. This checks that the planner's comparison rules agree
/// with what the API stores, for each shape of desired state the cases contain. The cases run
/// one at a time, because each starts an emulator with its own threads.
@Suite(.serialized) struct GoldenRoundTripTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("PlanningTests/Golden")

    /// Cases whose recorded outcome is a planning problem have nothing to apply.
    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            let expected = directory.appendingPathComponent(name + "/expected.json").path
            guard let text = try? String(contentsOfFile: expected, encoding: .utf8) else {
                return false
            }
            return !text.contains("\"problems\"")
        }.sorted()
    }

    @Test("enough cases take part") func count() {
        #expect(Self.cases.count >= 40)
    }

    @Test("apply then plan is empty", arguments: cases)
    func roundTrip(_ name: String) async throws {
        let text = try String(
            contentsOfFile: Self.directory.appendingPathComponent(name + "/desired.yaml").path,
            encoding: .utf8)
        let manifests = ManifestLoader().load(documents: [(path: "desired.yaml", text: text)])
        try #require(!manifests.diagnostics.hasErrors, "\(manifests.errors)")
        let desired = manifests.desired

        try await Self.withEmulator { server in
            try await Self.roundTrip(name, desired: desired, server: server)
        }
    }

    /// Runs `body` with an in-process emulator that is started and stopped on threads of their
    /// own: stopping joins the server's threads, which must not hold a test runner thread.
    static func withEmulator(_ body: (EmulatorServer) async throws -> Void) async throws {
        let server = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try EmulatorServer(configuration: EmulatorConfiguration()) })
            }.start()
        }
        do {
            try await body(server)
        } catch {
            await stop(server)
            throw error
        }
        await stop(server)
    }

    private static func stop(_ server: EmulatorServer) async {
        await withCheckedContinuation { continuation in
            Thread {
                server.stop()
                continuation.resume()
            }.start()
        }
    }

    private static func roundTrip(
        _ name: String, desired: DesiredState, server: EmulatorServer
    ) async throws {
        let account = EmulatorAccount.defaultAdministrator
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: account.username,
            password: SecretValue(account.password))
        let options = PlannerOptions(secrets: { _, _ in SecretValue("SipPass123") })

        let first = try Planner.plan(
            desired: desired, live: try await Self.read(client, desired), options: options)
        let executor = PlanExecutor(
            client: client, secrets: PlanSecrets(lookup: { _ in SecretValue("SipPass123") }))
        let result = await executor.execute(first)
        let failures = result.operations.filter { !$0.succeeded }
            .map { "\($0.resourceID): \($0.error ?? "")" }
        #expect(failures.isEmpty, "\(name): \(failures)")

        let live = try await Self.read(client, desired)
        let second = try Planner.plan(desired: desired, live: live, options: options)
        #expect(
            second.isEmpty,
            "\(name): \(HumanPlanRenderer().render(second))")

        // A saved plan is checked by reading each object alone, so a single read must give
        // the fingerprint of the collection read the plan was made from.
        var objects: [(String, [String: JSONValue])] = []
        let collections: [(String, [LiveObject])] = [
            ("domains", live.domains), ("customercontacts", live.contacts),
            ("customers", live.customers), ("subscribers", live.subscribers),
        ]
        for (collection, items) in collections {
            objects += items.map { ("/api/\(collection)/\($0.id)", $0.fields) }
        }
        objects += live.callforwards.map { ("/api/callforwards/\($0.key)", $0.value) }
        objects += live.preferences.map { ("/api/subscriberpreferences/\($0.key)", $0.value) }
        for (path, fields) in objects {
            let item = try await client.get(path)
            #expect(
                LiveFingerprint.of(fields: item.objectValue ?? [:])
                    == LiveFingerprint.of(fields: fields),
                "\(name): \(path)")
        }
    }

    static func read(_ client: NGCPAPIClient, _ desired: DesiredState) async throws -> LiveState {
        let reader = LiveStateReader(client: client)
        var live = try await reader.read()
        let blocks = Planner.managedBlocks(desired: desired, live: live)
        try await reader.readSubscriberBlocks(
            forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        return live
    }
}
