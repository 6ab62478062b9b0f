import Emulator
import LiveState
import NGCPClient
import NGCPCore
import Synchronization
import Testing

@testable import Apply

/// The plan executor against the in-process emulator.
@Suite struct PlanExecutorTests {
    private func create(
        _ id: Int, _ resource: ResourceKind, _ name: String, path: String, body: JSONValue,
        dependsOn: [Int] = []
    ) -> PlannedOperation {
        PlannedOperation(
            id: id, action: .create, resource: resource, name: name, method: .post, path: path,
            body: body, dependsOn: dependsOn)
    }

    private func domain(_ id: Int, _ name: String, dependsOn: [Int] = []) -> PlannedOperation {
        create(
            id, .domains, name, path: "/api/domains/",
            body: ["domain": .string(name), "reseller_id": 1], dependsOn: dependsOn)
    }

    /// Domain, contact, customer, subscriber and its call forwards, linked by placeholders.
    private func customerPlan() -> Plan {
        let subscriber = ResourceID(.subscribers, "frank@exec.example.org")
        return Plan(operations: [
            domain(1, "exec.example.org"),
            create(
                2, .customercontacts, "exec-1", path: "/api/customercontacts/",
                body: ["reseller_id": 1, "email": "exec@example.org"]),
            create(
                3, .customers, "exec-1", path: "/api/customers/",
                body: [
                    "contact_id": PlanPlaceholder.createdID(of: 2), "billing_profile_id": 1,
                    "status": "active", "type": "sipaccount", "external_id": "exec-1",
                ], dependsOn: [2]),
            create(
                4, .subscribers, subscriber.name, path: "/api/subscribers/",
                body: [
                    "customer_id": PlanPlaceholder.createdID(of: 3),
                    "domain_id": PlanPlaceholder.createdID(of: 1), "username": "frank",
                    "password": PlanPlaceholder.secret(
                        .environment("FRANK_SIP"), owner: subscriber, field: "password"),
                    "primary_number": ["cc": "43", "ac": "99", "sn": "5001"],
                ], dependsOn: [1, 3]),
            PlannedOperation(
                id: 5, action: .create, resource: .callforwards, name: subscriber.name,
                method: .put, path: "/api/callforwards/{id:4}",
                body: ["cfu": ["destinations": [["destination": "4399115099"]]]],
                dependsOn: [4]),
        ])
    }

    private let secrets = PlanSecrets(
        resolver: SecretResolver(environment: ["FRANK_SIP": "Frank-Sip-1"]))

    @Test func createsCustomerChain() async throws {
        try await withEmulator { _, client in
            let events = Mutex<[String]>([])
            let executor = PlanExecutor(client: client, secrets: secrets) { event in
                switch event {
                case .started(let operation):
                    events.withLock { $0.append("start \(operation.id)") }
                case .finished(let operation, let result):
                    events.withLock { $0.append("end \(operation.id) \(result.outcome)") }
                }
            }
            let result = await executor.execute(customerPlan())

            #expect(result.succeeded)
            #expect(
                result.operations.map(\.outcome) == [
                    .created, .created, .created, .created, .created,
                ])
            #expect(result.summary[.created] == 5)
            #expect(result.operations[4].createdID == nil)
            #expect(
                events.withLock { $0 } == [
                    "start 1", "end 1 created", "start 2", "end 2 created", "start 3",
                    "end 3 created", "start 4", "end 4 created", "start 5", "end 5 created",
                ])

            var state = try await LiveStateReader(client: client).read()
            let subscriberID = try #require(result.operations[3].createdID)
            try await LiveStateReader(client: client).readSubscriberBlocks(
                forwardsFor: [subscriberID], preferencesFor: [], into: &state)

            let customer = try #require(state.customers.first { $0["external_id"] == "exec-1" })
            #expect(customer.id == result.operations[2].createdID)
            #expect(customer["contact_id"]?.intValue == result.operations[1].createdID)
            let subscriber = try #require(state.subscribers.first)
            #expect(subscriber.id == subscriberID)
            #expect(subscriber["customer_id"]?.intValue == customer.id)
            #expect(subscriber["domain_id"]?.intValue == result.operations[0].createdID)
            #expect(subscriber["password"] == "Frank-Sip-1")
            #expect(
                state.callforwards[subscriberID]?["cfu"]?["destinations"]?.arrayValue?.count == 1)
        }
    }

    @Test func stopsAfterFirstFailure() async throws {
        try await withEmulator { _, client in
            _ = try await Fixture(client: client).domain("taken.example.org")
            let plan = Plan(operations: [
                domain(1, "first.example.org"),
                domain(2, "taken.example.org"),
                domain(3, "third.example.org"),
                domain(4, "fourth.example.org", dependsOn: [2]),
            ])
            let result = await PlanExecutor(client: client).execute(plan)

            #expect(!result.succeeded)
            #expect(result.operations.map(\.outcome) == [.created, .failed, .skipped, .skipped])
            #expect(result.operations[1].error?.contains("already exists") == true)
            #expect(result.operations[2].error?.contains("operation 2 failed") == true)
            let third = try await client.list("domains", filters: ["domain": "third.example.org"])
            #expect(third.isEmpty)
        }
    }

    @Test func keepGoingSkipsOnlyDependants() async throws {
        try await withEmulator { _, client in
            _ = try await Fixture(client: client).domain("taken.example.org")
            let plan = Plan(operations: [
                domain(1, "taken.example.org"),
                domain(2, "second.example.org", dependsOn: [1]),
                domain(3, "third.example.org"),
            ])
            let executor = PlanExecutor(
                client: client, options: PlanExecutor.Options(keepGoing: true))
            let result = await executor.execute(plan)

            #expect(result.operations.map(\.outcome) == [.failed, .skipped, .created])
            #expect(
                result.operations[1].error
                    == "not run because it depends on operation 1, which failed")
            #expect(result.summary[.failed] == 1)
            #expect(result.summary[.skipped] == 1)
            #expect(result.summary[.created] == 1)
        }
    }

    @Test func missingSecretStopsBeforeAnyRequest() async throws {
        try await withEmulator { _, client in
            let executor = PlanExecutor(
                client: client, secrets: PlanSecrets(resolver: SecretResolver(environment: [:])))
            let result = await executor.execute(customerPlan())

            let message = result.error ?? ""
            #expect(message.contains("FRANK_SIP"))
            #expect(result.operations.allSatisfy { $0.outcome == .skipped })
            let domains = try await client.list("domains")
            #expect(domains.isEmpty)
        }
    }

    @Test func lostCreateResponseAdoptsObject() async throws {
        var faults = FaultSettings()
        faults.commitThenFailRate = 1
        try await withEmulator(faults: faults) { _, client in
            let plan = Plan(operations: [domain(1, "lost.example.org")])
            let result = await PlanExecutor(client: client).execute(plan)

            let operation = try #require(result.operations.first)
            #expect(operation.outcome == .created)
            #expect(operation.note?.contains("adopted") == true)
            let listed = try await client.list("domains", filters: ["domain": "lost.example.org"])
            #expect(listed.count == 1)
            #expect(listed.first?["id"]?.intValue == operation.createdID)
        }
    }

    @Test func lostContactCreateIsAdopted() async throws {
        var faults = FaultSettings()
        faults.commitThenFailRate = 1
        try await withEmulator(faults: faults) { _, client in
            let plan = Plan(operations: [
                create(
                    1, .customercontacts, "lost-1", path: "/api/customercontacts/",
                    body: ["reseller_id": 1, "email": "lost@example.org"])
            ])
            let result = await PlanExecutor(client: client).execute(plan)

            let operation = try #require(result.operations.first)
            #expect(operation.outcome == .created)
            #expect(operation.note?.contains("adopted") == true)
            let listed = try await client.list(
                "customercontacts", filters: ["email": "lost@example.org"])
            #expect(listed.count == 1)
            #expect(listed.first?["id"]?.intValue == operation.createdID)
        }
    }

    /// A contact create without an e-mail has nothing to look it up by, so it fails.
    @Test func lostContactWithoutEmailFails() async throws {
        var faults = FaultSettings()
        faults.commitThenFailRate = 1
        try await withEmulator(faults: faults) { _, client in
            let plan = Plan(operations: [
                create(
                    1, .customercontacts, "lost-2", path: "/api/customercontacts/",
                    body: ["reseller_id": 1, "firstname": "No", "lastname": "Mail"])
            ])
            let result = await PlanExecutor(client: client).execute(plan)

            let operation = try #require(result.operations.first)
            #expect(operation.outcome == .failed)
            #expect(operation.error?.contains("no unique key") == true)
        }
    }

    /// Counts operations between their `started` and `finished` events: the executor starts
    /// up to `parallelism` before it waits for the first result.
    @Test(arguments: [1, 3])
    func parallelismBoundsOperationsInFlight(_ parallelism: Int) async throws {
        try await withEmulator { _, client in
            let plan = Plan(operations: (1...6).map { domain($0, "p\($0).example.org") })
            let counters = Mutex((inFlight: 0, maximum: 0))
            let executor = PlanExecutor(
                client: client, options: PlanExecutor.Options(parallelism: parallelism),
                progress: { event in
                    counters.withLock { value in
                        switch event {
                        case .started: value.inFlight += 1
                        case .finished: value.inFlight -= 1
                        }
                        value.maximum = max(value.maximum, value.inFlight)
                    }
                })
            let result = await executor.execute(plan)

            #expect(result.succeeded)
            #expect(counters.withLock { $0.maximum } == parallelism)
            let domains = try await client.list("domains")
            #expect(domains.count == 6)
        }
    }
}

/// Updates, deletes and recovery of lost create responses through the executor.
@Suite struct PlanExecutorWriteTests {
    @Test func updatesAndDeletes() async throws {
        try await withEmulator { _, client in
            let fixture = Fixture(client: client)
            let domain = try await fixture.domain("upd.example.org")
            let spare = try await fixture.domain("spare.example.org")
            let contact = try await fixture.contact("upd@example.org")
            let customer = try await fixture.customer("upd-1", contactID: contact)
            let subscriber = try await fixture.subscriber(
                "gina", customerID: customer, domainID: domain, number: "6001")
            let name = "gina@upd.example.org"

            let plan = Plan(operations: [
                PlannedOperation(
                    id: 1, action: .update, resource: .customers, name: "upd-1", method: .patch,
                    path: "/api/customers/\(customer)",
                    body: [["op": "replace", "path": "/status", "value": "locked"]],
                    liveID: customer),
                PlannedOperation(
                    id: 2, action: .update, resource: .subscriberpreferences, name: name,
                    method: .put, path: "/api/subscriberpreferences/\(subscriber)",
                    body: ["language": "de"], liveID: subscriber),
                PlannedOperation(
                    id: 3, action: .delete, resource: .domains, name: "spare.example.org",
                    method: .delete, path: "/api/domains/\(spare)", liveID: spare),
                PlannedOperation(
                    id: 4, action: .delete, resource: .domains, name: "spare.example.org",
                    method: .delete, path: "/api/domains/\(spare)", dependsOn: [3],
                    liveID: spare),
            ])
            let result = await PlanExecutor(client: client).execute(plan)

            #expect(result.operations.map(\.outcome) == [.updated, .updated, .deleted, .unchanged])
            #expect(result.operations[3].note?.contains("404") == true)

            let stored = try await client.get("/api/customers/\(customer)")
            #expect(stored["status"] == "locked")
            let preferences = try await client.get("/api/subscriberpreferences/\(subscriber)")
            #expect(preferences["language"] == "de")
            let spares = try await client.list("domains", filters: ["domain": "spare*"])
            #expect(spares.isEmpty)
        }
    }

    @Test func strictDeleteFailsOnMissingObject() async throws {
        try await withEmulator { _, client in
            let plan = Plan(operations: [
                PlannedOperation(
                    id: 1, action: .delete, resource: .domains, name: "none.example.org",
                    method: .delete, path: "/api/domains/4242", liveID: 4242)
            ])
            let options = PlanExecutor.Options(deleteNotFoundIsDone: false)
            let result = await PlanExecutor(client: client, options: options).execute(plan)

            #expect(result.operations.first?.outcome == .failed)
            #expect(result.operations.first?.error?.contains("HTTP 404") == true)
        }
    }

    @Test func lostResponsesAdoptCustomerAndSubscriber() async throws {
        var faults = FaultSettings()
        faults.commitThenFailRate = 1
        try await withEmulator(faults: faults) { _, client in
            // Every write commits and then fails, so the contact's id comes from a lookup.
            _ = try? await Fixture(client: client).contact("adopt@example.org")
            let contacts = try await client.list(
                "customercontacts", filters: ["email": "adopt@example.org"])
            let contact = try #require(contacts.first?["id"]?.intValue)

            let subscriber = ResourceID(.subscribers, "hank@adopt.example.org")
            let plan = Plan(operations: [
                PlannedOperation(
                    id: 1, action: .create, resource: .domains, name: "adopt.example.org",
                    method: .post, path: "/api/domains/",
                    body: ["domain": "adopt.example.org", "reseller_id": 1]),
                PlannedOperation(
                    id: 2, action: .create, resource: .customers, name: "adopt-1",
                    method: .post, path: "/api/customers/",
                    body: [
                        "contact_id": .int(contact), "billing_profile_id": 1,
                        "status": "active", "type": "sipaccount", "external_id": "adopt-1",
                    ]),
                PlannedOperation(
                    id: 3, action: .create, resource: .subscribers, name: subscriber.name,
                    method: .post, path: "/api/subscribers/",
                    body: [
                        "customer_id": PlanPlaceholder.createdID(of: 2),
                        "domain_id": PlanPlaceholder.createdID(of: 1), "username": "hank",
                        "password": "Hank-Sip-1",
                        "primary_number": ["cc": "43", "ac": "99", "sn": "7001"],
                    ], dependsOn: [1, 2]),
            ])
            let result = await PlanExecutor(client: client).execute(plan)

            #expect(result.operations.map(\.outcome) == [.created, .created, .created])
            for operation in result.operations {
                #expect(operation.note?.contains("adopted") == true)
            }
            let listed = try await client.list("subscribers", filters: ["username": "hank"])
            #expect(listed.count == 1)
            #expect(listed.first?["id"]?.intValue == result.operations[2].createdID)
            #expect(listed.first?["customer_id"]?.intValue == result.operations[1].createdID)
        }
    }
}
