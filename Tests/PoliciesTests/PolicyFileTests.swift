import Foundation
import NGCPCore
import Testing

@testable import Policies

/// A broken policy file with the exact diagnostics it must produce.
struct FileCase: Sendable, CustomTestStringConvertible {
    let id: String
    let text: String
    let diagnostics: [String]

    var testDescription: String { id }

    init(_ id: String, _ text: String, _ diagnostics: [String]) {
        self.id = id
        self.text = text
        self.diagnostics = diagnostics
    }
}

let fileCases: [FileCase] = [
    FileCase(
        "unknown rule key",
        """
        rules:
          - name: a
            severity: deny
            conditon: "true"
        """,
        [
            "p.yaml:4:5: error: rules[0].conditon: unknown key 'conditon'",
            "p.yaml:2:5: error: rules[0]: missing required key 'condition'",
        ]),
    FileCase(
        "unknown document key",
        """
        rule:
          - name: a
        """,
        [
            "p.yaml:1:1: error: rule: unknown key 'rule'",
            "p.yaml:1:1: error: a policy document needs 'rules' or 'overrides'",
        ]),
    FileCase(
        "invalid severity",
        """
        rules:
          - name: a
            severity: block
            condition: "true"
        """,
        ["p.yaml:3:15: error: rules[0].severity: invalid value 'block'"]),
    FileCase(
        "syntax error in plain scalar",
        """
        rules:
          - name: a
            severity: deny
            condition: desired.x = 1
        """,
        [
            "p.yaml:4:26: error: rules[0].condition: unexpected '='; use '==' to compare values"
                + " (column 11 of the expression)"
        ]),
    FileCase(
        "syntax error in double quoted scalar",
        """
        rules:
          - name: a
            severity: deny
            condition: "size(desired) >"
        """,
        [
            "p.yaml:4:32: error: rules[0].condition: expected an expression but found end of"
                + " expression (column 16 of the expression)"
        ]),
    FileCase(
        "undeclared name in literal block",
        """
        rules:
          - name: a
            severity: deny
            condition: |
              desired != null &&
                desierd.x > 1
        """,
        [
            "p.yaml:6:9: error: rules[0].condition: undeclared reference to 'desierd'; did you"
                + " mean 'desired'? (line 2, column 3 of the expression)"
        ]),
    FileCase(
        "undeclared name in folded block",
        """
        rules:
          - name: a
            severity: deny
            condition: >
              desired != null &&
              unknown_var > 1
        """,
        [
            "p.yaml:6:7: error: rules[0].condition: undeclared reference to 'unknown_var'"
                + " (column 20 of the expression)"
        ]),
    FileCase(
        "escaped scalar falls back to its start",
        """
        rules:
          - name: a
            severity: deny
            condition: "\\u0064esired.x = 1"
        """,
        [
            "p.yaml:4:16: error: rules[0].condition: unexpected '='; use '==' to compare values"
                + " (column 11 of the expression)"
        ]),
    FileCase(
        "error in message placeholder",
        """
        rules:
          - name: a
            severity: deny
            condition: "true"
            message: "value is {{ desired.x + }}"
        """,
        [
            "p.yaml:5:39: error: rules[0].message: expected an expression but found end of"
                + " expression (column 25 of the message)"
        ]),
    FileCase(
        "unterminated message placeholder",
        """
        rules:
          - name: a
            severity: deny
            condition: "true"
            message: "value is {{ desired.x"
        """,
        [
            "p.yaml:5:24: error: rules[0].message: '{{' at column 10 of the message has no"
                + " closing '}}'"
        ]),
    FileCase(
        "message uses value without expression",
        """
        rules:
          - name: a
            severity: deny
            condition: "true"
            message: "bad {{ value }}"
        """,
        [
            "p.yaml:5:14: error: rules[0].message: the message uses 'value' but the rule has no"
                + " 'value' expression"
        ]),
    FileCase(
        "condition uses value without expression",
        """
        rules:
          - name: a
            severity: deny
            condition: size(value) > 0
        """,
        [
            "p.yaml:4:21: error: rules[0].condition: undeclared reference to 'value' (column 6"
                + " of the expression)"
        ]),
    FileCase(
        "condition is not a string",
        """
        rules:
          - name: a
            severity: deny
            condition: true
        """,
        [
            "p.yaml:4:16: error: rules[0].condition: expected a CEL expression as a string,"
                + " found boolean"
        ]),
    FileCase(
        "duplicate rule name",
        """
        rules:
          - name: a
            severity: deny
            condition: "true"
        ---
        rules:
          - name: a
            severity: warn
            condition: "false"
        """,
        ["p.yaml:7:5: error: rules[0].name: rule 'a' is already declared at p.yaml:2:5"]),
    FileCase(
        "invalid rule name",
        """
        rules:
          - name: Bad_Name
            severity: deny
            condition: "true"
        """,
        ["p.yaml:2:11: error: rules[0].name: invalid rule name 'Bad_Name'"]),
    FileCase(
        "unknown resource",
        """
        rules:
          - name: a
            severity: deny
            match:
              resources: [subscribers, subscriber]
              actions: [create, remove]
            condition: "true"
        """,
        [
            "p.yaml:5:32: error: rules[0].match.resources[1]: invalid value 'subscriber'",
            "p.yaml:6:25: error: rules[0].match.actions[1]: invalid value 'remove'",
        ]),
    FileCase(
        "plan scope with match",
        """
        rules:
          - name: a
            severity: deny
            scope: plan
            match: {actions: [delete]}
            condition: "true"
        """,
        ["p.yaml:5:12: error: rules[0].match: a rule with scope 'plan' cannot have 'match'"]),
    FileCase(
        "parameters not a mapping",
        """
        rules:
          - name: a
            severity: deny
            parameters: [1, 2]
            condition: "true"
        """,
        ["p.yaml:4:17: error: rules[0].parameters: expected a mapping, found list"]),
    FileCase(
        "override of unknown rule",
        """
        rules:
          - name: max-calls
            severity: deny
            condition: "true"
        overrides:
          - rule: max-call
            enabled: maybe
        """,
        [
            "p.yaml:7:14: error: overrides[0].enabled: expected true or false, found string"
        ]),
    FileCase(
        "override names missing rule",
        """
        overrides:
          - rule: max-call
            severity: warn
        """,
        ["p.yaml:2:11: error: overrides[0].rule: override names unknown rule 'max-call'"]),
    FileCase(
        "wrong apiVersion and kind",
        """
        apiVersion: v2
        kind: Subscriber
        rules: []
        """,
        [
            "p.yaml:1:13: error: apiVersion: invalid value 'v2'",
            "p.yaml:2:7: error: kind: invalid value 'Subscriber'",
        ]),
    FileCase(
        "invalid yaml",
        """
        rules:
          - name: a
           severity: deny
        """,
        [
            "p.yaml:3:4: error: invalid YAML: did not find expected '-' indicator (while"
                + " parsing a block collection at line 2, column 3)"
        ]),
    FileCase(
        "rules not a list",
        "rules: {name: a}",
        ["p.yaml:1:8: error: rules: expected a list, found mapping"]),
]

@Suite struct PolicyFileTests {
    @Test(arguments: fileCases)
    func reportsDiagnostics(_ testCase: FileCase) {
        let result = PolicyLoader().load(documents: [("p.yaml", testCase.text)])
        #expect(result.diagnostics.map(\.description) == testCase.diagnostics)
        #expect(result.hasErrors)
    }

    @Test func unknownKeySuggestsNearestKey() throws {
        let text = """
            rules:
              - name: a
                severity: deny
                condition: "true"
                descripton: x
            """
        let result = PolicyLoader().load(documents: [("p.yaml", text)])
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.hint == "did you mean 'description'?")
    }

    @Test func expressionErrorHintShowsCaret() throws {
        let text = """
            rules:
              - name: a
                severity: deny
                condition: desired.x = 1
            """
        let diagnostic = try #require(
            PolicyLoader().load(documents: [("p.yaml", text)]).diagnostics.first)
        #expect(diagnostic.hint == "desired.x = 1\n          ^")
    }

    @Test func resourceSuggestion() throws {
        let text = """
            rules:
              - name: a
                severity: deny
                match: {resources: [subscriber]}
                condition: "true"
            """
        let diagnostic = try #require(
            PolicyLoader().load(documents: [("p.yaml", text)]).diagnostics.first)
        #expect(diagnostic.hint == "did you mean 'subscribers'?")
    }

    @Test func validFileLoadsEveryField() throws {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Policy
            rules:
              - name: lock-level
                description: Subscribers must not be locked above level 2.
                severity: warn
                match:
                  resources: [subscribers]
                  actions: [update]
                parameters:
                  max: 2
                value: desired.lock
                condition: value > params.max
                message: "lock {{ value }} on {{ operation.name }} exceeds {{ params.max }}"
            """
        let result = PolicyLoader().load(documents: [("p.yaml", text)])
        #expect(result.diagnostics.isEmpty)
        let rule = try #require(result.policies.rule(named: "lock-level"))
        #expect(rule.severity == .warn)
        #expect(rule.scope == .operation)
        #expect(rule.resources == [.subscribers])
        #expect(rule.actions == [.update])
        #expect(rule.parameters == ["max": 2])
        #expect(rule.location == SourceLocation(file: "p.yaml", line: 4, column: 5))
        #expect(rule.waiverAnnotation == "ngcpctl.io/waive-lock-level")

        let plan = Plan(operations: [Fixture.updateSubscriber(body: [])])
        let violations = result.policies.evaluate(
            plan: plan, context: PolicyContext(desired: [1: ["lock": 4]]))
        #expect(violations.map(\.message) == ["lock 4 on alice@voice.example.net exceeds 2"])
        #expect(violations.first?.value == 4)
        #expect(
            result.policies.evaluate(plan: plan, context: PolicyContext(desired: [1: ["lock": 1]]))
                .isEmpty)
    }

    @Test func loadsDirectoryInSortedOrder() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("policies-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rule = { (name: String) in
            "rules:\n  - name: \(name)\n    severity: warn\n    condition: \"false\"\n"
        }
        try rule("b").write(
            to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try rule("a").write(
            to: directory.appendingPathComponent("nested/a.yml"), atomically: true,
            encoding: .utf8)
        try rule("hidden").write(
            to: directory.appendingPathComponent(".hidden.yaml"), atomically: true,
            encoding: .utf8)
        try "not yaml".write(
            to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        let result = PolicyLoader().load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty)
        #expect(result.policies.rules.map(\.name) == ["b", "a"])
        #expect(result.files.map { ($0 as NSString).lastPathComponent } == ["b.yaml", "a.yml"])
        #expect(result.sources[result.files[0]] == rule("b"))
    }

    @Test func missingPathIsAnError() {
        let result = PolicyLoader().load(paths: ["/nonexistent/policies"])
        #expect(
            result.diagnostics.map(\.description)
                == ["error: policy path '/nonexistent/policies' does not exist"])
    }
}
