import Foundation
import NGCPCore
import Testing

@testable import Policies

@Suite struct PolicyTesterTests {
    /// Serialises `plan` as a plan file with test members added to its JSON.
    private func planFile(_ plan: Plan, extra: [String: JSONValue] = [:], desired: JSONValue? = nil)
        -> String
    {
        guard case .object(var root) = plan.jsonValue else { return "" }
        if let desired, case .array(var operations) = root["operations"],
            case .object(var first) = operations[0]
        {
            first["desired"] = desired
            operations[0] = .object(first)
            root["operations"] = .array(operations)
        }
        for (key, value) in extra { root[key] = value }
        return JSONValue.object(root).serialized(pretty: true)
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("policy-test-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func expectedViolationsPass() {
        let text = planFile(
            Plan(operations: [Fixture.forwards(["cfu": ["+43900123456"]])]),
            extra: ["expect_violations": ["callforward-premium-rate"]])
        let result = PolicyTester.run(planText: text, file: "t.json", policies: .builtIn)
        #expect(result.error == nil)
        #expect(result.violatedRules == ["callforward-premium-rate"])
        #expect(result.passed)
    }

    @Test func unexpectedViolationFails() {
        let text = planFile(
            Plan(operations: [Fixture.forwards(["cfu": ["+43900123456"]])]),
            extra: ["expect_violations": []])
        let result = PolicyTester.run(planText: text, file: "t.json", policies: .builtIn)
        #expect(!result.passed)
    }

    @Test func withoutExpectationsDenialFails() {
        let denied = planFile(Plan(operations: [Fixture.forwards(["cfu": ["+43900123456"]])]))
        #expect(!PolicyTester.run(planText: denied, file: "t.json", policies: .builtIn).passed)
        let warned = planFile(Plan(operations: [Fixture.forwards(["cfu": ["+4930123456"]])]))
        let result = PolicyTester.run(planText: warned, file: "t.json", policies: .builtIn)
        #expect(result.violatedRules == ["callforward-international"])
        #expect(result.passed)
    }

    @Test func desiredAnnotationsAndTargetAreRead() throws {
        let set = PolicyLoader().load(documents: [
            (
                "p.yaml",
                """
                rules:
                  - name: lab-only
                    severity: deny
                    condition: target != "lab" && desired.lock > 0
                """
            )
        ]).policies
        let plan = Plan(
            target: "https://ngcp.example.net",
            operations: [
                Fixture.updateSubscriber(body: [])
            ])
        let denied = planFile(plan, desired: ["lock": 4])
        #expect(
            PolicyTester.run(planText: denied, file: "t.json", policies: set).violatedRules == [
                "lab-only"
            ])

        let lab = planFile(plan, extra: ["target_name": "lab"], desired: ["lock": 4])
        #expect(PolicyTester.run(planText: lab, file: "t.json", policies: set).violatedRules == [])

        let waived = planFile(
            plan,
            extra: [
                "annotations": [
                    "subscribers/alice@voice.example.net": ["ngcpctl.io/waive-lab-only": "test"]
                ]
            ], desired: ["lock": 4])
        let result = PolicyTester.run(planText: waived, file: "t.json", policies: set)
        #expect(result.violatedRules == [])
        #expect(result.result.waivers.map(\.reason) == ["test"])
    }

    @Test func invalidFilesAreReported() {
        let broken = PolicyTester.run(planText: "{", file: "t.json", policies: .builtIn)
        #expect(broken.error?.hasPrefix("t.json: not valid JSON") == true)
        #expect(!broken.passed)

        let badVersion = PolicyTester.run(
            planText: #"{"format_version": 9}"#, file: "t.json", policies: .builtIn)
        #expect(badVersion.error?.contains("unsupported version 9") == true)

        let badAnnotation = planFile(
            Plan(operations: [Fixture.updateSubscriber(body: [])]),
            extra: ["annotations": ["alice": [:]]])
        let result = PolicyTester.run(planText: badAnnotation, file: "t.json", policies: .builtIn)
        #expect(
            result.error
                == "t.json: annotations: 'alice' is not a resource id such as"
                + " 'subscribers/alice@example.net'")
    }

    @Test func runsFilesAndPolicyDirectories() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policyFile = directory.appendingPathComponent("site.yaml")
        try "overrides:\n  - rule: concurrent-max-limit\n    parameters: {max: 2}\n".write(
            to: policyFile, atomically: true, encoding: .utf8)
        let planURL = directory.appendingPathComponent("plan.json")
        let plan = Plan(operations: [
            Fixture.preferences([FieldChange(path: "concurrent_max", before: 1, after: 3)])
        ])
        try planFile(plan, extra: ["expect_violations": ["concurrent-max-limit"]]).write(
            to: planURL, atomically: true, encoding: .utf8)

        let report = PolicyTester.run(planFiles: [planURL.path], policyPaths: [policyFile.path])
        #expect(report.policyDiagnostics.isEmpty)
        #expect(report.files.map(\.violatedRules) == [["concurrent-max-limit"]])
        #expect(report.passed)

        let withoutOverride = PolicyTester.run(planFiles: [planURL.path], policyPaths: [])
        #expect(!withoutOverride.passed)

        let missing = PolicyTester.run(
            planFiles: [directory.appendingPathComponent("none.json").path], policyPaths: [])
        #expect(missing.files.first?.error?.hasPrefix("cannot read plan file") == true)
    }

    @Test func brokenPoliciesStopTheRun() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let policyFile = directory.appendingPathComponent("bad.yaml")
        try "rules: 3\n".write(to: policyFile, atomically: true, encoding: .utf8)
        let report = PolicyTester.run(planFiles: ["x.json"], policyPaths: [policyFile.path])
        #expect(report.files.isEmpty)
        #expect(report.policyDiagnostics.map(\.message) == ["expected a list, found integer"])
        #expect(!report.passed)
    }
}

@Suite struct PolicyTestExampleTests {
    @Test func examplePlansPass() throws {
        let directory = packageRoot.appendingPathComponent("policies/tests")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
            .map { directory.appendingPathComponent($0).path }
        #expect(files.count == 4)

        let report = PolicyTester.run(planFiles: files, policyPaths: [])
        for file in report.files {
            #expect(file.error == nil, "\(file.file)")
            #expect(file.expectedRules != nil, "\(file.file) has no expect_violations")
            #expect(file.passed, "\(file.file): \(file.violatedRules)")
        }
        #expect(report.passed)
        let waived = report.files.first { $0.file.hasSuffix("waived-international-forward.json") }
        #expect(waived?.result.waivers.map(\.reason) == ["forwards to the Berlin office"])
    }
}
