import Foundation
import NGCPCore
import Testing

/// A PBX customer applied to an emulator process converges: once applied, the pilot, an
/// extension, groups and their members plan with no changes.
@Suite struct PBXConvergenceTests {
    static let pilotDocuments = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata:
          name: pbx.example.org
        spec: {}
        ---
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata:
          name: harbour-clinic
        spec:
          type: pbxaccount
          billing_profile: default
          contact:
            email: office@harbour-clinic.example
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: pilot@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_PILOT_PASSWORD}
          primary_number: {cc: 43, ac: "1", sn: "5550000"}
          is_pbx_pilot: true

        """

    /// Other subscribers of the customer: NGCP accepts them only once the pilot exists.
    static let extensionDocuments = """
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: reception@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_RECEPTION_PASSWORD}
          pbx_extension: "10"
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: nurses@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_NURSES_PASSWORD}
          is_pbx_group: true
          pbx_extension: "20"
          pbx_hunt_policy: parallel
          pbx_hunt_timeout: 15
          pbx_hunt_cancel_mode: cancel

        """

    /// Returns the documents of a second group and of a member whose `pbx_groups` is `groups`.
    /// The member sorts before the groups, so the plan must lift their creates ahead of it.
    static func memberDocuments(groups: String) -> String {
        """
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: porters@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_PORTERS_PASSWORD}
          is_pbx_group: true
          pbx_extension: "21"
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: midwife@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_MIDWIFE_PASSWORD}
          pbx_extension: "30"
          pbx_groups: \(groups)

        """
    }

    static func environment(_ emulator: EmulatorProcess) -> [String: String] {
        [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "PBX_PILOT_PASSWORD": "pilot-Passw0rd-1",
            "PBX_RECEPTION_PASSWORD": "reception-Passw0rd-2",
            "PBX_NURSES_PASSWORD": "nurses-Passw0rd-3",
            "PBX_PORTERS_PASSWORD": "porters-Passw0rd-4",
            "PBX_MIDWIFE_PASSWORD": "midwife-Passw0rd-5",
        ]
    }

    static func run(_ arguments: [String], _ environment: [String: String]) throws
        -> ProcessResult
    {
        try BuiltProducts.run("ngcpctl", arguments, environment: environment)
    }

    @Test func pilotThenExtensionsPlanNoChanges() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let directory = try TemporaryDirectory()
        try directory.write("pbx.yaml", Self.pilotDocuments)
        let apply = ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"]
        let plan = ["plan", directory.path, "--detailed-exitcode"]

        let first = try Self.run(apply, environment)
        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(first.standardError.contains("Apply complete: 4 created"))
        let pilotPlan = try Self.run(plan, environment)
        #expect(pilotPlan.exitCode == 0, "\(pilotPlan.standardOutput)\(pilotPlan.standardError)")
        #expect(pilotPlan.standardOutput.contains("No changes."))
        #expect(!pilotPlan.standardOutput.contains("is_pbx_pilot"))

        try directory.write("pbx.yaml", Self.pilotDocuments + Self.extensionDocuments)
        let second = try Self.run(apply, environment)
        #expect(second.exitCode == 0, "\(second.standardError)")
        #expect(second.standardError.contains("Apply complete: 2 created, 0 updated"))
        let final = try Self.run(plan, environment)
        #expect(final.exitCode == 0, "\(final.standardOutput)\(final.standardError)")
        #expect(final.standardOutput.contains("No changes."))
    }

    @Test func customerWithMembersAppliesInOneRun() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let directory = try TemporaryDirectory()
        try directory.write("pbx.yaml", Self.pilotDocuments + Self.extensionDocuments)
        let apply = ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"]

        let first = try Self.run(apply, environment)
        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(first.standardError.contains("Apply complete: 6 created"), "\(first.standardError)")
        let plan = try Self.run(["plan", directory.path, "--detailed-exitcode"], environment)
        #expect(plan.exitCode == 0, "\(plan.standardOutput)\(plan.standardError)")

        // Removing the customer's subscribers deletes the pilot last. They are all the
        // subscribers there are, which the default guard refuses.
        try directory.write(
            "ngcpctl.yaml", "targets:\n  lab:\n    guards: {refuse_remove_all: false}\n")
        try directory.write(
            "pbx.yaml",
            Self.pilotDocuments.components(separatedBy: "---\n").prefix(2)
                .joined(separator: "---\n"))
        let pruned = try Self.run(
            ["plan", directory.path, "--prune", "--format", "json"], environment)
        #expect(pruned.exitCode == 0, "\(pruned.standardError)")
        let operations = try JSONValue.parse(pruned.standardOutput)["operations"]?.arrayValue ?? []
        let deleted = operations.filter { $0["action"]?.stringValue == "delete" }
            .compactMap { $0["name"]?.stringValue }
        #expect(deleted.count == 3)
        #expect(deleted.last == "pilot@pbx.example.org", "\(deleted)")
    }

    @Test func groupsAndMemberApplyInOneRun() throws {
        let emulator = try EmulatorProcess()
        let environment = Self.environment(emulator)
        let directory = try TemporaryDirectory()
        let documents = Self.pilotDocuments + Self.extensionDocuments
        try directory.write(
            "pbx.yaml",
            documents
                + Self.memberDocuments(groups: "[porters@pbx.example.org, Nurses@pbx.example.org]"))
        let apply = ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"]
        let plan = ["plan", directory.path, "--detailed-exitcode"]

        // The member's create refers to both groups' creates.
        let planned = try Self.run(["plan", directory.path, "--format", "json"], environment)
        #expect(planned.exitCode == 0, "\(planned.standardError)")
        let operations = try JSONValue.parse(planned.standardOutput)["operations"]?.arrayValue ?? []
        func operation(_ name: String) -> JSONValue? {
            operations.first { $0["name"]?.stringValue == name }
        }
        let member = try #require(operation("midwife@pbx.example.org"))
        let porters = try #require(operation("porters@pbx.example.org")?["id"]?.intValue)
        let nurses = try #require(operation("nurses@pbx.example.org")?["id"]?.intValue)
        let groupIDs = [porters, nurses]
        #expect(member["body"]?["pbx_group_ids"] == .array(groupIDs.map(PlanPlaceholder.createdID)))
        for groupID in groupIDs {
            #expect(member["depends_on"]?.arrayValue?.contains(.int(groupID)) == true)
            #expect(member["id"]?.intValue ?? 0 > groupID)
        }

        let first = try Self.run(apply, environment)
        #expect(first.exitCode == 0, "\(first.standardError)")
        #expect(first.standardError.contains("Apply complete: 8 created"), "\(first.standardError)")
        let converged = try Self.run(plan, environment)
        #expect(converged.exitCode == 0, "\(converged.standardOutput)\(converged.standardError)")
        #expect(converged.standardOutput.contains("No changes."))

        // Leaving one group is one update, after which the plan is empty again.
        try directory.write(
            "pbx.yaml", documents + Self.memberDocuments(groups: "[nurses@pbx.example.org]"))
        let second = try Self.run(apply, environment)
        #expect(second.exitCode == 0, "\(second.standardError)")
        #expect(
            second.standardError.contains("Apply complete: 0 created, 1 updated"),
            "\(second.standardError)")
        let final = try Self.run(plan, environment)
        #expect(final.exitCode == 0, "\(final.standardOutput)\(final.standardError)")
        #expect(final.standardOutput.contains("No changes."))
    }
}
