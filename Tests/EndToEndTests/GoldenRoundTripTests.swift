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
/// with what the API stores, for each shape of desired state the cases hold.
@Suite struct GoldenRoundTripTests {
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

        let server = try EmulatorServer(configuration: EmulatorConfiguration())
        defer { server.stop() }
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

        let second = try Planner.plan(
            desired: desired, live: try await Self.read(client, desired), options: options)
        #expect(
            second.isEmpty,
            "\(name): \(HumanPlanRenderer().render(second))")
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
