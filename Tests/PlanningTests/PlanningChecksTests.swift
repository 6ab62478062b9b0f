import NGCPCore
import Testing

@testable import Planning

/// Problems that planning reports up front because apply would fail on them part way, and
/// the notes a plan carries about what it leaves alone.
@Suite struct PlanningChecksTests {
    @Test func newSubscriberWithoutPasswordIsProblem() throws {
        var subscriber = Fixture.desiredSubscriber("carol", sn: "5550003")
        subscriber.secrets = [:]
        let desired = Fixture.desiredBase(subscribers: [subscriber])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, Fixture.liveBase(), PlannerOptions(secrets: secrets()))
        }
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.resource == ResourceID(.subscribers, "carol@example.org"))
        #expect(
            error.problems.first?.message
                == "the plan creates this subscriber, but its manifest declares no password")
    }

    @Test func existingSubscriberWithoutPasswordIsPlanned() throws {
        var subscriber = Fixture.desiredSubscriber("alice", sn: "5550001")
        subscriber.secrets = [:]
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let result = try plan(
            Fixture.desiredBase(subscribers: [subscriber]), live,
            PlannerOptions(secrets: secrets()))
        #expect(result.operations.isEmpty)
    }

    @Test func heldNumberHintSaysHolderIsUnmanaged() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001", aliases: ["5550009"]),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("bob", sn: "5550002", aliases: ["5550009"])
        ])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: secrets()))
        }
        let hint = try #require(error.problems.first?.hint)
        #expect(!hint.contains("in its manifest"))
        #expect(hint.contains("'alice@example.org' is not managed by any manifest"))
    }

    @Test func heldNumberHintNamesManifestOfDeclaredHolder() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001", aliases: ["5550009"]),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            // Alice's manifest leaves alias_numbers out, so her live aliases stay.
            Fixture.desiredSubscriber("alice", sn: "5550001"),
            Fixture.desiredSubscriber("bob", sn: "5550002", aliases: ["5550009"]),
        ])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: secrets()))
        }
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.message.contains("whose manifest keeps it") == true)
        #expect(
            error.problems.first?.hint
                == "remove the number from 'alice@example.org' in its manifest, or prune that "
                + "subscriber")
    }

    @Test func primarySwapCycleNamesResourceOnce() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550002"),
            Fixture.desiredSubscriber("bob", sn: "5550001"),
        ])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: secrets()))
        }
        let problem = try #require(error.problems.first)
        #expect(problem.message.contains("cycle"))
        #expect(problem.hint?.contains("requires a primary number") == true)
        #expect(problem.resource.kind == .subscribers)
        #expect(!problem.resource.name.hasPrefix("subscribers/"))
        #expect(!problem.diagnostic.description.contains("subscribers/subscribers/"))
    }

    @Test func undeclaredSubscriberIsCountedWithoutPrune() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])

        let kept = try plan(desired, live, PlannerOptions(secrets: secrets()))
        #expect(kept.operations.isEmpty)
        #expect(kept.notPruned == [ResourceID(.subscribers, "bob@example.org")])
        let text = HumanPlanRenderer().render(kept)
        #expect(!text.contains("Live state matches the manifests"))
        #expect(text.contains("left alone without --prune: 1 (subscribers/bob@example.org)"))
        #expect(text.contains("Run with --prune to remove them."))

        let pruned = try plan(desired, live, PlannerOptions(prune: true, secrets: secrets()))
        #expect(pruned.notPruned.isEmpty)
        #expect(pruned.operations.map(\.action) == [.delete])
    }

    @Test func interruptedContactIsCountedOrPruned() throws {
        let live = Fixture.liveBase(
            contacts: [Fixture.contact(), Fixture.contact(id: 25, email: "office@delta.test")])
        let desired = Fixture.desiredBase()
        let contacts = [25: "delta"]

        let kept = try plan(
            desired, live, PlannerOptions(interruptedContacts: contacts, secrets: secrets()))
        #expect(kept.operations.isEmpty)
        #expect(kept.notPruned == [ResourceID(.customercontacts, "delta")])

        // An inventory does not have to list it: the journal is what makes it managed.
        let pruned = try plan(
            desired, live,
            PlannerOptions(
                prune: true, managedInventory: [ResourceID(.customers, "cust-1")],
                interruptedContacts: contacts, secrets: secrets()))
        let removal = try #require(pruned.operations.first)
        #expect(pruned.operations.count == 1)
        #expect(removal.resourceID == ResourceID(.customercontacts, "delta"))
        #expect(removal.method == .delete)
        #expect(removal.path == "/api/customercontacts/25")
        #expect(removal.reason?.hasPrefix("an interrupted apply created this contact") == true)
    }

    @Test func interruptedContactStaysWhenDeclaredOrUsed() throws {
        let contacts = [Fixture.contact(), Fixture.contact(id: 25, email: "office@delta.test")]

        // Declared again: the plan creates the customer, and apply adopts the contact.
        var desired = Fixture.desiredBase()
        desired.customers.append(Fixture.desiredCustomer("delta"))
        let declared = try plan(
            desired, Fixture.liveBase(contacts: contacts),
            PlannerOptions(prune: true, interruptedContacts: [25: "delta"], secrets: secrets()))
        #expect(declared.operations.allSatisfy { $0.action == .create })

        // A customer uses it by now, so it is that customer's contact.
        let used = Fixture.liveBase(
            customers: [
                Fixture.customer(),
                Fixture.customer(
                    id: 31, externalID: "delta-2",
                    contactID: 25),
            ],
            contacts: contacts)
        let kept = try plan(
            Fixture.desiredBase(), used,
            PlannerOptions(interruptedContacts: [25: "delta"], secrets: secrets()))
        #expect(!kept.notPruned.contains(ResourceID(.customercontacts, "delta")))
    }

    @Test func notPrunedSurvivesPlanJSON() throws {
        var original = Plan(target: "https://ngcp.example.org/api/")
        original.notPruned = [ResourceID(.subscribers, "bob@example.org")]
        let text = JSONPlanRenderer().render(original)
        #expect(text.contains("\"not_pruned\""))
        #expect(try Plan(jsonText: text).notPruned == original.notPruned)

        let empty = JSONPlanRenderer().render(Plan(target: "https://ngcp.example.org/api/"))
        #expect(!empty.contains("not_pruned"))
    }
}
