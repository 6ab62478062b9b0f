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
}
