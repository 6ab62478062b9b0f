import Export
import Foundation
import NGCPClient
import NGCPCore
import Testing

/// A platform built through the API with every field the export maps, then exported and
/// planned: the plan must be empty, so each mapping rule matches what the server stores.
/// Serialized because every test starts an emulator, and several at once load a small
/// machine heavily.
@Suite(.serialized) struct RichPlatformTests {
    struct Platform {
        let lockedSubscriber: Int
    }

    private func build(_ client: NGCPAPIClient) async throws -> Platform {
        _ = try await client.post(
            "/api/domains/", body: ["domain": "rich.example.org", "reseller_id": 1])

        func customer(_ externalID: String, _ extra: [String: JSONValue] = [:]) async throws
            -> Int
        {
            let contact = try await client.post(
                "/api/customercontacts/",
                body: [
                    "reseller_id": 1, "email": .string("\(externalID)@example.org"),
                    "company": "Rich & Co", "postcode": "0100", "country": "AT",
                    "phonenumber": "+43 1 234",
                ])
            var body: [String: JSONValue] = [
                "contact_id": .int(contact), "billing_profile_id": 1, "status": "active",
                "type": "sipaccount", "external_id": .string(externalID),
            ]
            body.merge(extra) { _, new in new }
            return try await client.post("/api/customers/", body: .object(body))
        }

        func subscriber(
            _ username: String, customer: Int, sn: String, _ extra: [String: JSONValue] = [:]
        ) async throws -> Int {
            var body: [String: JSONValue] = [
                "customer_id": .int(customer), "domain": "rich.example.org",
                "username": .string(username), "password": "pa'ss\"word",
                "primary_number": ["cc": "43", "ac": "0664", "sn": .string(sn)],
            ]
            body.merge(extra) { _, new in new }
            return try await client.post("/api/subscribers/", body: .object(body))
        }

        let active = try await customer(
            "rich-active", ["max_subscribers": 5, "vat_rate": 20, "add_vat": true])
        let alice = try await subscriber(
            "alice", customer: active, sn: "0100",
            [
                "webusername": "alice.web", "external_id": "ext-alice",
                "alias_numbers": [
                    ["cc": "43", "ac": "0664", "sn": "0102", "is_devid": true],
                    ["cc": "43", "ac": "0664", "sn": "0101"],
                ],
                "administrative": true,
            ])
        _ = try await client.put(
            "/api/callforwards/\(alice)",
            body: [
                "cft": [
                    "ringtimeout": 25,
                    "destinations": [
                        ["destination": "4366401009", "priority": 1, "timeout": 20],
                        ["destination": "voicebox", "priority": 2],
                    ],
                    "times": [["wday": "2-6", "hour": "8-17"]],
                    "sources": [["source": "0043*"], ["source": "yes"]],
                    "sources_mode": "blacklist", "sources_is_regex": false,
                ],
                "cfb": ["destinations": [["destination": "sip:desk@elsewhere.example"]]],
            ])
        _ = try await client.patch(
            "/api/subscriberpreferences/\(alice)",
            operations: [
                ["op": "add", "path": "/block_in_list", "value": ["0900*", "on"]],
                ["op": "add", "path": "/concurrent_max", "value": 3],
                ["op": "add", "path": "/language", "value": "de"],
                ["op": "add", "path": "/display_name", "value": "Alice: Front desk"],
                ["op": "replace", "path": "/call_log_level", "value": "debug"],
            ])
        let bob = try await subscriber("bob.b", customer: active, sn: "0110")
        _ = try await client.patch(
            "/api/subscribers/\(bob)",
            operations: [["op": "replace", "path": "/lock", "value": "2"]])

        let locked = try await customer("rich-locked")
        let carol = try await subscriber("carol", customer: locked, sn: "0200")
        _ = try await client.patch(
            "/api/customers/\(locked)",
            operations: [["op": "replace", "path": "/status", "value": "locked"]])

        let gone = try await customer("rich-gone")
        _ = try await subscriber("dave", customer: gone, sn: "0300")
        _ = try await client.patch(
            "/api/customers/\(gone)",
            operations: [["op": "replace", "path": "/status", "value": "terminated"]])
        return Platform(lockedSubscriber: carol)
    }

    @Test func richPlatformPlansNoChanges() async throws {
        try await withEmulator { _, client in
            let platform = try await build(client)
            let options = ExportOptions(includeTerminated: true)
            let result = try await exportLive(client, options: options)
            #expect(result.notices.isEmpty, "\(result.notices)")
            #expect(
                result.files.map(\.path) == [
                    "customers/rich-active.yaml", "customers/rich-gone.yaml",
                    "customers/rich-locked.yaml", "domains.yaml",
                ])

            let loaded = loadExport(result)
            #expect(loaded.errors.isEmpty, "\(loaded.errors)")
            let secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            #expect(secrets["NGCP_PW_RICH_EXAMPLE_ORG_ALICE"] == "pa'ss\"word")
            let plan = try await planExport(loaded, client: client, secrets: secrets)
            #expect(plan.isEmpty, "\(plan.operations.map { "\($0.resourceID) \($0.changes)" })")

            let active = try #require(result.files.first?.text)
            #expect(active.contains("primary_number: {cc: 43, ac: \"0664\", sn: \"0100\"}"))
            #expect(active.contains("{cc: 43, ac: \"0664\", sn: \"0102\", is_devid: true}"))
            #expect(active.contains("- destination: \"4366401009\"\n"))
            #expect(active.contains("- destination: \"sip:desk@elsewhere.example\"\n"))
            #expect(active.contains("sources_mode: blacklist"))
            #expect(active.contains("- {source: \"yes\"}"))
            #expect(active.contains("- \"on\""))
            #expect(active.contains("display_name: \"Alice: Front desk\""))
            #expect(active.contains("call_log_level: debug"))
            #expect(active.contains("lock: 2"))
            #expect(active.contains("vat_rate: 20"))

            let locked = try #require(result.files.last { $0.path.contains("locked") }?.text)
            #expect(locked.contains("status: locked"))
            #expect(!locked.contains("lock: 4"))
            let gone = try #require(result.files.first { $0.path.contains("gone") }?.text)
            #expect(gone.contains("status: terminated"))
            #expect(!gone.contains("kind: Subscriber"))

            // The cascade still shows live, so the omission above is a decision, not a gap.
            let carol = try await client.get("/api/subscribers/\(platform.lockedSubscriber)")
            #expect(carol["lock"] == "4")
        }
    }

    /// A member of two PBX groups exports them by name, and the export plans no changes.
    @Test func pbxGroupsPlanNoChanges() async throws {
        try await withEmulator { _, client in
            _ = try await client.post(
                "/api/domains/", body: ["domain": "pbx.example.org", "reseller_id": 1])
            let contact = try await client.post(
                "/api/customercontacts/", body: ["reseller_id": 1, "email": "pbx@example.org"])
            let customer = try await client.post(
                "/api/customers/",
                body: [
                    "contact_id": .int(contact), "billing_profile_id": 1, "status": "active",
                    "type": "pbxaccount", "external_id": "harbour",
                ])
            func subscriber(_ username: String, _ extra: [String: JSONValue]) async throws
                -> Int
            {
                var body: [String: JSONValue] = [
                    "customer_id": .int(customer), "domain": "pbx.example.org",
                    "username": .string(username), "password": "pbx-Passw0rd",
                ]
                body.merge(extra) { _, new in new }
                return try await client.post("/api/subscribers/", body: .object(body))
            }
            _ = try await subscriber(
                "pilot",
                ["is_pbx_pilot": true, "primary_number": ["cc": 43, "ac": "1", "sn": "5550"]])
            let nurses = try await subscriber(
                "nurses", ["is_pbx_group": true, "pbx_extension": "20"])
            let porters = try await subscriber(
                "porters", ["is_pbx_group": true, "pbx_extension": "21"])
            _ = try await subscriber(
                "ward", ["pbx_extension": "30", "pbx_group_ids": [.int(porters), .int(nurses)]])

            let result = try await exportLive(client)
            #expect(result.notices.isEmpty, "\(result.notices)")
            let text = try #require(result.files.first { $0.path.contains("harbour") }?.text)
            #expect(
                text.contains(
                    "  pbx_groups:\n    - porters@pbx.example.org\n    - nurses@pbx.example.org\n"
                ))

            let loaded = loadExport(result)
            #expect(loaded.errors.isEmpty, "\(loaded.errors)")
            let secrets = Dictionary(
                uniqueKeysWithValues: result.secrets.map { ($0.variable, $0.value.value) })
            let plan = try await planExport(loaded, client: client, secrets: secrets)
            #expect(plan.isEmpty, "\(plan.operations.map { "\($0.resourceID) \($0.changes)" })")
        }
    }
}
