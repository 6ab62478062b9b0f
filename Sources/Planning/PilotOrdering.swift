import NGCPCore

extension PlanBuilder {
    /// Orders the subscribers of each PBX customer around its pilot, as NGCP requires: it
    /// rejects any other subscriber of a PBX customer before the pilot exists (422), and the
    /// pilot's delete while other subscribers remain (403). So every other create of the
    /// customer depends on the pilot's create, and the pilot's delete on every other delete.
    /// A pilot delete that would leave subscribers behind is a problem.
    mutating func orderAroundPilots() {
        // Creates are grouped by the customer_id of their body: a server id, or the
        // placeholder of the customer's own create.
        var pilotCreates: [JSONValue: Int] = [:]
        var otherCreates: [JSONValue: [Int]] = [:]
        var pilotDeletes: [Int: Int] = [:]
        var otherDeletes: [Int: [Int]] = [:]
        for (position, draft) in drafts.enumerated() where draft.resource == .subscribers {
            switch draft.action {
            case .create:
                guard let customer = draft.body?["customer_id"] else { continue }
                if draft.body?["is_pbx_pilot"]?.boolValue == true {
                    pilotCreates[customer] = position
                } else {
                    otherCreates[customer, default: []].append(position)
                }
            case .delete:
                guard let liveID = draft.liveID, let subscriber = index.subscribersByID[liveID],
                    let customer = subscriber["customer_id"]?.intValue
                else { continue }
                if subscriber["is_pbx_pilot"]?.boolValue == true {
                    pilotDeletes[customer] = position
                } else {
                    otherDeletes[customer, default: []].append(position)
                }
            case .update:
                continue
            }
        }

        for (customer, pilot) in pilotCreates {
            for member in otherCreates[customer] ?? [] { drafts[member].dependsOn.insert(pilot) }
        }
        for (customer, pilot) in pilotDeletes {
            drafts[pilot].dependsOn.formUnion(otherDeletes[customer] ?? [])
            let deleted = Set((otherDeletes[customer] ?? []).compactMap { drafts[$0].liveID })
            let remaining = (index.subscribersByCustomer[customer] ?? []).filter { subscriber in
                subscriber.id != drafts[pilot].liveID && !deleted.contains(subscriber.id)
            }
            if !remaining.isEmpty {
                problems.append(
                    .pilotDeletedBeforeMembers(
                        pilot: drafts[pilot].name,
                        remaining: remaining.map { index.subscriberName($0) }.sorted()))
            }
        }
    }
}
