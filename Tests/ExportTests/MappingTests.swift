import Foundation
import Manifests
import NGCPCore
import Planning
import Testing

@testable import Export

/// Field mapping from live objects to manifests, on hand-built live states.
@Suite struct MappingTests {

    // MARK: Destinations

    @Test(arguments: [
        ("sip:4311@example.org", "4311"),
        ("sip:4311@EXAMPLE.org", "4311"),
        ("sip:+4311@example.org", "+4311"),
        ("sip:alice@example.org", "alice"),
        ("sip:4311@other.org", "sip:4311@other.org"),
        ("voicebox", "voicebox"),
        ("VoiceBox", "voicebox"),
        ("sip:vmu4311@voicebox.local", "voicebox"),
        ("sip:vmb4311@voicebox.local", "voicebox"),
        ("sip:other@voicebox.local", "sip:other@voicebox.local"),
        ("sip:a@b@example.org", "sip:a@b@example.org"),
        ("sip:x:y@example.org", "sip:x:y@example.org"),
        ("sip:fax=4311@fax2mail.local", "fax2mail"),
        ("sip:conf=4311@conference.local", "conference"),
        ("sip:voicebox@example.org", "sip:voicebox@example.org"),
        ("sips:4311@example.org", "sips:4311@example.org"),
        ("tel:+4311", "tel:+4311"),
    ])
    func destinationWrittenForm(_ live: String, _ written: String) {
        #expect(SubscriberMapping.destination(live, subscriberDomain: "example.org") == written)
    }

    // MARK: Call forwards

    @Test func forwardDefaultsLeftOut() throws {
        let live: [String: JSONValue] = [
            "cfu": [:], "cfb": [:], "cfna": [:], "cfs": [:], "cfr": [:], "cfo": [:],
            "cft": [
                "destination_set": ["id": 18, "name": "quickset_cft"],
                "time_set": ["id": 2, "name": "quickset_cft"], "ringtimeout": 20,
                "destinations": [
                    [
                        "destination": "sip:4311@example.org", "priority": 1, "timeout": 300,
                        "announcement_id": .null, "simple_destination": "4311",
                    ],
                    [
                        "destination": "voicebox", "priority": .null, "timeout": 30,
                        "announcement_id": .null,
                    ],
                ],
                "times": [
                    [
                        "year": .null, "month": .null, "mday": .null, "wday": "2-6",
                        "hour": "8-17", "minute": .null,
                    ]
                ],
                "sources": [["source": "0043*"]], "sources_mode": "blacklist",
                "sources_is_regex": 0, "bnumbers": [], "bnumbers_mode": "whitelist",
                "bnumbers_is_regex": false,
            ],
        ]
        let value = try #require(
            SubscriberMapping.callForwards(live, subscriberDomain: "example.org"))
        let expected: JSONValue = [
            "cft": [
                "ringtimeout": 20,
                "destinations": [
                    ["destination": "4311", "priority": 1],
                    ["destination": "voicebox", "timeout": 30],
                ],
                "times": [["wday": "2-6", "hour": "8-17"]],
                "sources": [["source": "0043*"]], "sources_mode": "blacklist",
            ]
        ]
        #expect(jsonValue(value) == expected)
    }

    @Test func noForwardsLeavesBlockUnmanaged() {
        let live: [String: JSONValue] = ["cfu": [:], "cft": ["destinations": []]]
        #expect(SubscriberMapping.callForwards(live, subscriberDomain: "example.org") == nil)
        #expect(SubscriberMapping.callForwards(nil, subscriberDomain: "example.org") == nil)
    }

    // MARK: Preferences

    static let primary: JSONValue = ["cc": 43, "ac": "1", "sn": "5551234", "number_id": 9]
    static let aliases: JSONValue = [
        ["cc": 43, "ac": "1", "sn": "5551235", "number_id": 10, "is_devid": false]
    ]

    private func preferences(_ live: [String: JSONValue]) -> (
        value: JSONValue?, skipped: [String]
    ) {
        let result = SubscriberMapping.preferences(
            live, primaryNumber: Self.primary, aliasNumbers: Self.aliases, catalogue: .builtIn,
            secretVariable: { "NGCP_PW_X_\($0.uppercased())" })
        return (result.value.map(jsonValue), result.skipped.map(\.name))
    }

    @Test func automaticPreferencesLeftOut() {
        let result = preferences([
            "cc": "43", "ac": "1", "allowed_clis": ["4315551234", "4315551235"],
            "call_log_level": "notice", "emergency_location_format": "cirpack",
            "cli": "4315551234", "lock": "3", "id": 5, "subscriber_id": 5,
        ])
        #expect(result.value == nil)
        #expect(result.skipped.isEmpty)

        let primaryOnly = preferences(["allowed_clis": ["4315551234"]])
        #expect(primaryOnly.value == nil)
    }

    @Test func changedAutomaticPreferencesKept() {
        let result = preferences([
            "cc": "49", "ac": "1", "allowed_clis": ["4315551234", "4399"],
            "call_log_level": "debug", "emergency_location_format": "PIDF-LO",
        ])
        #expect(
            result.value == [
                "cc": "49", "allowed_clis": ["4315551234", "4399"], "call_log_level": "debug",
                "emergency_location_format": "PIDF-LO",
            ])
    }

    @Test func preferenceValuesTakeCatalogueTypes() {
        let result = preferences([
            "concurrent_max": "4", "block_in_clir": 1, "block_in_mode": false,
            "block_in_list": "0900*", "language": "en", "display_name": "Alice",
        ])
        #expect(
            result.value == [
                "concurrent_max": 4, "block_in_clir": true, "block_in_mode": false,
                "block_in_list": ["0900*"], "language": "en", "display_name": "Alice",
            ])
    }

    @Test func unloadablePreferencesSkipped() {
        let result = preferences([
            "no_such_preference": "x", "display_name": .string(String(repeating: "a", count: 129)),
            "concurrent_max": "many", "block_in_mode": true,
        ])
        #expect(result.value == ["block_in_mode": true])
        #expect(result.skipped == ["concurrent_max", "display_name", "no_such_preference"])
    }

    // MARK: Whole export

    static func live(customers: [LiveObject], subscribers: [LiveObject] = []) -> LiveState {
        LiveState(
            resellers: [
                LiveObject(id: 1, fields: ["id": 1, "name": "default"]),
                LiveObject(id: 2, fields: ["id": 2, "name": "partner"]),
            ],
            billingProfiles: [
                LiveObject(id: 1, fields: ["id": 1, "handle": "default", "reseller_id": 1]),
                LiveObject(id: 4, fields: ["id": 4, "handle": "gold", "reseller_id": 1]),
            ],
            domains: [
                LiveObject(
                    id: 3, fields: ["id": 3, "domain": "sip.example.org", "reseller_id": 1]),
                LiveObject(
                    id: 5, fields: ["id": 5, "domain": "Partner.example", "reseller_id": 2]),
            ],
            contacts: [
                LiveObject(
                    id: 7,
                    fields: [
                        "id": 7, "reseller_id": 1, "email": "ops@acme.example",
                        "company": "ACME Ltd",
                        "postcode": "0100", "firstname": .null, "gpp0": "", "status": "active",
                        "create_timestamp": "2026-01-01 00:00:00",
                    ]),
                LiveObject(
                    id: 8, fields: ["id": 8, "reseller_id": 1, "email": "anon@example.org"]),
            ],
            customers: customers, subscribers: subscribers)
    }

    static func customer(
        _ id: Int, _ externalID: JSONValue, status: String = "active", contact: Int = 7
    ) -> LiveObject {
        LiveObject(
            id: id,
            fields: [
                "id": .int(id), "external_id": externalID, "status": .string(status),
                "type": "sipaccount", "contact_id": .int(contact), "billing_profile_id": 4,
                "billing_profile_definition": "id", "vat_rate": 0, "add_vat": false,
                "max_subscribers": .null, "invoice_template_id": .null,
                "create_timestamp": "2026-01-01 00:00:00", "modify_timestamp": "2026-01-01",
                "all_billing_profiles": [["profile_id": 4, "start": .null]],
            ])
    }

    static func subscriber(_ id: Int, _ username: String, customer: Int) -> LiveObject {
        LiveObject(
            id: id,
            fields: [
                "id": .int(id), "customer_id": .int(customer), "domain_id": 3,
                "domain": "sip.example.org", "username": .string(username),
                "password": "s3cr'et", "webusername": .string(username), "webpassword": .null,
                "status": "active", "lock": .null, "external_id": .null, "email": .null,
                "administrative": false, "display_name": .null, "profile_id": .null,
                "uuid": "a2b0e9e8-0000-4000-8000-000000000000",
                "create_timestamp": "2026-01-01T00:00:00", "modify_timestamp": "2026-01-01",
                "primary_number": ["cc": 43, "ac": "0664", "sn": "0100", "number_id": 11],
                "alias_numbers": [
                    ["cc": 43, "ac": "1", "sn": "9", "number_id": 13, "is_devid": true],
                    ["cc": 43, "ac": "", "sn": "5", "number_id": 12, "is_devid": false],
                ],
            ])
    }

    @Test func serverFieldsStrippedAndKeysNatural() throws {
        let live = Self.live(
            customers: [Self.customer(2, "acme")],
            subscribers: [Self.subscriber(20, "alice", customer: 2)])
        let result = Exporter.export(live)
        #expect(result.files.map(\.path) == ["customers/acme.yaml", "domains.yaml"])
        let text = result.files[0].text
        for field in [
            "uuid", "number_id", "timestamp", "_links", " id:", "{id:", "contact_id", "webpassword",
            "billing_profile_id", "vat_rate", "add_vat", "is_devid: false", "s3cr", "template",
            "webusername", "status", "lock", "display_name", "administrative",
        ] {
            #expect(!text.contains(field), "'\(field)' in export")
        }
        let loaded = loadExport(result)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let customer = try #require(loaded.desired.customers.first)
        #expect(customer.billingProfile == "gold")
        #expect(
            customer.contact == [
                "email": "ops@acme.example", "company": "ACME Ltd", "postcode": "0100",
            ])
        let subscriber = try #require(loaded.desired.subscribers.first)
        #expect(subscriber.name == "alice@sip.example.org")
        #expect(subscriber.customer == "acme")
        #expect(subscriber.secrets == ["password": .environment("NGCP_PW_SIP_EXAMPLE_ORG_ALICE")])
        #expect(subscriber.fields["primary_number"] == ["cc": 43, "ac": "0664", "sn": "0100"])
        #expect(
            subscriber.fields["alias_numbers"] == [
                ["cc": 43, "ac": "", "sn": "5", "is_devid": false],
                ["cc": 43, "ac": "1", "sn": "9", "is_devid": true],
            ])
        #expect(result.secrets.map(\.value.value) == ["s3cr'et"])

        let domains = try #require(result.files.last?.text)
        #expect(domains.contains("name: Partner.example\nspec:\n  reseller: partner\n"))
        #expect(domains.contains("name: sip.example.org\nspec: {}\n"))
        #expect(domains.range(of: "Partner")!.lowerBound < domains.range(of: "sip.")!.lowerBound)
    }

    @Test func customerFieldsOtherThanDefaultsKept() throws {
        var customer = Self.customer(2, "acme", status: "locked")
        customer.fields["max_subscribers"] = 5
        customer.fields["vat_rate"] = 20
        customer.fields["add_vat"] = true
        customer.fields["invoice_template_id"] = 3
        var subscriber = Self.subscriber(20, "bob", customer: 2)
        subscriber.fields["status"] = "locked"
        subscriber.fields["lock"] = "4"
        subscriber.fields["webusername"] = "bob.web"
        let result = Exporter.export(
            Self.live(customers: [customer], subscribers: [subscriber]))
        let loaded = loadExport(result)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let desired = try #require(loaded.desired.customers.first)
        #expect(
            desired.fields == [
                "status": "locked", "type": "sipaccount", "max_subscribers": 5, "vat_rate": 20,
                "add_vat": true, "invoice_template_id": 3,
            ])
        // The customer's lock sets the subscriber's status and lock; they are not declared.
        let fields = try #require(loaded.desired.subscribers.first?.fields)
        #expect(fields["status"] == nil)
        #expect(fields["lock"] == nil)
        #expect(fields["webusername"] == "bob.web")
    }

    @Test func subscriberLockAndStatusKept() throws {
        var subscriber = Self.subscriber(20, "carol", customer: 2)
        subscriber.fields["status"] = "locked"
        subscriber.fields["lock"] = "2"
        subscriber.fields["administrative"] = true
        subscriber.fields["external_id"] = "ext-1"
        let result = Exporter.export(
            Self.live(customers: [Self.customer(2, "acme")], subscribers: [subscriber]))
        let fields = try #require(loadExport(result).desired.subscribers.first?.fields)
        #expect(fields["status"] == "locked")
        #expect(fields["lock"] == "2")
        #expect(fields["administrative"] == true)
        #expect(fields["external_id"] == "ext-1")
    }

    @Test func terminatedCustomersOnlyWhenAsked() throws {
        let live = Self.live(customers: [
            Self.customer(2, "old", status: "terminated"), Self.customer(3, "acme"),
        ])
        #expect(Exporter.export(live).files.map(\.path) == ["customers/acme.yaml", "domains.yaml"])

        let included = Exporter.export(live, options: ExportOptions(includeTerminated: true))
        #expect(included.files.map(\.path).contains("customers/old.yaml"))
        let loaded = loadExport(included)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let old = loaded.desired.customers.first { $0.externalID == "old" }
        #expect(old?.fields["status"] == "terminated")
    }

    /// Builds a PBX customer 2 with its pilot 20, the group `nurses` (21) and `desk` (22),
    /// which is a member of the groups with `groupIDs`.
    static func pbxLive(groupIDs: [Int]) -> LiveState {
        var customer = Self.customer(2, "harbour")
        customer.fields["type"] = "pbxaccount"
        // Each gets a number of its own: the pilot's, with the extension appended.
        func pbxSubscriber(_ id: Int, _ username: String, extension: String) -> LiveObject {
            var subscriber = Self.subscriber(id, username, customer: 2)
            subscriber.fields["primary_number"] = [
                "cc": 43, "ac": "0664", "sn": .string("0100" + `extension`),
                "number_id": .int(id),
            ]
            subscriber.fields["alias_numbers"] = []
            return subscriber
        }
        var pilot = pbxSubscriber(20, "pilot", extension: "")
        var group = pbxSubscriber(21, "nurses", extension: "20")
        var member = pbxSubscriber(22, "desk", extension: "10")
        pilot.fields["is_pbx_pilot"] = true
        pilot.fields["pbx_group_ids"] = []
        group.fields["is_pbx_group"] = true
        group.fields["pbx_extension"] = "20"
        group.fields["pbx_group_ids"] = []
        group.fields["pbx_hunt_policy"] = "parallel"
        group.fields["pbx_hunt_timeout"] = 15
        group.fields["pbx_hunt_cancel_mode"] = .null
        member.fields["pbx_extension"] = "10"
        member.fields["pbx_group_ids"] = .array(groupIDs.map { .int($0) })
        return Self.live(customers: [customer], subscribers: [pilot, group, member])
    }

    @Test func pbxGroupsWrittenByName() throws {
        let result = Exporter.export(Self.pbxLive(groupIDs: [21]))
        #expect(result.notices.isEmpty, "\(result.notices)")
        let text = try #require(result.files.first?.text)
        #expect(text.contains("  pbx_groups:\n    - nurses@sip.example.org\n"))
        #expect(!text.contains("pbx_group_ids"))
        #expect(text.contains("  pbx_hunt_policy: parallel\n"))
        #expect(text.contains("  pbx_hunt_timeout: 15\n"))
        #expect(!text.contains("pbx_hunt_cancel_mode"))

        let loaded = loadExport(result)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let groups = loaded.desired.subscribers.map { ($0.username, $0.pbxGroups?.map(\.name)) }
        #expect(groups.first { $0.0 == "desk" }?.1 == ["nurses@sip.example.org"])
        #expect(groups.first { $0.0 == "nurses" }?.1 == nil)
        #expect(groups.first { $0.0 == "pilot" }?.1 == nil)
    }

    @Test func unreadPBXGroupLeavesMembershipsOut() throws {
        let result = Exporter.export(Self.pbxLive(groupIDs: [21, 99]))
        let text = try #require(result.files.first?.text)
        #expect(!text.contains("pbx_groups"))
        #expect(result.notices.map(\.subject) == ["subscribers/desk@sip.example.org"])
        #expect(result.notices.first?.message.contains("PBX group 99 was not read") == true)
    }

    @Test func terminatedTwinOfCurrentCustomerIgnored() {
        let live = Self.live(customers: [
            Self.customer(2, "acme", status: "terminated"), Self.customer(3, "acme"),
        ])
        let result = Exporter.export(live, options: ExportOptions(includeTerminated: true))
        #expect(result.customerCount == 1)
        #expect(loadExport(result).errors.isEmpty)
    }

    @Test func sharedExternalIDSkipped() {
        let live = Self.live(
            customers: [Self.customer(2, "acme"), Self.customer(3, "acme")],
            subscribers: [Self.subscriber(20, "alice", customer: 2)])
        let result = Exporter.export(live)
        #expect(result.customerCount == 0)
        #expect(result.subscriberCount == 0)
        #expect(result.notices.map(\.subject) == ["customers/acme"])
        #expect(result.notices.first?.message.contains("ids 2, 3") == true)
    }

    @Test func unkeyedCustomersListedWithProposal() {
        let live = Self.live(
            customers: [
                Self.customer(2, .null), Self.customer(3, "", contact: 8),
                Self.customer(4, .null, status: "terminated"), Self.customer(5, "acme-ltd-2"),
            ],
            subscribers: [Self.subscriber(20, "alice", customer: 2)])
        let result = Exporter.export(live)
        #expect(result.unkeyed.map(\.id) == [2, 3])
        #expect(result.unkeyed.map(\.proposedExternalID) == ["acme-ltd-2-2", "anon-3"])
        #expect(result.subscriberCount == 0)
        #expect(result.secrets.isEmpty)

        let plan = Exporter.assignmentPlan(result.unkeyed, target: "http://127.0.0.1")
        #expect(plan.operations.map(\.path) == ["/api/customers/2", "/api/customers/3"])
        #expect(plan.operations.allSatisfy { $0.method == .patch })
        #expect(plan.operations.allSatisfy { $0.action == .update })
        #expect(
            plan.operations.first?.body == [
                ["op": "replace", "path": "/external_id", "value": "acme-ltd-2-2"]
            ])
        let rendered = HumanPlanRenderer(color: false).render(plan)
        #expect(rendered.contains("acme-ltd-2-2"))
        #expect(rendered.contains("0 to create, 2 to update, 0 to delete"))
    }

    // MARK: Names

    @Test func passwordVariableNames() {
        #expect(
            ExportNaming.passwordVariable(username: "alice.b", domain: "sip.example.org")
                == "NGCP_PW_SIP_EXAMPLE_ORG_ALICE_B")
        let names = ExportNaming.disambiguate(
            [
                "a.b@x.org": "NGCP_PW_X_ORG_A_B", "a-b@x.org": "NGCP_PW_X_ORG_A_B",
                "c@x.org": "NGCP_PW_X_ORG_C",
            ], separator: "_", foldCase: false)
        #expect(names["c@x.org"] == "NGCP_PW_X_ORG_C")
        #expect(names["a.b@x.org"] != names["a-b@x.org"])
        #expect(names["a.b@x.org"]?.hasPrefix("NGCP_PW_X_ORG_A_B_") == true)
        #expect(
            names["a.b@x.org"] == "NGCP_PW_X_ORG_A_B_" + ExportNaming.hash("a.b@x.org").uppercased()
        )
    }

    @Test func collidingSubscribersGetDistinctVariables() throws {
        let live = Self.live(
            customers: [Self.customer(2, "acme")],
            subscribers: [
                Self.subscriber(20, "a.b", customer: 2), Self.subscriber(21, "a-b", customer: 2),
            ].enumerated().map { index, subscriber in
                var copy = subscriber
                copy.fields["primary_number"] = [
                    "cc": 43, "ac": "1", "sn": .string("70\(index)"),
                ]
                copy.fields["alias_numbers"] = []
                return copy
            })
        let result = Exporter.export(live)
        #expect(Set(result.secrets.map(\.variable)).count == 2)
        let loaded = loadExport(result)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let sources = Set(loaded.desired.subscribers.compactMap { $0.secrets["password"] })
        #expect(sources == Set(result.secrets.map { SecretSource.environment($0.variable) }))
    }

    @Test func fileStems() {
        #expect(ExportNaming.fileStem(externalID: "acme") == "acme")
        #expect(ExportNaming.fileStem(externalID: "a.b_c-1") == "a.b_c-1")
        let spaced = ExportNaming.fileStem(externalID: "ACME Ltd")
        #expect(spaced == "ACME-Ltd-" + ExportNaming.hash("ACME Ltd"))
        #expect(spaced != ExportNaming.fileStem(externalID: "ACME-Ltd"))
        #expect(ExportNaming.fileStem(externalID: ".hidden").hasPrefix("_hidden-"))
        #expect(ExportNaming.fileStem(externalID: "a/../b").hasPrefix("a-..-b-"))
        #expect(ExportNaming.fileStem(externalID: String(repeating: "x", count: 300)).count == 109)
    }

    @Test func caseOnlyDifferencesGetDistinctFiles() {
        let live = Self.live(customers: [Self.customer(2, "Acme"), Self.customer(3, "acme")])
        let paths = Exporter.export(live).files.map { $0.path.lowercased() }
        #expect(Set(paths).count == 3)
    }

    @Test func hashIsFNV1a() {
        #expect(ExportNaming.hash("") == "811c9dc5")
        #expect(ExportNaming.hash("a") == "e40c292c")
    }

    // MARK: Secrets file

    @Test func secretsFileSourcesToSameValues() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/secrets.sh"
        // An existing, readable file must not pass its mode on.
        let created = FileManager.default.createFile(
            atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        try #require(created)
        let values = ["it's", "a\"b$c`d\\e", "new\nline", "  spaced  ", "ü"]
        let secrets = values.enumerated().map { index, value in
            ExportedSecret(
                variable: "NGCP_PW_TEST_\(index)", subscriber: "u\(index)@x",
                value: SecretValue(value))
        }
        try ExportWriter.writeSecrets(secrets, to: path)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let sourced = try sourceWithShell(path, names: secrets.map(\.variable))
        for secret in secrets {
            #expect(sourced[secret.variable] == secret.value.value)
        }
    }

    @Test func secretsFileReplacesSymlink() throws {
        let directory = try TemporaryDirectory()
        let target = directory.path + "/target"
        try "keep".write(toFile: target, atomically: true, encoding: .utf8)
        let link = directory.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try ExportWriter.writeSecrets([], to: link)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        let type =
            try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
    }
}
