import Emulator
import Foundation
import NGCPClient
import NGCPCore
import Synchronization
import Testing

@testable import LiveState

/// Page size adaptation, request counting, progress and bounded parallel page reads.
@Suite struct PagingTests {
    @Test func fastFirstPageKeepsRows() {
        #expect(
            NGCPAPIClient.rowsForRemainingPages(rows: 100, firstPageSeconds: 2, budget: 15)
                == 100)
    }

    @Test func slowFirstPageShrinksToADivisorWithinHalfTheBudget() {
        // 100 rows in 40 s is 0.4 s per item; half of a 15 s budget fits 18 items, and the
        // largest divisor of 100 up to 18 is 10.
        let rows = NGCPAPIClient.rowsForRemainingPages(
            rows: 100, firstPageSeconds: 40, budget: 15)
        #expect(rows == 10)
        #expect(100 % rows == 0)
        #expect(
            NGCPAPIClient.rowsForRemainingPages(rows: 7, firstPageSeconds: 100, budget: 1) == 1)
    }

    @Test func shrunkPagesReadTheSameItems() async throws {
        let generation = GenerationSettings(customers: 10, subscribers: 150)
        try await withEmulator(generation: generation) { server, client in
            let reference = try await client.list("subscribers", rows: 50)

            // Any first page exceeds a budget of a nanosecond, so later pages have one row.
            let strict = makeClient(server, pageTimeBudget: 1e-9)
            let items = try await strict.list("subscribers", rows: 50)

            #expect(items.map { $0["id"] } == reference.map { $0["id"] })
            #expect(items.count == 150)
            #expect(strict.statistics.readsByCollection["subscribers"] == 1 + 100)
        }
    }

    @Test func countsRequestsByCollection() async throws {
        let generation = GenerationSettings(customers: 60, subscribers: 60)
        try await withEmulator(generation: generation) { server, _ in
            let client = makeClient(server)
            let total = try await client.count("customers")
            let customers = try await client.list("customers", rows: 7)
            _ = try await client.get("/api/subscribers/1")

            let statistics = client.statistics
            #expect(customers.count == total)
            #expect(statistics.readsByCollection["customers"] == 1 + (total + 6) / 7)
            #expect(statistics.readsByCollection["subscribers"] == 1)
            #expect(statistics.reads == 2 + (total + 6) / 7)
            #expect(statistics.writes == 0)
            #expect(statistics.json["by_collection"]?["customers"]?.intValue == 1 + (total + 6) / 7)
        }
    }

    @Test func reportsProgressUpToTheTotal() async throws {
        let generation = GenerationSettings(customers: 5, subscribers: 45)
        try await withEmulator(generation: generation) { server, _ in
            let reports = Mutex<[ReadProgress]>([])
            let client = makeClient(server) { progress in
                reports.withLock { $0.append(progress) }
            }
            _ = try await client.list("subscribers", rows: 10)

            let seen = reports.withLock { $0 }
            #expect(seen.count == 5)
            #expect(seen.map(\.page) == [1, 2, 3, 4, 5])
            #expect(seen.allSatisfy { $0.total == 45 && $0.pages == 5 })
            #expect(seen.last?.items == 45)
        }
    }

    @Test func pageReadsStayWithinTheConcurrencyLimit() async throws {
        let inFlight = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let released = Atomic<Bool>(false)
        let server = try ScriptedHTTPServer { request, _ in
            let now = inFlight.add(1, ordering: .relaxed).newValue
            if now >= 3 { released.store(true, ordering: .relaxed) }
            // The first later pages wait until three are in flight (or five seconds), so the
            // highest count seen shows that the limit is reached; later pages do not wait.
            let deadline = Date().addingTimeInterval(5)
            while !request.target.contains("page=1&"), !released.load(ordering: .relaxed),
                Date() < deadline
            {
                Thread.sleep(forTimeInterval: 0.01)
            }
            highest.max(inFlight.load(ordering: .relaxed), ordering: .relaxed)
            inFlight.subtract(1, ordering: .relaxed)
            return .respond(
                status: 200, headers: ["Content-Type": "application/hal+json"],
                body: scriptedPage(request.target, total: 35))
        }
        defer { server.stop() }
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: "u", password: SecretValue("p"),
            transport: TransportOptions(connections: 8), pageConcurrency: 3)

        let items = try await client.list("things", rows: 5)

        #expect(items.compactMap { $0["id"]?.intValue } == Array(1...35))
        #expect(highest.load(ordering: .relaxed) == 3)
    }

    @Test func acceptsALoneEmbeddedObjectAndEmptyPages() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            let body =
                request.target.hasPrefix("/api/single/")
                ? #"{"_embedded":{"ngcp:single":{"id":7}},"total_count":1}"#
                : #"{"_links":{},"total_count":0}"#
            return .respond(status: 200, headers: [:], body: body)
        }
        defer { server.stop() }
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: "u", password: SecretValue("p"))

        let single = try await client.list("single")
        let empty = try await client.list("empty")

        #expect(single.map { $0["id"]?.intValue } == [7])
        #expect(empty.isEmpty)
        #expect(client.statistics.reads == 2)
    }
}

/// Customer and reseller scopes, on the read and on the manifests.
@Suite struct ScopeTests {
    @Test func severalCustomerNamesAreReadOnceEach() async throws {
        let generation = GenerationSettings(customers: 30, subscribers: 60)
        try await withEmulator(generation: generation) { _, client in
            let scope = LiveStateScope(
                customerExternalIDs: ["gen-customer-3", "gen-customer-2*", "gen-customer-2"])
            let state = try await LiveStateReader(client: client, scope: scope).read()

            let names = Set(state.customers.compactMap { $0["external_id"]?.stringValue })
            let expected = Set(
                ["gen-customer-3", "gen-customer-2"]
                    + (20...29).map {
                        "gen-customer-\($0)"
                    })
            #expect(names == expected)
            #expect(state.customers.count == expected.count)
            let ids = Set(state.customers.map(\.id))
            #expect(state.subscribers.allSatisfy { ids.contains($0["customer_id"]?.intValue ?? 0) })
            #expect(state.subscribers.count == 60 / 30 * expected.count)
        }
    }

    @Test func customerScopeKeepsNamedCustomersTheirSubscribersAndAllDomains() {
        let desired = DesiredState(
            domains: [DesiredDomain(domain: "a.example"), DesiredDomain(domain: "b.example")],
            customers: [customer("shop-1"), customer("shop-2"), customer("office")],
            subscribers: [
                subscriber("x", customer: "shop-1"), subscriber("y", customer: "office"),
            ])
        let scope = LiveStateScope(customerExternalIDs: ["shop-*"])

        let restricted = scope.restrict(desired, live: LiveState())

        #expect(restricted.customers.map(\.externalID) == ["shop-1", "shop-2"])
        #expect(restricted.subscribers.map(\.username) == ["x"])
        #expect(restricted.domains.count == 2)
    }

    @Test func resellerScopeKeepsCustomersOfItsBillingProfiles() {
        let desired = DesiredState(
            domains: [
                DesiredDomain(domain: "first.example"),
                DesiredDomain(domain: "second.example", reseller: "second"),
            ],
            customers: [customer("a", profile: "gold"), customer("b", profile: "default")],
            subscribers: [subscriber("x", customer: "a"), subscriber("y", customer: "b")])
        var live = LiveState()
        live.resellers = [LiveObject(id: 2, fields: ["name": "second"])]
        live.billingProfiles = [LiveObject(id: 5, fields: ["handle": "gold"])]

        let restricted = LiveStateScope(resellerName: "second").restrict(desired, live: live)

        #expect(restricted.customers.map(\.externalID) == ["a"])
        #expect(restricted.subscribers.map(\.username) == ["x"])
        #expect(restricted.domains.map(\.domain) == ["second.example"])
    }

    @Test func wildcardMatching() {
        #expect(LiveStateScope.matches("shop-*", "shop-1"))
        #expect(LiveStateScope.matches("*-1", "shop-1"))
        #expect(LiveStateScope.matches("s*p*1", "shop-1"))
        #expect(LiveStateScope.matches("shop-1", "shop-1"))
        #expect(!LiveStateScope.matches("shop-1", "shop-10"))
        #expect(!LiveStateScope.matches("shop-*", "office"))
        #expect(LiveStateScope.matches("*", ""))
    }

    private func customer(_ name: String, profile: String = "default") -> DesiredCustomer {
        DesiredCustomer(externalID: name, billingProfile: profile, fields: [:], contact: [:])
    }

    private func subscriber(_ name: String, customer: String) -> DesiredSubscriber {
        DesiredSubscriber(username: name, domain: "a.example", customer: customer, fields: [:])
    }
}

private func makeClient(
    _ server: EmulatorServer, pageTimeBudget: Double = testPageTimeBudget,
    progress: (@Sendable (ReadProgress) -> Void)? = nil
) -> NGCPAPIClient {
    let account = EmulatorAccount.defaultAdministrator
    return NGCPAPIClient(
        baseURL: server.baseURL, user: account.username, password: SecretValue(account.password),
        pageTimeBudget: pageTimeBudget, progress: progress)
}

/// A page of `total` items with ids from 1, for the query's `page` and `rows`.
private func scriptedPage(_ target: String, total: Int) -> String {
    var query: [String: Int] = [:]
    for pair in target.split(separator: "?").last?.split(separator: "&") ?? [] {
        let parts = pair.split(separator: "=")
        if parts.count == 2 { query[String(parts[0])] = Int(parts[1]) }
    }
    let rows = query["rows"] ?? 10
    let page = query["page"] ?? 1
    let first = (page - 1) * rows + 1
    let last = min(total, page * rows)
    let items = first <= last ? (first...last).map { #"{"id":\#($0)}"# } : []
    return
        #"{"_embedded":{"ngcp:things":[\#(items.joined(separator: ","))]},"total_count":\#(total)}"#
}

/// The page parser that keeps only the self link of each item.
@Suite struct LinkSkippingParserTests {
    let page = #"""
        {"_embedded":{"ngcp:x":[{"_links":{"self":{"href":"/api/x/1"},
        "ngcp:journal":[{"href":"/api/x/1/journal/","t":true,"n":null,"v":-1.5e3}],
        "curies":{"name":"ngcp","href":"a\"b\\"}},"id":1,"name":"\u00e9"}]},
        "_links":{"self":{"href":"/api/x/"}},"total_count":1}
        """#

    @Test func keepsSelfAndEverythingElse() throws {
        let full = try JSONValue.parse(Array(page.utf8))
        let trimmed = try JSONValue.parseCollectionPage(Array(page.utf8), relation: "ngcp:x")

        let item = try #require(trimmed.items?.first)
        #expect(item.selfLink == "/api/x/1")
        #expect(item.members["_links"] == nil)
        #expect(item.members["name"] == "é")
        #expect(item.members["id"] == 1)
        #expect(trimmed.members["total_count"] == full["total_count"])
        let fullItem = try #require(full["_embedded"]?["ngcp:x"]?.arrayValue?.first)
        #expect(fullItem["_links"]?["ngcp:journal"] != nil)
    }

    @Test func skippedLinksMustStillBeWellFormed() {
        for broken in [
            #"{"a":{"href":"x"},"self":1"#,
            #"{"a":[1,2}"#,
            #"{"a":"unterminated}"#,
            #"{"a":tru}"#,
            #"{"self":{"href":"x",}}"#,
        ] {
            let text = #"{"_embedded":{"ngcp:x":[{"_links":"# + broken + #"}]}}"#
            #expect(throws: JSONParseError.self, "\(broken)") {
                try JSONValue.parseCollectionPage(Array(text.utf8), relation: "ngcp:x")
            }
        }
    }
}

/// Block collections read ahead while the other collections are read.
@Suite struct BlockPrefetchTests {
    @Test func readAheadBlocksAreUsedWithoutReadingAgain() async throws {
        let generation = GenerationSettings(customers: 10, subscribers: 40, featuredShare: 0.5)
        try await withEmulator(generation: generation) { server, _ in
            let client = makeClient(server)
            let reader = LiveStateReader(client: client, rows: 10)
            var state = try await reader.read(
                expecting: BlockDemand(forwards: 40, preferences: 40))
            let afterRead = client.statistics.readsByCollection
            // A count probe and four pages each.
            #expect(afterRead["callforwards"] == 5)
            #expect(afterRead["subscriberpreferences"] == 5)

            let ids = state.subscribers.map(\.id)
            let wanted = Array(ids.prefix(30))
            try await reader.readSubscriberBlocks(
                forwardsFor: wanted, preferencesFor: wanted, into: &state)

            #expect(client.statistics.readsByCollection == afterRead)
            #expect(Set(state.callforwards.keys) == Set(wanted))
            #expect(Set(state.preferences.keys) == Set(wanted))

            var single = LiveState()
            let sample = [wanted[0], wanted[7], wanted[29]]
            try await LiveStateReader(client: client).readSubscriberBlocks(
                forwardsFor: sample, preferencesFor: sample, into: &single)
            for id in sample {
                #expect(single.callforwards[id] == state.callforwards[id])
                #expect(single.preferences[id] == state.preferences[id])
            }
        }
    }

    @Test func smallDemandReadsNothingAhead() async throws {
        let generation = GenerationSettings(customers: 5, subscribers: 20)
        try await withEmulator(generation: generation) { server, _ in
            let client = makeClient(server)
            _ = try await LiveStateReader(client: client).read(
                expecting: BlockDemand(forwards: 2, preferences: 0))
            #expect(client.statistics.readsByCollection["callforwards"] == nil)
            #expect(client.statistics.readsByCollection["subscriberpreferences"] == nil)
        }
    }

    @Test(
        "malformed page errors",
        arguments: [
            (
                #"{"_embedded":{"ngcp:bad":[1]},"total_count":1}"#,
                "expected an object as a page item"
            ),
            (#"{"_embedded":{"ngcp:bad":null},"total_count":1}"#, "list of objects"),
            (#"{"_embedded":{"ngcp:other":[]},"total_count":1}"#, "no 'ngcp:bad' array"),
            (#"[{"id":1}]"#, "expected a JSON object for a collection page, got array"),
            (#"{"total_count":1"#, "not valid JSON"),
        ])
    func malformedPages(_ body: String, _ expected: String) async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 200, headers: [:], body: body)
        }
        defer { server.stop() }
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: "u", password: SecretValue("p"))

        do {
            _ = try await client.list("bad")
            Issue.record("accepted: \(body)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
