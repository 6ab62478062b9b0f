import NGCPCore
import Testing

@testable import Emulator

/// Subscribers of PBX customers: the pilot, extensions, groups and their memberships, as
/// ngcp-panel stores and returns them with cloud PBX enabled.
@Suite struct PBXSubscriberTests {
    /// A PBX customer with its pilot (primary number 43-1-500).
    struct PBXCustomer {
        var emulator: RunningEmulator
        var domainID: Int
        var customerID: Int
        var pilotID: Int

        init(tag: String) throws {
            emulator = try RunningEmulator()
            (domainID, customerID) = emulator.makeCustomer(tag: tag, type: "pbxaccount")
            pilotID = try #require(
                emulator.client.create(
                    "subscribers",
                    [
                        "customer_id": .int(customerID), "domain_id": .int(domainID),
                        "username": "pilot", "password": "secret-pass", "is_pbx_pilot": true,
                        "primary_number": ["cc": 43, "ac": "1", "sn": "500"],
                    ]))
        }

        /// Builds the request body of a subscriber of this customer, with `extra` fields added.
        func body(_ username: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
            var body: [String: JSONValue] = [
                "customer_id": .int(customerID), "domain_id": .int(domainID),
                "username": .string(username), "password": "secret-pass",
            ]
            body.merge(extra) { _, new in new }
            return .object(body)
        }

        func create(_ username: String, _ extra: [String: JSONValue]) -> Int? {
            emulator.client.create("subscribers", body(username, extra))
        }

        func message(of response: TestResponse?) -> String? {
            response?.json?["message"]?.stringValue
        }
    }

    @Test func pilotFieldsAreReturned() throws {
        let pbx = try PBXCustomer(tag: "pilot")
        let pilot = try #require(pbx.emulator.client.get("/api/subscribers/\(pbx.pilotID)")?.json)
        #expect(pilot["is_pbx_pilot"] == true)
        #expect(pilot["is_pbx_group"] == false)
        #expect(pilot["pbx_extension"] == .null)
        #expect(pilot["pbx_group_ids"] == [])
        // Hunt settings and members belong to groups, the extension range to admins.
        #expect(pilot["pbx_hunt_policy"] == nil)
        #expect(pilot["pbx_groupmember_ids"] == nil)
        #expect(pilot["ext_range_min"] == nil)

        // PUTting the representation back changes nothing.
        let put = pbx.emulator.client.put(
            "/api/subscribers/\(pbx.pilotID)", pilot, prefer: "return=representation")
        #expect(put?.status == 200)
        #expect(put?.json?["is_pbx_pilot"] == true)
        #expect(put?.json?["primary_number"]?["sn"] == "500")
    }

    @Test func sipAccountDropsPBXFields() throws {
        let emulator = try RunningEmulator()
        let (domainID, customerID) = emulator.makeCustomer(tag: "sippbx")
        let subscriberID = try #require(
            emulator.client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "sip", "password": "secret-pass", "is_pbx_pilot": true,
                    "pbx_extension": "10", "is_pbx_group": true, "pbx_group_ids": [1],
                    "primary_number": ["cc": 43, "ac": "1", "sn": "600"],
                ]))
        let subscriber = try #require(
            emulator.client.get("/api/subscribers/\(subscriberID)")?.json?.objectValue)
        for field in [
            "is_pbx_pilot", "is_pbx_group", "pbx_extension", "pbx_group_ids",
            "pbx_hunt_policy", "pbx_groupmember_ids",
        ] {
            #expect(subscriber[field] == nil, "\(field)")
        }
        let pilots = emulator.client.get("/api/subscribers/?is_pbx_pilot=1")?.json
        #expect(pilots?["total_count"] == 0)
    }

    @Test func pilotRules() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "rules", type: "pbxaccount")
        func post(_ username: String, _ extra: [String: JSONValue]) -> TestResponse? {
            var body: [String: JSONValue] = [
                "customer_id": .int(customerID), "domain_id": .int(domainID),
                "username": .string(username), "password": "secret-pass",
            ]
            body.merge(extra) { _, new in new }
            return client.post("/api/subscribers/", .object(body))
        }

        let memberFirst = post("m", ["pbx_extension": "10"])
        #expect(memberFirst?.status == 422)
        #expect(
            memberFirst?.json?["message"]
                == "Customer has no pbx pilot subscriber yet and is_pbx_pilot is not set.")
        let withoutNumber = post("p", ["is_pbx_pilot": true])
        #expect(withoutNumber?.status == 422)
        #expect(
            withoutNumber?.json?["message"]
                == "A primary_number is required for the PBX pilot subscriber.")

        let number: JSONValue = ["cc": 43, "ac": "1", "sn": "500"]
        let pilotID = try #require(
            client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "p", "password": "secret-pass", "is_pbx_pilot": "1",
                    "primary_number": number,
                ]))
        let secondPilot = post(
            "p2", ["is_pbx_pilot": true, "primary_number": ["cc": 43, "ac": "1", "sn": "501"]])
        #expect(secondPilot?.status == 422)
        #expect(secondPilot?.json?["message"] == "Customer already has a pbx pilot subscriber.")

        let revoke = client.patch(
            "/api/subscribers/\(pilotID)",
            [["op": "replace", "path": "/is_pbx_pilot", "value": false]])
        #expect(revoke?.status == 422)
        #expect(
            revoke?.json?["message"] == "Cannot revoke is_pbx_pilot status from a subscriber.")
        // A PUT without the flag revokes it as well.
        var representation = try #require(
            client.get("/api/subscribers/\(pilotID)")?.json?.objectValue)
        representation["is_pbx_pilot"] = nil
        let unflagged = client.put("/api/subscribers/\(pilotID)", .object(representation))
        #expect(unflagged?.status == 422)
        #expect(
            unflagged?.json?["message"] == "Cannot revoke is_pbx_pilot status from a subscriber.")
        let dropNumber = client.patch(
            "/api/subscribers/\(pilotID)", [["op": "remove", "path": "/primary_number"]])
        #expect(dropNumber?.status == 422)
        #expect(
            dropNumber?.json?["message"]
                == "A primary_number is required for the PBX pilot subscriber.")

        let memberID = try #require(
            client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "m", "password": "secret-pass", "pbx_extension": "10",
                ]))
        let deletePilot = client.send("DELETE", "/api/subscribers/\(pilotID)")
        #expect(deletePilot?.status == 403)
        #expect(
            deletePilot?.json?["message"]
                == "Cannot terminate pilot subscriber when other subscribers exists")
        #expect(client.send("DELETE", "/api/subscribers/\(memberID)")?.status == 204)
        #expect(client.send("DELETE", "/api/subscribers/\(pilotID)")?.status == 204)
    }

    @Test func memberNumberFollowsPilot() throws {
        let pbx = try PBXCustomer(tag: "member")
        let client = pbx.emulator.client
        let noExtension = client.post("/api/subscribers/", pbx.body("m"))
        #expect(noExtension?.status == 422)
        #expect(
            pbx.message(of: noExtension)
                == "A pbx_extension is required if customer is PBX and pilot subscriber exists.")

        // The primary number is the pilot's with the extension appended, whatever was sent.
        let memberID = try #require(
            pbx.create(
                "m",
                [
                    "pbx_extension": 10,
                    "primary_number": ["cc": 49, "ac": "30", "sn": "999"],
                    "alias_numbers": [["cc": 43, "ac": "1", "sn": "777"]],
                ]))
        let member = try #require(client.get("/api/subscribers/\(memberID)")?.json)
        #expect(member["pbx_extension"] == "10")
        #expect(member["is_pbx_pilot"] == false)
        #expect(member["primary_number"]?["cc"] == 43)
        #expect(member["primary_number"]?["ac"] == "1")
        #expect(member["primary_number"]?["sn"] == "50010")
        let preferences = client.get("/api/subscriberpreferences/\(memberID)")?.json
        #expect(preferences?["shared_buddylist_visibility"] == true)

        let taken = client.post("/api/subscribers/", pbx.body("m2", ["pbx_extension": "10"]))
        #expect(taken?.status == 422)
        #expect(pbx.message(of: taken) == "The pbx_extension already exists for this customer.")

        let filtered = client.get("/api/subscribers/?pbx_extension=1*")?.json
        #expect(filtered?.embedded("subscribers").map { $0["username"] } == ["m"])

        // Deleting a member hands its alias numbers to the pilot and frees its own number.
        #expect(client.send("DELETE", "/api/subscribers/\(memberID)")?.status == 204)
        let pilot = try #require(client.get("/api/subscribers/\(pbx.pilotID)")?.json)
        #expect(pilot["alias_numbers"]?.arrayValue?.map { $0["sn"] } == ["777"])
        #expect(pbx.create("m3", ["pbx_extension": "10"]) != nil)
    }

    @Test func groupsAndMemberships() throws {
        let pbx = try PBXCustomer(tag: "groups")
        let client = pbx.emulator.client
        let salesID = try #require(
            pbx.create(
                "sales",
                [
                    "is_pbx_group": true, "pbx_extension": "20", "pbx_hunt_policy": "parallel",
                    "pbx_hunt_timeout": "15", "pbx_hunt_cancel_mode": "cancel",
                ]))
        let supportID = try #require(
            pbx.create("support", ["is_pbx_group": true, "pbx_extension": "21"]))
        let aliceID = try #require(
            pbx.create(
                "alice",
                ["pbx_extension": "10", "pbx_group_ids": [.int(supportID), .int(salesID)]]))

        let sales = try #require(client.get("/api/subscribers/\(salesID)")?.json)
        #expect(sales["is_pbx_group"] == true)
        #expect(sales["pbx_hunt_policy"] == "parallel")
        #expect(sales["pbx_hunt_timeout"] == 15)
        #expect(sales["pbx_hunt_cancel_mode"] == "cancel")
        #expect(sales["pbx_groupmember_ids"] == [.int(aliceID)])
        let support = try #require(client.get("/api/subscribers/\(supportID)")?.json)
        #expect(support["pbx_hunt_policy"] == .null)
        #expect(support["pbx_hunt_timeout"] == .null)
        var alice = try #require(client.get("/api/subscribers/\(aliceID)")?.json?.objectValue)
        #expect(alice["pbx_group_ids"] == [.int(supportID), .int(salesID)])
        let groups = client.get("/api/subscribers/?is_pbx_group=1")?.json
        #expect(groups?["total_count"] == 2)

        // A member can join only groups, so naming the pilot is rejected.
        let notGroup = client.patch(
            "/api/subscribers/\(aliceID)",
            [["op": "replace", "path": "/pbx_group_ids", "value": [.int(pbx.pilotID)]]])
        #expect(notGroup?.status == 422)
        #expect(
            pbx.message(of: notGroup)
                == "Invalid id '\(pbx.pilotID)' in pbx_group_ids, does not exist for this customer."
        )
        let notArray = client.patch(
            "/api/subscribers/\(aliceID)",
            [["op": "replace", "path": "/pbx_group_ids", "value": .int(salesID)]])
        #expect(pbx.message(of: notArray) == "Invalid pbx_group_ids parameter, must be an array.")

        // A PUT without pbx_group_ids leaves every group, as on NGCP.
        alice["pbx_group_ids"] = nil
        #expect(client.put("/api/subscribers/\(aliceID)", .object(alice))?.status == 204)
        #expect(client.get("/api/subscribers/\(aliceID)")?.json?["pbx_group_ids"] == [])
        #expect(client.get("/api/subscribers/\(salesID)")?.json?["pbx_groupmember_ids"] == [])

        // A group sets its members, and a deleted group disappears from its members' groups.
        let members = client.patch(
            "/api/subscribers/\(supportID)",
            [["op": "replace", "path": "/pbx_groupmember_ids", "value": [.int(aliceID)]]])
        #expect(members?.status == 204)
        #expect(
            client.get("/api/subscribers/\(aliceID)")?.json?["pbx_group_ids"] == [
                .int(supportID)
            ])
        #expect(client.send("DELETE", "/api/subscribers/\(supportID)")?.status == 204)
        #expect(client.get("/api/subscribers/\(aliceID)")?.json?["pbx_group_ids"] == [])
    }

    @Test func huntSettingsAreValidated() throws {
        let pbx = try PBXCustomer(tag: "hunt")
        let response = pbx.emulator.client.post(
            "/api/subscribers/",
            pbx.body(
                "g",
                [
                    "is_pbx_group": true, "pbx_extension": "20", "pbx_hunt_policy": "ring-all",
                    "pbx_hunt_timeout": "soon", "pbx_hunt_cancel_mode": "hangup",
                ]))
        #expect(response?.status == 422)
        let message = try #require(pbx.message(of: response))
        #expect(message.hasPrefix("Validation failed. "))
        let failures = [
            APIError.validationText(
                field: "pbx_hunt_policy", input: "ring-all",
                errors: "'ring-all' is not a valid value"),
            APIError.validationText(
                field: "pbx_hunt_timeout", input: "soon", errors: Fields.positiveIntegerErrors),
            APIError.validationText(
                field: "pbx_hunt_cancel_mode", input: "hangup",
                errors: "'hangup' is not a valid value"),
        ]
        for failure in failures {
            #expect(message.contains(failure), "\(failure)")
        }
    }

    @Test func administrativeShowsExtensionRange() throws {
        let pbx = try PBXCustomer(tag: "admin")
        let adminID = try #require(
            pbx.create("admin", ["pbx_extension": "99", "administrative": true]))
        let admin = try #require(
            pbx.emulator.client.get("/api/subscribers/\(adminID)")?.json?.objectValue)
        #expect(admin["ext_range_min"] == .null)
        #expect(admin["ext_range_max"] == .null)
    }
}
