import Foundation
import NGCPCore
import Testing

/// Manifests and saved plans that try to leak credentials, or to bypass the checks of a saved
/// plan, are rejected by the built `ngcpctl` against an emulator process.
@Suite(.serialized) struct SecretSafetyTests {
    static func manifests(alicePassword: String, preferences: String? = nil) -> String {
        var text = SavedPlanTests.manifests(subscribers: ["alice", "bob"])
        var replacement = "  password: \(alicePassword)\n"
        if let preferences { replacement += "  preferences: \(preferences)\n" }
        text = text.replacingOccurrences(
            of: "  password: {env: ALICE_PASSWORD}\n", with: replacement)
        return text
    }

    /// Asserts that the plan against the original manifests is still empty, so the rejected
    /// run changed nothing.
    static func expectUnchanged(_ setup: SavedPlanTests.Setup) async throws {
        try setup.write(SavedPlanTests.manifests(subscribers: ["alice", "bob"]))
        let plan = try await setup.run(["plan", setup.manifests, "--detailed-exitcode"])
        #expect(plan.exitCode == 0, "\(plan.standardOutput)\(plan.standardError)")
    }

    @Test(
        "credential and system sources rejected",
        arguments: ["{env: NGCP_PASSWORD}", "{env: NGCP_USER}", "{file: /proc/self/environ}"])
    func credentialSourceRejected(_ source: String) async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(alicePassword: source))

        let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        #expect(apply.standardError.contains("all.yaml:"), "\(apply.standardError)")
        #expect(apply.standardError.contains("spec.password"))
        #expect(!apply.standardError.contains("administrator"))
        #expect(!apply.standardOutput.contains("administrator"))
        try await Self.expectUnchanged(setup)
    }

    @Test("edited saved plan blocked by policy")
    func editedPlanBlockedByPolicy() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(
            Self.manifests(
                alicePassword: "{env: ALICE_PASSWORD}", preferences: "{concurrent_max: 3}"))
        let planFile = setup.directory.path + "/upd.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")

        // Raise the limit in the body and the change, as an edit between jobs could.
        var text = try String(contentsOfFile: planFile, encoding: .utf8)
        let pattern = try Regex(#"("(after|value)"\s*:\s*)3\b"#)
        text = text.replacing(pattern) { match in "\(match.output[1].substring ?? "")500" }
        #expect(text.contains("500"))
        try text.write(toFile: planFile, atomically: true, encoding: .utf8)

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("concurrent-max-limit"), "\(apply.standardError)")
    }

    @Test("body-only edit blocked by policy")
    func bodyOnlyEditBlockedByPolicy() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(
            Self.manifests(
                alicePassword: "{env: ALICE_PASSWORD}", preferences: "{concurrent_max: 3}"))
        let planFile = setup.directory.path + "/body.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")

        // Raise the limit only in the request body: the change still says 3.
        var text = try String(contentsOfFile: planFile, encoding: .utf8)
        let pattern = try Regex(#"("value"\s*:\s*)3\b"#)
        text = text.replacing(pattern) { match in "\(match.output[1].substring ?? "")500" }
        #expect(text.contains("\"value\": 500"))
        #expect(!text.contains("\"after\": 500"))
        try text.write(toFile: planFile, atomically: true, encoding: .utf8)

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("concurrent-max-limit"), "\(apply.standardError)")
    }

    @Test("saved plan checked against guards")
    func savedPlanCheckedAgainstGuards() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(SavedPlanTests.manifests(subscribers: ["alice"]))
        let planFile = setup.directory.path + "/prune.json"
        let plan = try await setup.run(["plan", setup.manifests, "--prune", "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")

        let apply = try await setup.run([
            "apply", "--plan", planFile, "--auto-approve", "--max-deletes", "0",
        ])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("max_deletes"))
    }

    @Test("edited request path rejected")
    func editedPathRejected() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(Self.manifests(alicePassword: "{env: ALICE_PASSWORD}") + "  lock: 1\n")
        let planFile = setup.directory.path + "/path.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")

        var text = try String(contentsOfFile: planFile, encoding: .utf8)
        let pattern = try Regex(#""/api/subscribers/\d+""#)
        #expect(text.contains(pattern))
        text = text.replacing(pattern, with: #""/api/../../etc/passwd""#)
        try text.write(toFile: planFile, atomically: true, encoding: .utf8)

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        #expect(apply.standardError.contains("operations[0].path"), "\(apply.standardError)")
    }

    @Test("edited secret source rejected")
    func editedSecretSourceRejected() async throws {
        let setup = try await SavedPlanTests.setup()
        try setup.write(SavedPlanTests.manifests(subscribers: ["alice", "bob", "carol"]))
        let planFile = setup.directory.path + "/carol.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")

        var text = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(text.contains("env:CAROL_PASSWORD"))
        text = text.replacingOccurrences(of: "env:CAROL_PASSWORD", with: "file:/etc/hostname")
        try text.write(toFile: planFile, atomically: true, encoding: .utf8)

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        #expect(apply.standardError.contains("/etc/hostname"), "\(apply.standardError)")
        #expect(apply.standardError.contains("secrets.file_directories"))
    }

    /// Alice's password line and preferences, each of which copies a literal secret into
    /// a field that is not a secret through an alias.
    static let aliasedSecrets: [(password: String, preferences: String, secret: String)] = [
        (
            #"&pw "Alias-Literal-Secret-1"\#n  external_id: *pw"#, "{display_name: *pw}",
            "Alias-Literal-Secret-1"
        ),
        (
            "{env: ALICE_PASSWORD}",
            #"{peer_auth_pass: &peer "Peer-Alias-Secret-2", display_name: *peer}"#,
            "Peer-Alias-Secret-2"
        ),
    ]

    @Test("literal secret copied by an alias kept out of every plan output")
    func aliasedSecretKeptOutOfPlan() async throws {
        let setup = try await SavedPlanTests.setup()
        for manifest in Self.aliasedSecrets {
            try setup.write(
                Self.manifests(alicePassword: manifest.password, preferences: manifest.preferences)
            )
            for format in ["human", "json", "markdown", "dot"] {
                let planFile = setup.directory.path + "/aliased-\(format).json"
                let documentFile = setup.directory.path + "/aliased-\(format)-document.json"
                let plan = try await setup.run([
                    "plan", setup.manifests, "--format", format, "--out", planFile, "--out-json",
                    documentFile,
                ])
                #expect(plan.exitCode == 1, "\(format): \(plan.standardError)")
                #expect(plan.standardError.contains("display_name"), "\(plan.standardError)")
                #expect(!plan.standardOutput.contains(manifest.secret), "\(plan.standardOutput)")
                #expect(!plan.standardError.contains(manifest.secret), "\(plan.standardError)")
                #expect(!FileManager.default.fileExists(atPath: planFile))
                #expect(!FileManager.default.fileExists(atPath: documentFile))
            }

            let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
            #expect(apply.exitCode == 1, "\(apply.standardError)")
            #expect(!apply.standardOutput.contains(manifest.secret))
            #expect(!apply.standardError.contains(manifest.secret))
        }
        try await Self.expectUnchanged(setup)
    }

    @Test("URL with user information rejected")
    func urlWithUserInfoRejected() async throws {
        let setup = try await SavedPlanTests.setup()
        let url = setup.emulator.url.replacingOccurrences(
            of: "http://", with: "http://administrator:APIPASSLEAK@")
        let planFile = setup.directory.path + "/p.json"
        let plan = try await setup.run(
            ["plan", setup.manifests, "--out", planFile], extra: ["NGCP_URL": url])
        #expect(plan.exitCode == 64, "\(plan.standardError)")
        #expect(plan.standardError.contains("NGCP_PASSWORD"))
        #expect(!plan.standardError.contains("APIPASSLEAK"))
        #expect(!plan.standardOutput.contains("APIPASSLEAK"))
        #expect(!FileManager.default.fileExists(atPath: planFile))
    }
}
