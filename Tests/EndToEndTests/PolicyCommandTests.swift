import Foundation
import NGCPCore
import Testing

/// Policies checked by the built `ngcpctl` on plan and apply.
@Suite struct PolicyCommandTests {
    /// The examples with the reception's forward pointed at a premium-rate number.
    static func premiumRateExamples(in directory: TemporaryDirectory) throws -> String {
        let examples = try directory.copyExamples()
        let file = examples + "/customers/alpine-logistics.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "\"4373212345099\"", with: "\"0900123456\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return examples
    }

    @Test func denyRuleBlocksPlanWithExitThree() throws {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let examples = try Self.premiumRateExamples(in: directory)
        let planPath = directory.path + "/plan.json"

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--out", planPath, "--format", "json"],
            environment: ApplyExamplesTests.environment(emulator))
        #expect(plan.exitCode == 3, "\(plan.standardError)")
        #expect(plan.standardError.contains("blocked by policy: callforward-premium-rate"))
        let document = try JSONValue.parse(plan.standardOutput)
        let violations = document["policy"]?["violations"]?.arrayValue ?? []
        #expect(violations.contains { $0["rule"] == "callforward-premium-rate" })
        #expect(!FileManager.default.fileExists(atPath: planPath), "a blocked plan is not saved")
    }

    @Test func denyRuleBlocksApplyBeforeAnyWrite() throws {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let examples = try Self.premiumRateExamples(in: directory)
        let environment = ApplyExamplesTests.environment(emulator)

        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", examples, "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 3)
        #expect(apply.standardError.contains("callforward-premium-rate"))

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", "examples", "--format", "json"], environment: environment)
        let document = try JSONValue.parse(plan.standardOutput)
        #expect(document["summary"]?["create"] == 27, "the blocked apply wrote nothing")
    }

    @Test func waiverWithReasonLetsPlanThrough() throws {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let examples = try Self.premiumRateExamples(in: directory)
        let file = examples + "/customers/alpine-logistics.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
            of: "  name: reception@voice.example.net\n",
            with: """
                  name: reception@voice.example.net
                  annotations:
                    ngcpctl.io/waive-callforward-premium-rate: "hotline contract 2026-114"

                """)
        try text.write(toFile: file, atomically: true, encoding: .utf8)

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", examples], environment: ApplyExamplesTests.environment(emulator))
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("waived callforward-premium-rate"))
        #expect(plan.standardOutput.contains("hotline contract 2026-114"))
    }

    @Test func policyTestChecksSavedPlans() throws {
        let files = ["mass-termination", "premium-rate-forward", "weak-password"].map {
            "policies/tests/\($0).json"
        }
        let result = try BuiltProducts.run("ngcpctl", ["policy", "test"] + files)
        #expect(result.exitCode == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("3 passed, 0 failed"))
    }

    @Test func policyTestFailsOnUnexpectedViolation() throws {
        let directory = try TemporaryDirectory()
        let original = try String(
            contentsOfFile: BuiltProducts.packageRoot.path
                + "/policies/tests/premium-rate-forward.json",
            encoding: .utf8)
        let document = try JSONValue.parse(original)
        guard case .object(var members) = document else {
            Issue.record("the example plan is not an object")
            return
        }
        members["expect_violations"] = []
        try directory.write("plan.json", JSONValue.object(members).serialized())

        let result = try BuiltProducts.run(
            "ngcpctl", ["policy", "test", directory.path + "/plan.json"])
        #expect(result.exitCode == 1)
        #expect(result.standardOutput.contains("FAIL"))
        #expect(result.standardOutput.contains("0 passed, 1 failed"))
    }
}
