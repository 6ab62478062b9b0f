import NGCPCore
import Testing

@testable import Apply

/// The work of the apply schedule grows with the plan's size, not with its square. Work is
/// counted as operations examined, so the checks do not depend on the machine's speed.
@Suite struct ScheduleScaleTests {
    /// One domain, then per customer a contact and the customer, and per subscriber the
    /// subscriber and a preference patch: the shape of a bulk apply.
    private func bulkPlan(customers: Int, subscribersPerCustomer: Int) -> Plan {
        var operations = [
            PlannedOperation(
                id: 1, action: .create, resource: .domains, name: "bulk.example.org",
                method: .post, path: "/api/domains/", body: ["domain": "bulk.example.org"])
        ]
        var next = 2
        for customer in 0..<customers {
            let name = "bulk-\(customer)"
            let contact = next
            operations.append(
                PlannedOperation(
                    id: contact, action: .create, resource: .customercontacts, name: name,
                    method: .post, path: "/api/customercontacts/",
                    body: ["email": .string("\(name)@example.org")]))
            let customerID = next + 1
            operations.append(
                PlannedOperation(
                    id: customerID, action: .create, resource: .customers, name: name,
                    method: .post, path: "/api/customers/",
                    body: ["contact_id": PlanPlaceholder.createdID(of: contact)],
                    dependsOn: [contact]))
            next += 2
            for index in 0..<subscribersPerCustomer {
                let subscriberName = "u\(customer)-\(index)@bulk.example.org"
                let subscriber = next
                operations.append(
                    PlannedOperation(
                        id: subscriber, action: .create, resource: .subscribers,
                        name: subscriberName, method: .post, path: "/api/subscribers/",
                        body: [
                            "customer_id": PlanPlaceholder.createdID(of: customerID),
                            "domain_id": PlanPlaceholder.createdID(of: 1),
                        ]))
                operations.append(
                    PlannedOperation(
                        id: subscriber + 1, action: .update,
                        resource: .subscriberpreferences, name: subscriberName,
                        method: .patch, path: "/api/subscriberpreferences/{id:\(subscriber)}",
                        body: [["op": "add", "path": "/block_in_clir", "value": true]]))
                next += 2
            }
        }
        return Plan(operations: operations)
    }

    /// Runs the schedule to the end with two operations in flight, finishing the oldest
    /// first, and returns the examined count and the number of operations started.
    private func runToEnd(_ plan: Plan, failing: Set<Int> = [], keepGoing: Bool = false)
        -> (examined: Int, started: Int)
    {
        var schedule = ExecutionSchedule(plan: plan, keepGoing: keepGoing)
        var running: [Int] = []
        var started = 0
        while true {
            let now = schedule.start(limit: 2 - running.count)
            started += now.count
            running += now.map(\.id)
            guard !running.isEmpty else { break }
            let id = running.removeFirst()
            schedule.finish(id, succeeded: !failing.contains(id))
        }
        schedule.skipRemaining()
        return (schedule.examinedCount, started)
    }

    @Test func workGrowsLinearly() {
        let small = bulkPlan(customers: 20, subscribersPerCustomer: 50)
        let large = bulkPlan(customers: 160, subscribersPerCustomer: 50)
        let smallRun = runToEnd(small)
        let largeRun = runToEnd(large)

        #expect(smallRun.started == small.operations.count)
        #expect(largeRun.started == large.operations.count)
        // Each operation is examined a few times: when it becomes ready, when a key it
        // waits for is released, and once per dependant. A scan of the whole plan per step
        // would examine about n²/2 operations, over 2,000 per operation here.
        let perOperation = Double(largeRun.examined) / Double(large.operations.count)
        #expect(perOperation < 8, "examined \(largeRun.examined) for \(large.operations.count)")
        let ratio = Double(largeRun.examined) / Double(smallRun.examined)
        let sizeRatio = Double(large.operations.count) / Double(small.operations.count)
        #expect(ratio < sizeRatio * 1.2, "work ratio \(ratio) for size ratio \(sizeRatio)")
    }

    @Test func failureSkipsWithLinearWork() {
        // The domain fails first, so every subscriber and its preference is skipped.
        let plan = bulkPlan(customers: 160, subscribersPerCustomer: 50)
        var schedule = ExecutionSchedule(plan: plan, keepGoing: true)
        #expect(schedule.start(limit: 1).map(\.id) == [1])
        schedule.finish(1, succeeded: false)

        let skipped = schedule.states.values.filter {
            if case .skipped = $0 { return true }
            return false
        }
        #expect(skipped.count == 2 * 160 * 50)
        #expect(schedule.examinedCount < 3 * plan.operations.count)
        #expect(
            schedule.states[plan.operations.count]
                == .skipped(
                    "not run because it depends on operation \(plan.operations.count - 1), "
                        + "which was skipped"))
    }

    @Test func keysHeldStillSerialise() {
        // All subscribers of one customer share its key, so with a limit of 4 only one
        // subscriber operation of that customer runs at a time.
        let plan = bulkPlan(customers: 1, subscribersPerCustomer: 5)
        var schedule = ExecutionSchedule(plan: plan, keepGoing: false)
        #expect(schedule.start(limit: 4).map(\.id) == [1, 2])
        schedule.finish(2, succeeded: true)
        #expect(schedule.start(limit: 4).map(\.id) == [3])
        schedule.finish(1, succeeded: true)
        schedule.finish(3, succeeded: true)
        #expect(schedule.start(limit: 4).map(\.id) == [4])
        // The preference of subscriber 4 and the next subscriber, 6, may overlap.
        schedule.finish(4, succeeded: true)
        #expect(schedule.start(limit: 4).map(\.id) == [5, 6])
        schedule.finish(5, succeeded: true)
        #expect(schedule.start(limit: 4).isEmpty)
        schedule.finish(6, succeeded: true)
        #expect(schedule.start(limit: 4).map(\.id) == [7, 8])
    }
}
