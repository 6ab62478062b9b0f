import NGCPCore
import Testing

@testable import Planning

@Suite("Plan JSON")
struct PlanJSONTests {
    /// Plans creates, placeholders, secrets, an update and an irreversible delete.
    static func samplePlan() throws -> Plan {
        let live = Fixture.liveBase(
            subscribers: [
                Fixture.subscriber(id: 40, username: "alice", sn: "5550001", password: "Old1"),
                Fixture.subscriber(id: 42, username: "carol", customerID: 31, sn: "5550003"),
            ],
            customers: [
                Fixture.customer(), Fixture.customer(id: 31, externalID: "cust-old", contactID: 20),
            ])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain, DesiredDomain(domain: "b.example")],
            customers: [Fixture.desiredCustomer(), Fixture.desiredCustomer("cust-2")],
            subscribers: [
                Fixture.desiredSubscriber("alice", sn: "5550001", fields: ["lock": 3]),
                Fixture.desiredSubscriber("bob", customer: "cust-2", domain: "b.example", sn: "7"),
            ])
        let options = PlannerOptions(
            prune: true, managedCustomers: "*",
            secrets: secrets(["alice@example.org/password": "New2"]),
            source: PlanSource(
                revision: "0123456789abcdef0123456789abcdef01234567", branch: "main", dirty: true,
                dirtyFiles: ["subscribers/alice.yaml"]),
            target: "https://ngcp.example.org:1443/api/")
        return try Planner.plan(desired: desired, live: live, options: options)
    }

    @Test("round trip keeps every field")
    func roundTrip() throws {
        let original = try Self.samplePlan()
        #expect(original.operations.count == 6)

        let text = original.jsonValue.serialized(pretty: true)
        let decoded = try Plan(jsonText: text)

        #expect(decoded == original)
        #expect(decoded.jsonValue.serialized() == original.jsonValue.serialized())
    }

    @Test("document has the documented members")
    func members() throws {
        let json = try Self.samplePlan().jsonValue
        #expect(json["format_version"] == 1)
        #expect(json["summary"] == ["create": 4, "update": 1, "delete": 1])
        #expect(json["source"]?["dirty_files"] == ["subscribers/alice.yaml"])
        #expect(json["target"] == "https://ngcp.example.org:1443/api/")
        let first = try #require(json["operations"]?.arrayValue?.first?.objectValue)
        #expect(
            Set(first.keys) == [
                "id", "action", "resource", "name", "method", "path", "body", "depends_on",
                "changes", "live_id", "irreversible", "reason", "live_fingerprint",
            ])
        #expect(json["unmanaged"] != nil)
        #expect(json["secret_digests"] != nil)
    }

    @Test("no secret value in the document")
    func noSecrets() throws {
        let text = try Self.samplePlan().jsonValue.serialized(pretty: true)
        #expect(!text.contains("New2"))
        #expect(!text.contains("Old1"))
        #expect(!text.contains("SipPass123"))
        #expect(text.contains(#""$ngcpctl": "secret""#))
    }

    struct RejectionCase: CustomTestStringConvertible, Sendable {
        var id: String
        var edit: @Sendable (inout [String: JSONValue]) -> Void
        var path: String
        var message: String
        var testDescription: String { id }
    }

    static let rejections: [RejectionCase] = [
        RejectionCase(
            id: "newer version", edit: { $0["format_version"] = 2 }, path: "format_version",
            message: "unsupported version 2, expected 1; it was written by a newer ngcpctl; "
                + "upgrade ngcpctl or plan again"),
        RejectionCase(
            id: "version as string", edit: { $0["format_version"] = "1" }, path: "format_version",
            message: "expected an integer, found string"),
        RejectionCase(
            id: "missing operations", edit: { $0["operations"] = nil }, path: "operations",
            message: "missing"),
        RejectionCase(
            id: "summary mismatch", edit: { $0["summary"]?.setMember("create", 9) },
            path: "summary.create", message: "states 9 but the plan has 4 such operations"),
        RejectionCase(
            id: "unknown method",
            edit: { $0.editOperation(0) { $0["method"] = "POKE" } }, path: "operations[0].method",
            message: "unknown value 'POKE'; expected one of 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'"
        ),
        RejectionCase(
            id: "ids out of order", edit: { $0.editOperation(1) { $0["id"] = 7 } },
            path: "operations[1].id",
            message: "expected id 2, found 7; ids must run 1...N in order"),
        RejectionCase(
            id: "forward dependency",
            edit: { $0.editOperation(1) { $0["depends_on"] = [5] } },
            path: "operations[1].depends_on[0]",
            message: "expected the id of an earlier operation (1...1), found 5"),
        RejectionCase(
            id: "password as value",
            edit: { $0.editOperation(5) { $0["body"]?.setMember("password", "hunter2") } },
            path: "operations[5].body.password",
            message: "a password is given as a value; plan files carry only secret placeholders"),
        RejectionCase(
            id: "sensitive change with value",
            edit: {
                $0.editOperation(5) {
                    $0["changes"] = [["path": "password", "sensitive": true, "after": "x"]]
                }
            },
            path: "operations[5].changes[0]", message: "a sensitive change must not carry values"),
        RejectionCase(
            id: "removed change that is not sensitive",
            edit: {
                $0.editOperation(5) {
                    $0["changes"] = [
                        ["path": "lock", "sensitive": false, "before": 3, "removed": true]
                    ]
                }
            },
            path: "operations[5].changes[0].removed",
            message: "'removed' is valid only on a sensitive change, since any other change shows"
                + " a removal as 'before' without 'after'"),
        RejectionCase(
            id: "removed as string",
            edit: {
                $0.editOperation(5) {
                    $0["changes"] = [["path": "password", "sensitive": true, "removed": "yes"]]
                }
            },
            path: "operations[5].changes[0].removed", message: "expected a boolean, found string"),
    ]

    @Test("invalid plan rejected", arguments: rejections)
    func rejection(_ testCase: RejectionCase) throws {
        var document = try #require(try Self.samplePlan().jsonValue.objectValue)
        testCase.edit(&document)

        let error = try #require(throws: PlanJSONError.self) {
            try Plan(json: .object(document))
        }
        #expect(error.path == testCase.path)
        #expect(error.message == testCase.message)
        #expect(!error.description.contains("hunter2"))
    }

    @Test("malformed text rejected")
    func malformedText() throws {
        let error = try #require(throws: PlanJSONError.self) { try Plan(jsonText: "{\"format") }
        #expect(error.description.hasPrefix("invalid plan file: not valid JSON"))
    }

    @Test("empty plan round trip")
    func emptyPlan() throws {
        let plan = Plan()
        let decoded = try Plan(json: plan.jsonValue)
        #expect(decoded == plan)
        #expect(plan.jsonValue["summary"] == ["create": 0, "update": 0, "delete": 0])
    }
}

extension JSONValue {
    mutating func setMember(_ key: String, _ value: JSONValue) {
        guard case .object(var members) = self else { return }
        members[key] = value
        self = .object(members)
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    mutating func editOperation(_ index: Int, _ edit: (inout [String: JSONValue]) -> Void) {
        guard var operations = self["operations"]?.arrayValue,
            var operation = operations[index].objectValue
        else { return }
        edit(&operation)
        operations[index] = .object(operation)
        self["operations"] = .array(operations)
    }
}

@Suite struct PlanJSONAdditionsTests {
    static func plan() -> Plan {
        Plan(
            operations: [
                PlannedOperation(
                    id: 1, action: .delete, resource: .subscribers, name: "bob@example.org",
                    method: .delete, path: "/api/subscribers/41", liveID: 41,
                    reason: "no manifest declares this subscriber",
                    liveFingerprint: "sha256:00ff")
            ],
            unmanaged: [ResourceID(.customers, "other"), ResourceID(.domains, "x.example")],
            secretDigests: [
                PlanSecretDigest(
                    source: "env:ALICE_PASSWORD", owner: "subscribers/alice@example.org",
                    field: "password", digest: "hmac-sha256:abcd")
            ])
    }

    @Test("new members round trip")
    func roundTrip() throws {
        let plan = Self.plan()
        let reread = try Plan(json: plan.jsonValue)
        #expect(reread.unmanaged == plan.unmanaged)
        #expect(reread.secretDigests == plan.secretDigests)
        #expect(reread.operations[0].liveFingerprint == "sha256:00ff")
        #expect(reread == plan)
    }

    @Test("documents without new members still read")
    func olderDocument() throws {
        guard case .object(var members) = Self.plan().jsonValue else {
            Issue.record("plan document is not an object")
            return
        }
        members["unmanaged"] = nil
        members["secret_digests"] = nil
        let reread = try Plan(json: .object(members))
        #expect(reread.unmanaged.isEmpty)
        #expect(reread.secretDigests.isEmpty)
    }

    @Test("unmanaged entry without collection rejected")
    func badUnmanaged() {
        guard case .object(var members) = Self.plan().jsonValue else {
            Issue.record("plan document is not an object")
            return
        }
        members["unmanaged"] = ["widgets/x"]
        #expect(throws: PlanJSONError.self) { try Plan(json: .object(members)) }
    }
}
