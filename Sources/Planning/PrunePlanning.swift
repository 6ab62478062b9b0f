import NGCPCore

extension PlanBuilder {
    /// Removes what the manifests no longer declare, within what they manage: subscribers of
    /// declared customers, and live customers matching `managedCustomers` that no manifest
    /// declares or uses. With `pruneDomains` it also deletes unused domains that keep no live
    /// subscriber after the plan.
    mutating func prune() {
        if let inventory = options.managedInventory {
            pruneInventory(inventory)
            return
        }
        pruneSubscribers()
        pruneCustomers()
        if options.pruneDomains { pruneDomains() }
    }

    /// Removes the members of `inventory` that `desired` no longer declares. Subscribers of a
    /// customer that is terminated here go with it, so they get no delete of their own.
    private mutating func pruneInventory(_ inventory: Set<ResourceID>) {
        let declared = Set(
            desired.domains.map(\.id) + desired.customers.map(\.id)
                + desired.subscribers.map(\.id)
                + desired.subscribers.map { ResourceID(.customers, $0.customer) })
        let removed = inventory.subtracting(declared)
        guard !removed.isEmpty else { return }

        for customer in live.customers.sorted(by: { $0.id < $1.id }) {
            guard let externalID = customer["external_id"]?.stringValue,
                removed.contains(ResourceID(.customers, externalID)),
                customer["status"]?.stringValue != "terminated"
            else { continue }
            terminateCustomer(
                customer, externalID: externalID,
                reason: "the last applied revision declared this customer and this one does not: ")
        }
        for subscriber in live.subscribers.sorted(by: { $0.id < $1.id }) {
            let name = index.subscriberName(subscriber)
            guard removed.contains(ResourceID(.subscribers, name)),
                !pairedSubscribers.contains(subscriber.id),
                !removedSubscribers.contains(subscriber.id)
            else { continue }
            deleteSubscriber(
                subscriber, reason: "the last applied revision declared it and this one does not")
        }
        let removedDomains = Set(removed.filter { $0.kind == .domains }.map(\.name))
        pruneDomains(limitedTo: removedDomains)
    }

    private mutating func pruneSubscribers() {
        for customer in desired.customers {
            guard let liveID = customers[customer.externalID]?.reference?.liveID,
                customers[customer.externalID]?.status != "terminated"
            else { continue }
            for subscriber in index.subscribers(ofCustomer: liveID)
            where !pairedSubscribers.contains(subscriber.id) {
                deleteSubscriber(
                    subscriber,
                    reason: "customer '\(customer.externalID)' no longer declares this subscriber")
            }
        }
    }

    private mutating func pruneCustomers() {
        // A customer that subscribers refer to is in use even without a Customer manifest.
        let declared = Set(
            desired.customers.map(\.externalID) + desired.subscribers.map(\.customer))
        let candidates = live.customers.sorted { $0.id < $1.id }
        for customer in candidates {
            guard let externalID = customer["external_id"]?.stringValue, !externalID.isEmpty,
                !declared.contains(externalID),
                customer["status"]?.stringValue != "terminated",
                Glob.matches(pattern: options.managedCustomers, text: externalID)
            else { continue }
            terminateCustomer(
                customer, externalID: externalID,
                reason: "no manifest declares this customer: ")
        }
    }

    private mutating func terminateCustomer(
        _ customer: LiveObject, externalID: String, reason: String
    ) {
        let draft = add(
            DraftOperation(
                action: .delete, resource: .customers, name: externalID, method: .patch,
                path: "/api/customers/\(customer.id)",
                body: [Patch.replace("status", "terminated")],
                changes: [
                    FieldChange(path: "status", before: customer["status"], after: "terminated")
                ],
                liveID: customer.id, irreversible: true,
                reason: reason + Self.terminationReason(customer, index: index)))
        numbers.freeAll(ofCustomer: customer.id, index: index, by: draft)
        for subscriber in index.subscribers(ofCustomer: customer.id) {
            removedSubscribers.insert(subscriber.id)
        }
    }

    private mutating func pruneDomains(limitedTo names: Set<String>? = nil) {
        var used = Set(desired.domains.map { $0.domain.lowercased() })
        for subscriber in desired.subscribers { used.insert(subscriber.domain.lowercased()) }
        for domain in live.domains.sorted(by: { $0.id < $1.id }) {
            guard let name = domain["domain"]?.stringValue, !used.contains(name.lowercased())
            else { continue }
            if let names, !names.contains(name) { continue }
            let members = live.subscribers.filter { $0["domain_id"]?.intValue == domain.id }
            // A domain delete also deletes its subscribers, so a domain whose subscribers the
            // plan keeps is left alone.
            guard members.allSatisfy({ removedSubscribers.contains($0.id) }) else { continue }
            add(
                DraftOperation(
                    action: .delete, resource: .domains, name: name, method: .delete,
                    path: "/api/domains/\(domain.id)",
                    changes: [FieldChange(path: "domain", before: .string(name), after: nil)],
                    liveID: domain.id, irreversible: true,
                    reason: "no manifest declares or uses this domain, and deleting a domain "
                        + "also deletes its subscribers"))
        }
    }

    // MARK: Number moves

    /// Makes each operation that takes a number depend on the operation that frees it, and
    /// reports numbers that nothing frees. When the freeing update itself waits for numbers
    /// from others, its alias removal becomes a separate first step, so that two subscribers
    /// can swap aliases without a dependency cycle.
    mutating func linkNumberMoves() {
        var outgoing: [Int: Set<Normalization.Number>] = [:]
        var waiting: [Int: [Int]] = [:]
        for taker in numbers.takers {
            for number in taker.numbers {
                guard let holder = numbers.holders[number], holder != taker.liveID else {
                    continue
                }
                let holderName =
                    live.subscribers.first { $0.id == holder }.map { index.subscriberName($0) }
                    ?? "id \(holder)"
                if numbers.kept[holder]?.contains(number) ?? false {
                    let reason =
                        pairedSubscribers.contains(holder)
                        ? "whose manifest keeps it" : "which no manifest declares"
                    problems.append(
                        .numberHeld(
                            taker.subscriber, number: number.description, holder: holderName,
                            reason: reason))
                    continue
                }
                guard let freeing = numbers.freeingDraft[holder] else { continue }
                drafts[taker.draft].dependsOn.insert(freeing)
                outgoing[holder, default: []].insert(number)
                waiting[holder, default: []].append(taker.draft)
            }
        }
        for holder in outgoing.keys.sorted() {
            splitFreeingStep(
                holder: holder, outgoing: outgoing[holder] ?? [], takers: waiting[holder] ?? [])
        }
    }

    private mutating func splitFreeingStep(
        holder: Int, outgoing: Set<Normalization.Number>, takers: [Int]
    ) {
        guard let freeing = numbers.freeingDraft[holder], drafts[freeing].action == .update,
            drafts[freeing].resource == .subscribers, !drafts[freeing].dependsOn.isEmpty,
            let liveNumbers = numbers.liveNumbers[holder]
        else { return }
        // A primary number cannot be removed without a replacement, so only aliases split off.
        if let primary = liveNumbers.primary, outgoing.contains(primary) { return }

        let remaining = liveNumbers.aliases.filter { alias in
            guard let number = Normalization.number(alias) else { return true }
            return !outgoing.contains(number)
        }.map { alias -> JSONValue in
            guard var object = alias.objectValue else { return alias }
            object["number_id"] = nil
            return .object(object)
        }
        let main = drafts[freeing]
        let step = add(
            DraftOperation(
                action: .update, resource: .subscribers, name: main.name, method: .patch,
                path: main.path, body: [Patch.replace("alias_numbers", .array(remaining))],
                changes: [
                    FieldChange(
                        path: "alias_numbers",
                        before: Normalization.canonicalAliasNumbers(.array(liveNumbers.aliases)),
                        after: Normalization.canonicalAliasNumbers(.array(remaining)))
                ],
                liveID: main.liveID,
                reason: "frees alias numbers "
                    + outgoing.sorted().map(\.description).joined(separator: ", ")
                    + " for another subscriber first",
                step: 0))
        drafts[freeing].dependsOn.insert(step)
        for taker in takers {
            drafts[taker].dependsOn.remove(freeing)
            drafts[taker].dependsOn.insert(step)
        }
    }
}
