import NGCPCore
import Testing

@testable import Planning

/// A PBX customer `cust-1` (id 30) with its live pilot (id 40), and builders for its other
/// subscribers. A subscriber other than the pilot gets the last two digits of its `sn` as its
/// extension, because NGCP requires one.
enum PBX {
    static func customer(id: Int = 30, externalID: String = "cust-1") -> LiveObject {
        var customer = Fixture.customer(id: id, externalID: externalID)
        customer.fields["type"] = "pbxaccount"
        return customer
    }

    static let pilot = live(id: 40, username: "pilot", sn: "5550000", pilot: true)

    static func live(
        id: Int, username: String, sn: String, customerID: Int = 30, pilot: Bool = false,
        group: Bool = false, groups: [Int] = []
    ) -> LiveObject {
        var subscriber = Fixture.subscriber(
            id: id, username: username, customerID: customerID, sn: sn)
        subscriber.fields["is_pbx_pilot"] = .bool(pilot)
        subscriber.fields["is_pbx_group"] = .bool(group)
        subscriber.fields["pbx_group_ids"] = .array(groups.map { .int($0) })
        subscriber.fields["pbx_extension"] = pilot ? .null : .string(String(sn.suffix(2)))
        return subscriber
    }

    /// Builds a declared subscriber. Each name in `groups` is in `example.org` and written on
    /// its own line of `pbx.yaml`, from line 10.
    static func desired(
        _ username: String, sn: String, customer: String = "cust-1", pilot: Bool = false,
        group: Bool = false, groups: [String]? = nil
    ) -> DesiredSubscriber {
        var fields: [String: JSONValue] = [:]
        if pilot { fields["is_pbx_pilot"] = true }
        if group { fields["is_pbx_group"] = true }
        if !pilot { fields["pbx_extension"] = .string(String(sn.suffix(2))) }
        var subscriber = Fixture.desiredSubscriber(
            username, customer: customer, sn: sn, fields: fields)
        subscriber.pbxGroups = groups?.enumerated().map { position, name in
            SubscriberReference(
                username: name, domain: "example.org",
                location: SourceLocation(file: "pbx.yaml", line: 10 + position, column: 7))
        }
        return subscriber
    }

    static let desiredPilot = desired("pilot", sn: "5550000", pilot: true)

    static func state(_ subscribers: [DesiredSubscriber], customers: [String] = ["cust-1"])
        -> DesiredState
    {
        DesiredState(
            domains: [Fixture.desiredDomain],
            customers: customers.map {
                Fixture.desiredCustomer($0, fields: ["type": "pbxaccount"])
            },
            subscribers: subscribers)
    }

    static func liveState(_ subscribers: [LiveObject], customers: [LiveObject]? = nil)
        -> LiveState
    {
        Fixture.liveBase(subscribers: subscribers, customers: customers ?? [customer()])
    }

    static let options = PlannerOptions(secrets: secrets())

    /// Returns the problems of a plan that must fail.
    static func problems(_ desired: DesiredState, _ live: LiveState, prune: Bool = false)
        -> [PlanningProblem]
    {
        do {
            _ = try plan(desired, live, PlannerOptions(prune: prune, secrets: secrets()))
            return []
        } catch let error as PlanningError {
            return error.problems
        } catch {
            return []
        }
    }
}

@Suite("PBX group references")
struct PBXGroupPlanningTests {
    @Test("group created with its member goes first")
    func groupCreatedFirst() throws {
        // The member is declared first and sorts first by name.
        let desired = PBX.state([
            PBX.desiredPilot,
            PBX.desired("desk", sn: "5550001", groups: ["nurses"]),
            PBX.desired("nurses", sn: "5550002", group: true),
        ])
        let result = try plan(desired, PBX.liveState([PBX.pilot]), PBX.options)

        let group = try #require(result.operations.first { $0.name == "nurses@example.org" })
        let member = try #require(result.operations.first { $0.name == "desk@example.org" })
        #expect(group.action == .create)
        #expect(member.action == .create)
        #expect(group.id < member.id)
        #expect(member.dependsOn.contains(group.id))
        #expect(member.body?["pbx_group_ids"] == [PlanPlaceholder.createdID(of: group.id)])
        #expect(group.body?["pbx_group_ids"] == nil)
    }

    @Test("live group resolves to its id")
    func liveGroupID() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001"),
        ])
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["Nurses"]),
        ])
        let result = try plan(desired, live, PBX.options)

        #expect(
            lines(result) == [
                OperationLine(
                    1, .update, "subscribers/desk@example.org", .patch, "/api/subscribers/42")
            ])
        let operation = try #require(result.operations.first)
        #expect(
            operation.body
                == [["op": "replace", "path": "/pbx_group_ids", "value": [41]]])
        #expect(operation.changes.map(\.path) == ["pbx_group_ids"])
        #expect(operation.changes.first?.before == [])
        #expect(operation.changes.first?.after == [41])
    }

    @Test("groups compare as a set")
    func setComparison() throws {
        let groups = [
            PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 43, username: "porters", sn: "5550003", group: true),
        ]
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["nurses", "porters"]),
        ])

        let reordered = PBX.liveState(
            [PBX.pilot] + groups + [
                PBX.live(id: 42, username: "desk", sn: "5550001", groups: [43, 41])
            ])
        #expect(try plan(desired, reordered, PBX.options).operations.isEmpty)

        // The group that stays keeps its live position, and the new one follows it.
        let joining = PBX.liveState(
            [PBX.pilot] + groups + [PBX.live(id: 42, username: "desk", sn: "5550001", groups: [43])]
        )
        let operation = try #require(try plan(desired, joining, PBX.options).operations.first)
        #expect(
            operation.body
                == [["op": "replace", "path": "/pbx_group_ids", "value": [43, 41]]])
    }

    @Test("empty list leaves every group")
    func emptyList() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        let desired = PBX.state([PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: [])])
        let operation = try #require(try plan(desired, live, PBX.options).operations.first)
        #expect(
            operation.body == [["op": "replace", "path": "/pbx_group_ids", "value": []]])
    }

    @Test("existing member joins a group created in the plan")
    func updateWaitsForGroupCreate() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 42, username: "desk", sn: "5550001"),
        ])
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["nurses"]),
            PBX.desired("nurses", sn: "5550002", group: true),
        ])
        let result = try plan(desired, live, PBX.options)

        let group = try #require(result.operations.first { $0.name == "nurses@example.org" })
        let member = try #require(result.operations.first { $0.name == "desk@example.org" })
        #expect(group.id < member.id)
        #expect(member.action == .update)
        #expect(member.dependsOn == [group.id])
        #expect(
            member.body
                == [
                    [
                        "op": "replace", "path": "/pbx_group_ids",
                        "value": [PlanPlaceholder.createdID(of: group.id)],
                    ]
                ])
    }

    @Test("unknown group is a problem at its entry")
    func unknownGroup() {
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["nurses", "ghost"]),
            PBX.desired("nurses", sn: "5550002", group: true),
        ])
        let problems = PBX.problems(desired, PBX.liveState([PBX.pilot]))

        #expect(problems.count == 1)
        let problem = problems.first
        #expect(problem?.resource == ResourceID(.subscribers, "desk@example.org"))
        #expect(problem?.fieldPath == "spec.pbx_groups[1]")
        #expect(problem?.location == SourceLocation(file: "pbx.yaml", line: 11, column: 7))
        #expect(
            problem?.message
                == "PBX group 'ghost@example.org' is neither declared in these manifests nor "
                + "present on the target")
    }

    @Test("live subscriber that is no group is a problem")
    func liveNonGroup() {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "reception", sn: "5550002"),
        ])
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["reception"]),
        ])
        let problems = PBX.problems(desired, live)

        #expect(problems.map(\.fieldPath) == ["spec.pbx_groups[0]"])
        #expect(
            problems.first?.message == "live subscriber 'reception@example.org' is not a PBX group")
    }

    @Test("group of another customer is a problem")
    func otherCustomer() {
        let live = PBX.liveState(
            [
                PBX.pilot,
                PBX.live(id: 50, username: "keeper", sn: "5559000", customerID: 31, pilot: true),
                PBX.live(id: 51, username: "watch", sn: "5559001", customerID: 31, group: true),
            ], customers: [PBX.customer(), PBX.customer(id: 31, externalID: "cust-2")])
        let desired = PBX.state(
            [
                PBX.desiredPilot,
                PBX.desired("desk", sn: "5550001", groups: ["watch", "porters"]),
                PBX.desired("porters", sn: "5559002", customer: "cust-2", group: true),
            ], customers: ["cust-1", "cust-2"])
        let problems = PBX.problems(desired, live)

        #expect(problems.map(\.fieldPath) == ["spec.pbx_groups[0]", "spec.pbx_groups[1]"])
        #expect(
            problems.map(\.message) == [
                "PBX group 'watch@example.org' belongs to customer 'cust-2', not to 'cust-1'",
                "PBX group 'porters@example.org' belongs to customer 'cust-2', not to 'cust-1'",
            ])
    }

    @Test("group that prune deletes is a problem")
    func prunedGroup() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        let desired = PBX.state([
            PBX.desiredPilot, PBX.desired("desk", sn: "5550001", groups: ["nurses"]),
        ])
        #expect(try plan(desired, live, PBX.options).operations.isEmpty)

        let problems = PBX.problems(desired, live, prune: true)
        #expect(problems.map(\.fieldPath) == ["spec.pbx_groups[0]"])
        #expect(
            problems.first?.message
                == "the plan deletes PBX group 'nurses@example.org', which this subscriber names")
    }

    @Test("raw group ids are checked")
    func rawGroupIDs() throws {
        let live = PBX.liveState(
            [
                PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
                PBX.live(id: 42, username: "desk", sn: "5550001"),
                PBX.live(id: 43, username: "reception", sn: "5550003"),
                PBX.live(id: 50, username: "keeper", sn: "5559000", customerID: 31, pilot: true),
                PBX.live(id: 51, username: "watch", sn: "5559001", customerID: 31, group: true),
            ], customers: [PBX.customer(), PBX.customer(id: 31, externalID: "cust-2")])
        var desk = PBX.desired("desk", sn: "5550001")
        desk.fields["pbx_group_ids"] = [41, 77, 43, 51]
        for position in 0..<4 {
            desk.fieldLocations["spec.pbx_group_ids[\(position)]"] = SourceLocation(
                file: "pbx.yaml", line: 20 + position, column: 5)
        }
        let problems = PBX.problems(PBX.state([PBX.desiredPilot, desk]), live)

        #expect(problems.map(\.resource.name) == Array(repeating: "desk@example.org", count: 3))
        #expect(
            problems.map(\.fieldPath) == [
                "spec.pbx_group_ids[1]", "spec.pbx_group_ids[2]", "spec.pbx_group_ids[3]",
            ])
        #expect(problems.map(\.location?.line) == [21, 22, 23])
        #expect(
            problems.map(\.message) == [
                "subscriber 'desk@example.org' lists id 77 in pbx_group_ids, but customer "
                    + "'cust-1' has no subscriber with that id on the target; NGCP rejects the "
                    + "write",
                "subscriber 'desk@example.org' lists id 43 in pbx_group_ids, but live subscriber "
                    + "'reception@example.org' with that id is not a PBX group; NGCP rejects the "
                    + "write",
                "subscriber 'desk@example.org' lists id 51 in pbx_group_ids, but PBX group "
                    + "'watch@example.org' with that id belongs to customer 'cust-2', not to "
                    + "'cust-1'; NGCP rejects the write",
            ])
        #expect(problems.first?.hint?.contains("name the groups in pbx_groups") == true)

        // The ids of the customer's own groups plan as before.
        desk.fields["pbx_group_ids"] = [41]
        let operation = try #require(
            try plan(PBX.state([PBX.desiredPilot, desk]), live, PBX.options).operations.first)
        #expect(
            operation.body == [["op": "replace", "path": "/pbx_group_ids", "value": [41]]])
    }

    @Test("raw group id on a new subscriber is checked")
    func rawGroupIDOnCreate() {
        var desk = PBX.desired("desk", sn: "5550001")
        desk.fields["pbx_group_ids"] = [40]
        let problems = PBX.problems(
            PBX.state([PBX.desiredPilot, desk]), PBX.liveState([PBX.pilot]))

        #expect(problems.count == 1)
        #expect(problems.first?.resource.name == "desk@example.org")
        // Without the entry's position the problem is at the subscriber.
        #expect(problems.first?.fieldPath == nil)
        #expect(problems.first?.message.contains("lists id 40 in pbx_group_ids") == true)
        #expect(problems.first?.message.contains("'pilot@example.org'") == true)
    }

    @Test("raw group id that prune deletes is a problem")
    func prunedRawGroupID() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        var desk = PBX.desired("desk", sn: "5550001")
        desk.fields["pbx_group_ids"] = [41]
        desk.fieldLocations["spec.pbx_group_ids[0]"] = SourceLocation(
            file: "pbx.yaml", line: 20, column: 5)
        let desired = PBX.state([PBX.desiredPilot, desk])
        #expect(try plan(desired, live, PBX.options).operations.isEmpty)

        let problems = PBX.problems(desired, live, prune: true)
        #expect(problems.map(\.fieldPath) == ["spec.pbx_group_ids[0]"])
        #expect(problems.map(\.location?.line) == [20])
        #expect(
            problems.first?.message
                == "the plan deletes PBX group 'nurses@example.org' (id 41), which this "
                + "subscriber names")
        #expect(
            problems.first?.hint
                == "declare the group in a Subscriber manifest, or remove it from pbx_group_ids")
    }

    @Test("ignore rule on pbx_groups hides the groups")
    func ignoredGroups() throws {
        let live = PBX.liveState([
            PBX.pilot, PBX.live(id: 41, username: "nurses", sn: "5550002", group: true),
            PBX.live(id: 42, username: "desk", sn: "5550001", groups: [41]),
        ])
        let byName = PBX.desired("desk", sn: "5550001", groups: [])
        var byID = PBX.desired("desk", sn: "5550001")
        byID.fields["pbx_group_ids"] = []
        for desk in [byName, byID] {
            let change = try #require(
                try plan(PBX.state([PBX.desiredPilot, desk]), live, PBX.options).operations.first)
            #expect(change.changes.map(\.path) == ["pbx_group_ids"])

            // Either name of the field hides the change.
            for text in ["subscribers/*:pbx_groups", "subscribers/desk@*:pbx_group_ids"] {
                let rule = try #require(IgnoreRule(parsing: text))
                let options = PlannerOptions(ignoreRules: [rule], secrets: secrets())
                let result = try plan(PBX.state([PBX.desiredPilot, desk]), live, options)
                #expect(result.operations.isEmpty, "\(text)")
            }
        }

        // The hidden list is never sent to the live subscriber, so it is not checked either,
        // but a create still sends it.
        let ghost = PBX.desired("desk", sn: "5550001", groups: ["ghost"])
        var unknownID = PBX.desired("desk", sn: "5550001")
        unknownID.fields["pbx_group_ids"] = [77]
        let rule = try #require(IgnoreRule(parsing: "subscribers/*:pbx_groups"))
        let options = PlannerOptions(ignoreRules: [rule], secrets: secrets())
        for desk in [ghost, unknownID] {
            #expect(
                try plan(PBX.state([PBX.desiredPilot, desk]), live, options).operations.isEmpty)
            #expect(throws: PlanningError.self) {
                try plan(PBX.state([PBX.desiredPilot, desk]), PBX.liveState([PBX.pilot]), options)
            }
        }
    }

    @Test("groups of a sipaccount subscriber are a problem")
    func sipAccount() {
        var desk = Fixture.desiredSubscriber("desk", sn: "5550001")
        desk.pbxGroups = [SubscriberReference(username: "nurses", domain: "example.org")]
        let problems = PBX.problems(Fixture.desiredBase(subscribers: [desk]), Fixture.liveBase())

        #expect(problems.map(\.resource.name) == ["desk@example.org"])
        #expect(
            problems.first?.message
                == "pbx_groups is only valid for pbxaccount customers, and customer 'cust-1' is a "
                + "sipaccount")
    }

    @Test("failed group adds no problem to members")
    func failedGroup() {
        // The group's domain is neither declared nor live, which is the group's own problem.
        var group = PBX.desired("nurses", sn: "5550002", group: true)
        group.domain = "elsewhere.example"
        var member = PBX.desired("desk", sn: "5550001")
        member.pbxGroups = [SubscriberReference(username: "nurses", domain: "elsewhere.example")]
        let problems = PBX.problems(
            PBX.state([PBX.desiredPilot, member, group]), PBX.liveState([PBX.pilot]))

        #expect(problems.map(\.resource.name) == ["nurses@elsewhere.example"])
    }
}
