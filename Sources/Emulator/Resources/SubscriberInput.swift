import NGCPCore

/// The validated scalar fields of a subscriber POST, PUT or patched document.
struct SubscriberInput {
    var customerID: Int
    var domainID: Int?
    var domainName: String?
    var username: String
    var password: String?
    var webusername: String?
    var webpassword: String?
    var status: String?
    /// Nil when absent or null; otherwise a lock level "1" to "5".
    var lock: String?
    var externalID: String?
    var email: String?
    var timezone: String?
    var administrative: Bool?
    var displayName: String?
    var profileID: Int?
    var profileSetID: Int?
    var pbx: PBXInput

    /// Runs the form checks and reports every failing field in one 422.
    static func validate(_ body: [String: JSONValue], requirePassword: Bool) throws(APIError)
        -> SubscriberInput
    {
        var errors = ValidationErrors()
        let username = Fields.text(body["username"]) ?? ""
        if username.isEmpty {
            errors.add(field: "username", input: "", errors: "SIP Username field is required")
        } else if username.contains(where: \.isWhitespace) {
            errors.add(field: "username", input: username, errors: "Cannot contain spaces.")
        } else if !username.allSatisfy(isUsernameCharacter) || username.hasPrefix(".")
            || username.hasSuffix(".") || username.contains("..")
        {
            errors.add(field: "username", input: username, errors: "Contains invalid characters.")
        }
        let password = Fields.text(body["password"])
        if requirePassword && (password ?? "").isEmpty {
            errors.add(field: "password", input: "*****", errors: "SIP Password field is required")
        }
        let domainName = Fields.text(body["domain"]).flatMap { $0.isEmpty ? nil : $0 }
        let domainID = Fields.integer(body["domain_id"])
        if domainName == nil && domainID == nil {
            errors.add(
                field: "domain_id", input: Fields.inputText(body["domain_id"]),
                errors: "Domain field is required")
        }
        let customerID = Fields.integer(body["customer_id"])
        if Fields.isBlank(body["customer_id"]) {
            errors.add(field: "customer_id", input: "", errors: Fields.missingIntegerErrors)
        } else if customerID == nil || customerID! <= 0 {
            errors.add(
                field: "customer_id", input: Fields.inputText(body["customer_id"]),
                errors: Fields.positiveIntegerErrors)
        }
        let status = Fields.text(body["status"]).flatMap { $0.isEmpty ? nil : $0 }
        if let status, !SubscribersResource.statuses.contains(status) {
            errors.add(field: "status", input: status, errors: "'\(status)' is not a valid value")
        }
        let lock = Fields.text(body["lock"]).flatMap { $0.isEmpty ? nil : $0 }
        if let lock, !SubscribersResource.lockLevels.contains(lock) {
            errors.add(field: "lock", input: lock, errors: "'\(lock)' is not a valid value")
        }
        let email = Fields.text(body["email"]).flatMap { $0.isEmpty ? nil : $0 }
        if let email, !ContactsResource.isValidEmail(email) {
            errors.add(
                field: "email", input: email,
                errors: "Email should be of the format someuser@example.com")
        }
        let timezone = Fields.text(body["timezone"]).flatMap { $0.isEmpty ? nil : $0 }
        if let timezone, !TimeZoneNames.isValid(timezone) {
            errors.add(field: "timezone", input: timezone, errors: "Invalid timezone")
        }
        let pbx = PBXInput.validate(body, errors: &errors)
        try errors.check()

        return SubscriberInput(
            customerID: customerID ?? 0, domainID: domainID, domainName: domainName,
            username: username, password: password.flatMap { $0.isEmpty ? nil : $0 },
            webusername: Fields.text(body["webusername"]).flatMap { $0.isEmpty ? nil : $0 },
            webpassword: Fields.text(body["webpassword"]).flatMap { $0.isEmpty ? nil : $0 },
            status: status, lock: lock,
            externalID: Fields.text(body["external_id"]).flatMap { $0.isEmpty ? nil : $0 },
            email: email,
            timezone: timezone,
            administrative: body["administrative"].map { Fields.flag($0, default: false) },
            displayName: Fields.text(body["display_name"]),
            profileID: Fields.integer(body["profile_id"]),
            profileSetID: Fields.integer(body["profile_set_id"]), pbx: pbx)
    }

    private static func isUsernameCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "+=,;_.~'()!*-".contains(character)
    }

    /// The lock level to store: a locked subscriber is always globally locked (level 4).
    func effectiveLock(current: String?) -> String? {
        if status == "locked" { return "4" }
        return lock
    }

    /// Finds the domain by name (which wins) or by id, among those the role may use.
    func resolveDomain(in state: State, role: Role) throws(APIError) -> Domain {
        var domain: Domain?
        if let domainName {
            let lowered = domainName.lowercased()
            domain = state.domains.values.first { $0.domain.lowercased() == lowered }
        } else if let domainID {
            domain = state.domains[domainID]
        }
        guard let domain, role.sees(resellerID: domain.resellerID) else {
            throw APIError.unprocessable("Invalid 'domain', doesn't exist.")
        }
        return domain
    }
}

/// A number as given in a request.
struct NumberSpec: Equatable {
    var cc: Int
    var ac: String
    var sn: String
    var isDevID: Bool

    var key: String { "\(cc)-\(ac)-\(sn)" }
    var e164: String { "\(cc)\(ac)\(sn)" }
}

/// The primary and alias numbers of a request.
struct NumberInput {
    var primary: NumberSpec?
    var aliases: [NumberSpec]

    static func parse(_ body: [String: JSONValue]) throws(APIError) -> NumberInput {
        var primary: NumberSpec?
        switch body["primary_number"] {
        case nil, .null?:
            primary = nil
        case .object(let object)?:
            primary = try spec(object)
        default:
            throw APIError.unprocessable("Invalid primary_number parameter, must be a hash.")
        }
        var aliases: [NumberSpec] = []
        switch body["alias_numbers"] {
        case nil, .null?:
            break
        case .array(let items)?:
            for item in items {
                guard let object = item.objectValue else {
                    throw APIError.unprocessable("Invalid alias_number parameter, must be a hash.")
                }
                if let alias = try spec(object) { aliases.append(alias) }
            }
        default:
            throw APIError.unprocessable("Invalid alias_number parameter, must be an array.")
        }
        return NumberInput(primary: primary, aliases: aliases)
    }

    /// Checks one `{cc, ac, sn}` object like NGCP's e164 field.
    private static func spec(_ object: [String: JSONValue]) throws(APIError) -> NumberSpec? {
        let cc = Fields.text(object["cc"]) ?? ""
        let ac = Fields.text(object["ac"]) ?? ""
        let sn = Fields.text(object["sn"]) ?? ""
        if cc.isEmpty && sn.isEmpty { return nil }
        func failure(_ message: String) -> APIError {
            APIError.validation(
                field: "e164", input: Fields.inputText(.object(object)), errors: message)
        }
        if cc.isEmpty { throw failure("Country Code required if Subscriber Number is set") }
        guard let ccValue = Int(cc), ccValue > 0, cc.count <= 4 else {
            throw failure("Country code must be greater than zero")
        }
        if sn.isEmpty { throw failure("Subscriber Number required if Country Code is set") }
        guard ac.allSatisfy(\.isNumber), ac.count <= 7 else {
            throw failure("Area code must be a number")
        }
        guard sn.allSatisfy(\.isNumber), sn.count <= 31 else {
            throw failure("Subscriber number must be a number")
        }
        return NumberSpec(
            cc: ccValue, ac: ac, sn: sn, isDevID: Fields.flag(object["is_devid"], default: false))
    }
}

/// Number uniqueness and assignment, shared by create and update.
enum NumberAssignment {
    /// A primary number held by another subscriber is a 422.
    static func checkPrimary(_ primary: NumberSpec?, for subscriberID: Int, in state: State)
        throws(APIError)
    {
        guard let primary,
            let existing = state.numberID(cc: primary.cc, ac: primary.ac, sn: primary.sn),
            let owner = state.numbers[existing]?.subscriberID, owner != subscriberID
        else { return }
        throw APIError.unprocessable("Number '\(primary.key)' already exists.")
    }

    /// The first alias (as E.164) assigned to another subscriber or equal to the primary.
    static func aliasClash(_ numbers: NumberInput, for subscriberID: Int, in state: State)
        -> String?
    {
        for alias in numbers.aliases {
            if alias.key == numbers.primary?.key { return alias.e164 }
            if let existing = state.numberID(cc: alias.cc, ac: alias.ac, sn: alias.sn),
                let owner = state.numbers[existing]?.subscriberID, owner != subscriberID
            {
                return alias.e164
            }
        }
        return nil
    }

    /// Points the subscriber at rows for its numbers, reusing free rows; a replaced primary
    /// number row is deleted and dropped aliases become free rows.
    static func assign(
        _ numbers: NumberInput, to subscriber: inout Subscriber, in state: inout State
    ) {
        let oldPrimary = subscriber.primaryNumberID.flatMap { state.numbers[$0] }
        let oldAliases = subscriber.aliasNumberIDs

        if let primary = numbers.primary {
            if oldPrimary?.key != primary.key {
                if let oldPrimary { state.removeNumber(oldPrimary.id) }
                subscriber.primaryNumberID = row(for: primary, owner: subscriber.id, in: &state)
            }
        } else {
            if let oldPrimary { state.removeNumber(oldPrimary.id) }
            subscriber.primaryNumberID = nil
        }

        var aliasIDs: [Int] = []
        for alias in numbers.aliases {
            let id = row(for: alias, owner: subscriber.id, in: &state)
            if !aliasIDs.contains(id) { aliasIDs.append(id) }
        }
        for id in oldAliases where !aliasIDs.contains(id) && id != subscriber.primaryNumberID {
            if var number = state.numbers[id] {
                number.subscriberID = nil
                state.putNumber(number)
            }
        }
        subscriber.aliasNumberIDs = aliasIDs
    }

    private static func row(for spec: NumberSpec, owner: Int, in state: inout State) -> Int {
        if let id = state.numberID(cc: spec.cc, ac: spec.ac, sn: spec.sn),
            var number = state.numbers[id]
        {
            number.subscriberID = owner
            number.isDevID = spec.isDevID
            state.putNumber(number)
            return id
        }
        let number = PhoneNumber(
            id: state.numbers.allocateID(), cc: spec.cc, ac: spec.ac, sn: spec.sn,
            subscriberID: owner, isDevID: spec.isDevID)
        state.putNumber(number)
        return number.id
    }
}

/// Time zone names the emulator accepts: the IANA areas with a city, plus UTC and friends.
enum TimeZoneNames {
    static func isValid(_ name: String) -> Bool {
        if ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "localtime"].contains(name) { return true }
        let areas = [
            "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
            "Europe", "Indian", "Pacific", "Etc", "US", "Canada", "Brazil", "Mexico", "Chile",
        ]
        let parts = name.split(separator: "/")
        return parts.count >= 2 && areas.contains(String(parts[0]))
    }
}
