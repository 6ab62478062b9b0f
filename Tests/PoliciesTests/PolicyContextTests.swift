import NGCPCore
import Testing

@testable import Policies

@Suite struct PolicyContextTests {
    private let desired = DesiredState(
        domains: [DesiredDomain(domain: "voice.example.net")],
        customers: [
            DesiredCustomer(
                externalID: "acme", billingProfile: "default", fields: ["status": "active"],
                contact: ["email": "it@acme.example"])
        ],
        subscribers: [
            DesiredSubscriber(
                username: "alice", domain: "voice.example.net", customer: "acme",
                fields: ["webusername": "alice.web"],
                secrets: ["password": .environment("P"), "webpassword": .environment("W")],
                callforwards: ["cfu": ["destinations": [["destination": "+43900123"]]]],
                preferences: ["concurrent_max": 4],
                pbxGroups: [SubscriberReference(username: "sales", domain: "voice.example.net")])
        ])

    private let plan = Plan(operations: [
        PlannedOperation(
            id: 1, action: .create, resource: .subscribers, name: "alice@voice.example.net",
            method: .post, path: "/api/subscribers/", body: [:]),
        PlannedOperation(
            id: 2, action: .update, resource: .callforwards, name: "alice@voice.example.net",
            method: .put, path: "/api/callforwards/41", body: [:], liveID: 41),
        PlannedOperation(
            id: 3, action: .update, resource: .customercontacts, name: "acme", method: .patch,
            path: "/api/customercontacts/7", body: [], liveID: 7),
        PlannedOperation(
            id: 4, action: .delete, resource: .subscribers, name: "old@voice.example.net",
            method: .delete, path: "/api/subscribers/9", liveID: 9),
    ])

    private let live = LiveState(
        contacts: [LiveObject(id: 7, fields: ["email": "old@acme.example"])],
        subscribers: [LiveObject(id: 9, fields: ["username": "old"])],
        callforwards: [41: ["cfu": [:]]])

    @Test func desiredObjectsInAPIShape() {
        let context = PolicyContext(plan: plan, desired: desired, live: live)
        #expect(context.desired[1]?["username"] == "alice")
        #expect(context.desired[1]?["customer"] == "acme")
        #expect(context.desired[1]?["webusername"] == "alice.web")
        #expect(context.desired[1]?["pbx_groups"] == ["sales@voice.example.net"])
        #expect(context.desired[2]?["cfu"]?["destinations"] == [["destination": "+43900123"]])
        #expect(context.desired[3] == ["email": "it@acme.example"])
        #expect(context.desired[4] == nil)
    }

    @Test func liveObjectsByServerID() {
        let context = PolicyContext(plan: plan, desired: desired, live: live)
        #expect(context.live[1] == nil)
        #expect(context.live[2] == ["cfu": [:]])
        #expect(context.live[3] == ["email": "old@acme.example"])
        #expect(context.live[4] == ["username": "old"])
    }

    @Test func passwordFactsWithoutValues() {
        let context = PolicyContext(
            plan: plan, desired: desired, live: nil,
            secret: { id, field in
                #expect(id == ResourceID(.subscribers, "alice@voice.example.net"))
                return field == "password" ? SecretValue("ALICE") : SecretValue("long-enough-1234")
            })
        let subscriber = context.desired[1]
        #expect(subscriber?["password_length"] == 5)
        #expect(subscriber?["password_equals_username"] == true)
        #expect(subscriber?["password_equals_field"] == "username")
        #expect(subscriber?["webpassword_length"] == 16)
        #expect(subscriber?["webpassword_equals_username"] == false)
        #expect(subscriber?["webpassword_equals_field"] == nil)
        #expect(subscriber?["password"] == nil)
        #expect(!"\(subscriber ?? .null)".contains("long-enough"))
    }

    @Test func passwordEqualToWebusernameIsNamed() {
        let context = PolicyContext(
            plan: plan, desired: desired, live: nil,
            secret: { _, field in
                field == "password" ? SecretValue("Alice.Web") : SecretValue("long-enough-1234")
            })
        let subscriber = context.desired[1]
        #expect(subscriber?["password_equals_username"] == true)
        #expect(subscriber?["password_equals_field"] == "webusername")
    }

    @Test func unresolvedSecretsGiveNoFacts() {
        let context = PolicyContext(plan: plan, desired: desired, live: nil)
        #expect(context.desired[1]?["password_length"] == nil)
    }

    @Test func builtContextDrivesBuiltInPack() {
        let context = PolicyContext(
            plan: plan, desired: desired, live: live, target: "lab",
            secret: { _, _ in SecretValue("short") })
        let rules = PolicySet.builtIn.evaluate(plan: plan, context: context).map(\.rule)
        #expect(rules.contains("weak-password"))
        #expect(rules.contains("subscriber-without-number"))
    }
}
