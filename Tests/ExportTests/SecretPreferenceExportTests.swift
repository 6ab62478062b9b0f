import Emulator
import Foundation
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Testing

@testable import Export

/// Export of `peer_auth_pass`, a preference whose value is a password: the manifest reads it
/// from a variable, and only the secrets file holds the value.
@Suite(.serialized) struct SecretPreferenceExportTests {
    static let value = "Peer'Secret-1"
    static let variable = "NGCP_PW_SIP_EXAMPLE_ORG_ALICE_PEER_AUTH_PASS"

    /// Alice with `peer_auth_pass` set to `value`, and other preferences.
    static func live(value: JSONValue = .string(value)) -> LiveState {
        var live = MappingTests.live(
            customers: [MappingTests.customer(2, "acme")],
            subscribers: [MappingTests.subscriber(20, "alice", customer: 2)])
        live.preferences[20] = ["peer_auth_pass": value, "clir": true]
        return live
    }

    @Test func manifestNamesVariable() throws {
        let result = Exporter.export(Self.live())
        let text = try #require(result.files.first { $0.path == "customers/acme.yaml" }?.text)
        #expect(text.contains("    peer_auth_pass: {env: \(Self.variable)}\n"), "\(text)")
        #expect(!text.contains("Peer'Secret"))
        #expect(result.notices.isEmpty, "\(result.notices)")

        let secret = try #require(result.secrets.first { $0.variable == Self.variable })
        #expect(secret.value.value == Self.value)
        #expect(secret.subscriber == "alice@sip.example.org")
        #expect(
            ExportWriter.secretsText(result.secrets).contains(
                "export \(Self.variable)='Peer'\\''Secret-1'\n"))

        let loaded = loadExport(result)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let subscriber = try #require(loaded.desired.subscribers.first)
        #expect(subscriber.secrets["preferences.peer_auth_pass"] == .environment(Self.variable))
        #expect(subscriber.preferences == ["clir": true])
    }

    @Test func emptyValueLeftOut() throws {
        let result = Exporter.export(Self.live(value: ""))
        #expect(!result.files.map(\.text).joined().contains("peer_auth_pass"))
        #expect(result.secrets.map(\.variable) == ["NGCP_PW_SIP_EXAMPLE_ORG_ALICE"])
        #expect(
            result.notices.map(\.message) == [
                "preference 'peer_auth_pass' left out: a secret cannot be empty"
            ])
    }

    @Test func variableCollidingWithPasswordIsHashed() throws {
        // The password variable of `alice.peer.auth.pass` is the one `alice`'s peer password
        // would get, so both get the hash of their key.
        var live = Self.live()
        live.subscribers.append(MappingTests.subscriber(21, "alice.peer.auth.pass", customer: 2))
        let result = Exporter.export(live)

        let variables = result.secrets.map(\.variable)
        #expect(Set(variables).count == 3, "\(variables)")
        let peerKey = ExportNaming.preferenceVariableKey(
            "peer_auth_pass", subscriberKey: "alice@sip.example.org")
        #expect(variables.contains(Self.variable + "_" + ExportNaming.hash(peerKey).uppercased()))
        #expect(
            variables.contains(
                Self.variable + "_"
                    + ExportNaming.hash("alice.peer.auth.pass@sip.example.org").uppercased()))
        #expect(variables.contains("NGCP_PW_SIP_EXAMPLE_ORG_ALICE"))
    }

    @Test func exportedPeerPasswordPlansNoChanges() async throws {
        try await withEmulator(generation: GenerationSettings(customers: 2, subscribers: 3)) {
            server, client in
            let subscriber = try #require(try await client.list("subscribers").first)
            let username = try #require(subscriber["username"]?.stringValue)
            let domain = try #require(subscriber["domain"]?.stringValue)
            let id = try #require(subscriber["id"]?.intValue)
            try await client.patch(
                "/api/subscriberpreferences/\(id)",
                operations: [["op": "add", "path": "/peer_auth_pass", "value": "Up-Stream-9"]])

            let directory = try TemporaryDirectory()
            let output = try ExportCommandTests.ngcpctl(
                ["export", "--out", "repo", "--with-secrets-file", "secrets.sh"],
                url: server.baseURL, in: directory.path)
            #expect(output.status == 0, "\(output.standardError)")
            #expect(!output.standardOutput.contains("Up-Stream-9"))
            #expect(!output.standardError.contains("Up-Stream-9"))

            let variable = ExportNaming.preferenceVariable(
                "peer_auth_pass", username: username, domain: domain)
            let manifests = try directory.files().filter { $0.key.hasPrefix("repo/") }
            #expect(!manifests.values.joined().contains("Up-Stream-9"))
            #expect(manifests.values.contains { $0.contains("peer_auth_pass: {env: \(variable)}") })

            let secretsPath = directory.path + "/secrets.sh"
            let mode =
                try FileManager.default.attributesOfItem(atPath: secretsPath)[.posixPermissions]
                as? Int
            #expect(mode == 0o600)
            #expect(
                try sourceWithShell(secretsPath, names: [variable]) == [variable: "Up-Stream-9"])

            // The export plans no change. Another value in the variable plans one secret change.
            let result = try await exportLive(client)
            var secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            let loaded = loadExport(result)
            #expect(loaded.errors.isEmpty, "\(loaded.errors)")
            let unchanged = try await planExport(loaded, client: client, secrets: secrets)
            #expect(unchanged.isEmpty, "\(unchanged.operations.map(\.resourceID))")

            secrets[variable] = "Up-Stream-10"
            let changed = try await planExport(loaded, client: client, secrets: secrets)
            #expect(changed.operations.map(\.resource) == [.subscriberpreferences])
            #expect(
                changed.operations.first?.changes == [
                    FieldChange(path: "peer_auth_pass", before: nil, after: nil, sensitive: true)
                ])
            #expect(!changed.jsonValue.serialized().contains("Up-Stream"))
        }
    }
}
