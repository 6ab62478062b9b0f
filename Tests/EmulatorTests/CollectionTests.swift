import NGCPCore
import Testing

@testable import Emulator

@Suite struct CollectionTests {
    private func makeCustomers(_ emulator: RunningEmulator, count: Int, tag: String) -> (
        contactID: Int, ids: [Int]
    ) {
        let client = emulator.client
        let contactID =
            client.create(
                "customercontacts", ["reseller_id": 1, "email": .string("\(tag)@x.invalid")])
            ?? 0
        var ids: [Int] = []
        for index in 0..<count {
            let id = client.create(
                "customers",
                [
                    "contact_id": .int(contactID), "billing_profile_id": 1, "status": "active",
                    "type": "sipaccount", "external_id": .string("\(tag)-\(index)"),
                ])
            ids.append(id ?? 0)
        }
        return (contactID, ids)
    }

    @Test func pagingLinksAndShapes() throws {
        let emulator = try RunningEmulator()
        let (contactID, ids) = makeCustomers(emulator, count: 5, tag: "page")
        let base = "/api/customers/?contact_id=\(contactID)"

        let first = try #require(emulator.client.get(base + "&page=1&rows=2")?.json)
        #expect(first["total_count"] == 5)
        #expect(first.embedded("customers").map { $0["id"] } == [.int(ids[0]), .int(ids[1])])
        #expect(
            first["_links"]?["next"]?["href"]
                == .string("/api/customers/?page=2&rows=2&contact_id=\(contactID)"))
        #expect(first["_links"]?["prev"] == nil)
        #expect(first["_links"]?["ngcp:customers"]?.arrayValue?.count == 2)

        let last = try #require(emulator.client.get(base + "&page=3&rows=2")?.json)
        #expect(last.embedded("customers").count == 1)
        #expect(last["_links"]?["next"] == nil)
        #expect(
            last["_links"]?["prev"]?["href"]
                == .string("/api/customers/?page=2&rows=2&contact_id=\(contactID)"))

        // Past the end: no _embedded at all, but still a prev link.
        let beyond = try #require(emulator.client.get(base + "&page=4&rows=2")?.json)
        #expect(beyond["_embedded"] == nil)
        #expect(beyond["total_count"] == 5)
        #expect(beyond["_links"]?["prev"] != nil)
        #expect(beyond["_links"]?["ngcp:customers"] == nil)
    }

    @Test func singleItemIsStillAnArray() throws {
        let emulator = try RunningEmulator()
        let (contactID, _) = makeCustomers(emulator, count: 1, tag: "single")
        let body = try #require(
            emulator.client.get("/api/customers/?contact_id=\(contactID)")?.json)
        #expect(body["_embedded"]?["ngcp:customers"]?.arrayValue?.count == 1)
        let item = try #require(body.embedded("customers").first)
        #expect(item["_links"]?["ngcp:billingprofiles"]?.arrayValue?.count == 1)
        #expect(item["_links"]?["self"]?.objectValue != nil)
    }

    @Test func pagingParameterErrors() throws {
        let emulator = try RunningEmulator()
        #expect(emulator.client.get("/api/customers/?rows=0")?.status == 400)
        #expect(emulator.client.get("/api/customers/?page=0")?.status == 400)
        #expect(emulator.client.get("/api/customers/?rows=-1")?.status == 500)
        #expect(emulator.client.get("/api/customers/?page=abc")?.status == 500)
        #expect(emulator.client.get("/api/customers/?rows=100000")?.status == 200)
    }

    @Test func wildcardFiltersIgnoreCase() throws {
        let emulator = try RunningEmulator()
        let (contactID, created) = makeCustomers(emulator, count: 3, tag: "Filter")
        func ids(_ query: String) -> [JSONValue] {
            emulator.client.get("/api/customers/?contact_id=\(contactID)&\(query)")?.json?
                .embedded("customers").compactMap { $0["id"] } ?? []
        }
        #expect(ids("external_id=filter-1") == [.int(created[1])])
        #expect(ids("external_id=FILTER-*").count == 3)
        #expect(ids("external_id=*-2") == [.int(created[2])])
        #expect(ids("external_id=filter") == [])
        // Unknown filters are ignored.
        #expect(ids("no_such_filter=1").count == 3)
    }

    @Test func orderByColumnAndDirection() throws {
        let emulator = try RunningEmulator()
        let (contactID, ids) = makeCustomers(emulator, count: 3, tag: "order")
        func order(_ query: String) -> [JSONValue] {
            emulator.client.get("/api/customers/?contact_id=\(contactID)&\(query)")?.json?
                .embedded("customers").compactMap { $0["id"] } ?? []
        }
        let ascending = ids.map { JSONValue.int($0) }
        #expect(order("order_by=id&order_by_direction=desc") == ascending.reversed())
        #expect(order("order_by=external_id&order_by_direction=DESC") == ascending.reversed())
        #expect(order("order_by=external_id&order_by_direction=sideways") == ascending)
        #expect(order("order_by=no_such_column&order_by_direction=desc") == ascending)
    }

    @Test func subscriberFilters() throws {
        let emulator = try RunningEmulator()
        let (domainID, customerID) = emulator.makeCustomer(tag: "subfilter")
        let alpha = emulator.makeSubscriber(
            customerID: customerID, domainID: domainID, username: "Alpha", sn: "100",
            aliases: ["101"])
        let beta = emulator.makeSubscriber(
            customerID: customerID, domainID: domainID, username: "beta", sn: "200")
        func ids(_ query: String) -> [JSONValue] {
            emulator.client.get("/api/subscribers/?\(query)")?.json?
                .embedded("subscribers").compactMap { $0["id"] } ?? []
        }
        #expect(ids("username=alpha") == [.int(alpha ?? 0)])
        #expect(ids("username=*a&customer_id=\(customerID)").count == 2)
        #expect(ids("alias=431101") == [.int(alpha ?? 0)])
        #expect(ids("alias=431100") == [.int(alpha ?? 0)])
        #expect(ids("primary_number=431200") == [.int(beta ?? 0)])
        #expect(ids("domain=subfilter.example.org").count == 2)
        // NGCP ignores these on subscribers.
        #expect(ids("customer_id=\(customerID)&status=locked").count == 2)
        #expect(ids("customer_id=\(customerID)&number=431200").count == 2)
    }

    @Test func emptyCollectionHasNoEmbedded() throws {
        let emulator = try RunningEmulator()
        let body = try #require(emulator.client.get("/api/subscribers/")?.json)
        #expect(body["_embedded"] == nil)
        #expect(body["total_count"] == 0)
        #expect(body["_links"]?["self"]?["href"] == "/api/subscribers/?page=1&rows=10")
    }
}
