import NGCPCore

extension PlanBuilder {
    /// Removes what the manifests no longer declare, among the objects that ngcpctl manages.
    ///
    /// With `managedInventory`, an object is managed exactly when the inventory contains it.
    /// Without one, the managed objects are the subscribers of declared customers, the live
    /// customers matching `managedCustomers`, and with `pruneDomains` every domain. Either way
    /// the `interruptedContacts` are managed too. Subscribers
    /// are deleted, customers terminated, their contacts deleted once no customer uses them, and
    /// domains deleted only with `pruneDomains`. Everything else undeclared is reported in
    /// `unmanaged` and left alone.
    mutating func prune() {
        let index = self.index
        if let inventory = options.managedInventory {
            // Customers first: a termination removes their subscribers along with them.
            pruneCustomers { inventory.contains(ResourceID(.customers, $0)) }
            pruneSubscribers { subscriber in
                inventory.contains(ResourceID(.subscribers, index.subscriberName(subscriber)))
            }
            pruneContacts { inventory.contains(ResourceID(.customercontacts, $0)) }
        } else {
            let declaredCustomers = Set(
                desired.customers.compactMap { customers[$0.externalID]?.reference?.liveID })
            pruneSubscribers { subscriber in
                guard let customer = subscriber["customer_id"]?.intValue else { return false }
                return declaredCustomers.contains(customer)
            }
            if let pattern = options.managedCustomers {
                pruneCustomers { Glob.matches(pattern: pattern, text: $0) }
                pruneContacts { Glob.matches(pattern: pattern, text: $0) }
            }
        }
        pruneInterruptedContacts()
        if options.pruneDomains {
            let inventory = options.managedInventory
            pruneDomains { name in inventory?.contains(ResourceID(.domains, name)) ?? true }
        }
        collectUnmanaged()
    }

    /// Deletes the contacts that an interrupted apply created for a customer that it never
    /// created and that no manifest declares now. No customer uses such a contact, so the
    /// other contact rules, which name a contact after its customer, never see it.
    private mutating func pruneInterruptedContacts() {
        guard !options.interruptedContacts.isEmpty else { return }
        let declared = usedCustomers
        let used = Set(live.customers.compactMap { $0["contact_id"]?.intValue })
        for (contactID, owner) in options.interruptedContacts.sorted(by: { $0.key < $1.key }) {
            guard let contact = index.contactsByID[contactID], !used.contains(contactID),
                !declared.contains(owner)
            else { continue }
            var changes: [FieldChange] = []
            if let email = contact["email"] {
                changes.append(FieldChange(path: "email", before: email, after: nil))
            }
            add(
                DraftOperation(
                    action: .delete, resource: .customercontacts, name: owner, method: .delete,
                    path: "/api/customercontacts/\(contactID)", changes: changes,
                    liveID: contactID,
                    reason: "an interrupted apply created this contact for customer '\(owner)' "
                        + "and stopped before creating the customer. No manifest declares that "
                        + "customer now, and no customer uses the contact"))
        }
    }

    private mutating func pruneSubscribers(managed: (LiveObject) -> Bool) {
        let terminated = Set(
            live.customers.filter { $0["status"]?.stringValue == "terminated" }.map(\.id))
        // Candidates are found first and only they are sorted: nearly every live subscriber
        // is usually paired with a manifest.
        let candidates = live.subscribers.filter { subscriber in
            !pairedSubscribers.contains(subscriber.id)
                && !removedSubscribers.contains(subscriber.id)
                && !terminated.contains(subscriber["customer_id"]?.intValue ?? -1)
                && managed(subscriber)
        }
        for subscriber in candidates.sorted(by: { $0.id < $1.id }) {
            let owner = subscriber["customer_id"]?.intValue.flatMap { index.customersByID[$0] }
            let ownerName = owner?["external_id"]?.stringValue.map { " of customer '\($0)'" }
            deleteSubscriber(
                subscriber,
                reason: "no manifest declares this subscriber\(ownerName ?? ""), and ngcpctl "
                    + "manages it")
        }
    }

    /// External ids of customers that a manifest declares or a declared subscriber refers to.
    private var usedCustomers: Set<String> {
        Set(desired.customers.map(\.externalID) + desired.subscribers.map(\.customer))
    }

    private mutating func pruneCustomers(managed: (String) -> Bool) {
        let declared = usedCustomers
        let candidates = live.customers.sorted { $0.id < $1.id }
        for customer in candidates {
            guard let externalID = customer["external_id"]?.stringValue, !externalID.isEmpty,
                !declared.contains(externalID),
                customer["status"]?.stringValue != "terminated",
                managed(externalID)
            else { continue }
            let draft = add(
                DraftOperation(
                    action: .delete, resource: .customers, name: externalID, method: .patch,
                    path: "/api/customers/\(customer.id)",
                    body: [Patch.replace("status", "terminated")],
                    changes: [
                        FieldChange(path: "status", before: customer["status"], after: "terminated")
                    ],
                    liveID: customer.id, irreversible: true,
                    reason: "no manifest declares this customer: "
                        + Self.terminationReason(customer, index: index)))
            terminatedCustomers[customer.id] = draft
            numbers.freeAll(ofCustomer: customer.id, index: index, by: draft)
            for subscriber in index.subscribers(ofCustomer: customer.id) {
                removedSubscribers.insert(subscriber.id)
            }
        }
    }

    /// Deletes the contacts of undeclared customers once no customer that stays active uses
    /// them: NGCP rejects the delete of a contact in use (423) but allows it after the customer is
    /// terminated. A contact carries the key of its customer.
    private mutating func pruneContacts(managed: (String) -> Bool) {
        let declared = usedCustomers
        var usersByContact: [Int: [LiveObject]] = [:]
        for customer in live.customers.sorted(by: { $0.id < $1.id }) {
            if let contactID = customer["contact_id"]?.intValue {
                usersByContact[contactID, default: []].append(customer)
            }
        }
        for contact in live.contacts.sorted(by: { $0.id < $1.id }) {
            let users = usersByContact[contact.id] ?? []
            guard let owner = users.first?["external_id"]?.stringValue, !owner.isEmpty,
                !declared.contains(owner), managed(owner)
            else { continue }
            let stillUsed = users.contains { user in
                user["status"]?.stringValue != "terminated"
                    && terminatedCustomers[user.id] == nil
            }
            guard !stillUsed else { continue }
            var changes: [FieldChange] = []
            if let email = contact["email"] {
                changes.append(FieldChange(path: "email", before: email, after: nil))
            }
            add(
                DraftOperation(
                    action: .delete, resource: .customercontacts, name: owner, method: .delete,
                    path: "/api/customercontacts/\(contact.id)",
                    dependsOn: Set(users.compactMap { terminatedCustomers[$0.id] }),
                    changes: changes, liveID: contact.id,
                    reason: "the contact of customer '\(owner)', which no manifest declares; "
                        + "no active customer uses it"))
        }
    }

    private mutating func pruneDomains(managed: (String) -> Bool) {
        var used = Set(desired.domains.map { LiveIndex.lowercased($0.domain) })
        for subscriber in desired.subscribers {
            used.insert(LiveIndex.lowercased(subscriber.domain))
        }
        var membersByDomain: [Int: [LiveObject]] = [:]
        for subscriber in live.subscribers {
            if let domainID = subscriber["domain_id"]?.intValue {
                membersByDomain[domainID, default: []].append(subscriber)
            }
        }
        for domain in live.domains.sorted(by: { $0.id < $1.id }) {
            guard let name = domain["domain"]?.stringValue, !used.contains(name.lowercased()),
                managed(name)
            else { continue }
            let members = membersByDomain[domain.id] ?? []
            // A domain delete also deletes its subscribers, so a domain whose subscribers the
            // plan keeps is left alone.
            guard members.allSatisfy({ removedSubscribers.contains($0.id) }) else { continue }
            removedDomains.insert(domain.id)
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

    /// Lists the live domains, customers and subscribers that no manifest declares, that the
    /// plan does not remove, and that ngcpctl does not manage.
    private mutating func collectUnmanaged() {
        var result: Set<ResourceID> = []
        let inventory = options.managedInventory
        var usedDomains = Set(desired.domains.map { LiveIndex.lowercased($0.domain) })
        for subscriber in desired.subscribers {
            usedDomains.insert(LiveIndex.lowercased(subscriber.domain))
        }
        for domain in live.domains where !removedDomains.contains(domain.id) {
            guard let name = domain["domain"]?.stringValue,
                !usedDomains.contains(name.lowercased())
            else { continue }
            let id = ResourceID(.domains, name)
            let managed = inventory?.contains(id) ?? options.pruneDomains
            if !managed { result.insert(id) }
        }
        let declared = usedCustomers
        for customer in live.customers where terminatedCustomers[customer.id] == nil {
            guard let externalID = customer["external_id"]?.stringValue, !externalID.isEmpty,
                !declared.contains(externalID), customer["status"]?.stringValue != "terminated"
            else { continue }
            let id = ResourceID(.customers, externalID)
            let pattern = options.managedCustomers
            let managed =
                inventory?.contains(id)
                ?? pattern.map { Glob.matches(pattern: $0, text: externalID) } ?? false
            if !managed { result.insert(id) }
        }
        let terminated = Set(
            live.customers.filter { $0["status"]?.stringValue == "terminated" }.map(\.id))
        for subscriber in live.subscribers {
            guard !pairedSubscribers.contains(subscriber.id),
                !removedSubscribers.contains(subscriber.id),
                !terminated.contains(subscriber["customer_id"]?.intValue ?? -1)
            else { continue }
            result.insert(ResourceID(.subscribers, index.subscriberName(subscriber)))
        }
        unmanaged = result.sorted()
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
                    index.subscribersByID[holder].map { index.subscriberName($0) }
                    ?? "id \(holder)"
                if numbers.kept(holder)?.contains(number) ?? false {
                    let holderDeclared = pairedSubscribers.contains(holder)
                    let reason =
                        holderDeclared ? "whose manifest keeps it" : "which no manifest declares"
                    problems.append(
                        .numberHeld(
                            taker.subscriber, number: number.description, holder: holderName,
                            reason: reason, holderDeclared: holderDeclared))
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
