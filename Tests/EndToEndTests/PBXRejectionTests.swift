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

    /// Returns the id of the emulator's subscriber `username`.
    static func subscriberID(_ username: String, _ emulator: EmulatorProcess) async throws -> Int {
        let subscribers = try await client(emulator).list(
            "subscribers", filters: ["username": username])
        return try #require(subscribers.first?["id"]?.intValue)
    }

    /// Returns the status and message of NGCP's response to a write that must fail, or nil
    /// when the write succeeds.
    static func rejection(of write: () async throws(NGCPAPIError) -> Void) async
        -> (status: Int?, message: String)?
    {
        do {
            try await write()
            return nil
        } catch {
            return (error.status, error.message)
        }
    }

    @Test func revokedPilotAndForeignGroupIDStopBeforeWrites() async throws {
        let emulator = try EmulatorProcess()
        let environment = PBXConvergenceTests.environment(emulator)
        let directory = try TemporaryDirectory()
        let documents = PBXConvergenceTests.pilotDocuments + PBXConvergenceTests.extensionDocuments
        try directory.write("pbx.yaml", documents)
        let apply = ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"]
        let setup = try PBXConvergenceTests.run(apply, environment)
        try #require(setup.exitCode == 0, "\(setup.standardError)")
        let pilotID = try await Self.subscriberID("pilot", emulator)
        let receptionID = try await Self.subscriberID("reception", emulator)
        let before = try await Self.client(emulator).list("subscribers")

        // The pilot revokes its own flag, reception names the pilot as a group, and the
        // group's update, which NGCP would accept, must not be sent either. The customer is
        // left to the target, because the manifest check of a declared customer already
        // requires an extension of a pilot that declares itself no pilot.
        let pilotDocument = try #require(
            PBXConvergenceTests.pilotDocuments.components(separatedBy: "---\n").last)
        let changed = (pilotDocument + PBXConvergenceTests.extensionDocuments)
            .replacingOccurrences(of: "is_pbx_pilot: true", with: "is_pbx_pilot: false")
            .replacingOccurrences(
                of: "pbx_extension: \"10\"\n",
                with: "pbx_extension: \"10\"\n  pbx_group_ids: [\(pilotID)]\n"
            )
            .replacingOccurrences(of: "pbx_hunt_timeout: 15", with: "pbx_hunt_timeout: 30")
        try directory.write("pbx.yaml", changed)
        let plan = try PBXConvergenceTests.run(["plan", directory.path], environment)
        #expect(plan.exitCode == 1, "\(plan.standardOutput)\(plan.standardError)")
        #expect(
            plan.standardError.contains(
                "pbx.yaml:9:17: error: spec.is_pbx_pilot: live subscriber "
                    + "'pilot@pbx.example.org' is the PBX pilot of customer 'harbour-clinic', and "
                    + "NGCP rejects an update that revokes the pilot flag"),
            "\(plan.standardError)")
        #expect(
            plan.standardError.contains(
                "pbx.yaml:19:19: error: spec.pbx_group_ids[0]: subscriber "
                    + "'reception@pbx.example.org' lists id \(pilotID) in pbx_group_ids, but live "
                    + "subscriber 'pilot@pbx.example.org' with that id is not a PBX group"),
            "\(plan.standardError)")

        let rejected = try PBXConvergenceTests.run(apply, environment)
        #expect(rejected.exitCode == 1, "\(rejected.standardError)")
        #expect(
            rejected.standardError.contains("so nothing was sent to NGCP"),
            "\(rejected.standardError)")
        #expect(try await Self.client(emulator).list("subscribers") == before)

        // Sent as they are, the same writes get NGCP's rejections.
        let client = Self.client(emulator)
        let revoke = await Self.rejection { () async throws(NGCPAPIError) in
            try await client.patch(
                "/api/subscribers/\(pilotID)",
                operations: [["op": "replace", "path": "/is_pbx_pilot", "value": false]])
        }
        #expect(revoke?.status == 422)
        #expect(revoke?.message == "Cannot revoke is_pbx_pilot status from a subscriber.")
        let groups = await Self.rejection { () async throws(NGCPAPIError) in
            try await client.patch(
                "/api/subscribers/\(receptionID)",
                operations: [
                    ["op": "replace", "path": "/pbx_group_ids", "value": [.int(pilotID)]]
                ])
        }
        #expect(groups?.status == 422)
        #expect(
            groups?.message
                == "Invalid id '\(pilotID)' in pbx_group_ids, does not exist for this customer.")
    }

    @Test func pilotWithoutNumberStopsBeforeWrites() async throws {
        let emulator = try EmulatorProcess()
        let environment = PBXConvergenceTests.environment(emulator)
        let existing = try TemporaryDirectory()
        // The domain and the customer, without the pilot's document.
        let customerDocuments = PBXConvergenceTests.pilotDocuments
            .components(separatedBy: "---\n").prefix(2).joined(separator: "---\n")
        try existing.write("pbx.yaml", customerDocuments)
        let setup = try PBXConvergenceTests.run(
            ["apply", existing.path, "--auto-approve", "--no-record", "--allow-dirty"],
            environment)
        try #require(setup.exitCode == 0, "\(setup.standardError)")

        // The customer is declared only on the target, so the manifest check cannot know
        // that it is a pbxaccount.
        let directory = try TemporaryDirectory()
        try directory.write(
            "pbx.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: pilot@pbx.example.org
            spec:
              customer: harbour-clinic
              password: {env: PBX_PILOT_PASSWORD}
              is_pbx_pilot: true

            """)
        let validate = try PBXConvergenceTests.run(["validate", directory.path], environment)
        #expect(!validate.standardError.contains("error:"), "\(validate.standardError)")
        let apply = try PBXConvergenceTests.run(
            ["apply", directory.path, "--auto-approve", "--no-record", "--allow-dirty"],
            environment)
        #expect(apply.exitCode == 1, "\(apply.standardError)")
        #expect(
            apply.standardError.contains(
                "pbx.yaml:8:17: error: spec.is_pbx_pilot: the plan creates PBX pilot "
                    + "'pilot@pbx.example.org' of customer 'harbour-clinic' without a "
                    + "primary_number, which NGCP requires of the pilot"),
            "\(apply.standardError)")
        #expect(try await Self.subscriberIDs(emulator) == [])

        // Sent as it is, the create gets NGCP's rejection.
        let client = Self.client(emulator)
        let customers = try await client.list(
            "customers", filters: ["external_id": "harbour-clinic"])
        let customerID = try #require(customers.first?["id"]?.intValue)
        let domains = try await client.list("domains", filters: ["domain": "pbx.example.org"])
        let domainID = try #require(domains.first?["id"]?.intValue)
        let create = await Self.rejection { () async throws(NGCPAPIError) in
            _ = try await client.post(
                "/api/subscribers/",
                body: [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "pilot", "password": "pilot-Passw0rd-1", "is_pbx_pilot": true,
                ])
        }
        #expect(create?.status == 422)
        #expect(create?.message == "A primary_number is required for the PBX pilot subscriber.")
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
