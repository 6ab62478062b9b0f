import Emulator
import NGCPClient
import NGCPCore
import Synchronization
import Testing

@testable import LiveState

/// `read(expectingAfter:)`: the collections are read while the block demand is still unknown.
@Suite struct LiveStateDeferredDemandTests {
    private struct DemandFailure: Error, Equatable {}

    /// Creates a customer with `count` subscribers, each with a call forward.
    private func seed(_ client: NGCPAPIClient, count: Int) async throws -> [Int] {
        let fixture = Fixture(client: client)
        let domain = try await fixture.domain("later.example.org")
        let contact = try await fixture.contact("later@example.org")
        let customer = try await fixture.customer("later-1", contactID: contact)
        var ids: [Int] = []
        for index in 0..<count {
            let id = try await fixture.subscriber(
                "late\(index)", customerID: customer, domainID: domain, number: "50\(index)")
            try await client.put(
                "/api/callforwards/\(id)",
                body: ["cfu": ["destinations": [["destination": "voicebox"]]]])
            ids.append(id)
        }
        return ids
    }

    @Test func collectionsReadBeforeDemandIsKnown() async throws {
        try await withEmulator { _, client in
            let ids = try await seed(client, count: 10)
            let before = client.statistics.readsByCollection["subscribers"] ?? 0
            let subscribersSeen = Atomic(false)

            // The demand is returned only once the subscribers collection has been requested,
            // which can happen only when the read does not wait for the demand. The polling
            // is bounded, so a read that waits fails the expectation instead of hanging.
            let reader = LiveStateReader(client: client, rows: 5)
            var state = try await reader.read(expectingAfter: {
                for _ in 0..<2_000 {
                    if (client.statistics.readsByCollection["subscribers"] ?? 0) > before {
                        subscribersSeen.store(true, ordering: .relaxed)
                        break
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
                return BlockDemand(forwards: ids.count, preferences: 0)
            })

            let sawSubscribers = subscribersSeen.load(ordering: .relaxed)
            #expect(sawSubscribers)
            #expect(Set(state.subscribers.map(\.id)) == Set(ids))

            // The forwards read ahead once the demand was known are the ones a later call uses.
            let forwardReadsBefore = client.statistics.readsByCollection["callforwards"] ?? 0
            try await reader.readSubscriberBlocks(
                forwardsFor: ids, preferencesFor: [], into: &state)
            let forwardReadsAfter = client.statistics.readsByCollection["callforwards"] ?? 0
            #expect(forwardReadsAfter == forwardReadsBefore)
            #expect(Set(state.callforwards.keys) == Set(ids))

            // Each block read ahead equals the item read on its own, without its links.
            for id in ids.prefix(3) {
                var item = try await client.get("/api/callforwards/\(id)").objectValue ?? [:]
                item["_links"] = nil
                #expect(state.callforwards[id] == item)
                #expect(state.callforwards[id]?["cfu"]?["destinations"] != nil)
            }
        }
    }

    @Test func demandErrorEndsRead() async throws {
        try await withEmulator { _, client in
            _ = try await seed(client, count: 1)
            let reader = LiveStateReader(client: client, rows: 5)

            await #expect(throws: DemandFailure.self) {
                _ = try await reader.read(expectingAfter: { throw DemandFailure() })
            }
        }
    }
}
