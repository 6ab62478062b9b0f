import NGCPCore
import Testing

@testable import Planning

/// The names of the objects that id fields refer to, in the plan and in its human and
/// Markdown renderings.
@Suite("Reference names")
struct ReferenceNameTests {
    static let gold = LiveObject(
        id: 2,
        fields: ["id": 2, "handle": "gold", "name": "Gold", "reseller_id": 1, "status": "active"])

    /// Returns the human and Markdown renderings of `plan`.
    static func rendered(_ plan: Plan) -> (human: String, markdown: String) {
        (HumanPlanRenderer(color: false).render(plan), MarkdownPlanRenderer().render(plan))
    }

    @Test("billing profile change names both profiles")
    func billingProfile() throws {
        var live = Fixture.liveBase()
        live.billingProfiles.append(Self.gold)
        live.customers[0].fields["billing_profile_id"] = 2

        let result = try plan(Fixture.desiredBase(), live)
        let change = try #require(result.operations.first?.changes.first)
        #expect(change.path == "billing_profile_id")
        #expect(change.before == 2)
        #expect(change.after == 1)
        #expect(change.names == [2: "gold", 1: "default_billing_profile"])

        let (human, markdown) = Self.rendered(result)
        #expect(human.contains("billing_profile_id: 2 (gold) → 1 (default_billing_profile)\n"))
        #expect(markdown.contains("- billing_profile_id: 2 (gold)\n"))
        #expect(markdown.contains("+ billing_profile_id: 1 (default_billing_profile)\n"))
    }

    @Test("PBX groups named, also one the plan creates")
    func pbxGroups() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["nurses", "porters"]),
            PBX.desired("nurses", sn: "5550002", group: true),
            PBX.desired("porters", sn: "5550003", group: true),
        ])
        let result = try plan(desired, live, PBX.options)

        let member = try #require(result.operations.first { $0.name == "desk@example.org" })
        let change = try #require(member.changes.first { $0.path == "pbx_group_ids" })
        #expect(change.names == [41: "nurses@example.org"])

        let (human, markdown) = Self.rendered(result)
        #expect(
            human.contains(
                "pbx_group_ids: [41 (nurses@example.org)] → "
                    + "[41 (nurses@example.org), new (porters@example.org)]\n"))
        #expect(!human.contains("known after apply"))
        #expect(markdown.contains("- pbx_group_ids: [41 (nurses@example.org)]\n"))
        #expect(
            markdown.contains(
                "+ pbx_group_ids: [41 (nurses@example.org), new (porters@example.org)]\n"))
    }

    @Test("raw group ids named from the live state")
    func rawGroupIDs() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 43, username: "porters", sn: "5550003", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        var desk = PBX.desired("desk", sn: "5550001")
        desk.fields["pbx_group_ids"] = [41, 43]
        let result = try plan(PBX.state([PBX.desiredPilot, desk]), live, PBX.options)

        let (human, _) = Self.rendered(result)
        #expect(
            human.contains(
                "pbx_group_ids: [41 (nurses@example.org)] → "
                    + "[41 (nurses@example.org), 43 (porters@example.org)]\n"))
    }

    @Test("create names its live customer and domain")
    func liveReferences() throws {
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])
        let result = try plan(desired, Fixture.liveBase(), PlannerOptions(secrets: secrets()))

        let create = try #require(result.operations.first)
        #expect(create.changes.first { $0.path == "customer_id" }?.names == [30: "cust-1"])
        #expect(create.changes.first { $0.path == "domain_id" }?.names == [10: "example.org"])
        #expect(create.changes.first { $0.path == "password" }?.names == [:])

        let (human, markdown) = Self.rendered(result)
        #expect(human.contains("customer_id: 30 (cust-1)\n"))
        #expect(human.contains("domain_id: 10 (example.org)\n"))
        #expect(human.contains("password: (sensitive value)\n"))
        #expect(markdown.contains("+ customer_id: 30 (cust-1)\n"))
        #expect(markdown.contains("+ domain_id: 10 (example.org)\n"))
    }

    @Test("created objects named by their operations")
    func createdReferences() throws {
        let desired = DesiredState(
            domains: [DesiredDomain(domain: "new.example", reseller: "default")],
            customers: [Fixture.desiredCustomer("cust-new")],
            subscribers: [
                Fixture.desiredSubscriber(
                    "alice", customer: "cust-new", domain: "new.example", sn: "5550001")
            ])
        let result = try plan(desired, Fixture.liveBase(), PlannerOptions(secrets: secrets()))

        let (human, markdown) = Self.rendered(result)
        #expect(human.contains("reseller_id: 1 (default)\n"))
        #expect(human.contains("billing_profile_id: 1 (default_billing_profile)\n"))
        #expect(human.contains("contact_id: new (cust-new)\n"))
        #expect(human.contains("customer_id: new (cust-new)\n"))
        #expect(human.contains("domain_id: new (new.example)\n"))
        #expect(!human.contains("known after apply"))
        #expect(markdown.contains("+ customer_id: new (cust-new)\n"))
    }

    @Test("ids without names keep their JSON form")
    func unnamedIDs() {
        let change = FieldChange(path: "pbx_group_ids", before: [3], after: [3, 6])
        #expect(PlanText.change(change, action: .update) == "pbx_group_ids: [3] → [3,6]")

        // An id without a recorded name shows alone next to one that has a name.
        let partly = FieldChange(
            path: "pbx_group_ids", before: [3], after: [3, 6], names: [3: "sales@example.org"])
        #expect(
            PlanText.change(partly, action: .update)
                == "pbx_group_ids: [3 (sales@example.org)] → [3 (sales@example.org), 6]")

        // A placeholder whose operation is not in the plan keeps its words.
        let created = [2: "bob@example.org"]
        let missing = FieldChange(
            path: "customer_id", before: nil, after: PlanPlaceholder.createdID(of: 7))
        #expect(
            PlanText.change(missing, action: .create, created: created)
                == "customer_id: (known after apply)")
    }

    @Test("names escaped for the terminal")
    func escapedName() {
        let change = FieldChange(
            path: "customer_id", before: nil, after: 30, names: [30: "evil\u{1B}[2J"])
        #expect(PlanText.change(change, action: .create) == "customer_id: 30 (evil\\u{1b}[2J)")
    }

    @Test("sensitive change carries no names")
    func sensitive() {
        let change = FieldChange(
            path: "password", before: nil, after: nil, sensitive: true, names: [1: "x"])
        #expect(change.names.isEmpty)
        #expect(change.jsonValue["names"] == nil)
    }
}

@Suite("Reference names in plan files")
struct ReferenceNameJSONTests {
    static func plan() -> Plan {
        Plan(operations: [
            PlannedOperation(
                id: 1, action: .update, resource: .customers, name: "cust-1", method: .patch,
                path: "/api/customers/30",
                body: [["op": "replace", "path": "/billing_profile_id", "value": 1]],
                changes: [
                    FieldChange(
                        path: "billing_profile_id", before: 2, after: 1,
                        names: [1: "default", 2: "gold"])
                ],
                liveID: 30)
        ])
    }

    @Test("names round trip")
    func roundTrip() throws {
        let plan = Self.plan()
        let json = plan.jsonValue
        let change = json["operations"]?.arrayValue?.first?["changes"]?.arrayValue?.first
        #expect(change?["names"] == ["1": "default", "2": "gold"])
        #expect(try Plan(json: json) == plan)
    }

    @Test("plan without names still reads")
    func olderDocument() throws {
        var document = try #require(Self.plan().jsonValue.objectValue)
        document.editOperation(0) { operation in
            operation["changes"] = [
                ["path": "billing_profile_id", "sensitive": false, "before": 2, "after": 1]
            ]
        }
        let plan = try Plan(json: .object(document))
        #expect(plan.operations[0].changes[0].names.isEmpty)
        #expect(
            HumanPlanRenderer().render(plan).contains("billing_profile_id: 2 → 1\n"))
    }

    struct RejectionCase: CustomTestStringConvertible, Sendable {
        var id: String
        var change: JSONValue
        var path: String
        var message: String
        var testDescription: String { id }
    }

    static let rejections: [RejectionCase] = [
        RejectionCase(
            id: "names not an object",
            change: ["path": "customer_id", "sensitive": false, "after": 30, "names": ["a"]],
            path: "operations[0].changes[0].names", message: "expected an object, found array"),
        RejectionCase(
            id: "key not an id",
            change: ["path": "customer_id", "sensitive": false, "after": 30, "names": ["x": "a"]],
            path: "operations[0].changes[0].names.x",
            message: "expected an integer id as the key"),
        RejectionCase(
            id: "name not a string",
            change: ["path": "customer_id", "sensitive": false, "after": 30, "names": ["30": 5]],
            path: "operations[0].changes[0].names.30", message: "expected a string, found integer"),
        RejectionCase(
            id: "sensitive change with names",
            change: ["path": "password", "sensitive": true, "names": ["30": "cust-1"]],
            path: "operations[0].changes[0].names",
            message: "a sensitive change must not carry names"),
    ]

    @Test("invalid names rejected", arguments: rejections)
    func rejection(_ testCase: RejectionCase) throws {
        var document = try #require(Self.plan().jsonValue.objectValue)
        document.editOperation(0) { $0["changes"] = [testCase.change] }

        let error = try #require(throws: PlanJSONError.self) {
            try Plan(json: .object(document))
        }
        #expect(error.path == testCase.path)
        #expect(error.message == testCase.message)
    }
}
