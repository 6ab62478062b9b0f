import NGCPCore

extension PlanBuilder {
    /// Subscriber fields that are references, keys, secrets or output only.
    static let subscriberReferenceFields: Set<String> = [
        "customer_id", "domain_id", "domain", "username", "password", "webpassword",
    ]

    mutating func planSubscriber(_ subscriber: DesiredSubscriber) {
        // A group is known before its planning ends, so that members of a group that fails
        // report nothing more.
        if Self.isPBXGroup(subscriber) { recordPBXGroup(subscriber, reference: nil) }
        let domain = domainReference(subscriber.domain)
        if domain == nil
            && !failedDeclarations.contains(ResourceID(.domains, subscriber.domain.lowercased()))
        {
            problems.append(.undeclaredDomain(subscriber))
        }
        let customer = customerInfo(subscriber.customer)
        if customer == nil
            && !failedDeclarations.contains(ResourceID(.customers, subscriber.customer))
        {
            problems.append(.undeclaredCustomer(subscriber))
        }
        guard let domain, let customer else { return }
        guard customer.status != "terminated", let customerReference = customer.reference else {
            problems.append(
                customer.declared ? .terminatedOwner(subscriber) : .terminatedCustomer(subscriber))
            return
        }
        if customer.type != "pbxaccount" {
            for field in Normalization.fieldsStoredOnlyForPBX where subscriber.fields[field] != nil
            {
                problems.append(.fieldNotStored(subscriber, field: field))
            }
        }
        let declared = declaredNumbers(subscriber)
        let liveSubscriber = index.subscriber(subscriber)
        let groups = planPBXGroups(
            subscriber, customer: customerReference, customerType: customer.type,
            live: liveSubscriber)
        let isPBX = customer.type == "pbxaccount"

        guard let liveSubscriber else {
            if subscriber.secrets["password"] == nil {
                problems.append(.missingPassword(subscriber))
            }
            let draft = createSubscriber(
                subscriber, domain: domain, customer: customerReference, numbers: declared,
                groups: groups)
            if isPBX { recordPBXSubscriber(subscriber, liveID: nil, draft: draft) }
            return
        }
        pairedSubscribers.insert(liveSubscriber.id)

        let liveCustomerID = liveSubscriber["customer_id"]?.intValue
        if let liveCustomerID, customerReference != .live(liveCustomerID) {
            // NGCP cannot move a subscriber to another customer: the username is freed by a
            // delete and taken again by a create that depends on it.
            if subscriber.secrets["password"] == nil {
                problems.append(.missingPassword(subscriber))
            }
            let deletion = deleteSubscriber(
                liveSubscriber,
                reason: "the subscriber moves to customer '\(subscriber.customer)' and "
                    + "customer_id cannot change, so it is deleted and created again")
            let draft = createSubscriber(
                subscriber, domain: domain, customer: customerReference, numbers: declared,
                groups: groups, after: deletion)
            if isPBX { recordPBXSubscriber(subscriber, liveID: nil, draft: draft) }
            customerMoves.append(
                CustomerMove(
                    subscriber: subscriber.id, fromCustomerID: liveCustomerID,
                    toCustomer: subscriber.customer, toCreated: customerReference.liveID == nil))
            return
        }
        let update = updateSubscriber(
            subscriber, live: liveSubscriber, customerStatus: customer.status, numbers: declared,
            groups: groups)
        if isPBX { recordPBXSubscriber(subscriber, liveID: liveSubscriber.id, draft: update) }
        if Self.isPBXGroup(subscriber) {
            recordPBXGroup(subscriber, reference: .live(liveSubscriber.id))
        }
    }

    /// Resolves the `pbx_groups` of `subscriber`, or checks its raw `pbx_group_ids`, and
    /// returns the resolved groups. A live subscriber that stays with `customer` is updated,
    /// and an ignore rule on its groups keeps them out of the update. Its list is then never
    /// sent, so it is neither resolved nor checked.
    private mutating func planPBXGroups(
        _ subscriber: DesiredSubscriber, customer: Reference, customerType: String,
        live: LiveObject?
    ) -> [Reference]? {
        if let live {
            let liveCustomerID = live["customer_id"]?.intValue
            let staysWithCustomer = liveCustomerID.map { customer == .live($0) } ?? true
            // A rule on `pbx_groups` covers this path too.
            if staysWithCustomer && isIgnored(subscriber.id, "pbx_group_ids") { return nil }
        }
        if subscriber.pbxGroups == nil {
            // NGCP drops the PBX fields of a sipaccount customer's subscriber unchecked.
            if customerType == "pbxaccount" { checkPBXGroupIDs(subscriber, customer: customer) }
            return nil
        }
        return resolvePBXGroups(subscriber, customer: customer, customerType: customerType)
    }

    private mutating func recordPBXGroup(_ subscriber: DesiredSubscriber, reference: Reference?) {
        let key = LiveIndex.subscriberKey(username: subscriber.username, domain: subscriber.domain)
        declaredPBXGroups[key] = DeclaredPBXGroup(
            customer: subscriber.customer, reference: reference)
    }

    /// The numbers a desired subscriber declares, with duplicates reported.
    private mutating func declaredNumbers(_ subscriber: DesiredSubscriber) -> [Normalization.Number]
    {
        var result: [Normalization.Number] = []
        if let primary = Normalization.number(subscriber.fields["primary_number"]) {
            result.append(primary)
        }
        for alias in subscriber.fields["alias_numbers"]?.arrayValue ?? [] {
            if let number = Normalization.number(alias) { result.append(number) }
        }
        for number in result {
            if let other = numbers.declare(number, by: subscriber.name) {
                problems.append(
                    .duplicateNumber(subscriber, number: number.description, other: other))
            }
        }
        return result
    }

    // MARK: Create

    /// Plans a subscriber POST and returns its draft. `groups` are the resolved `pbx_groups`,
    /// when the manifest names them.
    private mutating func createSubscriber(
        _ subscriber: DesiredSubscriber, domain: Reference, customer: Reference,
        numbers declared: [Normalization.Number], groups: [Reference]?, after deletion: Int? = nil
    ) -> Int {
        var body = subscriber.fields
        if let groups, !groups.isEmpty {
            body["pbx_group_ids"] = Self.pbxGroupIDs(groups, live: nil)
        }
        body["customer_id"] = customer.jsonValue
        body["domain_id"] = domain.jsonValue
        body["username"] = .string(subscriber.username)
        // The SIP password and the web password are sent on create. GET never returns the web
        // password, so an apply records its digest for later plans to compare.
        var sensitive: Set<String> = []
        for (field, source) in subscriber.secrets {
            // Secret preferences are sent with the other preferences.
            guard secretPreferenceName(ofField: field) == nil else { continue }
            body[field] = PlanPlaceholder.secret(source, owner: subscriber.id, field: field)
            sensitive.insert(field)
        }

        var dependencies = Set([customer.draft, domain.draft].compactMap { $0 })
        if let deletion { dependencies.insert(deletion) }
        dependencies.formUnion(groups?.compactMap(\.draft) ?? [])
        let draft = add(
            DraftOperation(
                action: .create, resource: .subscribers, name: subscriber.name, method: .post,
                path: "/api/subscribers/", body: .object(body), dependsOn: dependencies,
                changes: FieldChange.creating(body, sensitive: sensitive)))
        numbers.take(.init(draft: draft, subscriber: subscriber, liveID: nil, numbers: declared))

        let created = Reference.created(draft: draft)
        if Self.isPBXGroup(subscriber) { recordPBXGroup(subscriber, reference: created) }
        if let forwards = subscriber.callforwards {
            planForwards(subscriber, desired: forwards, live: [:], reference: created)
        }
        if let preferences = subscriber.preferences {
            planPreferences(subscriber, desired: preferences, live: [:], reference: created)
        }
        return draft
    }

    // MARK: Update

    /// Plans a subscriber PATCH of the fields that differ, and returns its draft, or nil when
    /// no field differs. `groups` are the resolved `pbx_groups`, when the manifest names them.
    private mutating func updateSubscriber(
        _ subscriber: DesiredSubscriber, live liveSubscriber: LiveObject, customerStatus: String,
        numbers declared: [Normalization.Number], groups: [Reference]?
    ) -> Int? {
        var operations: [JSONValue] = []
        var changes: [FieldChange] = []
        var fields = subscriber.fields
        if let groups {
            fields["pbx_group_ids"] = Self.pbxGroupIDs(
                groups, live: liveSubscriber["pbx_group_ids"])
        }

        for field in fields.keys.sorted()
        where Normalization.isComparedField(field, references: Self.subscriberReferenceFields) {
            if Normalization.isSetByCustomerLock(field: field, customerStatus: customerStatus) {
                continue
            }
            guard !isIgnored(subscriber.id, field) else { continue }
            let value = fields[field] ?? .null
            if field == "lock",
                Normalization.lockImpliedByStatus(
                    desiredLock: value, desiredStatus: subscriber.fields["status"],
                    live: liveSubscriber["lock"])
            {
                continue
            }
            let fieldChanges = Self.subscriberFieldChanges(
                field, desired: value, live: liveSubscriber[field])
            guard !fieldChanges.isEmpty else { continue }
            changes += fieldChanges
            // Replace needs the member to exist; NGCP emits every field, absent ones as null.
            let exists = liveSubscriber[field] != nil
            operations.append(exists ? Patch.replace(field, value) : Patch.add(field, value))
        }
        comparePassword(
            subscriber, live: liveSubscriber, operations: &operations, changes: &changes)
        compareWebPassword(
            subscriber, live: liveSubscriber, operations: &operations, changes: &changes)

        var draft: Int?
        if !operations.isEmpty {
            draft = add(
                DraftOperation(
                    action: .update, resource: .subscribers, name: subscriber.name,
                    method: .patch, path: "/api/subscribers/\(liveSubscriber.id)",
                    body: .array(operations),
                    dependsOn: Set(groups?.compactMap(\.draft) ?? []), changes: changes,
                    liveID: liveSubscriber.id))
        }
        if let draft {
            numbers.update(
                subscriber: liveSubscriber.id,
                keeping: keptNumbers(subscriber, live: liveSubscriber), by: draft)
            numbers.take(
                .init(
                    draft: draft, subscriber: subscriber, liveID: liveSubscriber.id,
                    numbers: declared))
        }

        guard subscriber.callforwards != nil || subscriber.preferences != nil else {
            return draft
        }
        if deferredBlocks != nil {
            deferredBlocks?.append(
                DeferredBlocks(
                    subscriber: subscriber, liveID: liveSubscriber.id,
                    problemIndex: problems.count))
        } else {
            planLiveBlocks(subscriber, liveID: liveSubscriber.id)
        }
        return draft
    }

    /// Compares the call forwards and preferences that `subscriber` manages with those of its
    /// live subscriber `liveID`.
    mutating func planLiveBlocks(_ subscriber: DesiredSubscriber, liveID: Int) {
        let reference = Reference.live(liveID)
        if let forwards = subscriber.callforwards {
            if let liveForwards = live.callforwards[liveID] {
                planForwards(
                    subscriber, desired: forwards, live: liveForwards, reference: reference)
            } else {
                problems.append(.blockNotRead(subscriber, block: "call forwards", liveID: liveID))
            }
        }
        if let preferences = subscriber.preferences {
            if let livePreferences = live.preferences[liveID] {
                planPreferences(
                    subscriber, desired: preferences, live: livePreferences, reference: reference)
            } else {
                problems.append(.blockNotRead(subscriber, block: "preferences", liveID: liveID))
            }
        }
    }

    /// Compares one subscriber field after the normalisation rules.
    static func subscriberFieldChanges(_ field: String, desired: JSONValue, live: JSONValue?)
        -> [FieldChange]
    {
        switch field {
        case "primary_number":
            let desiredNumber = Normalization.number(desired)
            let liveNumber = Normalization.number(live)
            guard desiredNumber != liveNumber else { return [] }
            guard let desiredNumber, let liveNumber else {
                return [FieldChange(path: field, before: live, after: desired)]
            }
            var changes: [FieldChange] = []
            for (component, before, after) in [
                ("cc", liveNumber.countryCodeValue, desiredNumber.countryCodeValue),
                ("ac", JSONValue.string(liveNumber.ac), JSONValue.string(desiredNumber.ac)),
                ("sn", JSONValue.string(liveNumber.sn), JSONValue.string(desiredNumber.sn)),
            ] where before != after {
                changes.append(
                    FieldChange(
                        path: "primary_number.\(component)", before: before, after: after))
            }
            return changes
        case "alias_numbers":
            guard !Normalization.aliasNumbersEqual(desired: desired, live: live) else { return [] }
            return [
                FieldChange(
                    path: field, before: Normalization.canonicalAliasNumbers(live),
                    after: Normalization.canonicalAliasNumbers(desired))
            ]
        case "lock":
            let desiredLevel = Normalization.lockLevel(desired)
            let liveLevel = Normalization.lockLevel(live)
            guard desiredLevel != liveLevel else { return [] }
            return [FieldChange(path: field, before: live, after: desired)]
        case "pbx_group_ids":
            // NGCP keeps a subscriber's groups in its own order: a PUT that only reorders them
            // leaves the order as it was, so only the set of groups can converge. A group that
            // the plan creates is a placeholder, which no live id equals.
            func groups(_ value: JSONValue?) -> [Int]? {
                value?.arrayValue?.compactMap(\.intValue).sorted()
            }
            let createsGroup = desired.arrayValue?.contains { $0.intValue == nil } ?? false
            guard createsGroup || (groups(desired) ?? []) != (groups(live) ?? []) else {
                return []
            }
            return [FieldChange(path: field, before: live, after: desired)]
        default:
            guard !Normalization.optionalEqual(desired, live) else { return [] }
            return [FieldChange(path: field, before: live, after: desired)]
        }
    }

    /// Detects a changed SIP password by comparing the resolved secret with the clear-text
    /// `password` that GET returns. Without a resolved value or a returned password nothing
    /// can be compared, and the password is left alone.
    private func comparePassword(
        _ subscriber: DesiredSubscriber, live liveSubscriber: LiveObject,
        operations: inout [JSONValue], changes: inout [FieldChange]
    ) {
        guard let source = subscriber.secrets["password"], !isIgnored(subscriber.id, "password"),
            let livePassword = liveSubscriber["password"]?.stringValue,
            let desiredPassword = options.secrets(subscriber.id, "password"),
            desiredPassword.value != livePassword
        else { return }
        let placeholder = PlanPlaceholder.secret(source, owner: subscriber.id, field: "password")
        operations.append(Patch.replace("password", placeholder))
        changes.append(FieldChange(path: "password", before: nil, after: nil, sensitive: true))
    }

    /// Detects a changed web password by comparing the digest of the resolved secret with the
    /// digest recorded when an apply last sent one, since GET never returns `webpassword`.
    /// A subscriber without an entry for its live id is listed in `uncomparedWebPasswords`,
    /// and its web password is sent only when the options ask for that.
    private mutating func compareWebPassword(
        _ subscriber: DesiredSubscriber, live liveSubscriber: LiveObject,
        operations: inout [JSONValue], changes: inout [FieldChange]
    ) {
        guard let comparison = options.webPasswords, let source = subscriber.secrets.webpassword,
            !isIgnored(subscriber.id, "webpassword"),
            let desired = options.secrets(subscriber.id, "webpassword")
        else { return }
        let key = WebPasswordRecords.subscriberKey(subscriber.name)
        // An entry for another id was made for a subscriber deleted since, so it does not
        // describe this one.
        if let entry = comparison.records[key], entry.subscriberID == liveSubscriber.id {
            let digest = SecretDigest.digest(
                desired, owner: subscriber.id.description, field: "webpassword",
                key: comparison.key)
            guard digest != entry.digest else { return }
        } else if !comparison.sendUnrecorded {
            uncomparedWebPasswords.append(subscriber.id)
            return
        }
        // `add`, because GET omits a web password that is set, and `replace` needs the member.
        let placeholder = PlanPlaceholder.secret(source, owner: subscriber.id, field: "webpassword")
        operations.append(Patch.add("webpassword", placeholder))
        changes.append(FieldChange(path: "webpassword", before: nil, after: nil, sensitive: true))
    }

    /// Returns the numbers a live subscriber has after its update: the declared ones for the
    /// number fields the manifest manages, the live ones otherwise.
    private func keptNumbers(_ subscriber: DesiredSubscriber, live liveSubscriber: LiveObject)
        -> Set<Normalization.Number>
    {
        var result: Set<Normalization.Number> = []
        let primary = subscriber.fields["primary_number"] ?? liveSubscriber["primary_number"]
        if let number = Normalization.number(primary) { result.insert(number) }
        let aliases = subscriber.fields["alias_numbers"] ?? liveSubscriber["alias_numbers"]
        for alias in aliases?.arrayValue ?? [] {
            if let number = Normalization.number(alias) { result.insert(number) }
        }
        return result
    }

    // MARK: Delete

    /// Plans a subscriber DELETE. Its changes list the numbers it frees, for review.
    @discardableResult
    mutating func deleteSubscriber(_ liveSubscriber: LiveObject, reason: String) -> Int {
        var changes: [FieldChange] = []
        if let primary = Normalization.number(liveSubscriber["primary_number"]) {
            changes.append(
                FieldChange(path: "primary_number", before: primary.jsonValue, after: nil))
        }
        let aliases = Normalization.canonicalAliasNumbers(liveSubscriber["alias_numbers"])
        if aliases != [] {
            changes.append(FieldChange(path: "alias_numbers", before: aliases, after: nil))
        }
        let draft = add(
            DraftOperation(
                action: .delete, resource: .subscribers,
                name: index.subscriberName(liveSubscriber), method: .delete,
                path: "/api/subscribers/\(liveSubscriber.id)", changes: changes,
                liveID: liveSubscriber.id, reason: reason))
        numbers.delete(subscriber: liveSubscriber.id, by: draft)
        removedSubscribers.insert(liveSubscriber.id)
        return draft
    }
}
