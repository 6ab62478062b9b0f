import NGCPCore
import Testing

@testable import Planning

@Suite struct LivePreparationTests {
    static let options = PlannerOptions(target: "https://ngcp.example.org:1443/api/")

    static func scenario() -> (DesiredState, LiveState) {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "1"),
                Fixture.subscriber(id: 41, username: "bob", sn: "2"),
            ],
            preferences: [40: ["concurrent_max": 2]])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "1", preferences: ["concurrent_max": 3]),
            Fixture.desiredSubscriber("bob", sn: "3"),
            Fixture.desiredSubscriber("carol", sn: "2"),
        ])
        return (desired, live)
    }

    @Test("prepared indexes, same plan")
    func preparedAhead() throws {
        let (desired, live) = Self.scenario()
        var collections = live
        collections.preferences = [:]
        let preparation = Planner.prepare(collections)

        let prepared = try Planner.plan(
            desired: desired, live: live, options: Self.options, preparation: preparation)
        let direct = try Planner.plan(desired: desired, live: live, options: Self.options)
        #expect(preparation.matches(live))
        #expect(lines(prepared) == lines(direct))
        #expect(!prepared.operations.isEmpty)
    }

    @Test("stale indexes rebuilt")
    func otherCollections() throws {
        let (desired, live) = Self.scenario()
        let stale = Planner.prepare(Fixture.liveBase(subscribers: []))
        #expect(!stale.matches(live))

        let planned = try Planner.plan(
            desired: desired, live: live, options: Self.options, preparation: stale)
        let direct = try Planner.plan(desired: desired, live: live, options: Self.options)
        #expect(lines(planned) == lines(direct))
    }

    @Test("drafted plan keeps problem order")
    func draftedProblems() throws {
        var live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "1"),
                Fixture.subscriber(id: 41, username: "bob", sn: "2"),
            ],
            preferences: [40: ["concurrent_max": 2]])
        live.preferenceDefinitions = ["concurrent_max": ["data_type": "int", "max_occur": 1]]
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "1", preferences: ["concurent_max": 3]),
            Fixture.desiredSubscriber("bob", sn: "2", callforwards: [:]),
            Fixture.desiredSubscriber("carol", domain: "missing.example", sn: "3"),
        ])
        var collections = live
        collections.preferences = [:]

        let whole = #expect(throws: PlanningError.self) {
            try Planner.plan(desired: desired, live: live, options: Self.options)
        }
        let draft = Planner.draft(
            desired: desired, collections: collections, options: Self.options)
        let completed = #expect(throws: PlanningError.self) {
            try Planner.plan(completing: draft, live: live)
        }
        let messages = whole?.problems.map(\.message) ?? []
        #expect(messages.count == 3)
        #expect(messages.first == "unknown preference 'concurent_max'")
        #expect(completed?.problems.map(\.message) == messages)
    }
}
