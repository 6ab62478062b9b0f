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
