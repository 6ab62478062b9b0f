import Foundation
import Testing

/// A changed `webpassword` reaches the emulator through the digests that applies record,
/// with the built `ngcpctl`, and no web password value reaches output or files.
@Suite(.serialized) struct WebPasswordTests {
    static let values = ["Web-First-Value-1", "Web-Second-Value-2", "Web-Third-Value-3"]

    static let manifests = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata:
          name: example.org
        spec: {}
        ---
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata:
          name: cust-1
        spec:
          billing_profile: default
          contact: {email: ops@example.org, firstname: First, lastname: Last}
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: alice@example.org
        spec:
          customer: cust-1
          password: {env: ALICE_PASSWORD}
          webpassword: {env: ALICE_WEBPASSWORD}
          primary_number: {cc: 43, ac: "1", sn: "5550001"}

        """

    /// Starts an emulator and writes manifests with alice, which are not applied yet.
    static func setup() async throws -> SavedPlanTests.Setup {
        let started = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<SavedPlanTests.Setup, any Error>) in
            Thread {
                continuation.resume(
                    with: Result {
                        SavedPlanTests.Setup(
                            emulator: try EmulatorProcess(), directory: try TemporaryDirectory(),
                            environment: [:])
                    })
            }.start()
        }
        var setup = started
        setup.environment = [
            "NGCP_URL": started.emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": "Str0ng-Alice-Passw0rd-1",
        ]
        try setup.write(manifests)
        return setup
    }

    /// Returns the state files under the manifests: one, for the emulator's target.
    static func recordFiles(_ setup: SavedPlanTests.Setup) throws -> [String] {
        let directory = setup.manifests + "/.ngcpctl/webpasswords"
        return try FileManager.default.contentsOfDirectory(atPath: directory).map {
            directory + "/" + $0
        }
    }

    static func expectNoValue(_ result: ProcessResult, _ step: String) {
        for value in values {
            #expect(!result.standardOutput.contains(value), "\(step): value on stdout")
            #expect(!result.standardError.contains(value), "\(step): value on stderr")
        }
    }

    static func web(_ index: Int) -> [String: String] {
        ["ALICE_WEBPASSWORD": values[index]]
    }

    @Test("changed web password converges")
    func changedWebPasswordConverges() async throws {
        let setup = try await Self.setup()
        let created = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: Self.web(0))
        try #require(created.exitCode == 0, "\(created.standardError)")
        Self.expectNoValue(created, "create")
        let files = try Self.recordFiles(setup)
        #expect(files.count == 1)
        let file = try #require(files.first)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let afterCreate = try String(contentsOfFile: file, encoding: .utf8)
        #expect(afterCreate.contains("alice@example.org"))

        let same = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(0))
        #expect(same.exitCode == 0, "\(same.standardOutput)\(same.standardError)")
        #expect(!same.standardError.contains("--set-webpasswords"), "\(same.standardError)")

        let changed = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(1))
        #expect(changed.exitCode == 2, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("update subscribers/alice@example.org"))
        #expect(changed.standardOutput.contains("webpassword: (sensitive value)"))
        #expect(changed.standardOutput.contains("Plan: 0 to create, 1 to update, 0 to delete."))
        Self.expectNoValue(changed, "plan")

        let updated = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: Self.web(1))
        #expect(updated.exitCode == 0, "\(updated.standardError)")
        #expect(updated.standardError.contains("0 created, 1 updated"), "\(updated.standardError)")
        Self.expectNoValue(updated, "update")
        let afterUpdate = try String(contentsOfFile: file, encoding: .utf8)
        #expect(afterUpdate != afterCreate)

        let converged = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(1))
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")
        #expect(converged.standardOutput.contains("No changes."))
        for value in Self.values {
            #expect(!afterUpdate.contains(value))
        }
    }

    @Test("saved plan sends checked web password")
    func savedPlanWebPassword() async throws {
        let setup = try await Self.setup()
        let created = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: Self.web(0))
        try #require(created.exitCode == 0, "\(created.standardError)")
        let planFile = setup.directory.path + "/web.json"
        let plan = try await setup.run(
            ["plan", setup.manifests, "--out", planFile], extra: Self.web(1))
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(saved.contains("\"path\": \"/webpassword\""))
        #expect(!saved.contains(Self.values[1]))

        // The digest check between plan and apply covers the web password too.
        let stale = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: Self.web(2),
            workingDirectory: setup.manifests)
        #expect(stale.exitCode == 3, "\(stale.standardError)")
        #expect(stale.standardError.contains("ALICE_WEBPASSWORD"), "\(stale.standardError)")

        let applied = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: Self.web(1),
            workingDirectory: setup.manifests)
        #expect(applied.exitCode == 0, "\(applied.standardError)")
        Self.expectNoValue(applied, "apply --plan")
        let converged = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(1))
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")

        let flag = try await setup.run(
            ["apply", "--plan", planFile, "--set-webpasswords", "--auto-approve"],
            extra: Self.web(1))
        #expect(flag.exitCode == 64, "\(flag.standardError)")
    }

    @Test("unrecorded web password noted, sent on request")
    func unrecordedWebPassword() async throws {
        let setup = try await Self.setup()
        let created = try await setup.run(
            ["apply", setup.manifests, "--auto-approve"], extra: Self.web(0))
        try #require(created.exitCode == 0, "\(created.standardError)")
        for file in try Self.recordFiles(setup) {
            try FileManager.default.removeItem(atPath: file)
        }

        let noted = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(1))
        #expect(noted.exitCode == 0, "\(noted.standardOutput)")
        #expect(noted.standardError.contains("1 subscriber (alice@example.org)"))
        #expect(noted.standardError.contains("--set-webpasswords"), "\(noted.standardError)")

        let sent = try await setup.run(
            ["apply", setup.manifests, "--set-webpasswords", "--auto-approve"],
            extra: Self.web(1))
        #expect(sent.exitCode == 0, "\(sent.standardError)")
        #expect(sent.standardOutput.contains("webpassword: (sensitive value)"))
        #expect(!sent.standardError.contains("--set-webpasswords"), "\(sent.standardError)")
        Self.expectNoValue(sent, "apply --set-webpasswords")

        let converged = try await setup.run(
            ["plan", setup.manifests, "--detailed-exitcode"], extra: Self.web(1))
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")
        #expect(!converged.standardError.contains("--set-webpasswords"))
    }
}
