import NGCPCore

/// `/api/domains/`: created and deleted, never updated.
struct DomainsResource: Resource {
    let name = "domains"
    let entityName = "domain"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "DELETE"]

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        var ids = state.domains.sortedIDs().filter {
            context.role.sees(resellerID: state.domains[$0]?.resellerID)
        }
        ids = context.query.filter(ids, by: "reseller_id") { id, value in
            state.domains[id]?.resellerID == Int(value)
        }
        ids = context.query.filter(ids, by: "domain") { id, value in
            WildcardPattern(value, allowsQuestionMark: true).matches(state.domains[id]?.domain)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let domain = state.domains[id], context.role.sees(resellerID: domain.resellerID)
        else { return nil }
        var fields: [String: JSONValue] = ["id": .int(id), "domain": .string(domain.domain)]
        // A reseller's own domains do not show the reseller_id.
        if context.role == .admin { fields["reseller_id"] = .int(domain.resellerID) }
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("domainpreferences", "/api/domainpreferences/\(id)")]
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        var errors = ValidationErrors()
        let domainName = Fields.text(body["domain"]) ?? ""
        if domainName.isEmpty {
            errors.add(field: "domain", input: "", errors: "SIP Domain field is required")
        }
        var resellerID: Int
        switch context.role {
        case .reseller(let own):
            resellerID = own
        case .admin:
            resellerID = Fields.integer(body["reseller_id"]) ?? 0
            if Fields.isBlank(body["reseller_id"]) {
                errors.add(field: "reseller_id", input: "", errors: "Reseller field is required")
            } else if Fields.integer(body["reseller_id"]) == nil {
                errors.add(
                    field: "reseller_id", input: Fields.inputText(body["reseller_id"]),
                    errors: Fields.positiveIntegerErrors)
            }
        }
        try errors.check()

        guard state.resellers[resellerID] != nil else {
            throw APIError.unprocessable("Invalid 'reseller_id', doesn't exist.")
        }
        let lowered = domainName.lowercased()
        if state.domains.values.contains(where: { $0.domain.lowercased() == lowered }) {
            throw APIError.unprocessable("Domain '\(domainName)' already exists.")
        }
        let id = state.domains.allocateID()
        state.domains.put(Domain(id: id, domain: domainName, resellerID: resellerID))
        return id
    }

    /// Deletes the domain and, like NGCP, every subscriber in it.
    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        for subscriber in state.subscribers.values where subscriber.domainID == id {
            state.terminateSubscriber(subscriber.id)
        }
        state.domains.remove(id)
    }
}
