import Foundation
import NGCPCore
import Testing

/// How a target chosen with `--target` combines with `--url`, `NGCP_URL` and saved plans.
@Suite struct TargetSelectionTests {
    /// A directory with an ngcpctl.yaml of two targets, `lab` and `staging`, on two emulators,
    /// and one domain manifest.
    private struct Setup {
        let lab: EmulatorProcess
        let staging: EmulatorProcess
        let directory: TemporaryDirectory

        init() throws {
            lab = try EmulatorProcess()
            staging = try EmulatorProcess()
            directory = try TemporaryDirectory()
            try directory.write(
                "ngcpctl.yaml",
                "targets:\n  lab:\n    url: \(lab.url)\n  staging:\n    url: \(staging.url)\n")
            try directory.write("domain.yaml", ManifestTexts.domain)
        }

        func ngcpctl(_ arguments: [String], url: String? = nil) throws -> ProcessResult {
            var environment = ["NGCP_USER": "administrator", "NGCP_PASSWORD": "administrator"]
            environment["NGCP_URL"] = url
            return try BuiltProducts.run(
                "ngcpctl", arguments, environment: environment,
                currentDirectory: URL(fileURLWithPath: directory.path))
        }
    }

    @Test func explicitTargetWinsOverEnvironmentURL() throws {
        let setup = try Setup()

        let result = try setup.ngcpctl(
            ["plan", ".", "--target", "staging", "--format", "json"], url: setup.lab.url)

        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.contains("note: NGCP_URL"), "\(result.standardError)")
        let plan = try JSONValue.parse(result.standardOutput)
        #expect(plan["target"]?.stringValue == setup.staging.url)
        #expect(plan["target_name"]?.stringValue == "staging")
    }

    @Test func environmentURLStillAppliesWithoutTargetFlag() throws {
        let setup = try Setup()
        try setup.directory.write(
            "ngcpctl.yaml", "targets:\n  lab:\n    url: \(setup.lab.url)\n")

        let result = try setup.ngcpctl(["plan", ".", "--format", "json"], url: setup.staging.url)

        #expect(result.exitCode == 0, "\(result.standardError)")
        let plan = try JSONValue.parse(result.standardOutput)
        #expect(plan["target"]?.stringValue == setup.staging.url)
    }

    @Test func urlFlagForAnotherServerIsUsageError() throws {
        let setup = try Setup()

        let result = try setup.ngcpctl(
            ["plan", ".", "--target", "staging", "--url", setup.lab.url])

        #expect(result.exitCode == 64, "\(result.standardError)")
        #expect(result.standardError.contains("name different servers"))
    }

    @Test func emptyEnvironmentURLCountsAsUnset() throws {
        let setup = try Setup()
        try setup.directory.write(
            "ngcpctl.yaml", "targets:\n  lab:\n    url: \(setup.lab.url)\n")

        let result = try setup.ngcpctl(["plan", ".", "--format", "json"], url: "")

        #expect(result.exitCode == 0, "\(result.standardError)")
        let plan = try JSONValue.parse(result.standardOutput)
        #expect(plan["target"]?.stringValue == setup.lab.url)
    }

    @Test func credentialsInURLFlagAreRefusedAsSuch() throws {
        let setup = try Setup()
        let url = setup.staging.url.replacingOccurrences(of: "://", with: "://u:sekrit@")

        let result = try setup.ngcpctl(["plan", ".", "--target", "staging", "--url", url])

        #expect(result.exitCode == 64, "\(result.standardError)")
        #expect(!result.standardError.contains("name different servers"))
        #expect(!result.standardError.contains("sekrit"))
    }

    @Test func savedPlanKeepsItsTarget() throws {
        let setup = try Setup()
        try setup.directory.write(
            "ngcpctl.yaml",
            "default_target: lab\ntargets:\n  lab:\n    url: \(setup.lab.url)\n"
                + "  other:\n    url: \(setup.lab.url)\n")
        let saved = try setup.ngcpctl(["plan", ".", "--target", "lab", "--out", "p.json"])
        #expect(saved.exitCode == 0, "\(saved.standardError)")

        // Same server, but another target's guards and records.
        let other = try setup.ngcpctl(
            ["apply", "--plan", "p.json", "--target", "other", "--auto-approve"])
        #expect(other.exitCode == 1)
        #expect(other.standardError.contains("made for target 'lab', not 'other'"))

        // The target's own URL is unchanged, so the other one comes from the flag.
        let overridden = try setup.ngcpctl(
            ["apply", "--plan", "p.json", "--url", setup.staging.url, "--auto-approve"])
        #expect(overridden.exitCode != 0)
        #expect(
            overridden.standardError.contains("the URL comes from --url or NGCP_URL"),
            "\(overridden.standardError)")
    }

    @Test func editedTargetNameInPlanIsRejected() throws {
        let setup = try Setup()
        let saved = try setup.ngcpctl(["plan", ".", "--target", "staging", "--out", "p.json"])
        #expect(saved.exitCode == 0, "\(saved.standardError)")
        let path = setup.directory.path + "/p.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(
            of: "\"target_name\": \"staging\"", with: "\"target_name\": \"st\\u001b[31m\""
        ).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.contains("\"target_name\": \"staging\""), "\(text)")

        let applied = try setup.ngcpctl(
            ["apply", "--plan", "p.json", "--target", "staging", "--auto-approve"])
        #expect(applied.exitCode == 1)
        #expect(applied.standardError.contains("target_name: not a valid target name"))
        #expect(!applied.standardError.contains("\u{1B}"))
    }

    @Test func savedPlanNamesItsTarget() throws {
        let setup = try Setup()
        let saved = try setup.ngcpctl(["plan", ".", "--target", "staging", "--out", "p.json"])
        #expect(saved.exitCode == 0, "\(saved.standardError)")

        let human = try setup.ngcpctl(["plan", ".", "--target", "staging"])
        #expect(human.standardOutput.contains("Target: staging (\(setup.staging.url))"))

        // The plan names the target whose server it was made for.
        let applied = try setup.ngcpctl(
            ["apply", "--plan", "p.json", "--target", "lab", "--auto-approve"])
        #expect(applied.exitCode == 1)
        #expect(
            applied.standardError.contains("made for target 'staging'"),
            "\(applied.standardError)")
        #expect(applied.standardError.contains("pass --target staging"))
    }
}
