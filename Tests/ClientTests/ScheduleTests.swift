import LiveState
import NGCPCore
import Testing

@testable import Apply

/// The apply order and placeholder handling, without any server.
@Suite struct ScheduleTests {
    private func operation(
        _ id: Int, _ resource: ResourceKind = .domains, name: String? = nil,
        path: String = "/api/domains/", body: JSONValue? = nil, dependsOn: [Int] = []
    ) -> PlannedOperation {
        PlannedOperation(
            id: id, action: .create, resource: resource, name: name ?? "object\(id)",
            method: .post, path: path, body: body, dependsOn: dependsOn)
    }

    @Test func dependenciesRunFirst() {
        let plan = Plan(operations: [
            operation(1, dependsOn: [3]), operation(2), operation(3),
        ])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        var order: [Int] = []
        while true {
            let started = schedule.start(limit: 1)
            guard let next = started.first else { break }
            order.append(next.id)
            schedule.finish(next.id, succeeded: true)
        }
        #expect(order == [2, 3, 1])
    }

    @Test func placeholderImpliesDependency() {
        let body: JSONValue = ["domain_id": PlanPlaceholder.createdID(of: 2)]
        let plan = Plan(operations: [
            operation(1, .subscribers, path: "/api/subscribers/", body: body),
            operation(2),
        ])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 5).map(\.id) == [2])
    }

    @Test func pathPlaceholderImpliesDependency() {
        let plan = Plan(operations: [
            operation(1, .callforwards, path: "/api/callforwards/{id:2}"),
            operation(2, .subscribers),
        ])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 5).map(\.id) == [2])
    }

    @Test func failureStopsScheduling() {
        let plan = Plan(operations: [operation(1), operation(2), operation(3)])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 1).map(\.id) == [1])
        schedule.finish(1, succeeded: false)
        #expect(schedule.start(limit: 1).isEmpty)
        schedule.skipRemaining()
        #expect(
            schedule.states[2]
                == .skipped("not run because operation 1 failed and the apply stopped"))
    }

    @Test func keepGoingSkipsOnlyDependants() {
        let plan = Plan(operations: [
            operation(1), operation(2, dependsOn: [1]), operation(3, dependsOn: [2]),
            operation(4),
        ])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: true)
        #expect(schedule.start(limit: 1).map(\.id) == [1])
        schedule.finish(1, succeeded: false)
        #expect(
            schedule.states[2]
                == .skipped("not run because it depends on operation 1, which failed"))
        #expect(
            schedule.states[3]
                == .skipped("not run because it depends on operation 2, which was skipped"))
        #expect(schedule.start(limit: 1).map(\.id) == [4])
    }

    @Test func missingDependencyIsSkipped() {
        let plan = Plan(operations: [operation(1, dependsOn: [9])])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 1).isEmpty)
        schedule.skipRemaining()
        #expect(
            schedule.states[1]
                == .skipped("not run because it depends on operation 9, which is not in the plan"))
    }

    @Test func cycleIsSkipped() {
        let plan = Plan(operations: [operation(1, dependsOn: [2]), operation(2, dependsOn: [1])])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 2).isEmpty)
        schedule.skipRemaining()
        #expect(schedule.states[1] != .pending)
        #expect(schedule.states[2] != .pending)
    }

    @Test func sameCustomerRunsSerially() {
        let customer: JSONValue = ["customer_id": 40]
        let plan = Plan(operations: [
            operation(1, .subscribers, name: "a@x", body: customer),
            operation(2, .subscribers, name: "b@x", body: customer),
            operation(3, .subscribers, name: "c@x", body: ["customer_id": 41]),
        ])
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 3).map(\.id) == [1, 3])
        schedule.finish(1, succeeded: true)
        #expect(schedule.start(limit: 3).map(\.id) == [2])
    }

    @Test func placeholdersResolve() throws {
        let reference = SecretReference(
            source: "env:SIP_PW", owner: "subscribers/a@x", field: "password")
        let body: JSONValue = [
            "customer_id": PlanPlaceholder.createdID(of: 3),
            "password": PlanPlaceholder.secret(
                .environment("SIP_PW"), owner: ResourceID(.subscribers, "a@x"), field: "password"),
            "aliases": [["number": PlanPlaceholder.createdID(of: 3)]],
        ]
        let resolved = try PlaceholderResolver.resolveBody(
            body, operation: 4, createdIDs: [3: 77], secrets: [reference: SecretValue("pw")])
        #expect(resolved == ["customer_id": 77, "password": "pw", "aliases": [["number": 77]]])

        let path = try PlaceholderResolver.resolvePath(
            "/api/callforwards/{id:3}", operation: 4, createdIDs: [3: 77])
        #expect(path == "/api/callforwards/77")
    }

    @Test func missingCreatedIDIsAnError() {
        #expect(throws: ApplyError.self) {
            try PlaceholderResolver.resolvePath("/api/x/{id:5}", operation: 6, createdIDs: [:])
        }
    }

    @Test func literalSecretNeedsCallerValue() throws {
        let reference = SecretReference(
            source: "literal", owner: "subscribers/a@x", field: "password")
        let secrets = PlanSecrets(literals: [reference: SecretValue("given")])
        #expect(try secrets.value(for: reference).value == "given")

        let other = SecretReference(source: "literal", owner: "subscribers/b@x", field: "password")
        #expect(throws: ApplyError.self) { try secrets.value(for: other) }
    }

    @Test func environmentSecretIsRead() throws {
        let secrets = PlanSecrets(resolver: SecretResolver(environment: ["PW": "from-env"]))
        let reference = SecretReference(
            source: "env:PW", owner: "subscribers/a@x", field: "password")
        #expect(try secrets.value(for: reference).value == "from-env")
    }

    @Test func outcomeFieldsMergeIntoOperation() {
        let result = OperationResult(
            operationID: 2, resourceID: ResourceID(.domains, "x"), action: .create,
            outcome: .created, createdID: 9, duration: .milliseconds(1500))
        let merged = result.merged(into: ["id": 2, "action": "create"])
        #expect(merged["outcome"] == "created")
        #expect(merged["created_id"] == 9)
        #expect(merged["error"] == .null)
        #expect(merged["duration_ms"] == 1500)
        #expect(merged["action"] == "create")
    }
}

@Suite struct ApplyResultJSONTests {
    @Test func documentMergesOutcomes() {
        let plan = Plan(operations: [
            PlannedOperation(
                id: 1, action: .create, resource: .domains, name: "a.example.org",
                method: .post, path: "/api/domains/"),
            PlannedOperation(
                id: 2, action: .create, resource: .domains, name: "b.example.org",
                method: .post, path: "/api/domains/"),
        ])
        let result = ApplyResult(operations: [
            OperationResult(
                operationID: 1, resourceID: ResourceID(.domains, "a.example.org"),
                action: .create, outcome: .created, createdID: 5),
            OperationResult(
                operationID: 2, resourceID: ResourceID(.domains, "b.example.org"),
                action: .create, outcome: .failed, error: "HTTP 422"),
        ])

        let document = result.jsonValue(for: plan) {
            ["id": .int($0.id), "name": .string($0.name)]
        }
        let operations = document["operations"]?.arrayValue ?? []
        #expect(operations.count == 2)
        #expect(operations.first?["created_id"] == 5)
        #expect(operations.first?["name"] == "a.example.org")
        #expect(operations.last?["outcome"] == "failed")
        #expect(operations.last?["error"] == "HTTP 422")
        #expect(document["summary"]?["created"] == 1)
        #expect(document["summary"]?["failed"] == 1)
        #expect(document["summary"]?["succeeded"] == false)
    }
}

@Suite struct BlockReadStrategyTests {
    @Test func fewSubscribersReadPerItem() {
        #expect(BlockReadStrategy.choose(requested: 10, total: 1000, rows: 25) == .perItem)
    }

    @Test func mostSubscribersReadCollection() {
        #expect(BlockReadStrategy.choose(requested: 800, total: 1000, rows: 25) == .collection)
    }
}
