import NGCPCore

/// `/api/customers/`: customer contracts. They cannot be deleted, only terminated, and a
/// status change cascades to their subscribers.
struct CustomersResource: Resource, LegacyResource {
    let name = "customers"
    let entityName = "customer"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT"]

    static let statuses = ["active", "pending", "locked", "terminated"]
    static let types = ["sipaccount", "pbxaccount"]
    static let templateFields = [
        "subscriber_email_template_id", "passreset_email_template_id",
        "invoice_email_template_id", "invoice_template_id",
    ]

    private func visible(_ id: Int, _ state: State, _ role: Role) -> Customer? {
        guard let customer = state.customers[id],
            role.sees(resellerID: state.resellerID(ofCustomer: customer))
        else { return nil }
        return customer
    }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let query = context.query
        var ids = state.customers.sortedIDs().filter { visible($0, state, context.role) != nil }
        ids = query.filter(ids, by: "external_id") { id, value in
            WildcardPattern(value).matches(state.customers[id]?.externalID)
        }
        ids = query.filter(ids, by: "status") { id, value in
            value.split(separator: ",").contains { $0 == state.customers[id]?.status ?? "" }
        }
        ids = query.filter(ids, by: "not_status") { id, value in
            !value.split(separator: ",").contains { $0 == state.customers[id]?.status ?? "" }
        }
        ids = query.filter(ids, by: "contact_id") { id, value in
            state.customers[id]?.contactID == Int(value)
        }
        ids = query.filter(ids, by: "reseller_id") { id, value in
            state.customers[id].flatMap { state.resellerID(ofCustomer: $0) } == Int(value)
        }
        ids = query.filter(ids, by: "type") { id, value in state.customers[id]?.type == value }
        ids = query.filter(ids, by: "profile_package_id") { id, value in
            state.customers[id]?.profilePackageID == Int(value)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let customer = visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = [
            "id": .int(id),
            "contact_id": .int(customer.contactID),
            "billing_profile_id": .int(customer.billingProfileID),
            "billing_profile_definition": "id",
            "billing_profiles": [],
            "all_billing_profiles": .array(
                customer.billingMappings.map { mapping in
                    [
                        "profile_id": .int(mapping.profileID), "network_id": nil,
                        "start": Fields.optional(mapping.start), "stop": nil,
                        "effective_start_time": .string(mapping.effectiveStart),
                    ]
                }),
            "status": .string(customer.status),
            "type": .string(customer.type),
            "external_id": Fields.optional(customer.externalID),
            "max_subscribers": Fields.optional(customer.maxSubscribers),
            "vat_rate": customer.vatRate.value,
            "add_vat": .bool(customer.addVat),
            "profile_package_id": Fields.optional(customer.profilePackageID),
            "create_timestamp": .string(customer.createTimestamp),
            "modify_timestamp": .string(customer.modifyTimestamp),
            "activate_timestamp": Fields.optional(customer.activateTimestamp),
            "terminate_timestamp": Fields.optional(customer.terminateTimestamp),
        ]
        for field in Self.templateFields {
            fields[field] = Fields.optional(customer.templateIDs[field])
        }
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        guard let customer = state.customers[id] else { return [] }
        return [
            Relation("customercontacts", "/api/customercontacts/\(customer.contactID)"),
            Relation("customerpreferences", "/api/customerpreferences/\(id)"),
            Relation("customerfraudpreferences", "/api/customerfraudpreferences/\(id)"),
            Relation(
                "billingprofiles",
                hrefs: customer.billingMappings.map { "/api/billingprofiles/\($0.profileID)" }),
            Relation("customerbalances", "/api/customerbalances/\(id)"),
            Relation("balanceintervals", "/api/balanceintervals/\(id)"),
            Relation("calls", "/api/calls/?customer_id=\(id)"),
        ]
    }

    /// PATCH applies to the stored contract row, which has no `type`.
    func patchDocument(of id: Int, in state: State, context: RequestContext) -> [String: JSONValue]?
    {
        guard var document = representation(of: id, in: state, context: context) else {
            return nil
        }
        document.removeValue(forKey: "type")
        document["billing_profile_definition"] = nil
        return document
    }

    // MARK: Writes

    private struct Checked {
        var contactID: Int
        var billingProfileID: Int
        var status: String
        var type: String
        var maxSubscribers: Int??
    }

    /// Form validation first (all field errors in one 422), then the business checks.
    private func check(
        _ body: [String: JSONValue], currentType: String?, in state: State, role: Role
    ) throws(APIError) -> Checked {
        var errors = ValidationErrors()
        let contactID = Fields.integer(body["contact_id"])
        if Fields.isBlank(body["contact_id"]) {
            errors.add(field: "contact_id", input: "", errors: "Contact id field is required")
        } else if contactID == nil {
            errors.add(
                field: "contact_id", input: Fields.inputText(body["contact_id"]),
                errors: Fields.positiveIntegerErrors)
        }
        let status = Fields.text(body["status"]) ?? ""
        if status.isEmpty {
            errors.add(field: "status", input: "", errors: "Status field is required")
        } else if !Self.statuses.contains(status) {
            errors.add(field: "status", input: status, errors: "'\(status)' is not a valid value")
        }
        var type = currentType ?? ""
        if currentType == nil {
            type = Fields.text(body["type"]) ?? ""
            if type.isEmpty {
                errors.add(field: "type", input: "", errors: "Type field is required")
            } else if !Self.types.contains(type) {
                errors.add(field: "type", input: type, errors: "'\(type)' is not a valid value")
            }
        }
        var maxSubscribers: Int?? = nil
        if let value = body["max_subscribers"] {
            if Fields.isBlank(value) {
                maxSubscribers = .some(nil)
            } else if let number = Fields.integer(value), number >= 0 {
                maxSubscribers = .some(number)
            } else {
                errors.add(
                    field: "max_subscribers", input: Fields.inputText(value),
                    errors: Fields.positiveIntegerErrors)
            }
        }
        try errors.check()

        guard let billingValue = body["billing_profile_id"], !Fields.isBlank(billingValue) else {
            throw APIError.unprocessable("Invalid 'billing_profile_id', not defined.")
        }
        guard let billingProfileID = Fields.integer(billingValue),
            let profile = state.billingProfiles[billingProfileID]
        else {
            throw APIError.unprocessable(
                "Invalid 'billing_profile_id' (\(Fields.inputText(billingValue))).")
        }
        if profile.status == "terminated" {
            throw APIError.unprocessable(
                "Invalid 'billing_profile_id' (\(billingProfileID)), already terminated.")
        }
        guard let contactID, let contact = state.contacts[contactID],
            contact.status != "terminated", role.sees(resellerID: contact.resellerID ?? -1)
        else {
            throw APIError.unprocessable("Invalid 'contact_id'")
        }
        guard let contactReseller = contact.resellerID else {
            throw APIError.unprocessable(
                "The contact_id is not a valid ngcp:customercontacts item, but an "
                    + "ngcp:systemcontacts item")
        }
        if profile.resellerID != contactReseller {
            throw APIError.unprocessable(
                "The reseller of the contact doesn't match the reseller of the billing profile "
                    + "(\(profile.name)).")
        }
        return Checked(
            contactID: contactID, billingProfileID: billingProfileID, status: status, type: type,
            maxSubscribers: maxSubscribers)
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        let checked = try check(body, currentType: nil, in: state, role: context.role)
        let now = Clock.databaseTimestamp()
        var templates: [String: Int] = [:]
        for field in Self.templateFields {
            if let id = Fields.integer(body[field]) { templates[field] = id }
        }
        let customer = Customer(
            id: state.customers.allocateID(), contactID: checked.contactID,
            billingProfileID: checked.billingProfileID,
            billingMappings: [
                BillingMapping(
                    profileID: checked.billingProfileID, start: nil,
                    effectiveStart: "1970-01-01 00:00:00")
            ],
            status: checked.status, type: checked.type,
            externalID: Fields.text(body["external_id"]).flatMap { $0.isEmpty ? nil : $0 },
            maxSubscribers: checked.maxSubscribers ?? nil,
            vatRate: StoredJSON(Self.number(body["vat_rate"]) ?? 0),
            addVat: Fields.flag(body["add_vat"], default: false),
            templateIDs: templates,
            profilePackageID: Fields.integer(body["profile_package_id"]),
            createTimestamp: now, modifyTimestamp: now,
            activateTimestamp: nil,
            terminateTimestamp: checked.status == "terminated" ? now : nil)
        state.customers.put(customer)
        return customer.id
    }

    /// PUT and PATCH: omitted optional fields keep their value.
    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        guard var customer = state.customers[id] else { throw APIError.entityNotFound(entityName) }
        if customer.status == "terminated" {
            throw APIError.unprocessable("Customer is already terminated and cannot be changed.")
        }
        let checked = try check(body, currentType: customer.type, in: state, role: context.role)
        let now = Clock.databaseTimestamp()
        if checked.billingProfileID != customer.billingProfileID {
            customer.billingMappings.append(
                BillingMapping(profileID: checked.billingProfileID, start: now, effectiveStart: now)
            )
            customer.billingProfileID = checked.billingProfileID
        }
        customer.contactID = checked.contactID
        if let maxSubscribers = checked.maxSubscribers { customer.maxSubscribers = maxSubscribers }
        if let value = body["external_id"] {
            customer.externalID = Fields.text(value).flatMap { $0.isEmpty ? nil : $0 }
        }
        if let rate = Self.number(body["vat_rate"]) { customer.vatRate = StoredJSON(rate) }
        if let value = body["add_vat"] { customer.addVat = Fields.flag(value, default: false) }
        for field in Self.templateFields where body.keys.contains(field) {
            customer.templateIDs[field] = Fields.integer(body[field])
        }
        customer.modifyTimestamp = now
        if checked.status != customer.status {
            try changeStatus(of: &customer, to: checked.status, in: &state, now: now)
        }
        state.customers.put(customer)
    }

    /// A JSON number, or a string holding one, kept as given (vat_rate may have decimals).
    private static func number(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .int?, .double?: return value
        case .string(let text)?:
            if let whole = Int(text) { return .int(whole) }
            return Double(text).map { .double($0) }
        default: return nil
        }
    }

    /// Applies a status change to the customer's subscribers like NGCP's contract lock.
    func changeStatus(
        of customer: inout Customer, to status: String, in state: inout State, now: String
    ) throws(APIError) {
        let subscribers = state.subscribers.records(ownedBy: customer.id)
        switch status {
        case "locked":
            for var subscriber in subscribers {
                subscriber.status = "locked"
                subscriber.preferences.object["lock"] = "4"
                state.putSubscriber(subscriber)
            }
        case "active":
            // Subscribers that are already active keep a lock level of their own.
            for var subscriber in subscribers where subscriber.status != "active" {
                subscriber.status = "active"
                subscriber.preferences.object["lock"] = nil
                state.putSubscriber(subscriber)
            }
        case "terminated":
            for subscriber in subscribers { state.terminateSubscriber(subscriber.id) }
            customer.terminateTimestamp = now
        case "pending":
            // NGCP writes "pending" into the subscribers' status column, which does not
            // accept it, so the request fails as soon as there is a subscriber.
            if !subscribers.isEmpty { throw APIError.internalServerError() }
        default:
            break
        }
        customer.status = status
    }
}
