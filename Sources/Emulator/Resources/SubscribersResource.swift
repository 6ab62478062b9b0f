import NGCPCore

/// `/api/subscribers/`: SIP subscribers with their numbers.
struct SubscribersResource: Resource, LegacyResource {
    let name = "subscribers"
    let entityName = "subscriber"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let patchOperations = ["add", "remove", "replace", "copy"]

    static let statuses = ["active", "locked", "terminated"]
    static let lockLevels = ["1", "2", "3", "4", "5"]

    func visible(_ id: Int, _ state: State, _ role: Role) -> Subscriber? {
        guard let subscriber = state.subscribers[id],
            role.sees(resellerID: state.resellerID(ofSubscriber: subscriber))
        else { return nil }
        return subscriber
    }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let query = context.query
        var ids = state.subscribers.sortedIDs()
        if context.role != .admin {
            ids = ids.filter { visible($0, state, context.role) != nil }
        }
        ids = query.filter(ids, by: "customer_id") { id, value in
            state.subscribers[id]?.customerID == Int(value)
        }
        ids = query.filter(ids, by: "username") { id, value in
            WildcardPattern(value).matches(state.subscribers[id]?.username)
        }
        ids = query.filter(ids, by: "webusername") { id, value in
            state.subscribers[id]?.webusername?.lowercased() == value.lowercased()
        }
        ids = query.filter(ids, by: "domain") { id, value in
            let domain = state.subscribers[id].flatMap { state.domains[$0.domainID]?.domain }
            return WildcardPattern(value, allowsQuestionMark: true).matches(domain)
        }
        ids = query.filter(ids, by: "primary_number") { id, value in
            let number = state.subscribers[id].flatMap { state.primaryNumber(of: $0) }
            return WildcardPattern(value, allowsQuestionMark: true).matches(number?.e164)
        }
        // The alias filter looks at every number of the subscriber, the primary included.
        ids = query.filter(ids, by: "alias") { id, value in
            guard let subscriber = state.subscribers[id] else { return false }
            let pattern = WildcardPattern(value, allowsQuestionMark: true)
            let numbers =
                [state.primaryNumber(of: subscriber)].compactMap { $0 }
                + state.aliasNumbers(of: subscriber)
            return numbers.contains { pattern.matches($0.e164) }
        }
        ids = query.filter(ids, by: "reseller_id") { id, value in
            state.subscribers[id].flatMap { state.resellerID(ofSubscriber: $0) } == Int(value)
        }
        ids = query.filter(ids, by: "contact_id") { id, value in
            state.subscribers[id].flatMap { state.customers[$0.customerID]?.contactID }
                == Int(value)
        }
        ids = query.filter(ids, by: "customer_external_id") { id, value in
            let external = state.subscribers[id].flatMap {
                state.customers[$0.customerID]?.externalID
            }
            return WildcardPattern(value, allowsQuestionMark: true).matches(external)
        }
        ids = query.filter(ids, by: "subscriber_external_id") { id, value in
            WildcardPattern(value, allowsQuestionMark: true).matches(
                state.subscribers[id]?.externalID)
        }
        ids = query.filter(ids, by: "display_name") { id, value in
            WildcardPattern(value).matches(
                state.subscribers[id]?.preferences.object["display_name"]?.stringValue)
        }
        ids = query.filter(ids, by: "is_admin") { id, value in
            state.subscribers[id]?.administrative == (value == "1" || value == "true")
        }
        // NGCP tests the PBX flag filters for Perl truth, in which only "" and "0" are false.
        ids = query.filter(ids, by: "is_pbx_pilot") { id, value in
            (state.subscribers[id]?.pbx?.isPilot ?? false) == !(value.isEmpty || value == "0")
        }
        ids = query.filter(ids, by: "is_pbx_group") { id, value in
            (state.subscribers[id]?.pbx?.isGroup ?? false) == !(value.isEmpty || value == "0")
        }
        ids = query.filter(ids, by: "pbx_extension") { id, value in
            WildcardPattern(value, allowsQuestionMark: true).matches(
                state.subscribers[id]?.pbx?.pbxExtension)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let subscriber = visible(id, state, context.role) else { return nil }
        return Self.render(subscriber, in: state)
    }

    static func render(_ subscriber: Subscriber, in state: State) -> [String: JSONValue] {
        let preferences = subscriber.preferences.object
        var fields: [String: JSONValue] = [
            "id": .int(subscriber.id),
            "customer_id": .int(subscriber.customerID),
            "domain_id": .int(subscriber.domainID),
            "domain": Fields.optional(state.domains[subscriber.domainID]?.domain),
            "username": .string(subscriber.username),
            "password": .string(subscriber.password),
            "webusername": Fields.optional(subscriber.webusername),
            "status": .string(subscriber.status),
            "lock": Fields.optional(Fields.text(preferences["lock"])),
            "external_id": Fields.optional(subscriber.externalID),
            "email": Fields.optional(subscriber.email),
            "timezone": Fields.optional(subscriber.timezone),
            "administrative": .bool(subscriber.administrative),
            "display_name": preferences["display_name"] ?? .null,
            "profile_id": Fields.optional(subscriber.profileID),
            "profile_set_id": Fields.optional(subscriber.profileSetID),
            "uuid": .string(subscriber.uuid),
            "create_timestamp": .string(subscriber.createTimestamp),
            "modify_timestamp": .string(subscriber.modifyTimestamp),
            "alias_numbers": .array(
                state.aliasNumbers(of: subscriber).map { number in
                    [
                        "cc": .int(number.cc), "ac": .string(number.ac),
                        "sn": .string(number.sn), "number_id": .int(number.id),
                        "is_devid": .bool(number.isDevID),
                    ]
                }),
            "primary_number": state.primaryNumber(of: subscriber).map { number in
                [
                    "cc": .int(number.cc), "ac": .string(number.ac), "sn": .string(number.sn),
                    "number_id": .int(number.id),
                ]
            } ?? .null,
        ]
        // The real server shows webpassword only as null while none is set.
        if !subscriber.hasWebpassword { fields["webpassword"] = .null }
        fields.merge(PBXRules.fields(of: subscriber, in: state)) { _, pbx in pbx }
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        guard let subscriber = state.subscribers[id] else { return [] }
        return [
            Relation("subscriberpreferences", "/api/subscriberpreferences/\(id)"),
            Relation("voicemailsettings", "/api/voicemailsettings/\(id)"),
            Relation("reminders", "/api/reminders/?subscriber_id=\(id)"),
            Relation("callforwards", "/api/callforwards/\(id)"),
            Relation("domains", "/api/domains/\(subscriber.domainID)"),
            Relation("calls", "/api/calls/?subscriber_id=\(id)"),
            Relation(
                "subscriberregistrations", "/api/subscriberregistrations/?subscriber_id=\(id)"),
            Relation("customers", "/api/customers/\(subscriber.customerID)"),
        ]
    }

    // MARK: Writes

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        let input = try SubscriberInput.validate(body, requirePassword: true)
        guard let customer = state.customers[input.customerID] else {
            // An unknown customer makes the real server fail internally.
            throw APIError.internalServerError()
        }
        guard customer.status != "terminated",
            context.role.sees(resellerID: state.resellerID(ofCustomer: customer))
        else {
            throw APIError.unprocessable("Invalid 'customer_id', doesn't exist.")
        }
        let domain = try input.resolveDomain(in: state, role: context.role)
        if state.resellerID(ofCustomer: customer) != domain.resellerID {
            throw APIError.unprocessable(
                "Invalid 'domain', doesn't belong to the same reseller as subscriber's customer.")
        }
        var numbers = try NumberInput.parse(body)
        try Self.requirePrimaryNumber(numbers, customerType: customer.type, input: input)
        if let limit = customer.maxSubscribers {
            let count = state.subscribers.ids(ownedBy: customer.id).count
            if count >= limit {
                throw APIError(403, "Maximum number of customer subscribers reached.")
            }
        }
        var pbx: PBXRules.Preparation?
        if customer.type == "pbxaccount" {
            pbx = try PBXRules.prepare(
                input.pbx, numbers: &numbers, customerID: customer.id, subscriberID: nil,
                current: nil, in: state)
        }
        if state.subscriberID(domainID: domain.id, username: input.username) != nil {
            throw APIError.unprocessable("Subscriber already exists.")
        }
        try Self.checkWebusername(
            input.webusername ?? input.username, domain: domain, excluding: nil, in: state)
        let id = state.subscribers.allocateID()
        try NumberAssignment.checkPrimary(numbers.primary, for: id, in: state)
        // On POST an alias clash is not mapped to a validation error by the real server.
        if NumberAssignment.aliasClash(numbers, for: id, in: state) != nil {
            throw APIError(500, "Failed to create subscriber")
        }

        let now = Clock.rfc3339Timestamp()
        var subscriber = Subscriber(
            id: id, provisioningID: state.nextCounter("provisioning_subscriber"),
            customerID: customer.id, domainID: domain.id, username: input.username,
            password: input.password ?? "", webusername: input.webusername ?? input.username,
            hasWebpassword: input.webpassword != nil, status: input.status ?? "active",
            externalID: input.externalID, email: input.email, timezone: input.timezone,
            contactID: nil, administrative: input.administrative ?? false, primaryNumberID: nil,
            aliasNumberIDs: [], profileID: input.profileID, profileSetID: input.profileSetID,
            uuid: UUIDText.make(), createTimestamp: now, modifyTimestamp: now,
            preferences: StoredJSON([:]), pbx: pbx?.settings)
        NumberAssignment.assign(numbers, to: &subscriber, in: &state)

        var preferences: [String: JSONValue] = [:]
        if let primary = state.primaryNumber(of: subscriber) {
            preferences["cc"] = .string(String(primary.cc))
            preferences["ac"] = .string(primary.ac)
            let clis = [primary] + state.aliasNumbers(of: subscriber)
            preferences["allowed_clis"] = .array(clis.map { .string($0.e164) })
        }
        preferences["call_log_level"] = "notice"
        preferences["emergency_location_format"] = "cirpack"
        if let lock = input.effectiveLock(current: nil) { preferences["lock"] = .string(lock) }
        subscriber.preferences = StoredJSON(.object(preferences))
        if pbx != nil { Self.setPBXPreferences(of: &subscriber, input: input) }
        Self.syncContact(of: &subscriber, in: &state)
        state.putSubscriber(subscriber)
        if let pbx { PBXRules.link(pbx, subscriberID: id, in: &state) }
        if subscriber.status == "terminated" { state.terminateSubscriber(id) }
        return id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        try update(id, with: body, isPatch: false, in: &state, context: context)
    }

    func applyPatched(
        _ id: Int, document: [String: JSONValue], original: [String: JSONValue],
        in state: inout State, context: RequestContext
    ) throws(APIError) {
        var body = document
        // A PATCH cannot rename: username and domain silently keep their values.
        body["username"] = original["username"]
        body["domain"] = original["domain"]
        body["domain_id"] = original["domain_id"]
        try update(id, with: body, isPatch: true, in: &state, context: context)
    }

    /// PUT semantics: omitted optional fields are cleared, except the passwords.
    private func update(
        _ id: Int, with body: [String: JSONValue], isPatch: Bool, in state: inout State,
        context: RequestContext
    ) throws(APIError) {
        guard var subscriber = state.subscribers[id] else {
            throw APIError.entityNotFound(entityName)
        }
        let input = try SubscriberInput.validate(body, requirePassword: false)
        if input.customerID != subscriber.customerID {
            throw APIError.unprocessable("customer_id can't be changed.")
        }
        let domain = try input.resolveDomain(in: state, role: context.role)
        if domain.id != subscriber.domainID
            || input.username.lowercased() != subscriber.username.lowercased()
        {
            throw APIError.unprocessable(
                "Subscriber with this username does not exist in the domain.")
        }
        if let webusername = input.webusername {
            try Self.checkWebusername(webusername, domain: domain, excluding: id, in: state)
        }
        let customer = state.customers[subscriber.customerID]
        var numbers = try NumberInput.parse(body)
        try Self.requirePrimaryNumber(numbers, customerType: customer?.type, input: input)
        var pbx: PBXRules.Preparation?
        if customer?.type == "pbxaccount" {
            pbx = try PBXRules.prepare(
                input.pbx, numbers: &numbers, customerID: subscriber.customerID,
                subscriberID: id, current: subscriber.pbx, in: state)
            if subscriber.pbx?.isPilot == true && !input.pbx.isPilot {
                throw APIError.unprocessable("Cannot revoke is_pbx_pilot status from a subscriber.")
            }
        }
        try NumberAssignment.checkPrimary(numbers.primary, for: id, in: state)
        if let clash = NumberAssignment.aliasClash(numbers, for: id, in: state) {
            throw APIError.unprocessable("Number '\(clash)' already exists.")
        }

        if input.status == "terminated" {
            state.terminateSubscriber(id)
            return
        }
        NumberAssignment.assign(numbers, to: &subscriber, in: &state)
        if let password = input.password { subscriber.password = password }
        if input.webpassword != nil { subscriber.hasWebpassword = true }
        subscriber.webusername = input.webusername
        subscriber.status = input.status ?? "active"
        subscriber.externalID = input.externalID
        subscriber.email = input.email
        subscriber.timezone = input.timezone
        subscriber.administrative = input.administrative ?? false
        subscriber.profileID = input.profileID
        subscriber.profileSetID = input.profileSetID
        subscriber.preferences.object["lock"] = input.effectiveLock(current: nil).map {
            .string($0)
        }
        if let pbx {
            subscriber.pbx = pbx.settings
            Self.setPBXPreferences(of: &subscriber, input: input)
        }
        subscriber.modifyTimestamp = Clock.rfc3339Timestamp()
        Self.syncContact(of: &subscriber, in: &state)
        state.putSubscriber(subscriber)
        if let pbx { PBXRules.link(pbx, subscriberID: id, in: &state) }
    }

    /// Checks that a subscriber of a SIP customer and a PBX pilot have a primary number. The
    /// other PBX subscribers get theirs from the pilot.
    private static func requirePrimaryNumber(
        _ numbers: NumberInput, customerType: String?, input: SubscriberInput
    ) throws(APIError) {
        guard numbers.primary == nil else { return }
        if customerType != "pbxaccount" {
            throw APIError.unprocessable("A primary_number is required for the SIP subscriber.")
        }
        if input.pbx.isPilot {
            throw APIError.unprocessable(
                "A primary_number is required for the PBX pilot subscriber.")
        }
    }

    /// Writes the preferences that cloud PBX sets on every create and update of a PBX
    /// subscriber. A display name is written only when given, so an update without one keeps
    /// the old one.
    private static func setPBXPreferences(of subscriber: inout Subscriber, input: SubscriberInput) {
        subscriber.preferences.object["shared_buddylist_visibility"] = true
        if let displayName = input.displayName {
            subscriber.preferences.object["display_name"] = .string(displayName)
        }
    }

    /// Keeps the subscriber's own contact row in step with its e-mail address and time zone:
    /// NGCP creates it on demand (for the customer's reseller, so it is listed among the
    /// customer contacts) and deletes it when both are cleared.
    private static func syncContact(of subscriber: inout Subscriber, in state: inout State) {
        guard subscriber.email != nil || subscriber.timezone != nil else {
            if let contactID = subscriber.contactID { state.contacts.remove(contactID) }
            subscriber.contactID = nil
            return
        }
        var fields: [String: String] = [:]
        fields["email"] = subscriber.email
        fields["timezone"] = subscriber.timezone
        if let contactID = subscriber.contactID, var contact = state.contacts[contactID] {
            contact.fields = fields
            state.contacts.put(contact)
            return
        }
        let contact = Contact(
            id: state.contacts.allocateID(), resellerID: state.resellerID(ofSubscriber: subscriber),
            fields: fields, status: "active")
        state.contacts.put(contact)
        subscriber.contactID = contact.id
    }

    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        if let subscriber = state.subscribers[id] {
            try PBXRules.checkDeletion(of: subscriber, in: state)
        }
        state.terminateSubscriber(id)
    }

    /// Web usernames are unique per domain, like SIP usernames (ignoring case).
    /// NOTE: the wording of this 422 is NGCP's pattern with a guessed value format.
    private static func checkWebusername(
        _ webusername: String, domain: Domain, excluding id: Int?, in state: State
    ) throws(APIError) {
        let lowered = webusername.lowercased()
        let taken = state.subscribers.values.contains {
            $0.domainID == domain.id && $0.id != id && $0.webusername?.lowercased() == lowered
        }
        if taken {
            throw APIError.unprocessable(
                "Webusername-Domain combination '\(webusername)@\(domain.domain)' already exists.")
        }
    }
}
