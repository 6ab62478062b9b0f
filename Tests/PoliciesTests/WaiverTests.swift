import NGCPCore
import Testing

@testable import Policies

@Suite struct WaiverTests {
    private let premiumPlan = Plan(operations: [
        Fixture.forwards(["cfu": ["+43900123456"]])
    ])
    private let owner = ResourceID(.subscribers, Fixture.subscriber)

    @Test func annotationWaivesRuleForObject() throws {
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-callforward-premium-rate": "hotline contract 2024-17"]
        ])
        let result = PolicySet.builtIn.check(plan: premiumPlan, context: context)
        #expect(result.violations.isEmpty)
        let waiver = try #require(result.waivers.first)
        #expect(result.waivers.count == 1)
        #expect(waiver.reason == "hotline contract 2024-17")
        #expect(waiver.annotatedResource == owner)
        #expect(waiver.violation.rule == "callforward-premium-rate")
        #expect(waiver.violation.resource == ResourceID(.callforwards, Fixture.subscriber))
        #expect(!result.isDenied)
    }

    @Test func waiverForOtherRuleDoesNotApply() {
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-concurrent-max-limit": "trunk"]
        ])
        let result = PolicySet.builtIn.check(plan: premiumPlan, context: context)
        #expect(result.violations.map(\.rule) == ["callforward-premium-rate"])
        #expect(result.waivers.isEmpty)
        #expect(result.isDenied)
    }

    @Test func waiverOnOtherObjectDoesNotApply() {
        let context = PolicyContext(annotations: [
            ResourceID(.subscribers, "bob@voice.example.net"): [
                "ngcpctl.io/waive-callforward-premium-rate": "hotline"
            ]
        ])
        let result = PolicySet.builtIn.check(plan: premiumPlan, context: context)
        #expect(result.violations.map(\.rule) == ["callforward-premium-rate"])
    }

    @Test func emptyReasonIsItselfDenied() {
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-callforward-premium-rate": "  "]
        ])
        let result = PolicySet.builtIn.check(plan: premiumPlan, context: context)
        #expect(
            result.violations.map(\.rule) == ["callforward-premium-rate", "waiver-reason-required"])
        #expect(result.violations.last?.severity == .deny)
        #expect(result.violations.last?.resource == owner)
        #expect(
            result.violations.last?.message
                == "annotation 'ngcpctl.io/waive-callforward-premium-rate' has an empty reason,"
                + " so it waives nothing; write why the rule does not apply to this object")
        #expect(result.waivers.isEmpty)
    }

    @Test func emptyReasonDeniedWithoutViolation() {
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-concurrent-max-limit": ""]
        ])
        let plan = Plan(operations: [Fixture.forwards(["cfu": ["4373212345099"]])])
        let result = PolicySet.builtIn.check(plan: plan, context: context)
        #expect(result.violations.map(\.rule) == ["waiver-reason-required"])
        #expect(result.violations.first?.operationID == 1)
        #expect(result.isDenied)
    }

    @Test func warningsBlockOnlyWhenRequested() {
        let plan = Plan(operations: [Fixture.forwards(["cfu": ["+4930123456"]])])
        let result = PolicySet.builtIn.check(plan: plan, context: PolicyContext())
        #expect(result.warnings.map(\.rule) == ["callforward-international"])
        #expect(!result.blocks(warningsAsErrors: false))
        #expect(result.blocks(warningsAsErrors: true))
        #expect(!PolicyResult().blocks(warningsAsErrors: true))
    }

    @Test func unknownRuleInAnnotationWarns() {
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-callforward-premium": "typo", "team": "voice"]
        ])
        let result = PolicySet.builtIn.check(plan: premiumPlan, context: context)
        #expect(
            result.violations.map(\.rule) == ["callforward-premium-rate", "waiver-unknown-rule"])
        #expect(result.violations.last?.severity == .warn)
        #expect(
            result.violations.last?.message
                == "annotation 'ngcpctl.io/waive-callforward-premium' names no loaded rule; did"
                + " you mean 'ngcpctl.io/waive-callforward-premium-rate'?")
    }

    @Test func contactWaiverComesFromCustomerManifest() {
        let text = """
            rules:
              - name: contact-email
                severity: deny
                match: {resources: [customercontacts]}
                condition: "!has(desired.email)"
            """
        let policies = PolicyLoader().load(documents: [("p.yaml", text)]).policies
        let plan = Plan(operations: [
            PlannedOperation(
                id: 1, action: .create, resource: .customercontacts, name: "acme",
                method: .post, path: "/api/customercontacts/", body: [:])
        ])
        let context = PolicyContext(
            desired: [1: [:]],
            annotations: [ResourceID(.customers, "acme"): ["ngcpctl.io/waive-contact-email": "ok"]])
        let result = policies.check(plan: plan, context: context)
        #expect(result.violations.isEmpty)
        #expect(result.waivers.map(\.annotatedResource) == [ResourceID(.customers, "acme")])
    }

    @Test func planRulesCannotBeWaived() {
        let plan = Plan(
            operations: (1...6).map { Fixture.deleteSubscriber(id: $0, name: "u\($0)@x") })
        let annotations = Dictionary(
            uniqueKeysWithValues: (1...6).map {
                (ResourceID(.subscribers, "u\($0)@x"), ["ngcpctl.io/waive-too-many-removals": "ok"])
            })
        let result = PolicySet.builtIn.check(
            plan: plan, context: PolicyContext(annotations: annotations))
        #expect(result.violations.map(\.rule) == ["too-many-removals"])
    }
}

@Suite struct PolicyEvaluationTests {
    private func policies(_ text: String) throws -> PolicySet {
        let result = PolicyLoader().load(documents: [("p.yaml", text)])
        #expect(result.diagnostics.isEmpty)
        return result.policies
    }

    @Test func evaluationErrorFailsClosed() throws {
        let set = try policies(
            """
            rules:
              - name: lock
                severity: deny
                condition: desired.lock > 2
            """)
        let plan = Plan(operations: [Fixture.updateSubscriber(body: [])])
        let violations = set.evaluate(plan: plan, context: PolicyContext())
        let violation = try #require(violations.first)
        #expect(violation.isEvaluationError)
        #expect(violation.severity == .deny)
        #expect(
            violation.message
                == "rule could not be evaluated: condition: cannot select field 'lock' from a"
                + " value of type null_type (column 9 of the expression)")
    }

    @Test func nonBoolConditionIsAnEvaluationError() throws {
        let set = try policies(
            """
            rules:
              - name: count
                severity: warn
                condition: size(operation.changes)
            """)
        let plan = Plan(operations: [Fixture.updateSubscriber(body: [])])
        let violation = try #require(set.evaluate(plan: plan, context: PolicyContext()).first)
        #expect(violation.isEvaluationError)
        #expect(
            violation.message == "rule could not be evaluated: the condition returned int, not bool"
        )
    }

    @Test func variablesDescribeOperationAndPlan() throws {
        let set = try policies(
            """
            rules:
              - name: facts
                severity: warn
                condition: "true"
                message: >-
                  {{ operation.id }} {{ operation.action }} {{ operation.resource }}
                  {{ operation.method }} {{ operation.path }} {{ operation.changes[0].path }}
                  {{ operation.changes[0].before }}>{{ operation.changes[0].after }}
                  {{ plan.operations }} {{ plan.actions.update }}
                  {{ plan.resources.customers.update }} {{ plan.terminations }}
                  {{ target }} {{ live.status }} {{ operation.terminates }}
            """)
        let plan = Plan(operations: [Fixture.terminateCustomer(id: 1, name: "acme")])
        let context = PolicyContext(target: "lab", live: [1: ["status": "active"]])
        let violation = try #require(set.evaluate(plan: plan, context: context).first)
        #expect(
            violation.message
                == "1 update customers PATCH /api/customers/1 status active>terminated 1 1 1 1"
                + " lab active true")
    }

    @Test func sensitiveChangesHideValues() throws {
        let set = try policies(
            """
            rules:
              - name: secret-change
                severity: warn
                condition: operation.changes.exists(c, c.sensitive)
                message: "{{ operation.changes[0].before }} {{ operation.changes[0].after }}"
            """)
        let plan = Plan(operations: [
            Fixture.updateSubscriber(
                body: [],
                changes: [
                    FieldChange(path: "password", before: "old", after: "new", sensitive: true)
                ])
        ])
        let violation = try #require(set.evaluate(plan: plan, context: PolicyContext()).first)
        #expect(violation.message == "null null")
    }

    /// A sensitive change has no values to compare, so only `removed` shows a rule that the
    /// secret is removed rather than changed.
    @Test func secretRemovalIsVisible() throws {
        let set = try policies(
            """
            rules:
              - name: secret-removal
                severity: deny
                condition: operation.changes.exists(c, c.sensitive && c.removed)
                message: >-
                  {{ operation.changes.filter(c, c.removed).map(c, c.path) }}
                  removed={{ operation.changes.map(c, c.removed) }}
            """)
        let removal = Plan(operations: [
            Fixture.preferences([
                FieldChange(
                    path: "peer_auth_pass", before: nil, after: nil, sensitive: true,
                    removed: true),
                FieldChange(path: "block_in_clir", before: true, after: nil),
            ])
        ])
        let violations = set.evaluate(plan: removal, context: PolicyContext())
        #expect(violations.count == 1)
        #expect(violations.first?.isEvaluationError == false)
        #expect(violations.first?.message == "peer_auth_pass removed=true, false")

        let change = Plan(operations: [Fixture.peerPassword(.environment("PEER"))])
        #expect(set.evaluate(plan: change, context: PolicyContext()).isEmpty)
    }

    @Test func disabledRuleIsSkipped() throws {
        let set = try policies(
            """
            rules:
              - name: always
                severity: deny
                condition: "true"
            overrides:
              - rule: always
                enabled: false
            """)
        let plan = Plan(operations: [Fixture.updateSubscriber(body: [])])
        #expect(set.evaluate(plan: plan, context: PolicyContext()).isEmpty)
    }

    @Test func matchFiltersResourcesAndActions() throws {
        let set = try policies(
            """
            rules:
              - name: deletes
                severity: warn
                match: {resources: [subscribers], actions: [delete]}
                condition: "true"
            """)
        let plan = Plan(operations: [
            Fixture.updateSubscriber(id: 1, body: []),
            Fixture.deleteSubscriber(id: 2, name: "u@x"),
            Fixture.terminateCustomer(id: 3, name: "acme"),
        ])
        let violations = set.evaluate(plan: plan, context: PolicyContext())
        #expect(violations.map(\.operationID) == [2])
        #expect(
            violations.first?.description == "warn deletes (subscribers/u@x, operation 2): "
                + "rule 'deletes' is violated")
    }
}

@Suite struct PolicyOutputTests {
    @Test func resultAsJSON() {
        let owner = ResourceID(.subscribers, Fixture.subscriber)
        let plan = Plan(operations: [
            Fixture.forwards(id: 1, ["cfu": ["+43900123456"]]),
            Fixture.preferences(
                id: 2, [FieldChange(path: "concurrent_max", before: 1, after: 20)]),
        ])
        let context = PolicyContext(annotations: [
            owner: ["ngcpctl.io/waive-concurrent-max-limit": "trunk line"]
        ])
        let result = PolicySet.builtIn.check(plan: plan, context: context)
        #expect(
            result.jsonValue.serialized()
                == #"{"denied":true,"violations":[{"evaluation_error":false,"#
                + #""message":"call forward to premium-rate number +43900123456","#
                + #""operation_id":1,"resource":"callforwards/alice@voice.example.net","#
                + #""rule":"callforward-premium-rate","#
                + #""rule_location":"builtin:callforwards.yaml:10:5","#
                + #""severity":"deny","value":["+43900123456"]}],"#
                + #""waivers":[{"annotated_resource":"subscribers/alice@voice.example.net","#
                + #""reason":"trunk line","violation":{"evaluation_error":false,"#
                + #""message":"concurrent_max 20 is above the limit of 10","operation_id":2,"#
                + #""resource":"subscriberpreferences/alice@voice.example.net","#
                + #""rule":"concurrent-max-limit","rule_location":"builtin:preferences.yaml:32:5","#
                + #""severity":"deny","value":[20]}}]}"#)
        #expect(
            result.waivers.map(\.description) == [
                "waived concurrent-max-limit (subscriberpreferences/alice@voice.example.net,"
                    + " operation 2): trunk line"
            ])
        #expect(
            result.violations.map(\.description) == [
                "deny callforward-premium-rate (callforwards/alice@voice.example.net,"
                    + " operation 1): call forward to premium-rate number +43900123456"
            ])
    }
}
