import NGCPCore
import Testing

@testable import Planning

@Suite("Plan ordering")
struct OrderingTests {
    /// Builds a desired and live state that give operations of every kind and action.
    private func mixedState() -> (DesiredState, LiveState) {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "5550001", aliases: ["5550007"]),
                Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
                Fixture.subscriber(id: 42, username: "old", sn: "5550003"),
            ],
            callforwards: [40: Fixture.noForwards],
            preferences: [40: Fixture.automaticPreferences(id: 40, numbers: [])],
            customers: [
                Fixture.customer(), Fixture.customer(id: 31, externalID: "cust-old", contactID: 20),
            ])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain, DesiredDomain(domain: "b.example")],
            customers: [Fixture.desiredCustomer(), Fixture.desiredCustomer("cust-2")],
            subscribers: [
                Fixture.desiredSubscriber(
                    "alice", sn: "5550001", aliases: [],
                    callforwards: ["cfu": ["destinations": [["destination": "voicebox"]]]],
                    preferences: ["clir": true]),
                Fixture.desiredSubscriber("bob", sn: "5550002", aliases: ["5550007"]),
                Fixture.desiredSubscriber("zoe", customer: "cust-2", domain: "b.example", sn: "9"),
                Fixture.desiredSubscriber("amy", customer: "cust-2", domain: "b.example", sn: "8"),
            ])
        return (desired, live)
    }

    @Test("mixed plan follows the sort key")
    func sortKey() throws {
        let (desired, live) = mixedState()
        let result = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .delete, "subscribers/old@example.org", .delete, "/api/subscribers/42"),
                OperationLine(2, .delete, "customers/cust-old", .patch, "/api/customers/31"),
                OperationLine(3, .create, "domains/b.example", .post, "/api/domains/"),
                OperationLine(
                    4, .create, "customercontacts/cust-2", .post, "/api/customercontacts/"),
                OperationLine(5, .create, "customers/cust-2", .post, "/api/customers/", after: [4]),
                OperationLine(
                    6, .update, "subscribers/alice@example.org", .patch, "/api/subscribers/40"),
                OperationLine(
                    7, .create, "subscribers/amy@b.example", .post, "/api/subscribers/",
                    after: [3, 5]),
                OperationLine(
                    8, .update, "subscribers/bob@example.org", .patch, "/api/subscribers/41",
                    after: [6]),
                OperationLine(
                    9, .create, "subscribers/zoe@b.example", .post, "/api/subscribers/",
                    after: [3, 5]),
                OperationLine(
                    10, .update, "callforwards/alice@example.org", .put, "/api/callforwards/40"),
                OperationLine(
                    11, .update, "subscriberpreferences/alice@example.org", .patch,
                    "/api/subscriberpreferences/40"),
            ])
    }

    @Test("pilot delete leaving members is a problem")
    func pilotDeleteLeavingMembers() throws {
        var pilot = Fixture.subscriber(id: 40, username: "pilot", sn: "5550001")
        pilot.fields["is_pbx_pilot"] = true
        let member = Fixture.subscriber(id: 41, username: "desk", sn: "5550002")
        let live = Fixture.liveBase(subscribers: [pilot, member])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain], customers: [Fixture.desiredCustomer()],
            subscribers: [Fixture.desiredSubscriber("desk", sn: "5550002")])

        #expect(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(prune: true, secrets: secrets()))
        }
        do {
            _ = try plan(desired, live, PlannerOptions(prune: true, secrets: secrets()))
        } catch let error as PlanningError {
            #expect(error.problems.map(\.resource.name) == ["pilot@example.org"])
            #expect(error.problems.first?.message.contains("desk@example.org") == true)
        }
    }

    @Test("order does not depend on input order")
    func determinism() throws {
        let (desired, live) = mixedState()
        let expected = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))

        for rotation in 1..<4 {
            var shuffledDesired = desired
            shuffledDesired.subscribers = rotated(desired.subscribers, by: rotation)
            shuffledDesired.customers.reverse()
            shuffledDesired.domains.reverse()
            var shuffledLive = live
            shuffledLive.subscribers = rotated(live.subscribers, by: rotation)
            shuffledLive.customers.reverse()

            let result = try plan(
                shuffledDesired, shuffledLive,
                PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))
            #expect(result == expected, "rotation \(rotation)")
        }
    }

    private func rotated<Element>(_ items: [Element], by count: Int) -> [Element] {
        let shift = count % max(items.count, 1)
        return Array(items[shift...] + items[..<shift])
    }

    @Test("prerequisite lifted ahead of dependent")
    func liftsPrerequisite() throws {
        let drafts = [
            draft(.update, .subscribers, "a", dependsOn: [1]),
            draft(.update, .subscribers, "z"),
            draft(.create, .domains, "m"),
        ]
        let operations = try PlanOrdering.order(drafts)
        #expect(operations.map(\.name) == ["m", "z", "a"])
        #expect(operations.map(\.id) == [1, 2, 3])
        #expect(operations[2].dependsOn == [2])
    }

    @Test("placeholders renumbered to final ids")
    func renumbersPlaceholders() throws {
        let drafts = [
            draft(
                .create, .subscribers, "s", dependsOn: [1],
                body: ["customer_id": PlanPlaceholder.createdID(of: 1)]),
            draft(.create, .customers, "c"),
            draft(.create, .callforwards, "s", dependsOn: [0], path: "/api/callforwards/{id:0}"),
        ]
        let operations = try PlanOrdering.order(drafts)
        #expect(operations.map(\.resource) == [.customers, .subscribers, .callforwards])
        #expect(operations[1].body == ["customer_id": PlanPlaceholder.createdID(of: 1)])
        #expect(operations[2].path == "/api/callforwards/{id:2}")
        #expect(operations[2].dependsOn == [2])
    }

    @Test("dependency cycle is reported")
    func cycle() {
        let drafts = [
            draft(.update, .subscribers, "a", dependsOn: [1]),
            draft(.update, .subscribers, "b", dependsOn: [0]),
        ]
        #expect(throws: PlanOrdering.CycleError.self) { try PlanOrdering.order(drafts) }
    }

    private func draft(
        _ action: PlannedAction, _ resource: ResourceKind, _ name: String,
        dependsOn: Set<Int> = [], body: JSONValue? = nil, path: String = "/api/x/"
    ) -> DraftOperation {
        DraftOperation(
            action: action, resource: resource, name: name, method: .post, path: path, body: body,
            dependsOn: dependsOn)
    }
}
