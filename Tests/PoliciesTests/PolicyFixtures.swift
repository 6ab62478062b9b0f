import NGCPCore

@testable import Policies

/// Builders for the operations that the built-in rules look at.
enum Fixture {
    static let subscriber = "alice@voice.example.net"

    static func forwards(
        id: Int = 1, action: PlannedAction = .update, _ destinations: [String: [String]]
    ) -> PlannedOperation {
        var body: [String: JSONValue] = [:]
        for type in ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo"] {
            guard let list = destinations[type] else {
                body[type] = [:]
                continue
            }
            body[type] = [
                "destinations": .array(
                    list.map { ["destination": .string($0), "priority": 1, "timeout": 300] })
            ]
        }
        return PlannedOperation(
            id: id, action: action, resource: .callforwards, name: subscriber, method: .put,
            path: "/api/callforwards/41", body: .object(body), liveID: 41)
    }

    static func preferences(
        id: Int = 1, action: PlannedAction = .update, _ changes: [FieldChange]
    ) -> PlannedOperation {
        PlannedOperation(
            id: id, action: action, resource: .subscriberpreferences, name: subscriber,
            method: .patch, path: "/api/subscriberpreferences/41", body: [], changes: changes,
            liveID: 41)
    }

    /// Builds a preferences PATCH that sets `peer_auth_pass` from `source`.
    static func peerPassword(_ source: SecretSource) -> PlannedOperation {
        let value = secret(source, field: "preferences.peer_auth_pass")
        return PlannedOperation(
            id: 1, action: .update, resource: .subscriberpreferences, name: subscriber,
            method: .patch, path: "/api/subscriberpreferences/41",
            body: [["op": "add", "path": "/peer_auth_pass", "value": value]],
            changes: [
                FieldChange(path: "peer_auth_pass", before: nil, after: nil, sensitive: true)
            ],
            liveID: 41)
    }

    static func secret(_ source: SecretSource, field: String) -> JSONValue {
        PlanPlaceholder.secret(
            source, owner: ResourceID(.subscribers, subscriber), field: field)
    }

    static func createSubscriber(id: Int = 1, name: String = subscriber, body: JSONValue)
        -> PlannedOperation
    {
        PlannedOperation(
            id: id, action: .create, resource: .subscribers, name: name, method: .post,
            path: "/api/subscribers/", body: body)
    }

    static func updateSubscriber(id: Int = 1, body: JSONValue, changes: [FieldChange] = [])
        -> PlannedOperation
    {
        PlannedOperation(
            id: id, action: .update, resource: .subscribers, name: subscriber, method: .patch,
            path: "/api/subscribers/41", body: body, changes: changes, liveID: 41)
    }

    static func deleteSubscriber(id: Int, name: String) -> PlannedOperation {
        PlannedOperation(
            id: id, action: .delete, resource: .subscribers, name: name, method: .delete,
            path: "/api/subscribers/\(id)", liveID: id, irreversible: true)
    }

    static func terminateCustomer(id: Int, name: String) -> PlannedOperation {
        PlannedOperation(
            id: id, action: .update, resource: .customers, name: name, method: .patch,
            path: "/api/customers/\(id)",
            body: [["op": "replace", "path": "/status", "value": "terminated"]],
            changes: [FieldChange(path: "status", before: "active", after: "terminated")],
            liveID: id, irreversible: true)
    }

    static let numbered: JSONValue = [
        "username": "alice", "primary_number": ["cc": 43, "ac": "732", "sn": "1234500"],
        "password": secret(.environment("ALICE_PASSWORD"), field: "password"),
    ]
}
