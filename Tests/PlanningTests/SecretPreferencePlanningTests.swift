import Foundation
import NGCPCore
import Planning
import Testing

/// Plans of `peer_auth_pass`, a preference whose value is a password.
@Suite struct SecretPreferencePlanningTests {
    static let field = "preferences.peer_auth_pass"
    static let owner = ResourceID(.subscribers, "alice@example.org")
    static let oldValue = "Old-Peer-Secret-7"
    static let newValue = "New-Peer-Secret-8"

    /// Alice with `peer_auth_pass` from `source`, and her live preferences with `live` as its
    /// value (unset when nil).
    static func state(source: SecretSource, live value: String?) -> (DesiredState, LiveState) {
        var alice = Fixture.desiredSubscriber("alice", sn: "5550001", preferences: [:])
        alice.secrets[field] = source
        var preferences = Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])
        if let value { preferences["peer_auth_pass"] = .string(value) }
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            preferences: [40: preferences])
        return (Fixture.desiredBase(subscribers: [alice]), live)
    }

    /// Resolves alice's `peer_auth_pass` to `value`, and every other secret to a fixed one.
    static func lookup(_ value: String?) -> SecretLookup {
        { id, field in
            guard field == Self.field else { return SecretValue("SipPass123") }
            return value.map(SecretValue.init)
        }
    }

    /// Renders `plan` in every form that a plan is shown or saved in, by format name.
    static func renderings(_ plan: Plan) -> [String: String] {
        [
            "human": HumanPlanRenderer().render(plan),
            "markdown": MarkdownPlanRenderer().render(plan),
            "dot": DotPlanRenderer().render(plan),
            "json": JSONPlanRenderer().render(plan),
            "plan file": plan.jsonValue.serialized(pretty: true),
        ]
    }

    /// Returns the first change of the first operation, as the plan document writes it.
    static func firstChangeJSON(_ plan: Plan) -> JSONValue? {
        let operation = plan.jsonValue["operations"]?.arrayValue?.first
        return operation?["changes"]?.arrayValue?.first
    }

    @Test func changedValueSendsPlaceholder() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.newValue)))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscriberpreferences/alice@example.org", .patch,
                    "/api/subscriberpreferences/40")
            ])
        let operation = try #require(result.operations.first)
        let placeholder = PlanPlaceholder.secret(
            .environment("PEER_PASSWORD"), owner: Self.owner, field: Self.field)
        #expect(
            operation.body == [
                ["op": "add", "path": "/peer_auth_pass", "value": placeholder]
            ])
        #expect(
            operation.changes == [
                FieldChange(path: "peer_auth_pass", before: nil, after: nil, sensitive: true)
            ])
        for (format, text) in Self.renderings(result) {
            #expect(!text.contains("Peer-Secret"), "\(format): \(text)")
        }
        #expect(Self.renderings(result)["human"]?.contains("peer_auth_pass") == true)
    }

    /// `peer_auth_pass: null` removes a set value. Every form of the plan shows the removal,
    /// as it does for other preferences, and none shows the value.
    @Test func nullRemovesWithoutShowingValue() throws {
        var alice = Fixture.desiredSubscriber(
            "alice", sn: "5550001", preferences: ["peer_auth_pass": .null])
        alice.secrets[Self.field] = nil
        let (_, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(
            Fixture.desiredBase(subscribers: [alice]), live,
            PlannerOptions(secrets: Self.lookup(Self.oldValue)))

        let operation = try #require(result.operations.first)
        #expect(result.operations.count == 1)
        #expect(operation.body == [["op": "remove", "path": "/peer_auth_pass"]])
        for (format, text) in Self.renderings(result) {
            #expect(!text.contains("Peer-Secret"), "\(format): \(text)")
        }

        let human = try #require(Self.renderings(result)["human"])
        #expect(human.contains("peer_auth_pass: (sensitive value) → (absent)\n"), "\(human)")
        let markdown = try #require(Self.renderings(result)["markdown"])
        #expect(
            markdown.contains(
                "- peer_auth_pass: (sensitive value)\n+ peer_auth_pass: (absent)\n"),
            "\(markdown)")

        let change = Self.firstChangeJSON(result)
        #expect(change == ["path": "peer_auth_pass", "removed": true, "sensitive": true])

        // A saved plan keeps the removal.
        let read = try Plan(jsonText: result.jsonValue.serialized(pretty: true))
        #expect(read.operations == result.operations)
        #expect(HumanPlanRenderer().render(read) == human)
    }

    /// A changed value is no removal, and its JSON has no `removed` member.
    @Test func changedValueIsNotRemoved() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.newValue)))

        let human = HumanPlanRenderer().render(result)
        #expect(human.contains("peer_auth_pass: (sensitive value)\n"), "\(human)")
        let markdown = MarkdownPlanRenderer().render(result)
        #expect(markdown.contains("! peer_auth_pass: (sensitive value)\n"), "\(markdown)")
        let change = Self.firstChangeJSON(result)
        #expect(change == ["path": "peer_auth_pass", "sensitive": true])
    }

    @Test func savedPlanCarriesReferenceAndDigest() throws {
        let (desired, live) = Self.state(source: .file("/run/secrets/peer"), live: Self.oldValue)
        var result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.newValue)))
        let key = SecretDigest.key(
            apiUser: "administrator", apiPassword: SecretValue("api"), target: "t")
        result.secretDigests = SecretDigest.record(result, key: key) { reference in
            reference.field == Self.field ? SecretValue(Self.newValue) : nil
        }

        let reference = SecretDigest.Reference(
            source: "file:/run/secrets/peer", owner: Self.owner.description, field: Self.field)
        #expect(SecretDigest.references(in: result) == [reference])
        #expect(result.secretDigests.map(\.field) == [Self.field])

        let text = result.jsonValue.serialized(pretty: true)
        #expect(!text.contains("Peer-Secret"), "\(text)")
        let read = try Plan(jsonText: text)
        #expect(read.operations == result.operations)
        #expect(
            SecretDigest.changed(read, key: key) { _ in SecretValue(Self.newValue) }.isEmpty)
        #expect(
            SecretDigest.changed(read, key: key) { _ in SecretValue(Self.oldValue) }
                == [reference])
    }

    @Test func sameValueGivesNoOperation() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.oldValue)))
        #expect(result.operations.isEmpty)
    }

    @Test func unsetValueIsSentWithoutLookup() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: nil)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(nil)))
        #expect(result.operations.count == 1)
        #expect(result.operations.first?.changes.map(\.sensitive) == [true])
    }

    @Test func setValueWithoutLookupIsLeftAlone() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(nil)))
        #expect(result.operations.isEmpty)
    }

    @Test func literalIsSentAsPlaceholder() throws {
        let literal = "Literal-Peer-Secret-9"
        let (desired, live) = Self.state(source: .literal(literal), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(literal)))

        let placeholder = result.operations.first?.body?.arrayValue?.first?["value"]
        #expect(placeholder?["source"] == "literal")
        #expect(placeholder?["field"] == .string(Self.field))
        for (format, text) in Self.renderings(result) {
            #expect(!text.contains(literal), "\(format): \(text)")
        }
    }

    @Test func newSubscriberGetsItWithPreferences() throws {
        var alice = Fixture.desiredSubscriber("alice", sn: "5550001", preferences: [:])
        alice.secrets[Self.field] = .environment("PEER_PASSWORD")
        let result = try plan(
            Fixture.desiredBase(subscribers: [alice]), Fixture.liveBase(),
            PlannerOptions(secrets: Self.lookup(Self.newValue)))

        #expect(result.operations.map(\.resource) == [.subscribers, .subscriberpreferences])
        let create = try #require(result.operations.first?.body?.objectValue)
        #expect(create[Self.field] == nil)
        #expect(create["peer_auth_pass"] == nil)
        #expect(Set(create.keys).isSuperset(of: ["password", "webpassword"]))
        #expect(
            result.operations.first?.changes.filter(\.sensitive).map(\.path).sorted()
                == ["password", "webpassword"])
        #expect(result.operations.last?.body?.arrayValue?.first?["path"] == "/peer_auth_pass")
        #expect(result.operations.last?.action == .create)
    }

    @Test func ignoreRuleKeepsItOut() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let rule = try #require(IgnoreRule(parsing: "subscriberpreferences/*:peer_auth_pass"))
        let result = try plan(
            desired, live,
            PlannerOptions(ignoreRules: [rule], secrets: Self.lookup(Self.newValue)))
        #expect(result.operations.isEmpty)
    }

    @Test func unknownOnTargetIsAProblem() throws {
        let (desired, liveState) = Self.state(source: .environment("PEER_PASSWORD"), live: nil)
        var live = liveState
        live.preferenceDefinitions = ["concurrent_max": ["data_type": "int", "max_occur": 1]]
        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.newValue)))
        }
        #expect(error.problems.map(\.message) == ["unknown preference 'peer_auth_pass'"])
    }

    @Test func planFileWithValueIsRejected() throws {
        let (desired, live) = Self.state(source: .environment("PEER_PASSWORD"), live: Self.oldValue)
        let result = try plan(desired, live, PlannerOptions(secrets: Self.lookup(Self.newValue)))
        let placeholder = try #require(
            result.operations.first?.body?.arrayValue?.first?["value"]?.serialized())
        let edited = result.jsonValue.serialized().replacingOccurrences(
            of: placeholder, with: "\"\(Self.newValue)\"")
        #expect(edited.contains(Self.newValue))

        let error = try #require(throws: PlanJSONError.self) { try Plan(jsonText: edited) }
        #expect(error.path == "operations[0].body[0].value")
        #expect(!error.description.contains(Self.newValue))
    }
}
