import Foundation
import NGCPCore
import Testing

/// Removing a subscriber against an emulator process: `status: terminated` is rejected before
/// anything is sent, and the advised way (delete the document, apply with --prune) converges.
@Suite struct SubscriberRemovalTests {
    static let room2Document = """
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: room2@pbx.example.org
        spec:
          customer: danube-dental
          password: {env: DANUBE_ROOM2_PASSWORD}
          primary_number: {cc: 43, ac: "2732", sn: "77112"}
          preferences:
            block_in_clir: true

        """

    static func apply(_ path: String, _ extra: [String] = [], environment: [String: String])
        throws -> ProcessResult
    {
        try BuiltProducts.run(
            "ngcpctl",
            ["apply", path, "--auto-approve", "--no-record", "--allow-dirty"] + extra,
            environment: environment)
    }

    @Test func terminatedStatusIsRejectedAndPruneConverges() throws {
        let emulator = try EmulatorProcess()
        let environment = ApplyExamplesTests.environment(emulator)
        let directory = try TemporaryDirectory()
        let examples = try directory.copyExamples()
        let file = examples + "/customers/danube-dental.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try #require(original.contains(Self.room2Document))

        let first = try Self.apply(examples, environment: environment)
        try #require(first.exitCode == 0, "\(first.standardError)")

        // Declaring the subscriber terminated is an error at the field, and nothing is sent.
        let terminated = original.replacingOccurrences(
            of: "    block_in_clir: true\n", with: "    block_in_clir: true\n  status: terminated\n"
        )
        try terminated.write(toFile: file, atomically: true, encoding: .utf8)
        let rejected = try Self.apply(examples, environment: environment)
        #expect(rejected.exitCode == 1, "\(rejected.standardError)")
        #expect(rejected.standardError.contains("spec.status: a subscriber cannot be declared"))
        #expect(rejected.standardError.contains("delete its document and run apply with --prune"))
        let unchanged = try BuiltProducts.run(
            "ngcpctl", ["plan", "examples", "--detailed-exitcode"], environment: environment)
        #expect(unchanged.exitCode == 0, "\(unchanged.standardOutput)\(unchanged.standardError)")

        // Without the document, a plan without --prune counts what it leaves alone.
        let removed = original.replacingOccurrences(of: Self.room2Document, with: "\n")
        try removed.write(toFile: file, atomically: true, encoding: .utf8)
        let withoutPrune = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--detailed-exitcode"], environment: environment)
        #expect(withoutPrune.exitCode == 0, "\(withoutPrune.standardError)")
        #expect(
            withoutPrune.standardOutput.contains(
                "left alone without --prune: 1 (subscribers/room2@pbx.example.org)"))

        // The advised removal deletes it once; applying again changes nothing.
        let prune = try Self.apply(examples, ["--prune"], environment: environment)
        #expect(prune.exitCode == 0, "\(prune.standardError)")
        #expect(prune.standardError.contains("1 deleted"), "\(prune.standardError)")
        let again = try Self.apply(examples, ["--prune"], environment: environment)
        #expect(again.exitCode == 0, "\(again.standardError)")
        let final = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--prune", "--detailed-exitcode"],
            environment: environment)
        #expect(final.exitCode == 0, "\(final.standardOutput)\(final.standardError)")
        #expect(final.standardOutput.contains("No changes. Live state matches the manifests."))
    }
}

/// `validate` without the secrets: each unreadable secret is a warning, not an error.
@Suite struct ValidateSecretTests {
    @Test func missingSecretsAreWarnings() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "m.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: bob@voice.example.net
            spec:
              customer: acme
              password: {env: NGCPCTL_TEST_UNSET_PASSWORD}
              webpassword: {file: secrets}
            """)
        try FileManager.default.createDirectory(
            atPath: directory.path + "/secrets", withIntermediateDirectories: true)

        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 0, "\(result.standardError)")
        // Each warning points at the secret's own line, not at metadata.name.
        #expect(result.standardError.contains("m.yaml:7:13: warning: spec.password:"))
        #expect(result.standardError.contains("NGCPCTL_TEST_UNSET_PASSWORD"))
        #expect(result.standardError.contains("m.yaml:8:16: warning: spec.webpassword:"))
        // A reference names where the secret is and contains none, so the source line shows it.
        #expect(result.standardError.contains("7 |   password: {env: NGCPCTL_TEST_UNSET_PASSWORD}"))
        #expect(result.standardError.contains("8 |   webpassword: {file: secrets}"))
        #expect(!result.standardError.contains("error:"))
        #expect(result.standardOutput.contains("Valid: 1 file, 0 domains"))

        // Plan stops on the same secret, with the error at the same line.
        let emulator = try EmulatorProcess()
        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", directory.path],
            environment: ApplyExamplesTests.environment(emulator))
        #expect(plan.exitCode == 1, "\(plan.standardError)")
        #expect(plan.standardError.contains("m.yaml:7:13: error: spec.password:"))
    }
}
