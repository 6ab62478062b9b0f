import NGCPCore
import Testing

@testable import Planning

/// The web password of an existing subscriber, which NGCP never returns, compared through the
/// digest an earlier apply recorded.
@Suite struct WebPasswordPlanningTests {
    static let key = SecretDigest.key(
        apiUser: "administrator", apiPassword: SecretValue("administrator"),
        target: "https://ngcp.example.org:1443/api/")
    static let alice = ResourceID(.subscribers, "alice@example.org")

    static func digest(_ value: String, owner: ResourceID = alice) -> String {
        SecretDigest.digest(
            SecretValue(value), owner: owner.description, field: "webpassword", key: key)
    }

    /// Plans alice (live id 40) with the web password `desired` against `records`, and
    /// returns the draft and its plan.
    static func planAlice(
        desired: String, records: [String: WebPasswordRecords.Entry],
        sendUnrecorded: Bool = false, ignoreRules: [IgnoreRule] = [], name: String = "alice"
    ) throws -> (draft: PlanDraft, plan: Plan) {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desiredState = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(name, sn: "5550001")
        ])
        let options = PlannerOptions(
            ignoreRules: ignoreRules,
            secrets: secrets(["\(name)@example.org/webpassword": desired]),
            webPasswords: WebPasswordComparison(
                key: key, records: records, sendUnrecorded: sendUnrecorded),
            target: "https://ngcp.example.org:1443/api/")
        let draft = Planner.draft(desired: desiredState, collections: live, options: options)
        return (draft, try Planner.plan(completing: draft, live: live))
    }

    /// The body of a subscriber PATCH that sends only alice's web password.
    static let webPasswordPatch: JSONValue = [
        [
            "op": "add", "path": "/webpassword",
            "value": PlanPlaceholder.secret(
                .environment("WEB_ALICE"), owner: alice, field: "webpassword"),
        ]
    ]

    @Test("changed web password is sensitive update")
    func changedWebPassword() throws {
        let records = [
            "alice@example.org": WebPasswordRecords.Entry(
                subscriberID: 40, digest: Self.digest("OldWeb1"))
        ]
        let (draft, plan) = try Self.planAlice(desired: "NewWeb2", records: records)

        #expect(draft.uncomparedWebPasswords.isEmpty)
        #expect(plan.operations.count == 1)
        let operation = try #require(plan.operations.first)
        #expect(operation.action == .update)
        #expect(operation.path == "/api/subscribers/40")
        #expect(operation.body == Self.webPasswordPatch)
        #expect(
            operation.changes == [
                FieldChange(path: "webpassword", before: nil, after: nil, sensitive: true)
            ])
        let json = plan.jsonValue.serialized(pretty: true)
        #expect(!json.contains("NewWeb2"))
        #expect(!json.contains("OldWeb1"))
        for renderer in [HumanPlanRenderer(), MarkdownPlanRenderer()] as [any PlanRenderer] {
            #expect(!renderer.render(plan).contains("NewWeb2"))
        }
    }

    @Test("recorded web password gives no change")
    func unchangedWebPassword() throws {
        let records = [
            "alice@example.org": WebPasswordRecords.Entry(
                subscriberID: 40, digest: Self.digest("SameWeb1"))
        ]
        let (draft, plan) = try Self.planAlice(desired: "SameWeb1", records: records)
        #expect(plan.isEmpty)
        #expect(draft.uncomparedWebPasswords.isEmpty)
    }

    @Test("key differs in case only")
    func recordKeyIgnoresCase() throws {
        // The entry key is lower case, but the digest's owner is the name as the manifest
        // writes it.
        let owner = ResourceID(.subscribers, "Alice@example.org")
        let records = [
            "alice@example.org": WebPasswordRecords.Entry(
                subscriberID: 40, digest: Self.digest("SameWeb1", owner: owner))
        ]
        let (draft, plan) = try Self.planAlice(
            desired: "SameWeb1", records: records, name: "Alice")
        #expect(plan.isEmpty)
        #expect(draft.uncomparedWebPasswords.isEmpty)
    }

    @Test("unrecorded web password is listed, not sent")
    func unrecordedWebPassword() throws {
        let (draft, plan) = try Self.planAlice(desired: "NewWeb2", records: [:])
        #expect(plan.isEmpty)
        #expect(draft.uncomparedWebPasswords == [Self.alice])
    }

    @Test("entry for another subscriber id is unrecorded")
    func entryForOtherID() throws {
        // Alice was deleted and created again outside ngcpctl since the entry was made.
        let records = [
            "alice@example.org": WebPasswordRecords.Entry(
                subscriberID: 39, digest: Self.digest("SameWeb1"))
        ]
        let (draft, plan) = try Self.planAlice(desired: "SameWeb1", records: records)
        #expect(plan.isEmpty)
        #expect(draft.uncomparedWebPasswords == [Self.alice])
    }

    @Test("unrecorded web password sent on request")
    func unrecordedSentOnRequest() throws {
        let (draft, plan) = try Self.planAlice(
            desired: "NewWeb2", records: [:], sendUnrecorded: true)
        #expect(draft.uncomparedWebPasswords.isEmpty)
        #expect(plan.operations.map(\.body) == [Self.webPasswordPatch])
    }

    @Test("recorded equal value not sent on request")
    func recordedNotResent() throws {
        // The flag covers subscribers without an entry, so an equal recorded digest still wins.
        let records = [
            "alice@example.org": WebPasswordRecords.Entry(
                subscriberID: 40, digest: Self.digest("SameWeb1"))
        ]
        let (_, plan) = try Self.planAlice(
            desired: "SameWeb1", records: records, sendUnrecorded: true)
        #expect(plan.isEmpty)
    }

    @Test("ignore rule hides web password")
    func ignoredWebPassword() throws {
        let rule = try #require(IgnoreRule(parsing: "subscribers/*:webpassword"))
        let (draft, plan) = try Self.planAlice(
            desired: "NewWeb2", records: [:], sendUnrecorded: true, ignoreRules: [rule])
        #expect(plan.isEmpty)
        #expect(draft.uncomparedWebPasswords.isEmpty)
    }

    @Test("without records nothing is compared")
    func noComparisonOptions() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])
        let draft = Planner.draft(
            desired: desired, collections: live, options: PlannerOptions(secrets: secrets()))
        #expect(try Planner.plan(completing: draft, live: live).isEmpty)
        #expect(draft.uncomparedWebPasswords.isEmpty)
    }

    @Test("web password joins other field changes")
    func webPasswordWithOtherChange() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001", fields: ["email": "a@example.org"])
        ])
        let options = PlannerOptions(
            secrets: secrets(["alice@example.org/webpassword": "NewWeb2"]),
            webPasswords: WebPasswordComparison(key: Self.key, sendUnrecorded: true))
        let result = try plan(desired, live, options)
        #expect(result.operations.count == 1)
        let operation = try #require(result.operations.first)
        #expect(operation.changes.map(\.path) == ["email", "webpassword"])
        #expect(operation.changes.map(\.sensitive) == [false, true])
    }

    @Test("key check depends on the key")
    func keyCheck() {
        let other = SecretDigest.key(
            apiUser: "other", apiPassword: SecretValue("administrator"),
            target: "https://ngcp.example.org:1443/api/")
        #expect(SecretDigest.keyCheck(key: Self.key) == SecretDigest.keyCheck(key: Self.key))
        #expect(SecretDigest.keyCheck(key: Self.key) != SecretDigest.keyCheck(key: other))
        #expect(SecretDigest.keyCheck(key: Self.key).hasPrefix("hmac-sha256:"))
    }
}
