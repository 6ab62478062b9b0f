import NGCPCore

/// `/api/resellers/`: administrators only.
struct ResellersResource: Resource, LegacyResource {
    let name = "resellers"
    let entityName = "reseller"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT"]
    let isAdminOnly = true
    let sendsLinkHeaders = false

    static let statuses = ["active", "locked", "terminated"]

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        guard context.role == .admin else { return [] }
        var ids = state.resellers.sortedIDs()
        ids = context.query.filter(ids, by: "name") { id, value in
            WildcardPattern(value).matches(state.resellers[id]?.name)
        }
        ids = context.query.filter(ids, by: "status") { id, value in
            value.split(separator: ",").contains { $0 == state.resellers[id]?.status ?? "" }
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard context.role == .admin, let reseller = state.resellers[id] else { return nil }
        return [
            "id": .int(id), "contract_id": .int(reseller.contractID),
            "name": .string(reseller.name), "status": .string(reseller.status),
        ]
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        let contractID = state.resellers[id]?.contractID ?? 0
        return [
            Relation("contracts", "/api/contracts/\(contractID)"),
            Relation("billingprofiles", "/api/billingprofiles/?reseller_id=\(id)"),
            Relation("ncoslevels", "/api/ncoslevels/?reseller_id=\(id)"),
            Relation("soundsets", "/api/soundsets/?reseller_id=\(id)"),
            Relation("rewriterulesets", "/api/rewriterulesets/?reseller_id=\(id)"),
            Relation("pbxdevices", "/api/pbxdevices/?reseller_id=\(id)"),
        ]
    }

    /// NOTE: any unused contract id is accepted because contracts are not emulated.
    private func validated(_ body: [String: JSONValue], in state: State, excluding id: Int?)
        throws(APIError) -> Reseller
    {
        var errors = ValidationErrors()
        let contractID = Fields.integer(body["contract_id"])
        if contractID == nil {
            errors.add(
                field: "contract_id", input: Fields.inputText(body["contract_id"]),
                errors: Fields.isBlank(body["contract_id"])
                    ? "Contract field is required" : Fields.positiveIntegerErrors)
        }
        let name = Fields.text(body["name"]) ?? ""
        if name.isEmpty { errors.add(field: "name", input: "", errors: "Name field is required") }
        let status = Fields.text(body["status"]) ?? ""
        if status.isEmpty {
            errors.add(field: "status", input: "", errors: "Status field is required")
        } else if !Self.statuses.contains(status) {
            errors.add(field: "status", input: status, errors: "'\(status)' is not a valid value")
        }
        try errors.check()
        if state.resellers.values.contains(where: { $0.name == name && $0.id != id }) {
            throw APIError.unprocessable("Invalid 'name', reseller with this name already exists")
        }
        if state.resellers.values.contains(where: { $0.contractID == contractID && $0.id != id }) {
            throw APIError.unprocessable(
                "Invalid 'contract_id', reseller with this contract already exists")
        }
        return Reseller(id: id ?? 0, contractID: contractID ?? 0, name: name, status: status)
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        guard context.role == .admin else { throw APIError(403, "Invalid user") }
        var reseller = try validated(body, in: state, excluding: nil)
        reseller.id = state.resellers.allocateID()
        state.resellers.put(reseller)
        return reseller.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        let reseller = try validated(body, in: state, excluding: id)
        let previous = state.resellers[id]?.status
        state.resellers.put(reseller)
        if previous != reseller.status {
            try cascade(reseller.status, from: id, in: &state)
        }
    }

    /// Passes a reseller status change on to all its live customers and their subscribers;
    /// terminating a reseller also deletes its domains.
    private func cascade(_ status: String, from resellerID: Int, in state: inout State)
        throws(APIError)
    {
        let now = Clock.databaseTimestamp()
        let customers = CustomersResource()
        for var customer in state.customers.values
        where customer.status != "terminated"
            && state.resellerID(ofCustomer: customer) == resellerID
        {
            try customers.changeStatus(of: &customer, to: status, in: &state, now: now)
            customer.modifyTimestamp = now
            state.customers.put(customer)
        }
        if status == "terminated" {
            let domains = DomainsResource()
            let context = RequestContext(role: .admin, query: CollectionQuery(parameters: []))
            for domain in state.domains.values where domain.resellerID == resellerID {
                try domains.delete(domain.id, in: &state, context: context)
            }
        }
    }
}
