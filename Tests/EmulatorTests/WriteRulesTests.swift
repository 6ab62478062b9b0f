import NGCPCore
import Testing

@testable import Emulator

/// Patch operations, uniqueness and lifecycle cascades.
@Suite struct WriteRulesTests {
    @Test func patchOperationsDependOnResource() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let contactID = try #require(
            client.create("customercontacts", ["reseller_id": 1, "email": "p@example.invalid"]))
        let add = client.patch(
            "/api/customercontacts/\(contactID)", [["op": "add", "path": "/city", "value": "x"]])
        #expect(add?.status == 400)
        #expect(add?.json?["message"] == "Invalid PATCH op 'add', must be one of 'replace', 'copy'")
        let notArray = client.patch(
            "/api/customercontacts/\(contactID)", ["op": "replace", "path": "/city", "value": "x"])
        #expect(notArray?.json?["message"] == "Body for PATCH must be an array.")
        let empty = client.patch("/api/customercontacts/\(contactID)", [])
        #expect(empty?.status == 500)
        let copy = client.send(
            "PATCH", "/api/customercontacts/\(contactID)",
            body: #"[{"op":"copy","from":"/email","path":"/company"}]"#,
            contentType: "application/json-patch+json",
            headers: ["Prefer": "return=representation"])
        #expect(copy?.status == 200)
        #expect(copy?.json?["company"] == "p@example.invalid")
        #expect(copy?.header("Preference-Applied") == "return=representation")
        let wrongType = client.send(
            "PATCH", "/api/customercontacts/\(contactID)", body: "[]",
            contentType: "application/json")
        #expect(wrongType?.status == 415)

        let (domainID, customerID) = emulator.makeCustomer(tag: "patchsub")
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "1"))
        let alias = client.patch(
            "/api/subscribers/\(subscriberID)",
            [
                [
                    "op": "add", "path": "/alias_numbers/-",
                    "value": ["cc": "43", "ac": "1", "sn": "2"],
                ]
            ])
        #expect(alias?.status == 204)
        #expect(alias?.header("Preference-Applied") == "return=minimal")
        let subscriber = try #require(client.get("/api/subscribers/\(subscriberID)")?.json)
        #expect(subscriber["alias_numbers"]?.arrayValue?.first?["sn"] == "2")
        let missing = client.patch(
            "/api/customers/\(customerID)", [["op": "replace", "path": "/no_such", "value": 1]])
        #expect(missing?.status == 422)
    }

    @Test("web password never returned")
    func webPasswordNeverReturned() throws {
        // NGCP shows `webpassword` as null while none is set, and omits it once one is.
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "webpw")
        let withoutID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "plain", sn: "20"))
        let without = try #require(client.get("/api/subscribers/\(withoutID)")?.json)
        #expect(without["webpassword"] == .null)

        let withID = try #require(
            client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "web", "password": "x", "webpassword": "Web-Secret-1",
                    "primary_number": ["cc": "43", "ac": "1", "sn": "21"],
                ]))
        let listed = client.get("/api/subscribers/?username=web")
        #expect(listed?.text.contains("Web-Secret-1") == false)
        let with = try #require(client.get("/api/subscribers/\(withID)"))
        #expect(with.json?["webpassword"] == nil)
        #expect(!with.text.contains("Web-Secret-1"))

        // `add` sets a web password whether the member is shown as null or not at all.
        for id in [withoutID, withID] {
            let patch = client.patch(
                "/api/subscribers/\(id)",
                [["op": "add", "path": "/webpassword", "value": "Web-Secret-2"]])
            #expect(patch?.status == 204)
            let read = try #require(client.get("/api/subscribers/\(id)"))
            #expect(read.json?["webpassword"] == nil)
            #expect(!read.text.contains("Web-Secret-2"))
        }
    }

    @Test func jsonPatchExtensions() throws {
        let document: JSONValue = ["list": ["a", "b", "a"], "name": "x"]
        let appended = try JSONPatch.apply(
            [["op": "add", "path": "/list", "value": ["c", "d"], "mode": "append"]], to: document)
        #expect(appended["list"] == ["a", "b", "a", "c", "d"])
        let removedAll = try JSONPatch.apply(
            [["op": "remove", "path": "/list", "value": "a"]], to: document)
        #expect(removedAll["list"] == ["b"])
        let removedSecond = try JSONPatch.apply(
            [["op": "remove", "path": "/list", "value": "a", "index": 1]], to: document)
        #expect(removedSecond["list"] == ["a", "b"])
        #expect(throws: APIError.self) {
            try JSONPatch.apply([["op": "replace", "path": "/missing", "value": 1]], to: document)
        }
    }

    @Test func usernamesAndNumbersAreUnique() throws {
        let emulator = try RunningEmulator()
        let (domainID, customerID) = emulator.makeCustomer(tag: "unique")
        let first = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "bob", sn: "10"))
        let duplicate = emulator.client.post(
            "/api/subscribers/",
            [
                "customer_id": .int(customerID), "domain_id": .int(domainID), "username": "BOB",
                "password": "x", "primary_number": ["cc": "43", "ac": "1", "sn": "11"],
            ])
        #expect(duplicate?.status == 422)
        #expect(duplicate?.json?["message"] == "Subscriber already exists.")
        let sameNumber = emulator.client.post(
            "/api/subscribers/",
            [
                "customer_id": .int(customerID), "domain_id": .int(domainID), "username": "carl",
                "password": "x", "primary_number": ["cc": "43", "ac": "1", "sn": "10"],
            ])
        #expect(sameNumber?.json?["message"] == "Number '43-1-10' already exists.")
        let domain = emulator.client.post(
            "/api/domains/", ["domain": "UNIQUE.example.org", "reseller_id": 1])
        #expect(domain?.json?["message"] == "Domain 'UNIQUE.example.org' already exists.")

        // Deleting frees username and number at once.
        #expect(emulator.client.send("DELETE", "/api/subscribers/\(first)")?.status == 204)
        #expect(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "bob", sn: "10")
                != nil)
    }

    @Test func sipSubscriberKeepsPrimaryNumber() throws {
        // NGCP rejects every update that leaves a sipaccount subscriber without a primary
        // number, so a plan cannot free one by setting it to null.
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "keepnum")
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "dora", sn: "30"))
        let path = "/api/subscribers/\(subscriberID)"
        let required = "A primary_number is required for the SIP subscriber."

        let patchNull = client.patch(
            path, [["op": "replace", "path": "/primary_number", "value": .null]])
        #expect(patchNull?.status == 422)
        #expect(patchNull?.json?["message"] == .string(required))

        let patchRemove = client.patch(path, [["op": "remove", "path": "/primary_number"]])
        #expect(patchRemove?.status == 422)
        #expect(patchRemove?.json?["message"] == .string(required))

        let putNull = client.put(
            path,
            [
                "customer_id": .int(customerID), "domain_id": .int(domainID),
                "username": "dora", "password": "x", "primary_number": .null,
            ])
        #expect(putNull?.status == 422)
        #expect(putNull?.json?["message"] == .string(required))

        let subscriber = try #require(client.get(path)?.json)
        #expect(subscriber["primary_number"]?["sn"] == "30")
    }

    @Test func customerStatusCascades() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "cascade")
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "5"))
        func status(_ value: String) -> Int? {
            client.patch(
                "/api/customers/\(customerID)",
                [["op": "replace", "path": "/status", "value": .string(value)]])?.status
        }
        #expect(status("locked") == 204)
        var subscriber = try #require(client.get("/api/subscribers/\(subscriberID)")?.json)
        #expect(subscriber["lock"] == "4")
        #expect(subscriber["status"] == "locked")
        #expect(status("active") == 204)
        subscriber = try #require(client.get("/api/subscribers/\(subscriberID)")?.json)
        #expect(subscriber["lock"] == .null)
        #expect(status("pending") == 500)

        #expect(status("terminated") == 204)
        #expect(client.get("/api/subscribers/\(subscriberID)")?.status == 404)
        #expect(client.get("/api/callforwards/\(subscriberID)")?.status == 404)
        let customer = try #require(client.get("/api/customers/\(customerID)")?.json)
        #expect(customer["status"] == "terminated")
        let refused = client.patch(
            "/api/customers/\(customerID)",
            [["op": "replace", "path": "/status", "value": "active"]])
        #expect(
            refused?.json?["message"] == "Customer is already terminated and cannot be changed.")
    }

    @Test func unlockingCustomerKeepsOwnLocks() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "ownlock")
        let lockedCustomer = client.patch(
            "/api/customers/\(customerID)",
            [["op": "replace", "path": "/status", "value": "locked"]])
        #expect(lockedCustomer?.status == 204)
        // Created under the locked customer, this subscriber is active with its own lock.
        let subscriberID = try #require(
            client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "own", "password": "x", "lock": 2,
                    "primary_number": ["cc": "43", "ac": "1", "sn": "88"],
                ]))
        let unlocked = client.patch(
            "/api/customers/\(customerID)",
            [["op": "replace", "path": "/status", "value": "active"]])
        #expect(unlocked?.status == 204)
        #expect(client.get("/api/subscribers/\(subscriberID)")?.json?["lock"] == "2")
    }

    @Test func resellerStatusCascades() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let resellerID = try #require(
            client.create("resellers", ["contract_id": 50, "name": "cascade", "status": "active"]))
        let profileID = try #require(
            client.create(
                "billingprofiles",
                ["reseller_id": .int(resellerID), "handle": "cascade", "name": "Cascade"]))
        let contactID = try #require(
            client.create(
                "customercontacts",
                ["reseller_id": .int(resellerID), "email": "r@cascade.invalid"]))
        let domainID = try #require(
            client.create(
                "domains", ["reseller_id": .int(resellerID), "domain": "cascade.invalid"]))
        let customerID = try #require(
            client.create(
                "customers",
                [
                    "contact_id": .int(contactID), "billing_profile_id": .int(profileID),
                    "status": "active", "type": "sipaccount",
                ]))
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "66"))
        func status(_ value: String) -> Int? {
            client.patch(
                "/api/resellers/\(resellerID)",
                [["op": "replace", "path": "/status", "value": .string(value)]])?.status
        }
        #expect(status("locked") == 204)
        #expect(client.get("/api/customers/\(customerID)")?.json?["status"] == "locked")
        #expect(client.get("/api/subscribers/\(subscriberID)")?.json?["lock"] == "4")
        #expect(status("terminated") == 204)
        #expect(client.get("/api/customers/\(customerID)")?.json?["status"] == "terminated")
        #expect(client.get("/api/domains/\(domainID)")?.status == 404)
        #expect(client.get("/api/subscribers/\(subscriberID)")?.status == 404)
    }

    @Test func contactInUseAndDomainDelete() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "inuse")
        let contactID = try #require(
            client.get("/api/customers/\(customerID)")?.json?["contact_id"]?.intValue)
        #expect(client.send("DELETE", "/api/customercontacts/\(contactID)")?.status == 423)
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "7"))
        #expect(client.send("DELETE", "/api/domains/\(domainID)")?.status == 204)
        #expect(client.get("/api/subscribers/\(subscriberID)")?.status == 404)
    }

    @Test func subscriberEmailGetsContactRow() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "mailrow")
        let subscriberID = try #require(
            client.create(
                "subscribers",
                [
                    "customer_id": .int(customerID), "domain_id": .int(domainID),
                    "username": "mail", "password": "x", "email": "mail@mailrow.invalid",
                    "primary_number": ["cc": "43", "ac": "1", "sn": "55"],
                ]))
        let listed = client.get("/api/customercontacts/?email=mail@mailrow.invalid")?.json
        #expect(listed?["total_count"] == 1)
        let contactID = try #require(listed?.embedded("customercontacts").first?["id"]?.intValue)
        #expect(client.send("DELETE", "/api/customercontacts/\(contactID)")?.status == 423)

        let cleared = client.patch(
            "/api/subscribers/\(subscriberID)", [["op": "replace", "path": "/email", "value": nil]])
        #expect(cleared?.status == 204)
        #expect(
            client.get("/api/customercontacts/?email=mail@mailrow.invalid")?.json?["total_count"]
                == 0)
    }

    @Test func callForwardDestinationsAreNormalised() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "cf")
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "9"))
        let response = client.put(
            "/api/callforwards/\(subscriberID)",
            [
                "cft": [
                    "destinations": [["destination": "4312345"], ["destination": "voicebox"]],
                    "ringtimeout": 25,
                ]
            ], prefer: "return=representation")
        let cft = try #require(response?.json?["cft"])
        let destinations = try #require(cft["destinations"]?.arrayValue)
        #expect(destinations[0]["destination"] == "sip:4312345@cf.example.org")
        #expect(destinations[0]["simple_destination"] == "4312345")
        #expect(destinations[1]["destination"] == "voicebox")
        #expect(cft["ringtimeout"] == 25)
        #expect(response?.json?["cfu"] == [:])
        let badTimeout = client.put(
            "/api/callforwards/\(subscriberID)",
            ["cft": ["destinations": [["destination": "1"]], "ringtimeout": "abc"]])
        #expect(badTimeout?.status == 422)
        #expect(
            badTimeout?.json?["message"]?.stringValue?.hasPrefix(
                "Validation failed. field='cft_ringtimeout'") == true)
        let emptyDestination = client.put(
            "/api/callforwards/\(subscriberID)", ["cfu": ["destinations": [["destination": ""]]]])
        #expect(emptyDestination?.status == 500)
        #expect(client.get("/api/callforwards/\(subscriberID)")?.json?["cft"]?["ringtimeout"] == 25)
        let sets = try #require(
            client.get("/api/cfdestinationsets/?subscriber_id=\(subscriberID)")?.json)
        let stored = sets.embedded("cfdestinationsets").first?["destinations"]?.arrayValue
        #expect(stored?[1]["destination"] == "sip:vmu4319@voicebox.local")
    }

    @Test func freshSubscriberPreferences() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        let (domainID, customerID) = emulator.makeCustomer(tag: "prefs")
        let subscriberID = try #require(
            emulator.makeSubscriber(
                customerID: customerID, domainID: domainID, username: "u", sn: "3", aliases: ["4"]))
        let preferences = try #require(
            client.get("/api/subscriberpreferences/\(subscriberID)")?.json)
        #expect(preferences["cc"] == "43")
        #expect(preferences["ac"] == "1")
        #expect(preferences["allowed_clis"] == ["4313", "4314"])
        #expect(preferences["call_log_level"] == "notice")
        let invalid = client.put(
            "/api/subscriberpreferences/\(subscriberID)", ["language": "xx", "concurrent_max": 2])
        #expect(invalid?.json?["message"] == "Invalid enum value in preference 'language'")
        let replaced = client.put(
            "/api/subscriberpreferences/\(subscriberID)",
            ["concurrent_max": "5", "block_in_mode": 1, "unknown_pref": "x"],
            prefer: "return=representation")
        let body = try #require(replaced?.json)
        #expect(body["concurrent_max"] == 5)
        #expect(body["block_in_mode"] == true)
        #expect(body["cc"] == nil)
        #expect(body["unknown_pref"] == nil)
    }
}
