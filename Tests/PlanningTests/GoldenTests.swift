import Foundation
import NGCPCore
import Planning
import Testing

/// Plans every recorded case and compares the plan document and the human output with the
/// recorded ones. See `GoldenCase` for the layout and for re-recording.
@Suite struct GoldenTests {
    @Test("enough recorded cases") func caseCount() {
        #expect(GoldenCase.all.count >= 40)
    }

    @Test("golden plan", arguments: GoldenCase.all)
    func golden(_ golden: GoldenCase) throws {
        let outcome = try golden.outcome()
        if GoldenCase.recording {
            try golden.write("expected.json", outcome.json)
            try golden.write("expected.txt", outcome.human)
            return
        }
        let expectedJSON = try #require(
            try golden.text("expected.json"),
            "\(golden.name): no expected.json; record it with NGCPCTL_RECORD_GOLDEN=1")
        let expectedHuman = try #require(try golden.text("expected.txt"))
        #expect(outcome.json == expectedJSON, "\(golden.name): plan document differs")
        #expect(outcome.human == expectedHuman, "\(golden.name): human output differs")

        // The plan document reads back into the same plan.
        let document = try JSONValue.parse(outcome.json)
        if let planJSON = document["plan"] {
            let plan = try Plan(json: planJSON)
            #expect(plan.jsonValue == planJSON)
        }
    }

    /// Planning is deterministic: the same inputs in another order give the same plan.
    @Test("golden plan does not depend on input order", arguments: GoldenCase.all)
    func shuffled(_ golden: GoldenCase) throws {
        var desired = try golden.desired()
        var live = try golden.live()
        var generator = SeededGenerator(seed: UInt64(golden.name.utf8.count))
        desired.subscribers.shuffle(using: &generator)
        desired.customers.shuffle(using: &generator)
        desired.domains.shuffle(using: &generator)
        live.subscribers.shuffle(using: &generator)
        live.customers.shuffle(using: &generator)
        live.contacts.shuffle(using: &generator)
        live.domains.shuffle(using: &generator)
        let options = try golden.plannerOptions()
        let first = try? Planner.plan(
            desired: try golden.desired(), live: try golden.live(), options: options)
        let second = try? Planner.plan(desired: desired, live: live, options: options)
        #expect(first?.jsonValue == second?.jsonValue)
    }
}

extension GoldenTests {
    /// A plan drafted from the collections and completed with the blocks is the plan made in
    /// one step, problems and their order included.
    @Test("drafted golden plan unchanged", arguments: GoldenCase.all)
    func drafted(_ golden: GoldenCase) throws {
        let desired = try golden.desired()
        let live = try golden.live()
        let options = try golden.plannerOptions()
        var collections = live
        collections.callforwards = [:]
        collections.preferences = [:]

        let whole = Result { () throws(PlanningError) in
            try Planner.plan(desired: desired, live: live, options: options)
        }
        let draft = Planner.draft(
            desired: desired, collections: collections, options: options,
            preparation: Planner.prepare(collections))
        let completed = Result { () throws(PlanningError) in
            try Planner.plan(completing: draft, live: live)
        }
        switch (whole, completed) {
        case (.success(let first), .success(let second)):
            #expect(first.jsonValue == second.jsonValue, "\(golden.name)")
        case (.failure(let first), .failure(let second)):
            #expect(first.problems.map(\.message) == second.problems.map(\.message))
            #expect(first.problems.map(\.location) == second.problems.map(\.location))
        default:
            Issue.record("\(golden.name): one plan failed and the other did not")
        }
    }
}

/// A small deterministic generator (SplitMix64) for reproducible shuffles.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
