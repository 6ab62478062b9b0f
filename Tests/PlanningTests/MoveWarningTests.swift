import NGCPCore
import Testing

@testable import Planning

/// Warnings about subscribers that NGCP can move to another customer only by deleting and
/// creating them again.
@Suite struct MoveWarningTests {
    static let alice = Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
    static let bob = Fixture.subscriber(id: 41, username: "bob", sn: "5550002")
    static let secondCustomer = Fixture.customer(id: 31, externalID: "cust-2", contactID: 21)

    /// Desired state with `customers`, and alice and bob under `owner`.
    static func desired(customers: [String], owner: String) -> DesiredState {
        DesiredState(
            domains: [Fixture.desiredDomain],
            customers: customers.map { Fixture.desiredCustomer($0) },
            subscribers: [
                Fixture.desiredSubscriber("alice", customer: owner, sn: "5550001"),
                Fixture.desiredSubscriber("bob", customer: owner, sn: "5550002"),
            ])
    }

    @Test func renamedCustomerWarns() throws {
        let live = Fixture.liveBase(subscribers: [Self.alice, Self.bob])
        let result = try plan(
            Self.desired(customers: ["cust-1-gmbh"], owner: "cust-1-gmbh"), live,
            PlannerOptions(secrets: secrets()))

        #expect(result.warnings.count == 1)
        let warning = try #require(result.warnings.first)
        #expect(warning.kind == PlanWarning.subscribersRecreated)
        #expect(
            warning.objects == [
                ResourceID(.customers, "cust-1"), ResourceID(.customers, "cust-1-gmbh"),
                ResourceID(.subscribers, "alice@example.org"),
                ResourceID(.subscribers, "bob@example.org"),
            ])
        #expect(
            warning.message.hasPrefix(
                "2 subscribers move from customer 'cust-1' to customer 'cust-1-gmbh', which "
                    + "this plan creates (alice@example.org, bob@example.org)."))
        #expect(warning.message.contains("so this looks like a rename"))
        #expect(warning.message.contains("new id"))
        #expect(warning.message.contains("voicemail, its registrations"))
        #expect(warning.message.contains("set the live customer's external_id to 'cust-1-gmbh'"))

        let human = HumanPlanRenderer().render(result)
        #expect(human.contains("\nWarning: 2 subscribers move from customer 'cust-1'"))
        let markdown = MarkdownPlanRenderer().render(result)
        #expect(markdown.contains("> [!WARNING]\n> 2 subscribers move from customer"))
    }

    @Test func moveToNewCustomerKeepingOldWarns() throws {
        let live = Fixture.liveBase(subscribers: [Self.alice, Self.bob])
        let result = try plan(
            Self.desired(customers: ["cust-1", "cust-3"], owner: "cust-3"), live,
            PlannerOptions(secrets: secrets()))

        let warning = try #require(result.warnings.first)
        #expect(result.warnings.count == 1)
        #expect(warning.message.contains("to customer 'cust-3', which this plan creates"))
        #expect(!warning.message.contains("rename"))
    }

    @Test func moveAwayFromUndeclaredCustomerWarns() throws {
        let live = Fixture.liveBase(
            subscribers: [Self.alice, Self.bob],
            customers: [Fixture.customer(), Self.secondCustomer],
            contacts: [Fixture.contact(), Fixture.contact(id: 21, email: "two@example.org")])
        let result = try plan(
            Self.desired(customers: ["cust-2"], owner: "cust-2"), live,
            PlannerOptions(secrets: secrets()))

        let warning = try #require(result.warnings.first)
        #expect(result.warnings.count == 1)
        #expect(
            warning.message.hasPrefix(
                "2 subscribers move from customer 'cust-1' to customer 'cust-2' "
                    + "(alice@example.org, bob@example.org). No manifest declares customer "
                    + "'cust-1' any more."))
        #expect(!warning.message.contains("rename"))
    }

    @Test func moveBetweenDeclaredCustomersDoesNotWarn() throws {
        let live = Fixture.liveBase(
            subscribers: [Self.alice, Self.bob],
            customers: [Fixture.customer(), Self.secondCustomer],
            contacts: [Fixture.contact(), Fixture.contact(id: 21, email: "two@example.org")])
        let result = try plan(
            Self.desired(customers: ["cust-1", "cust-2"], owner: "cust-2"), live,
            PlannerOptions(secrets: secrets()))

        #expect(result.operations.filter { $0.resource == .subscribers }.count == 4)
        #expect(result.warnings.isEmpty)
    }

    @Test func warningsSurvivePlanJSON() throws {
        var original = Plan(target: "https://ngcp.example.org/api/")
        original.warnings = [
            PlanWarning(
                kind: PlanWarning.subscribersRecreated, message: "1 subscriber moves.",
                objects: [ResourceID(.subscribers, "bob@example.org")])
        ]
        let text = JSONPlanRenderer().render(original)
        #expect(text.contains("\"warnings\""))
        #expect(try Plan(jsonText: text).warnings == original.warnings)

        let empty = JSONPlanRenderer().render(Plan(target: "https://ngcp.example.org/api/"))
        #expect(!empty.contains("warnings"))

        let broken = text.replacingOccurrences(
            of: "\"subscribers/bob@example.org\"", with: "\"bob@example.org\"")
        let error = try #require(throws: PlanJSONError.self) { try Plan(jsonText: broken) }
        #expect(error.path == "warnings[0].objects[0]")
    }
}
