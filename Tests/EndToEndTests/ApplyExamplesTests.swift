import Foundation
import NGCPCore
import Testing

/// Applies examples/ to a freshly started emulator process with the built `ngcpctl`.
@Suite struct ApplyExamplesTests {
    /// Every secret the examples name, with values that are easy to search for in output.
    static let secrets: [String: String] = {
        let names = [
            "ALPINE_RECEPTION_PASSWORD", "ALPINE_RECEPTION_WEBPASSWORD",
            "ALPINE_NIGHTSHIFT_PASSWORD", "ALPINE_WAREHOUSE_PASSWORD",
            "DANUBE_FRONTDESK_PASSWORD", "DANUBE_ROOM1_PASSWORD", "DANUBE_ROOM2_PASSWORD",
            "GRAZ_SHOP_PASSWORD", "GRAZ_OFFICE_PASSWORD", "GRAZ_ROASTERY_PASSWORD",
            "NEW_SUBSCRIBER_PASSWORD",
        ]
        var values: [String: String] = [:]
        for (index, name) in names.enumerated() { values[name] = "Sekr3tValue\(index)x" }
        return values
    }()

    static func environment(_ emulator: EmulatorProcess) -> [String: String] {
        var environment = secrets
        environment["NGCP_URL"] = emulator.url
        environment["NGCP_USER"] = "administrator"
        environment["NGCP_PASSWORD"] = "administrator"
        return environment
    }

    static func expectNoSecret(_ result: ProcessResult, _ step: String) {
        for value in secrets.values {
            #expect(!result.standardOutput.contains(value), "\(step): secret on stdout")
            #expect(!result.standardError.contains(value), "\(step): secret on stderr")
        }
        #expect(!result.standardOutput.contains("Sekr3t"), "\(step)")
        #expect(!result.standardError.contains("Sekr3t"), "\(step)")
    }

    @Test func applyThenPlanIsEmpty() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        // A copy, because an apply keeps web password records in the manifests' repository.
        let directory = try TemporaryDirectory()
        let examples = try directory.copyExamples()

        let first = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--detailed-exitcode"], environment: environment)
        #expect(first.exitCode == 2, "\(first.standardError)")
        #expect(first.standardOutput.contains("Plan: 27 to create, 0 to update, 0 to delete."))
        Self.expectNoSecret(first, "first plan")

        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", examples, "--auto-approve", "--no-record", "--allow-dirty"],
            environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(apply.standardError.contains("Apply complete: 27 created"))
        Self.expectNoSecret(apply, "apply")

        let second = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--detailed-exitcode"], environment: environment)
        #expect(second.exitCode == 0, "\(second.standardOutput)\(second.standardError)")
        #expect(second.standardOutput.contains("No changes."))
    }

    @Test func changesGiveExactOperations() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let directory = try TemporaryDirectory()
        let examples = try directory.copyExamples()
        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", examples, "--auto-approve", "--no-record", "--allow-dirty"],
            environment: environment)
        try #require(apply.exitCode == 0, "\(apply.standardError)")

        // Change a preference, remove an alias number and add a subscriber.
        let file = examples + "/customers/alpine-logistics.yaml"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "concurrent_max: 4", with: "concurrent_max: 6")
        text = text.replacingOccurrences(
            of: "    - {cc: 43, ac: \"732\", sn: \"1234502\"}\n", with: "")
        text += """
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: dispatch@voice.example.net
            spec:
              customer: alpine-logistics
              password: {env: NEW_SUBSCRIBER_PASSWORD}
              primary_number: {cc: 43, ac: "732", sn: "1234520"}

            """
        try text.write(toFile: file, atomically: true, encoding: .utf8)

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--format", "json", "--detailed-exitcode"],
            environment: environment)
        #expect(plan.exitCode == 2, "\(plan.standardError)")
        Self.expectNoSecret(plan, "plan")
        let document = try JSONValue.parse(plan.standardOutput)
        let operations = try #require(document["operations"]?.arrayValue)
        let summary = operations.map { operation in
            [
                operation["action"]?.stringValue ?? "", operation["method"]?.stringValue ?? "",
                operation["resource"]?.stringValue ?? "", operation["name"]?.stringValue ?? "",
            ].joined(separator: " ")
        }
        #expect(
            Set(summary) == [
                "update PATCH subscribers reception@voice.example.net",
                "update PATCH subscriberpreferences reception@voice.example.net",
                "create POST subscribers dispatch@voice.example.net",
            ])
        #expect(operations.count == 3)

        let preference = operations.first { $0["resource"] == "subscriberpreferences" }
        let changes = preference?["changes"]?.arrayValue ?? []
        #expect(changes.count == 1)
        #expect(changes.first?["path"] == "concurrent_max")
        #expect(changes.first?["before"] == 4)
        #expect(changes.first?["after"] == 6)

        let subscriber = operations.first {
            $0["resource"] == "subscribers" && $0["action"] == "update"
        }
        let aliasChange = subscriber?["changes"]?.arrayValue?.first
        #expect(aliasChange?["path"]?.stringValue?.hasPrefix("alias_numbers") == true)
    }

    @Test func savedPlanAppliesExactlyWithoutSecrets() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let directory = try TemporaryDirectory()
        let examples = try directory.copyExamples()
        let planPath = directory.path + "/plan.json"

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--out", planPath], environment: environment)
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        let saved = try directory.read("plan.json")
        #expect(!saved.contains("Sekr3t"))
        #expect(saved.contains("\"source\": \"env:ALPINE_RECEPTION_PASSWORD\""))

        // `apply --plan` keeps its records in the working directory's repository.
        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", "--plan", planPath, "--auto-approve", "--format", "json"],
            environment: environment, currentDirectory: URL(fileURLWithPath: examples))
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        Self.expectNoSecret(apply, "apply --plan")
        let result = try JSONValue.parse(apply.standardOutput)
        #expect(result["outcome_summary"]?["created"] == 27)

        let again = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--detailed-exitcode"], environment: environment)
        #expect(again.exitCode == 0, "\(again.standardOutput)")
    }

    @Test func applyWithoutTerminalNeedsAutoApprove() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", "examples", "--no-record", "--allow-dirty"],
            environment: environment)
        #expect(apply.exitCode == 1)
        #expect(apply.standardError.contains("pass --auto-approve"))

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", "examples", "--detailed-exitcode"], environment: environment)
        #expect(plan.exitCode == 2, "nothing was applied, so the changes remain")
    }

    @Test func missingSecretStopsBeforeAnyWrite() throws {
        let emulator = try EmulatorProcess()
        var environment = Self.environment(emulator)
        environment["GRAZ_SHOP_PASSWORD"] = nil
        var inherited = ProcessInfo.processInfo.environment
        inherited["GRAZ_SHOP_PASSWORD"] = nil
        #expect(inherited["GRAZ_SHOP_PASSWORD"] == nil)

        let apply = try BuiltProducts.run(
            "ngcpctl", ["apply", "examples", "--auto-approve", "--no-record", "--allow-dirty"],
            environment: environment)
        #expect(apply.exitCode == 1)
        #expect(apply.standardError.contains("GRAZ_SHOP_PASSWORD"))
        #expect(apply.standardError.contains("graz-roasters.yaml"))

        environment["GRAZ_SHOP_PASSWORD"] = "Sekr3tValue99x"
        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", "examples", "--format", "json"], environment: environment)
        let document = try JSONValue.parse(plan.standardOutput)
        #expect(document["summary"]?["create"] == 27, "the failed apply wrote nothing")
    }

    @Test func literalPasswordPlanIsNotSaved() throws {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let examples = try directory.copyExamples()
        let file = examples + "/customers/graz-roasters.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(
            of: "{env: GRAZ_SHOP_PASSWORD}", with: "Sekr3tLiteral-2026")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let planPath = directory.path + "/plan.json"

        let plan = try BuiltProducts.run(
            "ngcpctl", ["plan", examples, "--out", planPath, "--no-builtin-policies"],
            environment: Self.environment(emulator))
        #expect(plan.exitCode == 1)
        #expect(plan.standardError.contains("cannot save the plan"))
        #expect(plan.standardError.contains("subscribers/shop@voice.example.net"))
        #expect(!plan.standardError.contains("Sekr3tLiteral"))
        #expect(!FileManager.default.fileExists(atPath: planPath))
    }
}
