import NGCPCore
import Testing

@testable import Planning

@Suite struct GuardCheckTests {
    static func removal(_ id: Int, _ kind: ResourceKind, _ name: String) -> PlannedOperation {
        PlannedOperation(
            id: id, action: .delete, resource: kind, name: name,
            method: kind == .customers ? .patch : .delete, path: "/api/\(kind.rawValue)/\(id)",
            irreversible: kind != .subscribers)
    }

    static let live = Fixture.liveBase(subscribers: [
        Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
        Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        Fixture.subscriber(id: 42, username: "carol", sn: "5550003"),
    ])

    static let desired = Fixture.desiredBase(subscribers: [
        Fixture.desiredSubscriber("alice", sn: "5550001")
    ])

    @Test("the defaults allow ten deletes and one termination")
    func defaults() {
        let plan = Plan(operations: [
            Self.removal(1, .subscribers, "bob@example.org"),
            Self.removal(2, .customers, "old-1"),
        ])
        let violations = GuardCheck.evaluate(
            plan: plan, settings: GuardSettings(), desired: Self.desired, live: Self.live)
        #expect(violations.isEmpty)
    }

    @Test("each guard names itself and the objects")
    func eachGuard() {
        let plan = Plan(operations: [
            Self.removal(1, .subscribers, "bob@example.org"),
            Self.removal(2, .subscribers, "carol@example.org"),
            Self.removal(3, .customers, "old-1"),
            Self.removal(4, .customers, "vip-2"),
            Self.removal(5, .domains, "old.example"),
        ])
        let settings = GuardSettings(
            maxDeletes: 1, maxTerminations: 1, allowDomainDelete: false, refuseRemoveAll: true,
            protected: ["customers/vip-*"])
        let violations = GuardCheck.evaluate(
            plan: plan, settings: settings, desired: Self.desired, live: Self.live)
        #expect(
            violations.map(\.guardName) == [
                "max_deletes", "max_terminations", "allow_domain_delete", "protected",
            ])
        #expect(violations[0].objects.map(\.name) == ["bob@example.org", "carol@example.org"])
        #expect(violations[3].objects == [ResourceID(.customers, "vip-2")])
        #expect(violations[0].description.contains("more than the limit of 1"))
    }

    @Test("a declared termination counts as a termination")
    func declaredTermination() {
        let plan = Plan(operations: [
            PlannedOperation(
                id: 1, action: .update, resource: .customers, name: "a", method: .patch,
                path: "/api/customers/1", irreversible: true),
            PlannedOperation(
                id: 2, action: .update, resource: .customers, name: "b", method: .patch,
                path: "/api/customers/2", irreversible: true),
        ])
        let violations = GuardCheck.evaluate(
            plan: plan, settings: GuardSettings(), desired: Self.desired, live: Self.live)
        #expect(violations.map(\.guardName) == ["max_terminations"])
    }

    @Test("remove-all rejected only when none declared")
    func removeAll() {
        let plan = Plan(operations: [
            Self.removal(1, .subscribers, "alice@example.org"),
            Self.removal(2, .subscribers, "bob@example.org"),
            Self.removal(3, .subscribers, "carol@example.org"),
        ])
        let none = GuardCheck.evaluate(
            plan: plan, settings: GuardSettings(), desired: Fixture.desiredBase(),
            live: Self.live)
        #expect(none.map(\.guardName) == ["refuse_remove_all"])
        let some = GuardCheck.evaluate(
            plan: plan, settings: GuardSettings(), desired: Self.desired, live: Self.live)
        #expect(some.isEmpty)
        let off = GuardCheck.evaluate(
            plan: plan, settings: GuardSettings(refuseRemoveAll: false),
            desired: Fixture.desiredBase(), live: Self.live)
        #expect(off.isEmpty)
    }

    @Test(
        "protected patterns",
        arguments: [
            ("customers/vip-*", ResourceID(.customers, "vip-1"), true),
            ("customers/vip-*", ResourceID(.subscribers, "vip-1"), false),
            ("*/vip-*", ResourceID(.subscribers, "vip-1"), true),
            ("subscribers/*@example.org", ResourceID(.subscribers, "a@example.org"), true),
            ("vip-1", ResourceID(.domains, "vip-1"), true),
        ])
    func patterns(_ pattern: String, _ id: ResourceID, _ expected: Bool) {
        #expect(GuardCheck.matches(pattern: pattern, id) == expected)
    }
}

@Suite struct IgnoreRuleNestingTests {
    @Test(
        "nested rules address the block collections",
        arguments: [
            ("subscribers/*:preferences.cli", ResourceKind.subscriberpreferences, "*", "cli"),
            (
                "subscribers/a@b:callforwards.cft.ringtimeout", .callforwards, "a@b",
                "cft.ringtimeout"
            ),
            ("customers/x-*:contact.city", .customercontacts, "x-*", "city"),
            ("subscribers/*:email", .subscribers, "*", "email"),
        ])
    func nested(_ text: String, _ kind: ResourceKind, _ name: String, _ path: String) throws {
        let rule = try #require(IgnoreRule(parsing: text))
        #expect(rule.resource == kind)
        #expect(rule.name == name)
        #expect(rule.path == path)
    }

    @Test("invalid rules rejected", arguments: ["", "widgets/*:x", "subscribers/*:"])
    func invalid(_ text: String) {
        #expect(IgnoreRule(parsing: text) == nil)
    }
}

@Suite struct DotRendererTests {
    @Test("nodes per operation and edges per dependency")
    func graph() {
        let plan = Plan(operations: [
            PlannedOperation(
                id: 1, action: .create, resource: .domains, name: "example.org", method: .post,
                path: "/api/domains/"),
            PlannedOperation(
                id: 2, action: .create, resource: .subscribers, name: "a\"b@example.org",
                method: .post, path: "/api/subscribers/", dependsOn: [1]),
        ])
        let text = DotPlanRenderer().render(plan)
        #expect(text.hasPrefix("digraph plan {"))
        #expect(text.contains(#"op1 [label="1 + create domains/example.org""#))
        #expect(text.contains(#"a\"b@example.org"#))
        #expect(text.contains("op1 -> op2;"))
    }
}

@Suite struct FingerprintTests {
    @Test("volatile members do not change the fingerprint, content does")
    func fingerprint() {
        let fields = Fixture.subscriber(id: 40, username: "alice", sn: "5550001").fields
        var touched = fields
        touched["modify_timestamp"] = "2030-01-01T00:00:00+00:00"
        touched["_links"] = ["self": ["href": "/api/subscribers/40"]]
        var changed = fields
        changed["email"] = "x@example.org"
        #expect(LiveFingerprint.of(fields: fields) == LiveFingerprint.of(fields: touched))
        #expect(LiveFingerprint.of(fields: fields) != LiveFingerprint.of(fields: changed))
    }

    @Test("operations on live objects carry the fingerprint, creates none")
    func operations() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550009"),
            Fixture.desiredSubscriber("bob", sn: "5550002"),
        ])
        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))
        let update = try #require(result.operations.first { $0.action == .update })
        let create = try #require(result.operations.first { $0.action == .create })
        #expect(update.liveFingerprint == LiveFingerprint.of(fields: live.subscribers[0].fields))
        #expect(create.liveFingerprint == nil)
        #expect(LiveFingerprint.readPath(of: update) == "/api/subscribers/40")
    }
}

@Suite struct ManagedInventoryTests {
    static let live = Fixture.liveBase(
        subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
            Fixture.subscriber(id: 42, username: "carol", customerID: 31, sn: "5550003"),
        ],
        customers: [
            Fixture.customer(), Fixture.customer(id: 31, externalID: "other", contactID: 21),
        ],
        contacts: [Fixture.contact(), Fixture.contact(id: 21)])

    static let desired = Fixture.desiredBase(subscribers: [
        Fixture.desiredSubscriber("alice", sn: "5550001")
    ])

    @Test("only inventory objects are removed; the rest is reported")
    func inventory() throws {
        let inventory: Set<ResourceID> = [
            ResourceID(.subscribers, "alice@example.org"),
            ResourceID(.subscribers, "carol@example.org"),
        ]
        let result = try plan(
            Self.desired, Self.live,
            PlannerOptions(prune: true, managedInventory: inventory, secrets: secrets()))
        #expect(
            result.operations.map(\.resourceID.description) == ["subscribers/carol@example.org"])
        #expect(
            result.unmanaged.map(\.description) == [
                "customers/other", "subscribers/bob@example.org",
            ])
    }

    @Test("without an inventory, subscribers of declared customers are managed")
    func fallback() throws {
        let result = try plan(
            Self.desired, Self.live, PlannerOptions(prune: true, secrets: secrets()))
        #expect(result.operations.map(\.resourceID.description) == ["subscribers/bob@example.org"])
        #expect(
            result.unmanaged.map(\.description) == [
                "customers/other", "subscribers/carol@example.org",
            ])
    }

    @Test("without prune nothing is removed or listed")
    func noPrune() throws {
        let result = try plan(Self.desired, Self.live, PlannerOptions(secrets: secrets()))
        #expect(result.isEmpty)
        #expect(result.unmanaged.isEmpty)
    }
}
