import Apply
import Emulator
import NGCPClient
import NGCPCore
import Synchronization
import Testing

/// examples/ applied under each of the emulator's fault switches: after the faulty run and
/// at most one rerun without faults, the plan is empty and nothing exists twice.
@Suite(.serialized) struct FaultConvergenceTests {
    struct Scenario: CustomTestStringConvertible, Sendable {
        let name: String
        let faults: FaultSettings
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = {
        func scenario(_ name: String, seed: UInt64, _ change: (inout FaultSettings) -> Void)
            -> Scenario
        {
            var faults = FaultSettings()
            faults.seed = seed
            change(&faults)
            return Scenario(name: name, faults: faults)
        }
        return [
            scenario("500 burst", seed: 3) { $0.serverErrorRate = 0.2 },
            scenario("502 from a proxy", seed: 4) { $0.badGatewayRate = 0.2 },
            scenario("503", seed: 5) { $0.unavailableRate = 0.2 },
            scenario("429 with Retry-After", seed: 6) {
                $0.tooManyRequestsRate = 0.2
                $0.retryAfterSeconds = 1
            },
            scenario("connection closed mid-response", seed: 7) { $0.dropConnectionRate = 0.2 },
            scenario("commit then fail, some writes", seed: 8) { $0.commitThenFailRate = 0.4 },
            scenario("commit then fail, every write", seed: 9) { $0.commitThenFailRate = 1 },
            scenario("everything at once", seed: 10) {
                $0.serverErrorRate = 0.05
                $0.unavailableRate = 0.05
                $0.tooManyRequestsRate = 0.05
                $0.retryAfterSeconds = 1
                $0.dropConnectionRate = 0.05
                $0.commitThenFailRate = 0.1
            },
        ]
    }()

    @Test(arguments: scenarios)
    func convergesAfterOneRerun(_ scenario: Scenario) async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        // The faulty run may fail part way; it must not fail in a way a rerun cannot fix.
        let first = try await harness.withServer(faults: scenario.faults) { _, client in
            try await harness.apply(client, keepGoing: true)
        }
        #expect(first.operations.count > 0)

        let (second, plan, duplicates) = try await harness.withServer { _, client in
            var rerun: ApplyResult?
            if !first.succeeded {
                rerun = try await harness.apply(client)
            }
            return (rerun, try await harness.plan(client), try await harness.duplicates(client))
        }
        if let second {
            #expect(
                second.succeeded,
                "rerun failed: \(second.operations.compactMap(\.error))")
        }
        #expect(plan.operations.isEmpty, "left to do: \(plan.operations.map(\.resourceID))")
        #expect(duplicates.isEmpty, "duplicates: \(duplicates)")
    }

    /// With every write answered 500 after it took effect, every create is found by its
    /// natural key and adopted rather than sent again.
    @Test func commitThenFailCreatesAreAdopted() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }
        var faults = FaultSettings()
        faults.commitThenFailRate = 1

        let result = try await harness.withServer(faults: faults) { _, client in
            try await harness.apply(client, parallelism: 1, keepGoing: true)
        }
        let posted: Set<ResourceKind> = [.domains, .customercontacts, .customers, .subscribers]
        let creates = result.operations.filter {
            $0.action == .create && posted.contains($0.resourceID.kind)
        }
        let expected = 2 + 3 + 3 + 9
        #expect(creates.count == expected)
        for create in creates {
            #expect(create.outcome == .created, "\(create.resourceID): \(create.error ?? "")")
            #expect(create.note?.contains("adopted") == true)
        }
        // Every PUT and PATCH of the plan is safe to repeat. Each attempt gets 500, so the
        // object is read back, and it shows the change.
        for write in result.operations where !creates.contains(write) {
            #expect(write.outcome == .updated || write.outcome == .created, "\(write)")
            #expect(write.note?.contains("reading the object back") == true, "\(write)")
        }
    }

    /// Each fault at a rate of 20 %, in the first run and in the rerun alike: the apply stops
    /// at its first failure as the command does, and one rerun finishes the work.
    static let twentyPercent: [Scenario] = {
        func scenario(_ name: String, seed: UInt64, _ change: (inout FaultSettings) -> Void)
            -> Scenario
        {
            var faults = FaultSettings()
            faults.seed = seed
            change(&faults)
            return Scenario(name: name, faults: faults)
        }
        return [
            scenario("500", seed: 21) { $0.serverErrorRate = 0.2 },
            scenario("502", seed: 22) { $0.badGatewayRate = 0.2 },
            scenario("503", seed: 23) { $0.unavailableRate = 0.2 },
            scenario("429", seed: 24) {
                $0.tooManyRequestsRate = 0.2
                $0.retryAfterSeconds = 0
            },
            scenario("dropped connections", seed: 25) { $0.dropConnectionRate = 0.2 },
            scenario("commit then fail", seed: 26) { $0.commitThenFailRate = 0.2 },
        ]
    }()

    @Test(arguments: twentyPercent)
    func convergesUnderFaultsWithinOneRerun(_ scenario: Scenario) async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        let (first, second) = try await harness.withServer(faults: scenario.faults) {
            _, client in
            let first = try await harness.apply(client, parallelism: 1)
            let second = first.succeeded ? nil : try await harness.apply(client, parallelism: 1)
            return (first, second)
        }
        #expect(first.operations.count > 0)
        if let second {
            #expect(
                second.succeeded, "rerun failed: \(second.operations.compactMap(\.error))")
        }

        let (plan, duplicates) = try await harness.withServer { _, client in
            (try await harness.plan(client), try await harness.duplicates(client))
        }
        #expect(plan.operations.isEmpty, "left to do: \(plan.operations.map(\.resourceID))")
        #expect(duplicates.isEmpty, "duplicates: \(duplicates)")
    }
}
