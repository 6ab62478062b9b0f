import Foundation
import NGCPClient
import NGCPCore
import Testing

/// Guards, saved plans and output files of `plan` and `apply`, with the built `ngcpctl`
/// against an emulator process.
@Suite struct SavedPlanTests {
    static func manifests(subscribers: [String], email: String? = nil) -> String {
        var text = """
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

            """
        for (index, user) in subscribers.enumerated() {
            text += """
                ---
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata:
                  name: \(user)@example.org
                spec:
                  customer: cust-1
                  password: {env: \(user.uppercased())_PASSWORD}
                  primary_number: {cc: 43, ac: "1", sn: "555000\(index)"}

                """
            if user == "alice", let email { text += "  email: \(email)\n" }
        }
        return text
    }

    struct Setup {
        let emulator: EmulatorProcess
        let directory: TemporaryDirectory
        var environment: [String: String]

        func run(_ arguments: [String], extra: [String: String] = [:]) throws -> ProcessResult {
            try BuiltProducts.run(
                "ngcpctl", arguments, environment: environment.merging(extra) { $1 })
        }

        func write(_ text: String) throws {
            try directory.write("manifests/all.yaml", text)
        }

        var manifests: String { directory.path + "/manifests" }
    }

    /// An emulator with alice and bob applied.
    static func setup() throws -> Setup {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let environment = [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": "AlicePass1",
            "BOB_PASSWORD": "BobPass1", "CAROL_PASSWORD": "CarolPass1",
        ]
        let setup = Setup(emulator: emulator, directory: directory, environment: environment)
        try setup.write(manifests(subscribers: ["alice", "bob"]))
        let apply = try setup.run(["apply", setup.manifests, "--auto-approve"])
        try #require(apply.exitCode == 0, "\(apply.standardError)")
        return setup
    }

    @Test func guardBlocksPlanAndApply() throws {
        let setup = try Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice"]))

        let plan = try setup.run([
            "plan", setup.manifests, "--prune", "--max-deletes", "0", "--out",
            setup.directory.path + "/blocked.json",
        ])
        #expect(plan.exitCode == 3, "\(plan.standardError)")
        #expect(plan.standardError.contains("max_deletes"))
        #expect(plan.standardError.contains("subscribers/bob@example.org"))
        #expect(
            !FileManager.default.fileExists(atPath: setup.directory.path + "/blocked.json"))

        let apply = try setup.run([
            "apply", setup.manifests, "--prune", "--max-deletes", "0", "--auto-approve",
        ])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("max_deletes"))

        // Within the default limit the same prune passes.
        let allowed = try setup.run(["plan", setup.manifests, "--prune"])
        #expect(allowed.exitCode == 0, "\(allowed.standardError)")
        #expect(allowed.standardOutput.contains("- delete subscribers/bob@example.org"))
    }

    @Test func savedPlanAppliesExactly() throws {
        let setup = try Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob"], email: "a@example.org"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(saved.contains("live_fingerprint"))
        #expect(!saved.contains("AlicePass1"))

        let apply = try setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        let again = try setup.run(["plan", setup.manifests, "--detailed-exitcode"])
        #expect(again.exitCode == 0, "\(again.standardOutput)")
    }

    @Test func stalePlanIsRejected() async throws {
        let setup = try Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob"], email: "a@example.org"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try setup.run(["plan", setup.manifests, "--out", planFile])
        try #require(plan.exitCode == 0, "\(plan.standardError)")

        // Someone changes alice after the plan was made.
        let client = NGCPAPIClient(
            baseURL: setup.emulator.url, user: "administrator",
            password: SecretValue("administrator"))
        let list = try await client.list("subscribers", filters: ["username": "alice"])
        let id = try #require(list.first?["id"]?.intValue)
        _ = try await client.patch(
            "/api/subscribers/\(id)",
            operations: [["op": "replace", "path": "/email", "value": "other@example.org"]])

        let apply = try setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("subscribers/alice@example.org"))
        #expect(apply.standardError.contains("stale"))
    }

    @Test func changedSecretIsRejected() throws {
        let setup = try Self.setup()
        let planFile = setup.directory.path + "/plan.json"
        let plan = try setup.run(
            ["plan", setup.manifests, "--out", planFile], extra: ["ALICE_PASSWORD": "NewPass2"])
        try #require(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("password: (sensitive value)"))
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(!saved.contains("NewPass2"))
        #expect(saved.contains("hmac-sha256:"))

        let stale = try setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: ["ALICE_PASSWORD": "Other3"])
        #expect(stale.exitCode == 3, "\(stale.standardError)")
        #expect(stale.standardError.contains("ALICE_PASSWORD"))
        #expect(!stale.standardError.contains("Other3"))

        let apply = try setup.run(
            ["apply", "--plan", planFile, "--auto-approve"], extra: ["ALICE_PASSWORD": "NewPass2"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
    }

    @Test func outputFilesAndFormats() throws {
        let setup = try Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob", "carol"]))
        let jsonFile = setup.directory.path + "/plan-doc.json"
        let plan = try setup.run(["plan", setup.manifests, "--out-json", jsonFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("+ create subscribers/carol@example.org"))
        let document = try JSONValue.parse(String(contentsOfFile: jsonFile, encoding: .utf8))
        #expect(document["format_version"] == 1)
        #expect(document["summary"]?["create"] == 1)

        let dot = try setup.run(["plan", setup.manifests, "--format", "dot"])
        #expect(dot.exitCode == 0)
        #expect(dot.standardOutput.hasPrefix("digraph plan {"))
        #expect(dot.standardOutput.contains("op1 [label="))

        let plain = try setup.run(["plan", setup.manifests, "--color", "auto"])
        #expect(!plain.standardOutput.contains("\u{1B}["))
        let colored = try setup.run(["plan", setup.manifests, "--color", "always"])
        #expect(colored.standardOutput.contains("\u{1B}["))
    }
}
