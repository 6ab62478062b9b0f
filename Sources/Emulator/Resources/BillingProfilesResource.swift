import NGCPCore

/// `/api/billingprofiles/`: terminated profiles disappear from the API.
struct BillingProfilesResource: Resource, LegacyResource {
    let name = "billingprofiles"
    let entityName = "billingprofile"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let patchOperations = ["add", "replace", "remove", "copy"]

    /// Optional fields and what a new profile stores when they are omitted.
    static let defaults: [(String, JSONValue)] = [
        ("prepaid", false), ("prepaid_library", "libswrate"), ("advice_of_charge", false),
        ("interval_charge", 0), ("interval_free_time", 0), ("interval_free_cash", 0),
        ("fraud_interval_limit", nil), ("fraud_interval_lock", nil),
        ("fraud_interval_notify", nil), ("fraud_daily_limit", nil), ("fraud_daily_lock", nil),
        ("fraud_daily_notify", nil), ("fraud_use_reseller_rates", false), ("currency", nil),
        ("ignore_domain", false), ("peaktime_weekdays", []), ("peaktime_special", []),
    ]

    private static let booleanFields: Set<String> = [
        "prepaid", "advice_of_charge", "fraud_use_reseller_rates", "ignore_domain",
    ]

    private func visible(_ id: Int, _ state: State, _ role: Role) -> BillingProfile? {
        guard let profile = state.billingProfiles[id], profile.status != "terminated",
            role.sees(resellerID: profile.resellerID)
        else { return nil }
        return profile
    }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        var ids = state.billingProfiles.sortedIDs().filter {
            visible($0, state, context.role) != nil
        }
        ids = context.query.filter(ids, by: "reseller_id") { id, value in
            state.billingProfiles[id]?.resellerID == Int(value)
        }
        ids = context.query.filter(ids, by: "handle") { id, value in
            WildcardPattern(value).matches(state.billingProfiles[id]?.handle)
        }
        ids = context.query.filter(ids, by: "name") { id, value in
            WildcardPattern(value).matches(state.billingProfiles[id]?.name)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let profile = visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = [:]
        for (key, fallback) in Self.defaults { fields[key] = profile.extra.object[key] ?? fallback }
        fields["id"] = .int(id)
        fields["reseller_id"] = .int(profile.resellerID)
        fields["handle"] = .string(profile.handle)
        fields["name"] = .string(profile.name)
        fields["status"] = .string(profile.status)
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [
            Relation("billingfees", "/api/billingfees/?billing_profile_id=\(id)"),
            Relation("billingzones", "/api/billingzones/?billing_profile_id=\(id)"),
        ]
    }

    private func validated(
        _ body: [String: JSONValue], existing: BillingProfile?, in state: State, role: Role
    ) throws(APIError) -> BillingProfile {
        var errors = ValidationErrors()
        var resellerID = existing?.resellerID ?? 0
        if case .reseller(let own) = role {
            resellerID = own
        } else if let given = Fields.integer(body["reseller_id"]) {
            resellerID = given
        } else {
            errors.add(
                field: "reseller_id", input: Fields.inputText(body["reseller_id"]),
                errors: "Reseller field is required")
        }
        let handle = Fields.text(body["handle"]) ?? ""
        if handle.isEmpty {
            errors.add(field: "handle", input: "", errors: "Handle field is required")
        } else if !handle.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            errors.add(
                field: "handle", input: handle,
                errors: "Only lower-case, upper-case, digits and _ allowed")
        }
        let name = Fields.text(body["name"]) ?? ""
        if name.isEmpty { errors.add(field: "name", input: "", errors: "Name field is required") }
        try errors.check()

        guard state.resellers[resellerID] != nil else {
            throw APIError.unprocessable("Invalid reseller ID.")
        }
        if let existing, existing.resellerID != resellerID {
            throw APIError.unprocessable("Changing the reseller ID is not allowed.")
        }
        let others = state.billingProfiles.values.filter {
            $0.resellerID == resellerID && $0.status != "terminated" && $0.id != existing?.id
        }
        if others.contains(where: { $0.handle == handle }) {
            throw APIError.unprocessable(
                "Reseller-Billing Profile handle '\(resellerID)-\(handle)' already exists.")
        }
        if others.contains(where: { $0.name == name }) {
            throw APIError.unprocessable(
                "Reseller-Billing Profile name combination '\(resellerID)-\(name)' already exists."
            )
        }
        var extra = existing?.extra.object ?? [:]
        for (key, _) in Self.defaults {
            guard let value = body[key] else { continue }
            if Self.booleanFields.contains(key) {
                extra[key] = .bool(Fields.flag(value, default: false))
            } else {
                extra[key] = value
            }
        }
        // Peak times are rebuilt from the body, so omitting them clears them.
        if existing != nil {
            extra["peaktime_weekdays"] = body["peaktime_weekdays"] ?? []
            extra["peaktime_special"] = body["peaktime_special"] ?? []
        }
        let status = Fields.text(body["status"]) ?? existing?.status ?? "active"
        return BillingProfile(
            id: existing?.id ?? 0, resellerID: resellerID, handle: handle, name: name,
            status: status, extra: StoredJSON(.object(extra)))
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        var profile = try validated(body, existing: nil, in: state, role: context.role)
        profile.id = state.billingProfiles.allocateID()
        profile.status = "active"
        state.billingProfiles.put(profile)
        return profile.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        guard let existing = state.billingProfiles[id] else {
            throw APIError.entityNotFound(entityName)
        }
        let profile = try validated(body, existing: existing, in: state, role: context.role)
        state.billingProfiles.put(profile)
    }

    /// Terminates the profile; customers that use it keep it.
    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        guard var profile = state.billingProfiles[id] else { return }
        profile.status = "terminated"
        state.billingProfiles.put(profile)
    }
}
