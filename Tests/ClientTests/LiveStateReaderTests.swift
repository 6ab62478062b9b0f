import Emulator
import NGCPClient
import NGCPCore
import Testing

@testable import LiveState

/// The live-state reader against the in-process emulator.
@Suite struct LiveStateReaderTests {
    @Test func readsSeededState() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let domain = try await fixture.domain("live.example.org")
            let firstContact = try await fixture.contact("one@example.org")
            let secondContact = try await fixture.contact("two@example.org")
            let active = try await fixture.customer("live-1", contactID: firstContact)
            let ended = try await fixture.customer("live-2", contactID: secondContact)
            try await client.patch(
                "/api/customers/\(ended)",
                operations: [["op": "replace", "path": "/status", "value": "terminated"]])
            let subscriber = try await fixture.subscriber(
                "alice", customerID: active, domainID: domain, number: "1001")

            let state = try await LiveStateReader(client: client, rows: 2).read()

            #expect(state.resellers.map(\.id) == [1])
            #expect(state.billingProfiles.map(\.id) == [1])
            #expect(state.domains.map(\.id) == [domain])
            #expect(Set(state.customers.map(\.id)) == [active, ended])
            let terminated = state.customers.first { $0.id == ended }
            #expect(terminated?["status"] == "terminated")
            #expect(state.contacts.contains { $0.id == firstContact })
            #expect(state.subscribers.map(\.id) == [subscriber])
            #expect(state.subscribers.first?["username"] == "alice")
            #expect(!state.preferenceDefinitions.isEmpty)
            #expect(state.preferenceDefinitions["_links"] == nil)

            let everything =
                state.resellers + state.billingProfiles + state.domains
                + state.contacts + state.customers + state.subscribers
            for object in everything {
                #expect(object["_links"] == nil)
                #expect(object["_embedded"] == nil)
                #expect(object["id"]?.intValue == object.id)
            }
        }
    }

    @Test func customerScopeRestrictsReads() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let domain = try await fixture.domain("scope.example.org")
            let wantedContact = try await fixture.contact("wanted@example.org")
            let otherContact = try await fixture.contact("other@example.org")
            let wanted = try await fixture.customer("team-a", contactID: wantedContact)
            let other = try await fixture.customer("team-b", contactID: otherContact)
            let wantedSubscriber = try await fixture.subscriber(
                "bob", customerID: wanted, domainID: domain, number: "2001")
            _ = try await fixture.subscriber(
                "carol", customerID: other, domainID: domain, number: "2002")

            let reader = LiveStateReader(
                client: client, scope: LiveStateScope(customerExternalID: "team-a"))
            let state = try await reader.read()

            #expect(state.customers.map(\.id) == [wanted])
            #expect(state.contacts.map(\.id) == [wantedContact])
            #expect(state.subscribers.map(\.id) == [wantedSubscriber])
            #expect(state.domains.map(\.id) == [domain])
        }
    }

    /// An object without an id could be paired as id 0 and planned for deletion.
    @Test func itemWithoutIDStopsTheRead() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            let page =
                request.target.hasPrefix("/api/resellers/")
                ? #"{"_embedded": {"ngcp:resellers": [{"id": 1, "name": "a"}, {"name": "b"}]},"#
                    + #" "total_count": 2}"#
                : #"{"total_count": 0}"#
            return .respond(status: 200, headers: ["Content-Type": "application/json"], body: page)
        }
        defer { server.stop() }
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: "administrator", password: SecretValue("x"))

        let error = await #expect(throws: LiveStateError.self) {
            try await LiveStateReader(client: client).read()
        }
        #expect(error?.message.hasPrefix("item 2 of /api/resellers/ has no integer id") == true)
    }

    @Test func unknownResellerScopeIsAnError() async throws {
        try await withEmulator { _, client in
            let reader = LiveStateReader(
                client: client, scope: LiveStateScope(resellerName: "nobody"))
            await #expect(throws: LiveStateError.self) {
                try await reader.read()
            }
        }
    }

    @Test func readsForwardsAndPreferencesOfRequestedSubscribers() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let domain = try await fixture.domain("blocks.example.org")
            let contact = try await fixture.contact("blocks@example.org")
            let customer = try await fixture.customer("blocks-1", contactID: contact)
            let first = try await fixture.subscriber(
                "dave", customerID: customer, domainID: domain, number: "3001")
            let second = try await fixture.subscriber(
                "erin", customerID: customer, domainID: domain, number: "3002")
            try await client.put(
                "/api/callforwards/\(first)",
                body: ["cfu": ["destinations": [["destination": "4399113050"]]]])

            var state = try await LiveStateReader(client: client).read()
            try await LiveStateReader(client: client).readSubscriberBlocks(
                forwardsFor: [first], preferencesFor: [first, second], into: &state)

            #expect(Set(state.callforwards.keys) == [first])
            let forwards = try #require(state.callforwards[first])
            #expect(forwards["_links"] == nil)
            #expect(forwards["cfu"]?["destinations"]?.arrayValue?.count == 1)
            #expect(forwards["cfb"] == .object([:]))
            #expect(Set(state.preferences.keys) == [first, second])
            #expect(state.preferences[first]?["_links"] == nil)
            #expect(state.preferences[first]?["id"] == nil)
        }
    }

    @Test func collectionStrategyMatchesPerItemRead() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let domain = try await fixture.domain("many.example.org")
            let contact = try await fixture.contact("many@example.org")
            let customer = try await fixture.customer("many-1", contactID: contact)
            var ids: [Int] = []
            for index in 0..<10 {
                ids.append(
                    try await fixture.subscriber(
                        "user\(index)", customerID: customer, domainID: domain,
                        number: "40\(index)"))
            }
            try await client.put(
                "/api/callforwards/\(ids[3])",
                body: ["cfb": ["destinations": [["destination": "voicebox"]]]])

            // Ten of ten subscribers: the cost model picks the collection read.
            #expect(BlockReadStrategy.choose(requested: 10, total: 10, rows: 5) == .collection)
            let reader = LiveStateReader(client: client, rows: 5)
            var byCollection = LiveState()
            try await reader.readSubscriberBlocks(
                forwardsFor: ids, preferencesFor: ids, into: &byCollection)

            var byItem = LiveState()
            for id in ids {
                try await reader.readSubscriberBlocks(
                    forwardsFor: [id], preferencesFor: [id], into: &byItem)
            }

            #expect(byCollection.callforwards.count == 10)
            #expect(byCollection.callforwards == byItem.callforwards)
            #expect(byCollection.preferences == byItem.preferences)
        }
    }
}

@Suite struct LiveStateScopeTests {
    @Test func resellerScopeReadsThatReseller() async throws {
        try await withEmulator { _, client in
            let domain = try await Fixture(client: client).domain("res.example.org")
            let reader = LiveStateReader(
                client: client, scope: LiveStateScope(resellerName: "default"))
            let state = try await reader.read()

            #expect(state.resellers.map(\.id) == [1])
            #expect(state.domains.map(\.id) == [domain])
            #expect(state.billingProfiles.map(\.id) == [1])
        }
    }
}

/// Reads of a generated installation with many objects.
@Suite struct GeneratedStateTests {
    @Test func readsEveryGeneratedObject() async throws {
        let generation = GenerationSettings(customers: 60, subscribers: 150, featuredShare: 0.3)
        try await withEmulator(generation: generation) { _, client in
            let reader = LiveStateReader(client: client, rows: 7)
            var state = try await reader.read()

            let generated = state.customers.filter {
                $0["external_id"]?.stringValue?.hasPrefix("gen-customer-") == true
            }
            #expect(generated.count == 60)
            #expect(state.subscribers.count == 150)
            #expect(Set(state.subscribers.map(\.id)).count == 150)
            #expect(state.subscribers.map(\.id) == state.subscribers.map(\.id).sorted())
            #expect(state.contacts.count >= 60)

            let ids = state.subscribers.map(\.id)
            try await reader.readSubscriberBlocks(
                forwardsFor: ids, preferencesFor: ids, into: &state)
            #expect(state.callforwards.count == 150)
            #expect(state.preferences.count == 150)

            // A few subscribers read one by one give the same blocks as the collection read.
            var single = LiveState()
            let sample = Array(ids.prefix(5))
            try await reader.readSubscriberBlocks(
                forwardsFor: sample, preferencesFor: sample, into: &single)
            for id in sample {
                #expect(single.callforwards[id] == state.callforwards[id])
                #expect(single.preferences[id] == state.preferences[id])
            }
            let configured = state.callforwards.values.filter { forwards in
                forwards.values.contains { $0 != .object([:]) }
            }
            #expect(!configured.isEmpty)
        }
    }

    @Test func customerScopeWithManyCustomers() async throws {
        let generation = GenerationSettings(customers: 30, subscribers: 90)
        try await withEmulator(generation: generation) { _, client in
            let scope = LiveStateScope(customerExternalID: "gen-customer-1*")
            let state = try await LiveStateReader(client: client, scope: scope, rows: 10).read()

            // gen-customer-1 and gen-customer-10 to -19.
            #expect(state.customers.count == 11)
            let customerIDs = Set(state.customers.map(\.id))
            #expect(
                state.subscribers.allSatisfy {
                    customerIDs.contains($0["customer_id"]?.intValue ?? -1)
                })
            let everything = try await LiveStateReader(client: client).read()
            let expected = everything.subscribers.filter {
                customerIDs.contains($0["customer_id"]?.intValue ?? -1)
            }
            #expect(state.subscribers.map(\.id) == expected.map(\.id))
            #expect(state.contacts.count == 11)
        }
    }
}
