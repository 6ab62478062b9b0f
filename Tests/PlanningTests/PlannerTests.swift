import NGCPCore
import Testing

@testable import Planning

/// A short form of an operation, for exact comparisons of whole plans.
struct OperationLine: Equatable, CustomStringConvertible {
    var id: Int
    var action: PlannedAction
    var resource: String
    var method: HTTPMethod
    var path: String
    var dependsOn: [Int]

    init(
        _ id: Int, _ action: PlannedAction, _ resource: String, _ method: HTTPMethod,
        _ path: String, after dependsOn: [Int] = []
    ) {
        self.id = id
        self.action = action
        self.resource = resource
        self.method = method
        self.path = path
        self.dependsOn = dependsOn
    }

    init(_ operation: PlannedOperation) {
        self.init(
            operation.id, operation.action, operation.resourceID.description, operation.method,
            operation.path, after: operation.dependsOn)
    }

    var description: String {
        "\(id) \(action) \(resource) \(method.rawValue) \(path) after \(dependsOn)"
    }
}

func lines(_ plan: Plan) -> [OperationLine] {
    plan.operations.map(OperationLine.init)
}

func plan(
    _ desired: DesiredState, _ live: LiveState, _ options: PlannerOptions = PlannerOptions()
) throws -> Plan {
    var options = options
    if options.target == nil { options.target = "https://ngcp.example.org:1443/api/" }
    return try Planner.plan(desired: desired, live: live, options: options)
}

@Suite("Planner")
struct PlannerTests {
    @Test("new subscriber, customer and domain")
    func fullDependencyChain() throws {
        let subscriber = Fixture.desiredSubscriber(
            "alice", customer: "cust-new", domain: "new.example", sn: "5550001",
            callforwards: ["cfu": ["destinations": [["destination": "4311"]]]],
            preferences: ["concurrent_max": 2, "clir": .null])
        let desired = DesiredState(
            domains: [DesiredDomain(domain: "new.example")],
            customers: [Fixture.desiredCustomer("cust-new", fields: ["max_subscribers": 5])],
            subscribers: [subscriber])
        let live = LiveState(
            resellers: [Fixture.reseller], billingProfiles: [Fixture.billingProfile])

        let result = try plan(desired, live)

        #expect(
            lines(result) == [
                OperationLine(1, .create, "domains/new.example", .post, "/api/domains/"),
                OperationLine(
                    2, .create, "customercontacts/cust-new", .post, "/api/customercontacts/"),
                OperationLine(
                    3, .create, "customers/cust-new", .post, "/api/customers/", after: [2]),
                OperationLine(
                    4, .create, "subscribers/alice@new.example", .post, "/api/subscribers/",
                    after: [1, 3]),
                OperationLine(
                    5, .create, "callforwards/alice@new.example", .put, "/api/callforwards/{id:4}",
                    after: [4]),
                OperationLine(
                    6, .create, "subscriberpreferences/alice@new.example", .patch,
                    "/api/subscriberpreferences/{id:4}", after: [4]),
            ])

        let operations = result.operations
        #expect(operations[0].body == ["domain": "new.example", "reseller_id": 1])
        #expect(
            operations[1].body
                == [
                    "reseller_id": 1, "email": "ops@example.org", "firstname": "First",
                    "lastname": "Last",
                ])
        #expect(
            operations[2].body
                == [
                    "contact_id": PlanPlaceholder.createdID(of: 2), "billing_profile_id": 1,
                    "external_id": "cust-new", "status": "active", "type": "sipaccount",
                    "max_subscribers": 5,
                ])
        #expect(
            operations[3].body
                == [
                    "customer_id": PlanPlaceholder.createdID(of: 3),
                    "domain_id": PlanPlaceholder.createdID(of: 1), "username": "alice",
                    "primary_number": ["cc": 43, "ac": "1", "sn": "5550001"],
                    "password": PlanPlaceholder.secret(
                        .environment("SIP_ALICE"), owner: subscriber.id, field: "password"),
                    "webpassword": PlanPlaceholder.secret(
                        .environment("WEB_ALICE"), owner: subscriber.id, field: "webpassword"),
                ])
        #expect(
            operations[3].changes.filter(\.sensitive).map(\.path) == ["password", "webpassword"])
        #expect(operations[4].body?["cfu"] == ["destinations": [["destination": "4311"]]])
        #expect(operations[4].body?["cfb"] == [:])
        #expect(
            operations[5].body == [["op": "add", "path": "/concurrent_max", "value": 2]],
            "a null preference on a new subscriber needs no remove")
        #expect(result.target == "https://ngcp.example.org:1443/api/")
    }

    @Test("changed preference gives one PATCH")
    func changedPreference() throws {
        var preferences = Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])
        preferences["concurrent_max"] = 5
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            preferences: [40: preferences])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", preferences: ["concurrent_max": 7, "cc": "43"])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscriberpreferences/alice@example.org", .patch,
                    "/api/subscriberpreferences/40")
            ])
        #expect(
            result.operations[0].body == [["op": "add", "path": "/concurrent_max", "value": 7]])
        #expect(
            result.operations[0].changes == [
                FieldChange(path: "concurrent_max", before: 5, after: 7)
            ])
        #expect(result.operations[0].liveID == 40)
    }

    @Test func passwordPreferenceRemovalHidesValue() throws {
        var preferences = Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])
        preferences["peer_auth_pass"] = "OldPeerSecret"
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            preferences: [40: preferences])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", preferences: ["peer_auth_pass": .null])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(result.operations[0].body == [["op": "remove", "path": "/peer_auth_pass"]])
        #expect(
            result.operations[0].changes == [
                FieldChange(
                    path: "peer_auth_pass", before: nil, after: nil, sensitive: true,
                    removed: true)
            ])
        let human = HumanPlanRenderer().render(result)
        #expect(!human.contains("PeerSecret"), "\(human)")
        #expect(human.contains("peer_auth_pass: (sensitive value) → (absent)"), "\(human)")
    }

    @Test("preference set to null is removed")
    func removedPreference() throws {
        var preferences = Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])
        preferences["clir"] = true
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            preferences: [40: preferences])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", preferences: ["clir": .null, "dnd": .null])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(result.operations.count == 1)
        #expect(result.operations.first?.body == [["op": "remove", "path": "/clir"]])
    }

    @Test("PBX groups compare as a set")
    func pbxGroupsCompareAsSet() {
        let changes = { (desired: JSONValue, live: JSONValue?) in
            PlanBuilder.subscriberFieldChanges("pbx_group_ids", desired: desired, live: live)
        }

        #expect(changes([7, 3], [3, 7]).isEmpty)
        #expect(changes(.null, []).isEmpty)
        #expect(changes([], nil).isEmpty)
        #expect(changes([3, 9], [3, 7]).map(\.path) == ["pbx_group_ids"])
    }

    @Test("removed alias number gives one PATCH")
    func removedAlias() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(
                id: 40, username: "alice", sn: "5550001", aliases: ["5550002", "5550003"])
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001", aliases: ["5550003"])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscribers/alice@example.org", .patch, "/api/subscribers/40")
            ])
        #expect(
            result.operations[0].body
                == [
                    [
                        "op": "replace", "path": "/alias_numbers",
                        "value": [["cc": "43", "ac": "1", "sn": "5550003"]],
                    ]
                ])
        #expect(result.operations[0].changes.map(\.path) == ["alias_numbers"])
    }

    @Test("new subscriber under live customer")
    func newSubscriber() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001"),
            Fixture.desiredSubscriber("bob", sn: "5550002", fields: ["external_id": "b-1"]),
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(1, .create, "subscribers/bob@example.org", .post, "/api/subscribers/")
            ])
        let body = try #require(result.operations.first?.body)
        #expect(body["customer_id"] == 30)
        #expect(body["domain_id"] == 10)
        #expect(body["username"] == "bob")
        #expect(body["external_id"] == "b-1")
    }

    @Test("unchanged state gives empty plan")
    func unchangedState() throws {
        var forwards = Fixture.noForwards
        forwards["cfu"] = Fixture.liveForward([
            Fixture.liveDestination("4311", priority: 1, timeout: 20),
            [
                "announcement_id": .null, "destination": "voicebox", "priority": 2,
                "timeout": 300,
            ],
        ])
        var cft =
            Fixture.liveForward([Fixture.liveDestination("+4312")], type: "cft")
            .objectValue ?? [:]
        cft["ringtimeout"] = 15
        forwards["cft"] = .object(cft)
        var preferences = Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])
        preferences["language"] = "en"
        preferences["block_in_mode"] = true

        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(
                    id: 40, username: "alice", sn: "5550001", aliases: ["5550002"], lock: "4")
            ],
            callforwards: [40: forwards], preferences: [40: preferences])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "Alice", sn: "5550001", aliases: ["5550002"],
                fields: [
                    "lock": 4, "administrative": 0, "status": "active", "webusername": "alice",
                ],
                callforwards: [
                    "cfu": [
                        "destinations": [
                            ["destination": "voicebox", "priority": 2],
                            ["destination": "4311", "priority": 1, "timeout": 20],
                        ]
                    ],
                    "cft": [
                        "destinations": [["destination": "sip:+4312@example.org"]],
                        "ringtimeout": 15,
                    ],
                ],
                preferences: ["language": "en", "block_in_mode": 1])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(result.isEmpty, "unexpected operations: \(lines(result))")
    }

    @Test("forward change puts the full set")
    func forwardChange() throws {
        var forwards = Fixture.noForwards
        forwards["cfb"] = Fixture.liveForward([Fixture.liveDestination("4399")], type: "cfb")
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            callforwards: [40: forwards])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001",
                callforwards: [
                    "cfu": [
                        "destinations": [["destination": "4311"]], "sources": [["source": "43*"]],
                    ]
                ])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "callforwards/alice@example.org", .put, "/api/callforwards/40")
            ])
        let body = try #require(result.operations.first?.body)
        #expect(body["cfb"] == [:])
        #expect(body["cfu"]?["sources_mode"] == "whitelist")
        #expect(body["cfu"]?["sources_is_regex"] == false)
        #expect(result.operations[0].changes.map(\.path) == ["cfu", "cfb"])
    }

    @Test("password change is sensitive")
    func passwordChange() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001", password: "OldPass1")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])

        let result = try plan(
            desired, live,
            PlannerOptions(secrets: secrets(["alice@example.org/password": "NewPass2"])))

        #expect(result.operations.count == 1)
        let operation = try #require(result.operations.first)
        #expect(
            operation.changes == [
                FieldChange(path: "password", before: nil, after: nil, sensitive: true)
            ])
        #expect(
            operation.body
                == [
                    [
                        "op": "replace", "path": "/password",
                        "value": PlanPlaceholder.secret(
                            .environment("SIP_ALICE"),
                            owner: ResourceID(.subscribers, "alice@example.org"),
                            field: "password"),
                    ]
                ])
        let json = result.jsonValue.serialized(pretty: true)
        #expect(!json.contains("NewPass2"))
        #expect(!json.contains("OldPass1"))
        for renderer in [HumanPlanRenderer(), MarkdownPlanRenderer()] as [any PlanRenderer] {
            let text = renderer.render(result)
            #expect(!text.contains("NewPass2"))
            #expect(!text.contains("OldPass1"))
        }
    }

    @Test("same password gives no change")
    func samePassword() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])
        #expect(try plan(desired, live, PlannerOptions(secrets: secrets())).isEmpty)
    }

    struct MoveCase: CustomTestStringConvertible, Sendable {
        var giver: String
        var taker: String
        var testDescription: String { "\(giver) gives to \(taker)" }
    }

    @Test(
        "number move in two ordered steps",
        arguments: [
            MoveCase(giver: "alice", taker: "bob"), MoveCase(giver: "zed", taker: "adam"),
        ])
    func numberMove(_ testCase: MoveCase) throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(
                id: 40, username: testCase.giver, sn: "5550001", aliases: ["5550009"]),
            Fixture.subscriber(id: 41, username: testCase.taker, sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(testCase.giver, sn: "5550001", aliases: []),
            Fixture.desiredSubscriber(testCase.taker, sn: "5550002", aliases: ["5550009"]),
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscribers/\(testCase.giver)@example.org", .patch,
                    "/api/subscribers/40"),
                OperationLine(
                    2, .update, "subscribers/\(testCase.taker)@example.org", .patch,
                    "/api/subscribers/41", after: [1]),
            ])
    }

    @Test("alias swap splits freeing steps")
    func aliasSwap() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001", aliases: ["5550008"]),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002", aliases: ["5550009"]),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001", aliases: ["5550009"]),
            Fixture.desiredSubscriber("bob", sn: "5550002", aliases: ["5550008"]),
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscribers/alice@example.org", .patch, "/api/subscribers/40"),
                OperationLine(
                    2, .update, "subscribers/bob@example.org", .patch, "/api/subscribers/41"),
                OperationLine(
                    3, .update, "subscribers/alice@example.org", .patch, "/api/subscribers/40",
                    after: [1, 2]),
                OperationLine(
                    4, .update, "subscribers/bob@example.org", .patch, "/api/subscribers/41",
                    after: [1, 2]),
            ])
        #expect(
            result.operations[0].body == [["op": "replace", "path": "/alias_numbers", "value": []]])
    }

    @Test("number held by undeclared subscriber is an error")
    func numberHeldByUndeclared() throws {
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
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.resource == ResourceID(.subscribers, "bob@example.org"))
        #expect(error.problems.first?.message.contains("43-1-5550009") == true)
        #expect(error.problems.first?.message.contains("alice@example.org") == true)
    }

    /// NGCP stores an absent area code as `""`, and messages leave the empty part out.
    @Test("number without area code in messages")
    func numberWithoutAreaCodeInMessages() throws {
        let number: JSONValue = ["cc": 43, "ac": "", "sn": "5550009"]
        var live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        live.subscribers[0].fields["alias_numbers"] = [number]
        let bob = Fixture.desiredSubscriber(
            "bob", sn: "5550002", fields: ["alias_numbers": [number]])
        let carol = Fixture.desiredSubscriber(
            "carol", sn: "5550003", fields: ["alias_numbers": [number]])

        let error = try #require(throws: PlanningError.self) {
            try plan(
                Fixture.desiredBase(subscribers: [bob, carol]), live,
                PlannerOptions(secrets: secrets()))
        }
        let messages = error.problems.map(\.message)
        #expect(
            messages.contains("number 43-5550009 is also declared for 'bob@example.org'"),
            "\(messages)")
        #expect(
            messages.contains(
                "number 43-5550009 is assigned to live subscriber 'alice@example.org', which no"
                    + " manifest declares"),
            "\(messages)")
        #expect(!messages.contains { $0.contains("--") }, "\(messages)")
    }

    @Test("alias swap without area code")
    func aliasSwapWithoutAreaCode() throws {
        func number(_ sn: String) -> JSONValue { ["cc": 43, "ac": "", "sn": .string(sn)] }
        var live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        live.subscribers[0].fields["alias_numbers"] = [number("5550008")]
        live.subscribers[1].fields["alias_numbers"] = [number("5550009")]
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", fields: ["alias_numbers": [number("5550009")]]),
            Fixture.desiredSubscriber(
                "bob", sn: "5550002", fields: ["alias_numbers": [number("5550008")]]),
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            result.operations.compactMap(\.reason) == [
                "frees alias numbers 43-5550008 for another subscriber first",
                "frees alias numbers 43-5550009 for another subscriber first",
            ])
    }

    @Test("number freed by prune delete")
    func numberFreedByDelete() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("carol", sn: "5550001"),
            Fixture.desiredSubscriber("bob", sn: "5550002"),
        ])

        let result = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .delete, "subscribers/alice@example.org", .delete, "/api/subscribers/40"),
                OperationLine(
                    2, .create, "subscribers/carol@example.org", .post, "/api/subscribers/",
                    after: [1]),
            ])
    }

    @Test("prune deletes subscriber and terminates customer")
    func prune() throws {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "5550001"),
                Fixture.subscriber(id: 41, username: "bob", sn: "5550002"),
                Fixture.subscriber(id: 42, username: "carol", customerID: 31, sn: "5550003"),
            ],
            customers: [
                Fixture.customer(),
                Fixture.customer(id: 31, externalID: "cust-old", contactID: 21),
                Fixture.customer(id: 32, externalID: nil, contactID: 21),
                Fixture.customer(
                    id: 33, externalID: "cust-gone", contactID: 21, status: "terminated"),
            ],
            contacts: [Fixture.contact(), Fixture.contact(id: 21)])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])

        let withoutPrune = try plan(desired, live, PlannerOptions(secrets: secrets()))
        #expect(withoutPrune.isEmpty)

        let result = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))
        #expect(
            lines(result) == [
                OperationLine(
                    1, .delete, "subscribers/bob@example.org", .delete, "/api/subscribers/41"),
                OperationLine(2, .delete, "customers/cust-old", .patch, "/api/customers/31"),
            ])
        let termination = result.operations[1]
        #expect(termination.irreversible)
        #expect(termination.body == [["op": "replace", "path": "/status", "value": "terminated"]])
        #expect(termination.reason?.contains("terminates the customer") == true)
        #expect(termination.reason?.contains("carol@example.org") == true)
        #expect(!result.operations[0].irreversible)
        #expect(
            result.operations[0].changes == [
                FieldChange(
                    path: "primary_number", before: ["cc": 43, "ac": "1", "sn": "5550002"],
                    after: nil)
            ])
    }

    @Test("deleted numbers shaped like created ones")
    func deletedNumberShape() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 41, username: "bob", sn: "5550002", aliases: ["5550003"])
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("carol", sn: "5550001")
        ])

        let result = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))

        // NGCP returns `cc` as a JSON number, and a manifest's number is sent that way, so the
        // plan shows the numbers a delete frees with the same shape as those a create sends.
        let creation = try #require(result.operations.first { $0.action == .create })
        let deletion = try #require(result.operations.first { $0.action == .delete })
        #expect(creation.body?["primary_number"] == ["cc": 43, "ac": "1", "sn": "5550001"])
        #expect(
            deletion.changes == [
                FieldChange(
                    path: "primary_number", before: ["cc": 43, "ac": "1", "sn": "5550002"],
                    after: nil),
                FieldChange(
                    path: "alias_numbers", before: [["cc": 43, "ac": "1", "sn": "5550003"]],
                    after: nil),
            ])
        let text = HumanPlanRenderer(color: false).render(result)
        #expect(text.contains(#"primary_number: {"ac":"1","cc":43,"sn":"5550001"}"#))
        #expect(text.contains(#"primary_number: {"ac":"1","cc":43,"sn":"5550002"} → (absent)"#))
    }

    @Test("changed country code shown as number")
    func changedCountryCode() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001",
                fields: ["primary_number": ["cc": 49, "ac": "1", "sn": "5550001"]])
        ])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        let update = try #require(result.operations.first)
        #expect(
            update.changes == [FieldChange(path: "primary_number.cc", before: 43, after: 49)])
    }

    @Test("prune respects managed customer pattern")
    func pruneManagedPattern() throws {
        let live = Fixture.liveBase(
            customers: [
                Fixture.customer(),
                Fixture.customer(id: 31, externalID: "other-1", contactID: 21),
                Fixture.customer(id: 32, externalID: "gitops-2", contactID: 21),
            ],
            contacts: [Fixture.contact(), Fixture.contact(id: 21)])
        let result = try plan(
            Fixture.desiredBase(), live,
            PlannerOptions(prune: true, managedCustomers: "gitops-*", secrets: secrets()))
        #expect(result.operations.map(\.name) == ["gitops-2"])
    }

    @Test("domains deleted only with pruneDomains")
    func pruneDomains() throws {
        var live = Fixture.liveBase()
        live.domains.append(Fixture.domain(id: 11, name: "old.example"))
        let desired = Fixture.desiredBase()

        #expect(try plan(desired, live, PlannerOptions(prune: true)).isEmpty)
        let result = try plan(desired, live, PlannerOptions(prune: true, pruneDomains: true))
        #expect(
            lines(result) == [
                OperationLine(1, .delete, "domains/old.example", .delete, "/api/domains/11")
            ])
        #expect(result.operations[0].irreversible)
    }

    @Test("prune keeps customer used by subscribers")
    func pruneKeepsUsedCustomer() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = DesiredState(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001")
        ])
        let result = try plan(
            desired, live, PlannerOptions(prune: true, managedCustomers: "*", secrets: secrets()))
        #expect(result.isEmpty)
    }

    @Test("prune keeps domain with kept subscribers")
    func pruneKeepsDomainInUse() throws {
        var live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(
                    id: 40, username: "alice", customerID: 32, domainID: 11,
                    domain: "old.example", sn: "5550001")
            ],
            customers: [Fixture.customer(), Fixture.customer(id: 32, externalID: nil)])
        live.domains.append(Fixture.domain(id: 11, name: "old.example"))
        let options = PlannerOptions(prune: true, pruneDomains: true)
        #expect(try plan(Fixture.desiredBase(), live, options).isEmpty)
    }

    @Test("customer update and contact update")
    func customerUpdate() throws {
        let live = Fixture.liveBase()
        var customer = Fixture.desiredCustomer(status: "locked", fields: ["max_subscribers": 3])
        customer.contact["email"] = "noc@example.org"
        let desired = DesiredState(domains: [Fixture.desiredDomain], customers: [customer])

        let result = try plan(desired, live)

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "customercontacts/cust-1", .patch, "/api/customercontacts/20"),
                OperationLine(2, .update, "customers/cust-1", .patch, "/api/customers/30"),
            ])
        #expect(
            result.operations[0].body
                == [["op": "replace", "path": "/email", "value": "noc@example.org"]])
        #expect(
            result.operations[1].body
                == [
                    ["op": "replace", "path": "/max_subscribers", "value": 3],
                    ["op": "replace", "path": "/status", "value": "locked"],
                ])
    }

    @Test("declared termination is irreversible")
    func declaredTermination() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = DesiredState(customers: [Fixture.desiredCustomer(status: "terminated")])

        let result = try plan(desired, live)

        #expect(
            lines(result) == [
                OperationLine(1, .update, "customers/cust-1", .patch, "/api/customers/30")
            ])
        #expect(result.operations[0].irreversible)
        #expect(result.operations[0].reason?.contains("alice@example.org") == true)

        var withSubscriber = desired
        withSubscriber.subscribers = [Fixture.desiredSubscriber("alice", sn: "5550001")]
        let error = try #require(throws: PlanningError.self) { try plan(withSubscriber, live) }
        #expect(error.problems.map(\.message) == ["customer 'cust-1' is declared terminated"])
    }

    @Test("locked customer owns subscriber lock")
    func customerLockCascade() throws {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(
                    id: 40, username: "alice", sn: "5550001", lock: "4", status: "locked")
            ],
            customers: [Fixture.customer(status: "locked")])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain],
            customers: [Fixture.desiredCustomer(status: "locked")],
            subscribers: [
                Fixture.desiredSubscriber(
                    "alice", sn: "5550001", fields: ["status": "active", "lock": .null])
            ])

        #expect(try plan(desired, live, PlannerOptions(secrets: secrets())).isEmpty)
    }

    @Test("live customer lock applies without status")
    func liveCustomerLock() throws {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(
                    id: 40, username: "alice", sn: "5550001", lock: "4", status: "locked")
            ],
            customers: [Fixture.customer(status: "locked")])
        var customer = Fixture.desiredCustomer()
        customer.fields["status"] = nil
        let desired = DesiredState(
            domains: [Fixture.desiredDomain], customers: [customer],
            subscribers: [
                Fixture.desiredSubscriber("alice", sn: "5550001", fields: ["status": "active"])
            ])
        #expect(try plan(desired, live, PlannerOptions(secrets: secrets())).isEmpty)
    }

    @Test("locked subscriber keeps implied lock level")
    func lockedSubscriber() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(
                id: 40, username: "alice", sn: "5550001", lock: "4", status: "locked")
        ])
        let locked = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", fields: ["status": "locked", "lock": .null])
        ])
        #expect(try plan(locked, live, PlannerOptions(secrets: secrets())).isEmpty)

        let unlocked = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001", fields: ["status": "active", "lock": .null])
        ])
        let result = try plan(unlocked, live, PlannerOptions(secrets: secrets()))
        #expect(
            result.operations.first?.body
                == [
                    ["op": "replace", "path": "/lock", "value": .null],
                    ["op": "replace", "path": "/status", "value": "active"],
                ])
    }

    @Test("username retaken under another customer")
    func usernameRetaken() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain],
            customers: [Fixture.desiredCustomer(), Fixture.desiredCustomer("cust-2")],
            subscribers: [Fixture.desiredSubscriber("alice", customer: "cust-2", sn: "5550001")])

        let result = try plan(desired, live, PlannerOptions(secrets: secrets()))

        #expect(
            lines(result) == [
                OperationLine(
                    1, .delete, "subscribers/alice@example.org", .delete, "/api/subscribers/40"),
                OperationLine(
                    2, .create, "customercontacts/cust-2", .post, "/api/customercontacts/"),
                OperationLine(3, .create, "customers/cust-2", .post, "/api/customers/", after: [2]),
                OperationLine(
                    4, .create, "subscribers/alice@example.org", .post, "/api/subscribers/",
                    after: [1, 3]),
            ])
    }

    @Test("ignore rule hides a field")
    func ignoreRule() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001", fields: ["external_id": "x-1"])
        ])
        let rule = try #require(IgnoreRule(parsing: "subscribers/*@example.org:external_id"))

        #expect(try plan(desired, live, PlannerOptions(secrets: secrets())).operations.count == 1)
        let result = try plan(
            desired, live, PlannerOptions(ignoreRules: [rule], secrets: secrets()))
        #expect(result.isEmpty)
    }

    @Test("planning errors are collected")
    func collectedErrors() throws {
        var terminated = Fixture.customer(id: 31, externalID: "cust-dead", status: "terminated")
        terminated.fields["terminate_timestamp"] = "2026-12-04 15:29:02"
        let live = Fixture.liveBase(
            customers: [Fixture.customer(), terminated])
        var badCustomer = Fixture.desiredCustomer("cust-bad")
        badCustomer.billingProfile = "gold"
        let desired = DesiredState(
            domains: [DesiredDomain(domain: "r.example", reseller: "acme")],
            customers: [Fixture.desiredCustomer("cust-dead"), badCustomer],
            subscribers: [
                Fixture.desiredSubscriber(
                    "x", customer: "nobody", domain: "nowhere.example", sn: "1")
            ])

        let error = try #require(throws: PlanningError.self) { try plan(desired, live) }

        let messages = error.problems.map { "\($0.resource): \($0.message)" }
        #expect(
            messages == [
                "domains/r.example: unknown reseller 'acme'",
                "customers/cust-dead: the live customer is terminated but the manifest "
                    + "declares status 'active'",
                "customers/cust-bad: unknown billing profile handle 'gold'",
                "subscribers/x@nowhere.example: domain 'nowhere.example' is neither declared "
                    + "nor present on the target",
                "subscribers/x@nowhere.example: customer 'nobody' is neither declared nor "
                    + "present on the target",
            ])
        #expect(error.problems.allSatisfy { $0.hint != nil })
        #expect(error.description.hasPrefix("cannot plan: 5 problems"))
    }

    @Test func problemPointsAtWrittenField() throws {
        let name = SourceLocation(file: "d.yaml", line: 3, column: 9)
        let field = SourceLocation(file: "d.yaml", line: 5, column: 13)
        let domains = [
            DesiredDomain(
                domain: "r.example", reseller: "acme", location: name,
                fieldLocations: ["spec.reseller": field]),
            DesiredDomain(domain: "s.example", reseller: "acme", location: name),
        ]
        let desired = DesiredState(domains: domains)
        let error = try #require(throws: PlanningError.self) {
            try plan(desired, Fixture.liveBase())
        }

        #expect(
            error.problems.map(\.diagnostic.description) == [
                "d.yaml:5:13: error: spec.reseller: unknown reseller 'acme'",
                "d.yaml:3:9: error: domains/s.example: unknown reseller 'acme'",
            ])
        // Without the field, the reseller is the target's default from ngcpctl.yaml.
        #expect(error.problems.map { $0.hint?.contains("ngcpctl.yaml") } == [false, true])
    }

    @Test("failed declaration reported once")
    func failedDeclarationOnce() throws {
        var customer = Fixture.desiredCustomer("cust-new")
        customer.billingProfile = "gold"
        let desired = DesiredState(
            domains: [DesiredDomain(domain: "r.example", reseller: "acme")],
            customers: [customer],
            subscribers: [
                Fixture.desiredSubscriber("x", customer: "cust-new", domain: "r.example", sn: "1")
            ])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, Fixture.liveBase())
        }

        #expect(
            error.problems.map(\.resource.description) == [
                "domains/r.example", "customers/cust-new",
            ])
    }

    @Test("pending customer with subscribers")
    func pendingCustomer() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "1")
        ])
        let desired = DesiredState(customers: [Fixture.desiredCustomer(status: "pending")])
        let error = try #require(throws: PlanningError.self) { try plan(desired, live) }
        #expect(
            error.problems.map(\.message) == [
                "a customer with subscribers cannot become 'pending'"
            ])
        #expect(try plan(desired, Fixture.liveBase()).operations.count == 1)
    }

    @Test("display name on non-PBX subscriber")
    func displayName() throws {
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "1", fields: ["display_name": "Alice"])
        ])
        let error = try #require(throws: PlanningError.self) {
            try plan(desired, Fixture.liveBase())
        }
        #expect(
            error.problems.map(\.message) == [
                "NGCP does not store 'display_name' for subscribers of non-PBX customers"
            ])
        #expect(error.problems.first?.hint == "set the 'display_name' preference instead")
    }

    @Test("duplicate declaration is an error")
    func duplicateDeclaration() throws {
        var first = Fixture.desiredSubscriber("alice", sn: "1")
        first.location = SourceLocation(file: "a.yaml", line: 1, column: 1)
        var second = Fixture.desiredSubscriber("ALICE", sn: "2")
        second.location = SourceLocation(file: "b.yaml", line: 3, column: 1)

        let error = try #require(throws: PlanningError.self) {
            try plan(Fixture.desiredBase(subscribers: [first, second]), Fixture.liveBase())
        }

        #expect(error.problems.count == 1)
        #expect(error.problems.first?.message == "declared more than once (first at a.yaml:1:1)")
        #expect(error.problems.first?.location?.file == "b.yaml")
    }

    @Test("unknown preference name is an error")
    func unknownPreference() throws {
        var live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            preferences: [40: Fixture.automaticPreferences(id: 40, numbers: [])])
        live.preferenceDefinitions = [
            "concurrent_max": ["data_type": "int", "max_occur": 1],
            "block_in_list": ["data_type": "string", "max_occur": 0],
        ]
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber(
                "alice", sn: "5550001",
                preferences: ["concurent_max": 2, "block_in_list": "4311*"])
        ])

        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: secrets()))
        }
        #expect(
            error.problems.map(\.message) == [
                "preference 'block_in_list' takes a list of values",
                "unknown preference 'concurent_max'",
            ])
    }

    @Test("blocks not read is an error")
    func blockNotRead() throws {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 40, username: "alice", sn: "5550001")
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("alice", sn: "5550001", callforwards: [:])
        ])
        let error = try #require(throws: PlanningError.self) {
            try plan(desired, live, PlannerOptions(secrets: secrets()))
        }
        #expect(error.problems.first?.message.contains("call forwards") == true)
        #expect(error.problems.first?.hint?.contains("GET /api/callforwards/40") == true)
    }

    @Test("customer type change is an error")
    func customerTypeChange() throws {
        let desired = DesiredState(customers: [
            Fixture.desiredCustomer(fields: ["type": "pbxaccount"])
        ])
        let error = try #require(throws: PlanningError.self) {
            try plan(desired, Fixture.liveBase())
        }
        #expect(
            error.problems.map(\.message) == [
                "type cannot change from 'sipaccount' to 'pbxaccount'"
            ])
    }

    @Test("managed blocks lists live ids")
    func managedBlocks() {
        let live = Fixture.liveBase(subscribers: [
            Fixture.subscriber(id: 42, username: "carol", sn: "3"),
            Fixture.subscriber(id: 40, username: "alice", sn: "1"),
            Fixture.subscriber(id: 41, username: "bob", sn: "2"),
        ])
        let desired = Fixture.desiredBase(subscribers: [
            Fixture.desiredSubscriber("ALICE", sn: "1", callforwards: [:], preferences: [:]),
            Fixture.desiredSubscriber("carol", sn: "3", callforwards: [:]),
            Fixture.desiredSubscriber("bob", sn: "2"),
            Fixture.desiredSubscriber("dave", sn: "4", preferences: [:]),
        ])
        let blocks = Planner.managedBlocks(desired: desired, live: live)
        #expect(blocks.forwards == [40, 42])
        #expect(blocks.preferences == [40])

        // The prepared index pairs the same way.
        let prepared = Planner.managedBlocks(
            desired: desired, live: live, preparation: Planner.prepare(live))
        #expect(prepared.forwards == [40, 42])
        #expect(prepared.preferences == [40])
    }
}
