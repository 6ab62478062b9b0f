import Manifests
import NGCPCore
import Testing

@testable import Planning

/// Agreement of plans and the ignore rule check of ngcpctl.yaml: the check accepts a rule for
/// every field that a plan changes on an existing object, so it never rejects a rule that
/// hides a real difference.
@Suite struct IgnorePathTests {
    /// Plans updates of every kind of block, with many fields changed at once.
    private func updatePlan(ignoring rules: [IgnoreRule] = []) throws -> Plan {
        var customer = Fixture.desiredCustomer(
            fields: [
                "max_subscribers": 5, "vat_rate": 20, "add_vat": true, "invoice_template_id": 3,
                "subscriber_email_template_id": 4,
            ])
        customer.contact["city"] = "Vienna"
        customer.contact["gpp3"] = "x"

        let subscriber = Fixture.desiredSubscriber(
            "alice", sn: "5550002", aliases: ["5550003"],
            fields: [
                "external_id": "x-1", "email": "alice@example.org", "lock": "1",
                "timezone": "Europe/Vienna", "webusername": "alice.web", "administrative": true,
            ],
            callforwards: [
                "cfu": ["destinations": [["destination": "voicebox"]]],
                "cft": ["destinations": [["destination": "5550008"]], "ringtimeout": 20],
            ],
            preferences: ["clir": true, "concurrent_max": 2])

        var forwards = Fixture.noForwards
        forwards["cft"] = Fixture.liveForward([Fixture.liveDestination("5550009")], type: "cft")
        let live = Fixture.liveBase(
            subscribers: [Fixture.subscriber(id: 40, username: "alice", sn: "5550001")],
            callforwards: [40: forwards],
            preferences: [40: Fixture.automaticPreferences(id: 40, numbers: ["4315550001"])])
        let desired = DesiredState(
            domains: [Fixture.desiredDomain], customers: [customer], subscribers: [subscriber])
        let options = PlannerOptions(
            ignoreRules: rules, secrets: secrets(["alice@example.org/password": "NewPass456"]))
        return try plan(desired, live, options)
    }

    /// Returns each change of an existing object as the ignore rule that names it.
    private func changeRules(_ plan: Plan) -> Set<String> {
        Set(
            plan.operations.filter { $0.action != .create }.flatMap { operation in
                operation.changes.map { "\(operation.resource.rawValue)/*:\($0.path)" }
            })
    }

    @Test func planChangesEveryKindOfBlock() throws {
        let updates = try updatePlan().operations.filter { $0.action != .create }
        #expect(
            Set(updates.map(\.resource)) == [
                .customers, .customercontacts, .subscribers, .callforwards,
                .subscriberpreferences,
            ])
        #expect(changeRules(try updatePlan()).count >= 20)
    }

    @Test func ruleOfEachChangedFieldPassesTheCheck() throws {
        for text in changeRules(try updatePlan()).sorted() {
            // The planner compares the primary number as a whole, and shows its parts.
            let rule =
                text.hasPrefix("subscribers/*:primary_number.")
                ? "subscribers/*:primary_number" : text
            let project = "targets: {lab: {ignore: [\"\(rule)\"]}}"
            let parsed = ProjectConfigurationLoader.parse(project, path: "ngcpctl.yaml")
            #expect(parsed.diagnostics.isEmpty, "\(rule): \(parsed.diagnostics)")
        }
    }

    @Test func ruleOfEachChangedFieldHidesIt() throws {
        for text in changeRules(try updatePlan()).sorted() {
            let rule = try #require(IgnoreRule(parsing: text))
            let remaining = changeRules(try updatePlan(ignoring: [rule]))
            if text.hasPrefix("subscribers/*:primary_number.") {
                // A part of the primary number cannot be hidden on its own.
                #expect(remaining.contains(text), "\(text)")
            } else {
                #expect(!remaining.contains(text), "\(text)")
            }
        }
    }
}
