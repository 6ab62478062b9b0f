import Emulator
import NGCPCore
import Testing

@testable import NGCPClient

/// The API client against the in-process emulator.
@Suite struct APIClientTests {
    @Test func pagingReturnsEveryItemOnce() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            var created: [Int] = []
            for index in 0..<23 {
                created.append(try await fixture.domain("page\(index).example.org"))
            }

            let items = try await client.list(
                "domains", filters: ["domain": "page*.example.org"], rows: 4)
            let ids = items.compactMap { $0["id"]?.intValue }

            #expect(items.count == 23)
            #expect(ids == created.sorted())
            #expect(Set(ids).count == ids.count)
            let names = Set(items.compactMap { $0["domain"]?.stringValue })
            #expect(names == Set((0..<23).map { "page\($0).example.org" }))
        }
    }

    @Test func pageSizeOneAndExactMultiple() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            for index in 0..<6 { _ = try await fixture.domain("exact\(index).example.org") }

            let byOne = try await client.list("domains", filters: ["domain": "exact*"], rows: 1)
            let byThree = try await client.list("domains", filters: ["domain": "exact*"], rows: 3)
            #expect(byOne.count == 6)
            #expect(byThree.count == 6)
            #expect(byOne == byThree)
        }
    }

    @Test func emptyCollectionGivesNoItems() async throws {
        try await withEmulator { _, client in
            let items = try await client.list("domains", filters: ["domain": "absent*"])
            #expect(items.isEmpty)
            let count = try await client.count("domains", filters: ["domain": "absent*"])
            #expect(count == 0)
        }
    }

    @Test func pagesAreReadInParallel() async throws {
        var faults = FaultSettings()
        faults.latencyMilliseconds = 150
        try await withEmulator(faults: faults, pageConcurrency: 4) { _, client in
            let fixture = Fixture(client: client)
            for index in 0..<10 { _ = try await fixture.domain("par\(index).example.org") }

            let items = try await client.list("domains", filters: ["domain": "par*"], rows: 2)

            // The overlap itself is observed with in-flight counters in PagingTests.
            #expect(items.count == 10)
            #expect(client.statistics.readsByCollection["domains"] == 5)
        }
    }

    @Test func notFoundCarriesServerMessage() async throws {
        try await withEmulator { _, client in
            let error = await #expect(throws: NGCPAPIError.self) {
                try await client.get("/api/domains/999999")
            }
            #expect(error?.status == 404)
            #expect(error?.isNotFound == true)
            #expect(error?.message == "Entity 'domain' not found.")
            #expect(error?.method == .get)
            #expect(error?.path == "/api/domains/999999")
            #expect(error?.outcomeUnknown == false)
        }
    }

    @Test func validationErrorCarriesServerMessage() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            _ = try await fixture.domain("dup.example.org")

            let duplicate = await #expect(throws: NGCPAPIError.self) {
                try await fixture.domain("dup.example.org")
            }
            #expect(duplicate?.status == 422)
            #expect(duplicate?.message == "Domain 'dup.example.org' already exists.")
            #expect(duplicate?.outcomeUnknown == false)

            let invalid = await #expect(throws: NGCPAPIError.self) {
                try await client.post("/api/domains/", body: ["domain": "x.example.org"])
            }
            #expect(invalid?.status == 422)
            #expect(invalid?.message.hasPrefix("Validation failed.") == true)
        }
    }

    @Test func wrongPasswordIsAuthenticationError() async throws {
        try await withEmulator { server, _ in
            let client = NGCPAPIClient(
                baseURL: server.baseURL, user: "administrator", password: SecretValue("wrong"))
            let error = await #expect(throws: NGCPAPIError.self) {
                try await client.get("/api/domains/")
            }
            #expect(error?.kind == .authentication)
            #expect(
                error?.message
                    == "authentication failed for user 'administrator' at \(server.baseURL): "
                    + "check NGCP_USER/NGCP_PASSWORD")
        }
    }

    @Test func postReturnsIDFromLocation() async throws {
        try await withEmulator { _, client in
            let id = try await Fixture(client: client).domain("loc.example.org")
            let domain = try await client.get("/api/domains/\(id)")
            #expect(domain["id"]?.intValue == id)
            #expect(domain["domain"] == "loc.example.org")
        }
    }

    @Test func patchIsAcceptedAsJSONPatch() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let contact = try await fixture.contact("patch@example.org")
            let customer = try await fixture.customer("patch-1", contactID: contact)

            let minimal = try await client.patch(
                "/api/customers/\(customer)",
                operations: [["op": "replace", "path": "/status", "value": "locked"]])
            #expect(minimal == nil)

            let full = try await client.patch(
                "/api/customers/\(customer)",
                operations: [["op": "replace", "path": "/external_id", "value": "patch-2"]],
                returnRepresentation: true, idempotent: true)
            #expect(full?["external_id"] == "patch-2")
            #expect(full?["status"] == "locked")
        }
    }

    @Test func putWithRepresentation() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let contact = try await fixture.contact("put@example.org")
            let customer = try await fixture.customer("put-1", contactID: contact)

            let body: JSONValue = [
                "contact_id": .int(contact), "billing_profile_id": 1, "status": "active",
                "type": "sipaccount", "external_id": "put-2",
            ]
            let representation = try await client.put(
                "/api/customers/\(customer)", body: body, returnRepresentation: true)
            #expect(representation?["external_id"] == "put-2")
            let stored = try await client.get("/api/customers/\(customer)")
            #expect(stored["external_id"] == "put-2")
        }
    }

    @Test func deleteOfMissingObject() async throws {
        try await withEmulator { _, client in
            let id = try await Fixture(client: client).domain("gone.example.org")
            let first = try await client.delete("/api/domains/\(id)")
            #expect(first == .deleted)

            await #expect(throws: NGCPAPIError.self) {
                try await client.delete("/api/domains/\(id)")
            }
            let again = try await client.delete("/api/domains/\(id)", notFoundIsDone: true)
            #expect(again == .alreadyAbsent)
        }
    }

    @Test func readsSurviveUnavailableServer() async throws {
        var faults = FaultSettings()
        faults.unavailableRate = 0.4
        faults.seed = 7
        let retry = RetryPolicy(maxAttempts: 10, initialDelay: 0.01, maxDelay: 0.05)
        try await withEmulator(faults: faults, retry: retry) { _, client in
            for _ in 0..<10 {
                let resellers = try await client.list("resellers")
                #expect(resellers.count == 1)
            }
        }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        var faults = FaultSettings()
        faults.tooManyRequestsRate = 0.5
        faults.retryAfterSeconds = 1
        faults.seed = 3
        let retry = RetryPolicy(maxAttempts: 8, initialDelay: 0.01, maxDelay: 0.05)
        try await withEmulator(faults: faults, retry: retry) { _, client in
            let start = ContinuousClock.now
            for _ in 0..<4 {
                _ = try await client.get("/api/resellers/1")
            }
            let elapsed = ContinuousClock.now - start

            // With a 0.5 rate over at least four requests, one 429 is all but certain for the
            // fixed seed, and each one costs the full second of Retry-After.
            #expect(elapsed >= .milliseconds(950))
        }
    }
}
