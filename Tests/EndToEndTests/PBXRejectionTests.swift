import Foundation
import NGCPClient
import NGCPCore
import Testing

/// Manifests that NGCP would reject part way through a PBX customer stop `plan` and `apply`
/// before the first write to an emulator process.
@Suite struct PBXRejectionTests {
    /// Subscribers for the live customer `harbour-clinic`, which this repository does not
    /// declare: a second pilot, an extension that the live `reception` has, and a subscriber
    /// without an extension.
    static let liveCustomerDocuments = """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: operator@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_PORTERS_PASSWORD}
          primary_number: {cc: 43, ac: "1", sn: "5550100"}
          is_pbx_pilot: true
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: desk@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_MIDWIFE_PASSWORD}
          pbx_extension: "10"
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: annex@pbx.example.org
        spec:
          customer: harbour-clinic
          password: {env: PBX_MIDWIFE_PASSWORD}

        """

    static func client(_ emulator: EmulatorProcess) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: emulator.url, user: "administrator", password: SecretValue("administrator"))
    }

    /// Returns the ids of the emulator's subscribers.
    static func subscriberIDs(_ emulator: EmulatorProcess) async throws -> [Int] {
        try await client(emulator).list("subscribers").compactMap { $0["id"]?.intValue }.sorted()
    }

    @Test func liveCustomerConflictsStopBeforeWrites() async throws {
        let emulator = try EmulatorProcess()
        let environment = PBXConvergenceTests.environment(emulator)
        let existing = try TemporaryDirectory()
        try existing.write(
            "pbx.yaml", PBXConvergenceTests.pilotDocuments + PBXConvergenceTests.extensionDocuments)
        let setup = try PBXConvergenceTests.run(
            ["apply", existing.path, "--auto-approve", "--no-record", "--allow-dirty"],
            environment)
        try #require(setup.exitCode == 0, "\(setup.standardError)")
        let before = try await Self.subscriberIDs(emulator)

        let directory = try TemporaryDirectory()
        try directory.write("pbx.yaml", Self.liveCustomerDocuments)
        let plan = try PBXConvergenceTests.run(["plan", directory.path], environment)
        #expect(plan.exitCode == 1, "\(plan.standardOutput)\(plan.standardError)")
        #expect(
            plan.standardError.contains(
                "pbx.yaml:9:17: error: spec.is_pbx_pilot: customer 'harbour-clinic' already has "
                    + "PBX pilot 'pilot@pbx.example.org' on the target"),
            "\(plan.standardError)")
        #expect(
            plan.standardError.contains(
                "pbx.yaml:18:18: error: spec.pbx_extension: pbx_extension '10' is used by live "
                    + "subscriber 'reception@pbx.example.org'"))
        #expect(
            plan.standardError.contains(
                "subscribers/annex@pbx.example.org: the plan creates this subscriber of PBX "
                    + "customer 'harbour-clinic' without pbx_extension"))

        let apply = try PBXConvergenceTests.run(
            ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"],
            environment)
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        #expect(!apply.standardError.contains("Apply complete"))
        #expect(try await Self.subscriberIDs(emulator) == before)
    }

    @Test func secondPilotAndMemberWithoutExtensionStopBeforeWrites() async throws {
        let emulator = try EmulatorProcess()
        let environment = PBXConvergenceTests.environment(emulator)
        let directory = try TemporaryDirectory()
        let secondPilot = """
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: operator@pbx.example.org
            spec:
              customer: harbour-clinic
              password: {env: PBX_PORTERS_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "5550100"}
              is_pbx_pilot: true
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: desk@pbx.example.org
            spec:
              customer: harbour-clinic
              password: {env: PBX_MIDWIFE_PASSWORD}

            """
        try directory.write("pbx.yaml", PBXConvergenceTests.pilotDocuments + secondPilot)

        let validate = try PBXConvergenceTests.run(["validate", directory.path], environment)
        #expect(validate.exitCode == 1)
        #expect(validate.standardError.contains("error: spec.is_pbx_pilot:"))
        #expect(validate.standardError.contains("missing required field 'pbx_extension'"))

        let apply = try PBXConvergenceTests.run(
            ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"],
            environment)
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        let customers = try await Self.client(emulator).list(
            "customers", filters: ["external_id": "harbour-clinic"])
        #expect(customers.isEmpty)
        #expect(try await Self.subscriberIDs(emulator) == [])
    }
}
