import Apply
import Emulator
import Export
import Foundation
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Testing

/// Export, load and plan against the emulator: an export must describe the platform exactly.
/// Serialized because every test starts an emulator, and several at once load a small
/// machine heavily.
@Suite(.serialized) struct RoundTripTests {
    static let generation = GenerationSettings(customers: 30, subscribers: 100)

    @Test func generatedPlatformPlansNoChanges() async throws {
        try await withEmulator(generation: Self.generation) { _, client in
            let result = try await exportLive(client)
            #expect(result.customerCount == 30)
            #expect(result.subscriberCount == 100)
            #expect(result.domainCount == 1)
            #expect(result.files.count == 31)
            #expect(result.secrets.count == 100)
            #expect(result.notices.isEmpty, "\(result.notices)")

            // Every featured subscriber keeps its forward and its two preferences.
            let text = result.files.map(\.text).joined()
            #expect(text.contains("callforwards:\n    cfu:"))
            #expect(text.contains("block_in_mode: false"))
            #expect(!text.contains("allowed_clis"))
            #expect(!text.contains("call_log_level"))
            #expect(!text.contains("gen-pass-"), "a password value reached a manifest")

            let loaded = loadExport(result)
            #expect(loaded.errors.isEmpty, "\(loaded.errors)")
            #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
            #expect(loaded.desired.subscribers.count == 100)

            let secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            let plan = try await planExport(loaded, client: client, secrets: secrets)
            #expect(plan.isEmpty, "\(plan.operations.map(\.resourceID))")

            let again = try await exportLive(client)
            #expect(again.files == result.files)
            #expect(again.secrets == result.secrets)
        }
    }

    @Test func changedPasswordShowsInPlan() async throws {
        try await withEmulator(generation: GenerationSettings(customers: 2, subscribers: 3)) {
            _, client in
            let result = try await exportLive(client)
            var secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            let changed = try #require(result.secrets.first)
            secrets[changed.variable] = "another-password"

            let plan = try await planExport(loadExport(result), client: client, secrets: secrets)
            #expect(plan.operations.count == 1)
            #expect(plan.operations.first?.name == changed.subscriber)
            #expect(plan.operations.first?.changes.map(\.path) == ["password"])
        }
    }

    @Test func selectedCustomersOnly() async throws {
        try await withEmulator(generation: GenerationSettings(customers: 12, subscribers: 24)) {
            _, client in
            let options = ExportOptions(allDomains: false)
            let result = try await exportLive(
                client, customers: ["gen-customer-1", "GEN-CUSTOMER-11"], options: options)
            #expect(
                result.files.map(\.path) == [
                    "customers/gen-customer-1.yaml", "customers/gen-customer-11.yaml",
                    "domains.yaml",
                ])
            #expect(result.subscriberCount == 4)

            let loaded = loadExport(result)
            #expect(loaded.errors.isEmpty, "\(loaded.errors)")
            let secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            let plan = try await planExport(loaded, client: client, secrets: secrets)
            #expect(plan.isEmpty, "\(plan.operations.map(\.resourceID))")
        }
    }

    @Test func examplesApplyExportPlan() async throws {
        try await withEmulator { _, client in
            // Apply examples/ with generated passwords.
            let examples = Self.examplesDirectory()
            let loaded = ManifestLoader().load(paths: [examples])
            try #require(!loaded.hasErrors, "\(loaded.errors)")
            var environment: [String: String] = [:]
            for subscriber in loaded.desired.subscribers {
                for source in subscriber.secrets.values {
                    if case .environment(let name) = source { environment[name] = "pw-\(name)" }
                }
            }
            let resolver = SecretResolver(environment: environment)
            let reader = LiveStateReader(client: client)
            let live = try await reader.read()
            let plan = try Planner.plan(desired: loaded.desired, live: live)
            let applied = await PlanExecutor(
                client: client, secrets: PlanSecrets(resolver: resolver)
            ).execute(plan)
            try #require(applied.succeeded, "\(applied.operations.map(\.outcome))")

            // Export and plan the export.
            let result = try await exportLive(client)
            #expect(result.customerCount == 3)
            #expect(result.subscriberCount == 9)
            #expect(result.domainCount == 2)
            let exported = loadExport(result)
            #expect(exported.errors.isEmpty, "\(exported.errors)")
            let secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            #expect(
                secrets["NGCP_PW_VOICE_EXAMPLE_NET_RECEPTION"] == "pw-ALPINE_RECEPTION_PASSWORD")
            let second = try await planExport(exported, client: client, secrets: secrets)
            #expect(second.isEmpty, "\(second.operations.map(\.resourceID))")

            // The export reads like the examples: numbers and forwards in the written form.
            let alpine = try #require(
                result.files.first { $0.path == "customers/alpine-logistics.yaml" })
            #expect(alpine.text.contains("primary_number: {cc: 43, ac: \"732\", sn: \"1234500\"}"))
            #expect(alpine.text.contains("ringtimeout: 20"))
            #expect(alpine.text.contains("- destination: \"4373212345099\"\n"))
            #expect(alpine.text.contains("webusername: reception.alpine"))
            #expect(alpine.text.contains("postcode: \"4020\""))
            #expect(!alpine.text.contains("timeout: 300"))
            #expect(!alpine.text.contains("webpassword"))

            // The export's desired state equals the examples' where both manage a field.
            for subscriber in loaded.desired.subscribers {
                let twin = exported.desired.subscribers.first { $0.name == subscriber.name }
                #expect(twin?.preferences == subscriber.preferences, "\(subscriber.name)")
                #expect(twin?.customer == subscriber.customer)
            }
        }
    }

    @Test func reExportRewritesNothing() async throws {
        try await withEmulator(generation: GenerationSettings(customers: 3, subscribers: 6)) {
            _, client in
            let directory = try TemporaryDirectory()
            let first = try await exportLive(client)
            try ExportWriter.write(first, to: directory.path, removeStale: true)
            let written = try directory.files()
            #expect(written.count == 4)

            // A hand-written file stays; a file an earlier export wrote for a gone customer goes.
            let handWritten = directory.path + "/customers/hand.yaml"
            try "apiVersion: ngcpctl/v1\n".write(
                toFile: handWritten, atomically: true, encoding: .utf8)
            let stale = directory.path + "/customers/gone.yaml"
            try (Exporter.header + "\n").write(toFile: stale, atomically: true, encoding: .utf8)

            let second = try await exportLive(client)
            let removed = try ExportWriter.write(second, to: directory.path, removeStale: true)
            #expect(removed == ["customers/gone.yaml"])
            var after = try directory.files()
            #expect(after.removeValue(forKey: "customers/hand.yaml") != nil)
            #expect(after == written)
        }
    }

    static func examplesDirectory() -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("examples").path
    }
}
