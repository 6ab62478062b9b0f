import NGCPCore
import Testing

@testable import Policies

/// One plan checked against the built-in pack, with the rules it must violate.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let id: String
    let operations: [PlannedOperation]
    let desired: [Int: JSONValue]
    let expected: [String]

    var testDescription: String { id }

    init(
        _ id: String, _ operations: [PlannedOperation], desired: [Int: JSONValue] = [:],
        violates expected: [String]
    ) {
        self.id = id
        self.operations = operations
        self.desired = desired
        self.expected = expected
    }
}

private let premium = "callforward-premium-rate"
private let international = "callforward-international"

let forwardCases: [RuleCase] = [
    RuleCase(
        "premium sip uri", [Fixture.forwards(["cfu": ["sip:+43900123456@voice.example.net"]])],
        violates: [premium]),
    RuleCase(
        "premium national number", [Fixture.forwards(["cft": ["0900 123456"]])],
        violates: [premium]),
    RuleCase(
        "premium plain digits", [Fixture.forwards(["cfb": ["43930123456"]])],
        violates: [premium]),
    RuleCase(
        "premium abroad is also international",
        [Fixture.forwards(["cfna": ["00499001234567"]])], violates: [premium, international]),
    RuleCase(
        "premium on create", [Fixture.forwards(action: .create, ["cfu": ["+43901555000"]])],
        violates: [premium]),
    RuleCase(
        "premium second destination",
        [Fixture.forwards(["cft": ["4373212345099", "+43939111222"]])], violates: [premium]),
    RuleCase(
        "domestic number", [Fixture.forwards(["cft": ["4373212345099"]])], violates: []),
    RuleCase("voicebox keyword", [Fixture.forwards(["cfna": ["voicebox"]])], violates: []),
    RuleCase("no forwards", [Fixture.forwards([:])], violates: []),
    RuleCase(
        "forward delete is not checked",
        [Fixture.forwards(action: .delete, ["cfu": ["+43900123456"]])], violates: []),
    RuleCase(
        "international plus number", [Fixture.forwards(["cfu": ["+4930123456"]])],
        violates: [international]),
    RuleCase(
        "international sip uri", [Fixture.forwards(["cfu": ["sip:0044207946000@example.org"]])],
        violates: [international]),
    RuleCase("short extension", [Fixture.forwards(["cfu": ["200"]])], violates: []),
    RuleCase(
        "national number is domestic", [Fixture.forwards(["cfu": ["0732 123456"]])],
        violates: []),
]

let passwordCases: [RuleCase] = [
    RuleCase(
        "literal password on create",
        [
            Fixture.createSubscriber(
                body: [
                    "username": "alice", "primary_number": ["cc": 43, "ac": "1", "sn": "2"],
                    "password": Fixture.secret(.literal("x"), field: "password"),
                ])
        ], violates: ["literal-password"]),
    RuleCase(
        "literal webpassword on update",
        [
            Fixture.updateSubscriber(body: [
                [
                    "op": "replace", "path": "/webpassword",
                    "value": Fixture.secret(.literal("x"), field: "webpassword"),
                ]
            ])
        ], violates: ["literal-password"]),
    RuleCase(
        "password from environment", [Fixture.createSubscriber(body: Fixture.numbered)],
        violates: []),
    RuleCase(
        "literal peer_auth_pass", [Fixture.peerPassword(.literal("x"))],
        violates: ["literal-password"]),
    RuleCase(
        "peer_auth_pass from environment", [Fixture.peerPassword(.environment("PEER_PW"))],
        violates: []),
    RuleCase(
        "password from file on update",
        [
            Fixture.updateSubscriber(body: [
                [
                    "op": "replace", "path": "/password",
                    "value": Fixture.secret(.file("/run/secrets/alice"), field: "password"),
                ]
            ])
        ], violates: []),
    RuleCase(
        "short password", [Fixture.createSubscriber(body: Fixture.numbered)],
        desired: [1: ["primary_number": ["cc": 43], "password_length": 8]],
        violates: ["weak-password"]),
    RuleCase(
        "password equals username", [Fixture.createSubscriber(body: Fixture.numbered)],
        desired: [
            1: [
                "primary_number": ["cc": 43], "password_length": 20,
                "password_equals_username": true,
            ]
        ], violates: ["weak-password"]),
    RuleCase(
        "short webpassword", [Fixture.createSubscriber(body: Fixture.numbered)],
        desired: [
            1: [
                "primary_number": ["cc": 43], "password_length": 20, "webpassword_length": 6,
            ]
        ], violates: ["weak-password"]),
    RuleCase(
        "strong passwords", [Fixture.createSubscriber(body: Fixture.numbered)],
        desired: [
            1: [
                "primary_number": ["cc": 43], "password_length": 12,
                "password_equals_username": false, "webpassword_length": 30,
            ]
        ], violates: []),
    RuleCase(
        "no password facts", [Fixture.createSubscriber(body: Fixture.numbered)],
        desired: [1: ["primary_number": ["cc": 43]]], violates: []),
]

let preferenceCases: [RuleCase] = [
    RuleCase(
        "block_in_clir switched off",
        [Fixture.preferences([FieldChange(path: "block_in_clir", before: true, after: false)])],
        violates: ["block-in-clir-removal"]),
    RuleCase(
        "block_in_clir removed",
        [Fixture.preferences([FieldChange(path: "block_in_clir", before: true, after: nil)])],
        violates: ["block-in-clir-removal"]),
    RuleCase(
        "block_in_clir switched on",
        [Fixture.preferences([FieldChange(path: "block_in_clir", before: false, after: true)])],
        violates: []),
    RuleCase(
        "block_in_clir set first time",
        [Fixture.preferences([FieldChange(path: "block_in_clir", before: nil, after: true)])],
        violates: []),
    RuleCase(
        "block_in_list entry removed",
        [
            Fixture.preferences([
                FieldChange(
                    path: "block_in_list", before: ["4930555999*", "anonymous"],
                    after: ["anonymous"])
            ])
        ], violates: ["block-in-list-removal"]),
    RuleCase(
        "block_in_list cleared",
        [
            Fixture.preferences([
                FieldChange(path: "block_in_list", before: ["anonymous"], after: nil)
            ])
        ],
        violates: ["block-in-list-removal"]),
    RuleCase(
        "block_in_list extended",
        [
            Fixture.preferences([
                FieldChange(path: "block_in_list", before: ["a"], after: ["a", "b"])
            ])
        ], violates: []),
    RuleCase(
        "concurrent_max above limit",
        [Fixture.preferences([FieldChange(path: "concurrent_max", before: 4, after: 11)])],
        violates: ["concurrent-max-limit"]),
    RuleCase(
        "concurrent_max at limit",
        [Fixture.preferences([FieldChange(path: "concurrent_max", before: 4, after: 10)])],
        violates: []),
    RuleCase(
        "concurrent_max on create",
        [
            Fixture.preferences(
                action: .create, [FieldChange(path: "concurrent_max", before: nil, after: 40)])
        ], violates: ["concurrent-max-limit"]),
    RuleCase(
        "several preference problems",
        [
            Fixture.preferences([
                FieldChange(path: "block_in_clir", before: true, after: false),
                FieldChange(path: "concurrent_max", before: 4, after: 99),
            ])
        ], violates: ["block-in-clir-removal", "concurrent-max-limit"]),
]

let planCases: [RuleCase] = [
    RuleCase(
        "six deletions", (1...6).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") },
        violates: ["too-many-removals"]),
    RuleCase(
        "five deletions", (1...5).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") },
        violates: []),
    RuleCase(
        "deletions and terminations",
        (1...4).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") }
            + [
                Fixture.terminateCustomer(id: 5, name: "c1"),
                Fixture.terminateCustomer(id: 6, name: "c2"),
            ], violates: ["too-many-removals"]),
]

let subscriberCases: [RuleCase] = [
    RuleCase(
        "created without number",
        [Fixture.createSubscriber(body: ["username": "alice", "alias_numbers": []])],
        violates: ["subscriber-without-number"]),
    RuleCase(
        "created with number", [Fixture.createSubscriber(body: Fixture.numbered)], violates: []),
    RuleCase(
        "desired with alias only", [Fixture.updateSubscriber(body: [])],
        desired: [
            1: ["primary_number": nil, "alias_numbers": [["cc": 43, "ac": "1", "sn": "2"]]]
        ],
        violates: []),
    RuleCase(
        "desired without numbers", [Fixture.updateSubscriber(body: [])],
        desired: [1: ["primary_number": nil, "alias_numbers": []]],
        violates: ["subscriber-without-number"]),
    RuleCase("update without desired", [Fixture.updateSubscriber(body: [])], violates: []),
    RuleCase(
        "PBX extension without number",
        [Fixture.createSubscriber(body: ["username": "desk", "pbx_extension": "10"])],
        violates: []),
]

@Suite struct BuiltInRuleTests {
    static let cases = forwardCases + passwordCases + preferenceCases + planCases + subscriberCases

    @Test(arguments: cases)
    func builtInPack(_ testCase: RuleCase) {
        let plan = Plan(operations: testCase.operations)
        let context = PolicyContext(target: "lab", desired: testCase.desired)
        let violations = PolicySet.builtIn.evaluate(plan: plan, context: context)
        #expect(violations.map(\.rule).sorted() == testCase.expected.sorted())
        #expect(violations.allSatisfy { !$0.isEvaluationError }, "\(violations)")
    }

    @Test func premiumRateMessageAndValue() throws {
        let plan = Plan(operations: [
            Fixture.forwards(["cfu": ["sip:+43900123456@voice.example.net", "voicebox"]])
        ])
        let violations = PolicySet.builtIn.evaluate(plan: plan, context: PolicyContext())
        let violation = try #require(violations.first)
        #expect(violation.rule == "callforward-premium-rate")
        #expect(violation.severity == .deny)
        #expect(violation.resource == ResourceID(.callforwards, Fixture.subscriber))
        #expect(violation.operationID == 1)
        #expect(violation.value == ["sip:+43900123456@voice.example.net"])
        #expect(
            violation.message
                == "call forward to premium-rate number sip:+43900123456@voice.example.net")
    }

    @Test func blockListMessageNamesRemovedEntries() throws {
        let plan = Plan(operations: [
            Fixture.preferences([
                FieldChange(path: "block_in_list", before: ["a", "b", "c"], after: ["b"])
            ])
        ])
        let violation = try #require(
            PolicySet.builtIn.evaluate(plan: plan, context: PolicyContext()).first)
        #expect(violation.severity == .warn)
        #expect(violation.value == ["a", "c"])
        #expect(violation.message == "block_in_list would lose a, c")
    }

    @Test func removalLimitMessage() throws {
        let plan = Plan(
            operations: (1...7).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") })
        let violation = try #require(
            PolicySet.builtIn.evaluate(plan: plan, context: PolicyContext()).first)
        #expect(violation.resource == nil)
        #expect(violation.operationID == nil)
        #expect(
            violation.message
                == "the plan deletes or terminates 7 objects, more than the limit of 5")
    }

    @Test func weakPasswordMessageNeverShowsValues() throws {
        let plan = Plan(operations: [Fixture.createSubscriber(body: Fixture.numbered)])
        let context = PolicyContext(desired: [
            1: ["primary_number": ["cc": 43], "password_length": 4, "webpassword_length": 5]
        ])
        let violation = try #require(PolicySet.builtIn.evaluate(plan: plan, context: context).first)
        #expect(
            violation.message
                == "password is shorter than 12 characters; webpassword is shorter than 12"
                + " characters")
    }

    @Test func weakPasswordMessageNamesEqualField() throws {
        let plan = Plan(operations: [Fixture.createSubscriber(body: Fixture.numbered)])
        let context = PolicyContext(desired: [
            1: [
                "primary_number": ["cc": 43], "password_length": 20,
                "password_equals_username": true, "password_equals_field": "webusername",
                "webpassword_length": 8, "webpassword_equals_username": true,
                "webpassword_equals_field": "username",
            ]
        ])
        let violation = try #require(PolicySet.builtIn.evaluate(plan: plan, context: context).first)
        #expect(
            violation.message
                == "webpassword is shorter than 12 characters; password equals the webusername;"
                + " webpassword equals the username")
    }

    @Test func weakPasswordMessageWithoutEqualField() throws {
        let plan = Plan(operations: [Fixture.createSubscriber(body: Fixture.numbered)])
        let context = PolicyContext(desired: [
            1: [
                "primary_number": ["cc": 43], "password_length": 20,
                "password_equals_username": true,
            ]
        ])
        let violation = try #require(PolicySet.builtIn.evaluate(plan: plan, context: context).first)
        #expect(violation.message == "password equals the username or the webusername")
    }

    @Test func overrideChangesParameters() {
        let override = """
            overrides:
              - rule: concurrent-max-limit
                parameters: {max: 100}
              - rule: callforward-premium-rate
                severity: warn
                parameters: {prefixes: ["4373"]}
              - rule: too-many-removals
                enabled: false
            """
        let loaded = PolicyLoader().load(
            documents: BuiltInPolicies.documents + [("site.yaml", override)])
        #expect(loaded.diagnostics.isEmpty)

        let plan = Plan(
            operations: [
                Fixture.preferences(
                    id: 1, [FieldChange(path: "concurrent_max", before: 4, after: 50)]),
                Fixture.forwards(id: 2, ["cft": ["4373212345099"]]),
            ] + (3...10).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") })
        let violations = loaded.policies.evaluate(plan: plan, context: PolicyContext())
        #expect(violations.map(\.rule) == ["callforward-premium-rate"])
        #expect(violations.first?.severity == .warn)
    }
}

@Suite struct LargePlanTests {
    @Test func thousandOperations() {
        let operations = (1...1000).map { id in
            Fixture.forwards(id: id, ["cfu": ["+43900\(100_000 + id)"], "cft": ["voicebox"]])
        }
        let violations = PolicySet.builtIn.evaluate(
            plan: Plan(operations: operations), context: PolicyContext())
        #expect(violations.count == 1000)
        #expect(violations.allSatisfy { $0.rule == "callforward-premium-rate" })
        #expect(violations.map(\.operationID) == (1...1000).map { $0 })
    }
}
