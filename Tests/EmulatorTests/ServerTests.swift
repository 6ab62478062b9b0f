import Foundation
import NGCPCore
import Synchronization
import Testing

@testable import Emulator

/// Persistence, accounts, faults, concurrency and bulk data.
@Suite struct ServerTests {
    private func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("emulator-\(UUIDText.make()).sqlite").path
    }

    @Test func dataSurvivesRestart() throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        var subscriberID = 0
        var customerID = 0
        do {
            let emulator = try RunningEmulator { $0.databasePath = path }
            let customer = emulator.makeCustomer(tag: "persist")
            customerID = customer.customerID
            subscriberID = try #require(
                emulator.makeSubscriber(
                    customerID: customer.customerID, domainID: customer.domainID, username: "keep",
                    sn: "8")
            )
            #expect(
                emulator.client.send("DELETE", "/api/domains/\(customer.domainID + 100)")?.status
                    == 404
            )
        }
        let restarted = try RunningEmulator { $0.databasePath = path }
        let subscriber = try #require(
            restarted.client.get("/api/subscribers/\(subscriberID)")?.json)
        #expect(subscriber["username"] == "keep")
        #expect(subscriber["primary_number"]?["sn"] == "8")
        // Ids keep counting from where the first run stopped.
        let next = restarted.makeCustomer(tag: "persist2")
        #expect(next.customerID > customerID)
    }

    @Test func generationOnlyFillsNewDatabases() throws {
        let path = temporaryDatabase()
        defer {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        let settings = GenerationSettings(customers: 2, subscribers: 5)
        do {
            let first = try RunningEmulator {
                $0.databasePath = path
                $0.generation = settings
            }
            #expect(first.client.get("/api/subscribers/")?.json?["total_count"] == 5)
        }
        // The second start notes at info level that it ignores the generation settings.
        let second = try RunningEmulator {
            $0.databasePath = path
            $0.generation = settings
            $0.logLevel = .warning
        }
        #expect(second.client.get("/api/subscribers/")?.json?["total_count"] == 5)
    }

    @Test func freshDatabaseContent() throws {
        let emulator = try RunningEmulator()
        let client = emulator.client
        #expect(client.get("/api/resellers/1")?.json?["name"] == "default")
        #expect(client.get("/api/billingprofiles/1")?.json?["handle"] == "default")
        #expect(
            client.get("/api/customercontacts/1")?.json?["email"]
                == "default-customer@default.invalid")
        #expect(client.get("/api/customers/1")?.status == 404)
        #expect(client.get("/api/domains/")?.json?["total_count"] == 0)
    }

    @Test func authenticationAndResellerScope() throws {
        let emulator = try RunningEmulator {
            $0.accounts = [
                .defaultAdministrator,
                EmulatorAccount(username: "r2", password: "pw", resellerID: 2),
            ]
        }
        var admin = emulator.client
        let resellerContract = 90
        #expect(
            admin.create(
                "resellers",
                ["contract_id": .int(resellerContract), "name": "second", "status": "active"]) == 2)
        let ownDomain = emulator.client.create(
            "domains", ["domain": "own.example.org", "reseller_id": 2])
        let otherDomain = emulator.client.create(
            "domains", ["domain": "other.example.org", "reseller_id": 1])

        var reseller = TestClient(port: emulator.server.port)
        reseller.username = "r2"
        reseller.password = "pw"
        #expect(reseller.get("/api/domains/\(otherDomain ?? 0)")?.status == 404)
        let own = try #require(reseller.get("/api/domains/\(ownDomain ?? 0)")?.json)
        #expect(own["domain"] == "own.example.org")
        #expect(own["reseller_id"] == nil)
        #expect(reseller.get("/api/domains/")?.json?["total_count"] == 1)

        admin.password = "wrong"
        let denied = admin.get("/api/domains/")
        #expect(denied?.status == 401)
        #expect(denied?.header("WWW-Authenticate") == "Basic realm=\"api_admin_http\"")
        #expect(denied?.text == "Authorization required.")
    }

    @Test func injectedFaultsAreDeterministic() throws {
        func statuses(seed: UInt64) throws -> [Int] {
            let emulator = try RunningEmulator {
                $0.faults.tooManyRequestsRate = 0.5
                $0.faults.retryAfterSeconds = 7
                $0.faults.seed = seed
            }
            return (0..<20).map { _ in emulator.client.get("/api/domains/")?.status ?? 0 }
        }
        let first = try statuses(seed: 3)
        #expect(first == (try statuses(seed: 3)))
        #expect(first.contains(429))
        #expect(first.contains(200))

        let limited = try RunningEmulator { $0.faults.tooManyRequestsRate = 1 }
        #expect(limited.client.get("/api/domains/")?.header("Retry-After") == "1")

        // A cut response still carries out the request; the client sees half a body.
        let dropping = try RunningEmulator { $0.faults.dropConnectionRate = 1 }
        #expect(
            dropping.client.post("/api/domains/", ["domain": "cut.example.org", "reseller_id": 1])
                == nil)
        let cut = try #require(dropping.client.get("/api/domains/?domain=cut.example.org"))
        let declaredLength = Int(cut.header("Content-Length") ?? "") ?? 0
        #expect(cut.status == 200)
        #expect(cut.body.count < declaredLength)
        #expect(cut.json == nil)

        // The write is committed even though the client sees a 500.
        let failing = try RunningEmulator { $0.faults.commitThenFailRate = 1 }
        let response = failing.client.post(
            "/api/domains/", ["domain": "kept.example.org", "reseller_id": 1])
        #expect(response?.status == 500)
        #expect(
            failing.client.get("/api/domains/?domain=kept.example.org")?.json?["total_count"] == 1)
    }

    @Test func parallelWritesAreNotLost() throws {
        let emulator = try RunningEmulator()
        let port = emulator.server.port
        let created = Mutex<[Int]>([])
        let done = DispatchGroup()
        for thread in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                let client = TestClient(port: port)
                for index in 0..<25 {
                    if let id = client.create(
                        "customercontacts",
                        ["reseller_id": 1, "email": .string("p\(thread)-\(index)@example.invalid")])
                    {
                        created.withLock { $0.append(id) }
                    }
                }
                done.leave()
            }
        }
        done.wait()
        let ids = created.withLock { $0 }
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        let listed = emulator.client.get("/api/customercontacts/?email=p*&rows=1000")?.json
        #expect(listed?["total_count"] == 200)
    }

    @Test func generatedDataIsServedInPages() throws {
        let emulator = try RunningEmulator {
            $0.generation = GenerationSettings(customers: 100, subscribers: 5000)
        }
        let client = emulator.client
        #expect(client.get("/api/subscribers/?rows=1")?.json?["total_count"] == 5000)
        let page = client.get("/api/subscribers/?rows=1000&page=2")
        #expect(page?.json?.embedded("subscribers").count == 1000)
        let forwards = try #require(client.get("/api/cfdestinationsets/?rows=1")?.json)
        #expect((forwards["total_count"]?.intValue ?? 0) > 0)
    }

    @Test func seedFileCreatesObjects() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("seed-\(UUIDText.make()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let seed: JSONValue = [
            "domains": [["domain": "seed.example.org", "reseller_id": 1]],
            "customers": [
                [
                    "external_id": "seeded",
                    "contact": ["reseller_id": 1, "email": "s@example.invalid"],
                    "subscribers": [
                        [
                            "domain": "seed.example.org", "username": "alice", "password": "pw",
                            "primary_number": ["cc": "43", "ac": "1", "sn": "77"],
                            "callforwards": [
                                "cfu": ["destinations": [["destination": "voicebox"]]]
                            ],
                            "preferences": ["concurrent_max": 3],
                        ]
                    ],
                ]
            ],
        ]
        try Data(seed.serialized().utf8).write(to: URL(fileURLWithPath: path))
        let emulator = try RunningEmulator { $0.seedPath = path }
        let subscriber = try #require(
            emulator.client.get("/api/subscribers/?username=alice")?.json?.embedded("subscribers")
                .first)
        let id = try #require(subscriber["id"]?.intValue)
        #expect(
            emulator.client.get("/api/callforwards/\(id)")?.json?["cfu"]?["destinations"]?
                .arrayValue?.count == 1)
        #expect(
            emulator.client.get("/api/subscriberpreferences/\(id)")?.json?["concurrent_max"] == 3)

        try Data(#"{"domains": [{"domain": ""}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EmulatorError.self) { _ = try RunningEmulator { $0.seedPath = path } }
    }
}
