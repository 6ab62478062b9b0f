import Foundation
import Manifests
import NGCPCore
import Testing

/// Returns a subscriber whose `preferences` block is the flow mapping `preferences`, on line 7.
private func subscriber(_ preferences: String, name: String = "alice") -> String {
    """
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata: {name: \(name)@d.example}
    spec:
      customer: acme
      password: {env: P}
      preferences: \(preferences)
    """
}

private let field = "preferences.peer_auth_pass"

/// Returns the diagnostics about the preferences block. Every test subscriber also gets warnings
/// about its undeclared customer and domain.
private func preferenceDiagnostics(_ result: ManifestLoadResult) -> [Diagnostic] {
    result.diagnostics.filter { $0.fieldPath?.hasPrefix("spec.preferences") == true }
}

@Suite struct SecretPreferenceLoadingTests {
    @Test func environmentSourceIsASecret() throws {
        let result = loadManifest(
            subscriber("{peer_auth_pass: {env: PEER_PASSWORD}, display_name: Alice}"))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(preferenceDiagnostics(result).isEmpty)
        let loaded = try #require(result.desired.subscribers.first)
        #expect(loaded.secrets[field] == .environment("PEER_PASSWORD"))
        #expect(loaded.preferences == ["display_name": "Alice"])
    }

    @Test func relativeFileFollowsEachManifest() throws {
        // The same block in two directories names two files.
        let block = "{peer_auth_pass: {file: peer.txt}}"
        let result = loadManifests([
            ("east/a.yaml", subscriber(block, name: "alice")),
            ("west/b.yaml", subscriber(block, name: "bob")),
        ])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(preferenceDiagnostics(result).isEmpty)
        let sources = result.desired.subscribers.map { $0.secrets[field] }
        #expect(sources == [.file("/srv/ngcp/east/peer.txt"), .file("/srv/ngcp/west/peer.txt")])
        #expect(result.desired.subscribers.map(\.preferences) == [[:], [:]])
    }

    @Test func literalWarnsLikeAPassword() throws {
        let result = loadManifest(subscriber("{peer_auth_pass: Peer-Literal-1}"))
        #expect(
            preferenceDiagnostics(result) == [
                Diagnostic(
                    .warning, "secret is written in the manifest as a literal value",
                    at: SourceLocation(file: "m.yaml", line: 7, column: 33),
                    fieldPath: "spec.preferences.peer_auth_pass",
                    hint: "use {env: NAME} or {file: PATH} so the value stays out of git")
            ])
        let loaded = try #require(result.desired.subscribers.first)
        #expect(loaded.secrets[field] == .literal("Peer-Literal-1"))
        #expect(loaded.preferences == [:])
    }

    @Test func nullRemovesThePreference() throws {
        let result = loadManifest(subscriber("{peer_auth_pass: null}"))
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(preferenceDiagnostics(result).isEmpty)
        let loaded = try #require(result.desired.subscribers.first)
        #expect(loaded.secrets[field] == nil)
        #expect(loaded.preferences == ["peer_auth_pass": .null])
    }

    @Test(
        arguments: [
            ("\"\"", "the secret is empty"),
            ("12345", "expected a string, {env: NAME} or {file: PATH}"),
            ("[a, b]", "expected a string, {env: NAME} or {file: PATH}"),
            // The name may be the secret itself, written in the wrong place.
            ("{env: 1PEER}", "environment variable name '(sensitive value)' is not valid"),
            ("{env: A_PW, file: x}", "expected a string, {env: NAME} or {file: PATH}"),
            (
                String(repeating: "x", count: 129),
                "the secret is longer than 128 characters, the maximum that NGCP accepts"
            ),
        ])
    func invalidSourceIsAnError(value: String, message: String) {
        let result = loadManifest(subscriber("{peer_auth_pass: \(value)}"))
        #expect(result.errors.map(\.message) == [message])
        #expect(
            result.errors.first?.fieldPath?.hasPrefix("spec.preferences.peer_auth_pass") == true)
        #expect(result.desired.subscribers.isEmpty)
    }

    @Test func unreadableSourcesReportedAtTheField() throws {
        let text =
            subscriber("{peer_auth_pass: {env: PEER_PW}, clir: true}")
            + "\n---\n"
            + subscriber("{peer_auth_pass: {file: missing-peer.txt}}", name: "bob")
        let result = loadManifest(text)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(preferenceDiagnostics(result).isEmpty)

        let resolver = SecretResolver(environment: ["P": "Sip-Secret-1"], baseDirectory: "/")
        let diagnostics = result.locatingSecretFields(
            resolveSecrets(in: result.desired, resolver: resolver))
        #expect(
            diagnostics == [
                Diagnostic(
                    .error,
                    "subscriber 'alice@d.example': cannot read secret {env: PEER_PW}: environment"
                        + " variable 'PEER_PW' is not set",
                    at: SourceLocation(file: "m.yaml", line: 7, column: 33),
                    fieldPath: "spec.preferences.peer_auth_pass",
                    hint: "set the variable before running ngcpctl"),
                Diagnostic(
                    .error,
                    "subscriber 'bob@d.example': cannot read secret"
                        + " {file: /srv/ngcp/missing-peer.txt}: file '/srv/ngcp/missing-peer.txt'"
                        + " does not exist",
                    at: SourceLocation(file: "m.yaml", line: 15, column: 33),
                    fieldPath: "spec.preferences.peer_auth_pass",
                    hint: "create the file, or correct the path, before running ngcpctl"),
            ])

        let resolved = resolveSecrets(
            in: result.desired,
            resolver: SecretResolver(
                environment: ["P": "Sip-Secret-1", "PEER_PW": "Peer-Secret-1"],
                baseDirectory: "/"))
        #expect(resolved.count == 1)
    }

    @Test func accessRulesCoverTheSource() {
        let result = loadManifest(subscriber("{peer_auth_pass: {env: NGCP_PASSWORD}}"))
        let diagnostics = checkSecretAccess(in: result.desired, access: SecretAccess())
        #expect(diagnostics.map(\.fieldPath) == ["spec.preferences.peer_auth_pass"])
        #expect(diagnostics.first?.message.contains("NGCP_PASSWORD") == true)
    }

    @Test func aliasIntoAnotherFieldIsRejected() {
        let result = loadManifest(
            subscriber("{peer_auth_pass: &peer Peer-Alias-1, display_name: *peer}"))
        #expect(result.errors.map(\.fieldPath) == ["spec.preferences.display_name"])
        #expect(
            result.errors.first?.hint
                == "write 'spec.preferences.peer_auth_pass' as {env: NAME} or {file: PATH},"
                + " and give this field a value of its own")
        #expect(!result.errors.description.contains("Peer-Alias-1"))
    }
}
