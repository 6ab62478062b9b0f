import NGCPCore
import Testing

@testable import Planning

@Suite("Pairing by natural key")
struct PairingTests {
    @Test("domain name ignores case")
    func domainCase() {
        let index = LiveIndex(Fixture.liveBase())
        #expect(index.domain(named: "Example.ORG")?.id == 10)
        #expect(index.domain(named: "example.net") == nil)
    }

    @Test("customer by external_id prefers non-terminated")
    func customerByExternalID() {
        let live = Fixture.liveBase(customers: [
            Fixture.customer(id: 29, status: "terminated"), Fixture.customer(id: 31),
            Fixture.customer(id: 32, externalID: "CUST-1"),
        ])
        let index = LiveIndex(live)
        #expect(index.customers(externalID: "cust-1").map(\.id) == [31, 29])
        #expect(index.customers(externalID: "cust-2").isEmpty)
    }

    @Test("subscriber by username and domain id")
    func subscriberKey() {
        var live = Fixture.liveBase(subscribers: [
            // The `domain` member is stale on purpose: `domain_id` decides.
            Fixture.subscriber(id: 40, username: "Alice", domain: "stale.example", sn: "1"),
            Fixture.subscriber(
                id: 41, username: "alice", domainID: 11, domain: "b.example", sn: "2"),
        ])
        live.domains.append(Fixture.domain(id: 11, name: "B.example"))
        let index = LiveIndex(live)

        #expect(index.subscriber(Fixture.desiredSubscriber("ALICE", sn: "1"))?.id == 40)
        #expect(
            index.subscriber(Fixture.desiredSubscriber("alice", domain: "b.EXAMPLE", sn: "2"))?.id
                == 41)
        #expect(index.subscriber(Fixture.desiredSubscriber("bob", sn: "3")) == nil)
        #expect(index.subscriberName(live.subscribers[0]) == "Alice@example.org")
    }

    @Test("subscriber domain falls back to domain member")
    func subscriberDomainFallback() {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(
                id: 40, username: "alice", domainID: 99, domain: "x.example", sn: "1")
        ])
        let index = LiveIndex(live)
        #expect(
            index.subscriber(Fixture.desiredSubscriber("alice", domain: "x.example", sn: "1"))?.id
                == 40)
    }

    @Test("contact paired through customer")
    func contactThroughCustomer() throws {
        // Contact 21 has the same e-mail as the desired one but is not the customer's contact.
        let live = Fixture.liveBase(contacts: [
            Fixture.contact(id: 21), Fixture.contact(id: 20, email: "old@example.org"),
        ])
        let result = try plan(DesiredState(customers: [Fixture.desiredCustomer()]), live)
        #expect(result.operations.map(\.path) == ["/api/customercontacts/20"])
    }

    @Test("forwards and preferences paired by subscriber")
    func blocksBySubscriber() throws {
        var forwards = Fixture.noForwards
        forwards["cfu"] = Fixture.liveForward([Fixture.liveDestination("4311")])
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "1"),
                Fixture.subscriber(id: 41, username: "bob", sn: "2"),
            ],
            callforwards: [40: Fixture.noForwards, 41: forwards])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "1", callforwards: [:]),
            Fixture.desiredSubscriber(
                "bob", sn: "2", callforwards: ["cfu": ["destinations": [["destination": "4311"]]]]),
        ])
        #expect(try plan(desired, live, PlannerOptions(secrets: secrets())).isEmpty)
    }
}

@Suite("Ignore rules")
struct IgnoreRuleTests {
    struct MatchCase: CustomTestStringConvertible, Sendable {
        var rule: String
        var resource: ResourceID
        var path: String
        var matches: Bool
        var testDescription: String { "\(rule) on \(resource):\(path)" }
    }

    @Test(
        "rule matching",
        arguments: [
            MatchCase(
                rule: "lock", resource: ResourceID(.subscribers, "a@example.org"), path: "lock",
                matches: true),
            MatchCase(
                rule: "subscribers/*@example.org:lock",
                resource: ResourceID(.subscribers, "a@example.org"), path: "lock", matches: true),
            MatchCase(
                rule: "subscribers/*@example.org:lock",
                resource: ResourceID(.subscribers, "a@example.net"), path: "lock", matches: false),
            MatchCase(
                rule: "customers:lock", resource: ResourceID(.subscribers, "a@example.org"),
                path: "lock", matches: false),
            MatchCase(
                rule: "primary_number.*",
                resource: ResourceID(.subscribers, "a@example.org"), path: "primary_number.sn",
                matches: true),
            MatchCase(
                rule: "primary_number.*",
                resource: ResourceID(.subscribers, "a@example.org"), path: "primary_number",
                matches: false),
            MatchCase(
                rule: "callforwards:cf*.destinations",
                resource: ResourceID(.callforwards, "a@example.org"), path: "cft.destinations",
                matches: true),
            MatchCase(
                rule: "callforwards:**", resource: ResourceID(.callforwards, "a@example.org"),
                path: "cft.ringtimeout", matches: true),
            // Manifests write the PBX groups as `pbx_groups`, and plans show `pbx_group_ids`.
            MatchCase(
                rule: "subscribers/*:pbx_groups",
                resource: ResourceID(.subscribers, "a@example.org"), path: "pbx_group_ids",
                matches: true),
            MatchCase(
                rule: "pbx_groups", resource: ResourceID(.subscribers, "a@example.org"),
                path: "pbx_group_ids", matches: true),
            MatchCase(
                rule: "subscribers/*:pbx_group_ids",
                resource: ResourceID(.subscribers, "a@example.org"), path: "pbx_group_ids",
                matches: true),
            MatchCase(
                rule: "pbx_groups", resource: ResourceID(.customers, "cust-1"),
                path: "pbx_group_ids", matches: false),
            MatchCase(
                rule: "pbx_groups", resource: ResourceID(.subscribers, "a@example.org"),
                path: "pbx_extension", matches: false),
        ])
    func matching(_ testCase: MatchCase) throws {
        let rule = try #require(IgnoreRule(parsing: testCase.rule))
        #expect(rule.matches(testCase.resource, fieldPath: testCase.path) == testCase.matches)
    }

    @Test("text form round trip")
    func textForm() throws {
        let rule = try #require(IgnoreRule(parsing: "subscribers/*@example.org:lock"))
        #expect(rule.resource == .subscribers)
        #expect(rule.name == "*@example.org")
        #expect(rule.path == "lock")
        #expect(rule.description == "subscribers/*@example.org:lock")
    }

    @Test("invalid text rejected")
    func invalidText() {
        #expect(IgnoreRule(parsing: "widgets/x:lock") == nil)
        #expect(IgnoreRule(parsing: "subscribers/x:") == nil)
        #expect(IgnoreRule(parsing: "") == nil)
    }
}
