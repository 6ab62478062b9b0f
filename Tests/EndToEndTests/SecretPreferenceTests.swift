import Foundation
import NGCPClient
import NGCPCore
import Testing

/// `peer_auth_pass`, a preference whose value is a password, through `plan`, saved plans and
/// `apply` of the built `ngcpctl` against an emulator process.
@Suite(.serialized) struct SecretPreferenceTests {
    static let first = "Peer-Upstream-Pass-1"
    static let second = "Peer-Upstream-Pass-2"
    static let variable = "ALICE_PEER_PASSWORD"

    /// Returns the manifests of `SavedPlanTests` with alice's `peer_auth_pass` written as `source`.
    static func manifests(peer source: String) -> String {
        SecretSafetyTests.manifests(
            alicePassword: "{env: ALICE_PASSWORD}", preferences: "{peer_auth_pass: \(source)}")
    }

    /// Returns alice's live `peer_auth_pass`, or nil when it is unset.
    static func livePeerPassword(_ setup: SavedPlanTests.Setup) async throws -> String? {
        let client = NGCPAPIClient(
            baseURL: setup.emulator.url, user: "administrator",
            password: SecretValue("administrator"))
        let list = try await client.list("subscribers", filters: ["username": "alice"])
        let id = try #require(list.first?["id"]?.intValue)
        let preferences = try await client.get("/api/subscriberpreferences/\(id)")
        return preferences["peer_auth_pass"]?.stringValue
    }

    static func expectHidden(_ text: String, _ context: String) {
        #expect(!text.contains("Peer-Upstream-Pass"), "\(context): \(text)")
    }

    @Test func planApplyPlanConverges() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(peer: "{env: \(Self.variable)}"))
        let firstValue = [Self.variable: Self.first]

        for format in ["human", "json", "markdown", "dot"] {
            let planFile = setup.directory.path + "/plan-\(format).json"
            let documentFile = setup.directory.path + "/document-\(format).json"
            let plan = try await setup.run(
                [
                    "plan", setup.manifests, "--format", format, "--out", planFile,
                    "--out-json", documentFile,
                ], extra: firstValue)
            #expect(plan.exitCode == 0, "\(format): \(plan.standardError)")
            // The graph names operations only.
            if format != "dot" {
                #expect(plan.standardOutput.contains("peer_auth_pass"), "\(plan.standardOutput)")
            }
            Self.expectHidden(plan.standardOutput, "\(format) output")
            Self.expectHidden(plan.standardError, "\(format) errors")
            for file in [planFile, documentFile] {
                let saved = try String(contentsOfFile: file, encoding: .utf8)
                Self.expectHidden(saved, file)
                #expect(saved.contains("env:\(Self.variable)"), "\(file)")
            }
        }

        let apply = try await setup.run(
            ["apply", "--plan", setup.directory.path + "/plan-human.json", "--auto-approve"],
            extra: firstValue)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        Self.expectHidden(apply.standardOutput + apply.standardError, "apply")
        #expect(try await Self.livePeerPassword(setup) == Self.first)

        let again = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: firstValue)
        #expect(again.exitCode == 0, "\(again.standardOutput)\(again.standardError)")

        // A new value in the variable is a change that shows no value, and converges too.
        let secondValue = [Self.variable: Self.second]
        let changed = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: secondValue)
        #expect(changed.exitCode == 2, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("peer_auth_pass: (sensitive value)"))
        Self.expectHidden(changed.standardOutput, "changed plan")

        let applyChange = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: secondValue)
        #expect(applyChange.exitCode == 0, "\(applyChange.standardError)")
        #expect(try await Self.livePeerPassword(setup) == Self.second)
        let converged = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: secondValue)
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")
    }

    @Test func nullRemovesWithoutShowingValue() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(peer: "{env: \(Self.variable)}"))
        let apply = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: [Self.variable: Self.first])
        try #require(apply.exitCode == 0, "\(apply.standardError)")
        #expect(try await Self.livePeerPassword(setup) == Self.first)

        try setup.write(Self.manifests(peer: "null"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode", "--out", planFile])
        #expect(plan.exitCode == 2, "\(plan.standardError)")
        #expect(
            plan.standardOutput.contains("peer_auth_pass: (sensitive value) → (absent)"),
            "\(plan.standardOutput)")
        Self.expectHidden(plan.standardOutput + plan.standardError, "removal plan")
        Self.expectHidden(try String(contentsOfFile: planFile, encoding: .utf8), planFile)

        let removal = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(removal.exitCode == 0, "\(removal.standardError)")
        #expect(try await Self.livePeerPassword(setup) == nil)
        let converged = try await setup.run(["plan", setup.manifests, "--detailed-exitcode"])
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")
    }

    /// A rule distinguishes removing `peer_auth_pass` from setting it by the change's
    /// `removed`, both when the plan is made and when apply checks a saved plan's request body.
    @Test func policySeesSecretRemoval() async throws {
        let setup = try await SavedPlanTests.setup()
        let rules = setup.directory.path + "/rules.yaml"
        try setup.directory.write(
            "rules.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: keep-peer-password
                severity: deny
                condition: operation.changes.exists(c, c.sensitive && c.removed)
                message: "removes {{ operation.changes.filter(c, c.removed).map(c, c.path) }}"
            """)
        try setup.write(Self.manifests(peer: "{env: \(Self.variable)}"))
        let set = try await setup.run(
            ["apply", setup.manifests, "--auto-approve", "--policies", rules],
            extra: [Self.variable: Self.first])
        try #require(set.exitCode == 0, "\(set.standardError)")

        try setup.write(Self.manifests(peer: "null"))
        let plan = try await setup.run(["plan", setup.manifests, "--policies", rules])
        #expect(plan.exitCode == 3, "\(plan.standardError)")
        #expect(plan.standardError.contains("keep-peer-password"), "\(plan.standardError)")
        #expect(
            plan.standardOutput.contains("removes peer_auth_pass"), "\(plan.standardOutput)")

        // Saved without the rule, the plan meets it at apply, which reads the request body.
        let planFile = setup.directory.path + "/plan.json"
        let saved = try await setup.run(["plan", setup.manifests, "--out", planFile])
        try #require(saved.exitCode == 0, "\(saved.standardError)")
        let apply = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve", "--policies", rules])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("keep-peer-password"), "\(apply.standardError)")
        #expect(
            apply.standardOutput.contains("removes peer_auth_pass"), "\(apply.standardOutput)")
        #expect(try await Self.livePeerPassword(setup) == Self.first)
    }

    @Test func savedPlanNeedsTheSameVariable() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(peer: "{env: \(Self.variable)}"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(
            ["plan", setup.manifests, "--out", planFile], extra: [Self.variable: Self.first])
        try #require(plan.exitCode == 0, "\(plan.standardError)")

        let missing = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(missing.exitCode == 3, "\(missing.standardError)")
        #expect(missing.standardError.contains("environment variable \(Self.variable)"))
        #expect(try await Self.livePeerPassword(setup) == nil)

        let changed = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: [Self.variable: Self.second])
        #expect(changed.exitCode == 3, "\(changed.standardError)")
        Self.expectHidden(changed.standardError, "stale apply")
        #expect(try await Self.livePeerPassword(setup) == nil)

        let apply = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: [Self.variable: Self.first])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(try await Self.livePeerPassword(setup) == Self.first)
    }

    @Test func fileSourceReadRelativeToManifest() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(peer: "{file: peer.txt}"))

        let missing = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        #expect(missing.exitCode == 1, "\(missing.standardError)")
        #expect(missing.standardError.contains("spec.preferences.peer_auth_pass"))
        #expect(missing.standardError.contains("does not exist"))
        #expect(try await Self.livePeerPassword(setup) == nil)

        try setup.directory.write("manifests/peer.txt", Self.first + "\n")
        let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(try await Self.livePeerPassword(setup) == Self.first)
        let again = try await setup.run(["plan", setup.manifests, "--detailed-exitcode"])
        #expect(again.exitCode == 0, "\(again.standardOutput)")
    }

    @Test func literalIsDeniedByPolicy() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(peer: "Peer-Upstream-Pass-3"))

        let plan = try await setup.run(["plan", setup.manifests])
        #expect(plan.exitCode == 3, "\(plan.standardError)")
        #expect(plan.standardError.contains("literal-password"), "\(plan.standardError)")
        #expect(plan.standardError.contains("preferences.peer_auth_pass"))
        Self.expectHidden(plan.standardOutput + plan.standardError, "literal plan")

        let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        Self.expectHidden(apply.standardOutput + apply.standardError, "literal apply")
        #expect(try await Self.livePeerPassword(setup) == nil)
    }
}
