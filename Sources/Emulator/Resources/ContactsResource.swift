import NGCPCore

/// `/api/customercontacts/`: contacts that belong to a reseller.
struct ContactsResource: Resource, LegacyResource {
    let name = "customercontacts"
    let entityName = "customercontact"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]

    /// The text fields of a contact, all rendered (null when unset).
    static let textFields = [
        "email", "firstname", "lastname", "company", "street", "city", "postcode", "country",
        "phonenumber", "mobilenumber", "faxnumber", "iban", "bic", "bankname", "vatnum",
        "comregnum", "timezone", "gpp0", "gpp1", "gpp2", "gpp3", "gpp4", "gpp5", "gpp6", "gpp7",
        "gpp8", "gpp9",
    ]

    private func visible(_ id: Int, _ state: State, _ role: Role) -> Contact? {
        guard let contact = state.contacts[id], contact.status != "terminated",
            let resellerID = contact.resellerID, role.sees(resellerID: resellerID)
        else { return nil }
        return contact
    }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        var ids = state.contacts.sortedIDs().filter { visible($0, state, context.role) != nil }
        ids = context.query.filter(ids, by: "email") { id, value in
            WildcardPattern(value).matches(state.contacts[id]?.fields["email"])
        }
        ids = context.query.filter(ids, by: "reseller_id") { id, value in
            state.contacts[id]?.resellerID == Int(value)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let contact = visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = ["id": .int(id)]
        for field in Self.textFields { fields[field] = Fields.optional(contact.fields[field]) }
        if context.role == .admin { fields["reseller_id"] = Fields.optional(contact.resellerID) }
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] { [] }

    /// Checks the fields of a POST, PUT or patched document and returns the new contact.
    private func validated(
        _ body: [String: JSONValue], existing: Contact?, keepOmitted: Bool, in state: State,
        role: Role
    ) throws(APIError) -> Contact {
        var errors = ValidationErrors()
        var resellerID = existing?.resellerID
        if case .reseller(let own) = role {
            resellerID = existing?.resellerID ?? own
        } else if Fields.isBlank(body["reseller_id"]) {
            errors.add(
                field: "reseller_id", input: "", errors: "Contact reseller id field is required")
        } else if let given = Fields.integer(body["reseller_id"]), given > 0 {
            resellerID = given
        } else {
            errors.add(
                field: "reseller_id", input: Fields.inputText(body["reseller_id"]),
                errors: Fields.positiveIntegerErrors)
        }
        let email = Fields.text(body["email"]) ?? ""
        if email.isEmpty {
            errors.add(field: "email", input: "", errors: "Email field is required")
        } else if !Self.isValidEmail(email) {
            errors.add(
                field: "email", input: email,
                errors: "Email should be of the format someuser@example.com")
        }
        if let timezone = Fields.text(body["timezone"]), !timezone.isEmpty,
            !TimeZoneNames.isValid(timezone)
        {
            errors.add(field: "timezone", input: timezone, errors: "Invalid timezone")
        }
        try errors.check()
        guard let resellerID, state.resellers[resellerID] != nil else {
            throw APIError.unprocessable("Invalid 'reseller_id'")
        }

        var fields = keepOmitted ? existing?.fields ?? [:] : [:]
        // NGCP re-wraps these two before validation, so a PUT without them clears them.
        fields["country"] = nil
        fields["timezone"] = nil
        for field in Self.textFields where body.keys.contains(field) {
            fields[field] = Fields.text(body[field])
        }
        return Contact(
            id: existing?.id ?? 0, resellerID: resellerID, fields: fields,
            status: existing?.status ?? "active")
    }

    static func isValidEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !text.contains(where: \.isWhitespace)
        else { return false }
        return true
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        var contact = try validated(
            body, existing: nil, keepOmitted: false, in: state, role: context.role)
        contact.id = state.contacts.allocateID()
        state.contacts.put(contact)
        return contact.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        let contact = try validated(
            body, existing: state.contacts[id], keepOmitted: true, in: state, role: context.role)
        state.contacts.put(contact)
    }

    func applyPatched(
        _ id: Int, document: [String: JSONValue], original: [String: JSONValue],
        in state: inout State, context: RequestContext
    ) throws(APIError) {
        var body = document
        // PATCH works on the stored row, so the reseller of a reseller login stays put.
        if body["reseller_id"] == nil {
            body["reseller_id"] = Fields.optional(state.contacts[id]?.resellerID)
        }
        var contact = try validated(
            body, existing: state.contacts[id], keepOmitted: false, in: state, role: context.role)
        contact.fields["country"] = Fields.text(document["country"])
        contact.fields["timezone"] = Fields.text(document["timezone"])
        state.contacts.put(contact)
    }

    /// Refuses while a live customer or subscriber uses the contact; a contact only used by
    /// terminated customers is terminated instead of deleted.
    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        let users = state.customers.values.filter { $0.contactID == id }
        if users.contains(where: { $0.status != "terminated" })
            || state.subscribers.values.contains(where: { $0.contactID == id })
        {
            throw APIError(423, "Contact is still in use.")
        }
        if users.isEmpty {
            state.contacts.remove(id)
        } else if var contact = state.contacts[id] {
            contact.status = "terminated"
            state.contacts.put(contact)
        }
    }
}
