import NGCPCore

/// Call forward destinations: how input is stored and how stored values are shown.
enum DestinationFormat {
    /// Keywords that map to an application address on a `.local` host.
    private static let applications: [(keyword: String, user: String)] = [
        ("callingcard", "callingcard"), ("callthrough", "callthrough"),
        ("autoattendant", "auto-attendant"), ("officehours", "office-hours"),
        ("customhours", "custom-hours"),
    ]

    /// Stores a destination the way NGCP does: keywords become service URIs built from the
    /// subscriber's number, anything else becomes `sip:<user>@<domain>`, with the
    /// subscriber's domain filled in. No number normalisation takes place.
    static func store(
        _ input: String, type: String?, number: String, domain: String
    ) -> String {
        switch input {
        case "voicebox":
            return "sip:\(type == "cfb" ? "vmb" : "vmu")\(number)@voicebox.local"
        case "fax2mail":
            return "sip:fax=\(number)@fax2mail.local"
        case "conference":
            return "sip:conf=\(number)@conference.local"
        case "managersecretary":
            return "sip:\(number)@managersecretary.local"
        default:
            break
        }
        if let application = applications.first(where: { $0.keyword == input }) {
            return "sip:\(application.user)@app.local"
        }
        var address = Substring(input)
        if address.hasPrefix("sip:") {
            address = address.dropFirst(4)
        } else if address.hasPrefix("sips:") {
            address = address.dropFirst(5)
        }
        if let at = address.firstIndex(of: "@") {
            return "sip:\(address[..<at])@\(address[address.index(after: at)...])"
        }
        return "sip:\(address)@\(domain)"
    }

    /// The keyword behind a stored service URI, or nil for an ordinary SIP address.
    static func keyword(of stored: String) -> String? {
        guard let at = stored.lastIndex(of: "@") else { return nil }
        let host = stored[stored.index(after: at)...]
        let user = stored[..<at].dropFirst(stored.hasPrefix("sip:") ? 4 : 0)
        switch host {
        case "voicebox.local": return "voicebox"
        case "fax2mail.local": return "fax2mail"
        case "conference.local": return "conference"
        case "managersecretary.local": return "managersecretary"
        case "app.local":
            return applications.first { $0.user == user }?.keyword ?? String(user)
        default: return nil
        }
    }

    /// One destination as `/api/callforwards/` shows it (`symbolic` true) or as the set
    /// resources show it (service URIs kept as stored).
    static func render(_ destination: Destination, domain: String, symbolic: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "priority": Fields.optional(destination.priority),
            "timeout": .int(destination.timeout),
            "announcement_id": Fields.optional(destination.announcementID),
        ]
        if let keyword = keyword(of: destination.destination) {
            fields["destination"] = .string(symbolic ? keyword : destination.destination)
            return .object(fields)
        }
        fields["destination"] = .string(destination.destination)
        var address = Substring(destination.destination)
        if address.hasPrefix("sip:") { address = address.dropFirst(4) }
        if let at = address.lastIndex(of: "@"), address[address.index(after: at)...] == domain {
            fields["simple_destination"] = .string(String(address[..<at]))
        } else {
            fields["simple_destination"] = .string(String(address))
        }
        return .object(fields)
    }

    /// Parses a `destinations` array; returns nil when a destination is missing or empty,
    /// which the real server only notices when it writes (a 500).
    static func parse(
        _ value: JSONValue?, type: String?, subscriber: Subscriber, state: State,
        numberForKeywords: String? = nil
    ) throws(APIError) -> [Destination]? {
        guard let items = value?.arrayValue else { return [] }
        let domain = state.domains[subscriber.domainID]?.domain ?? ""
        let number =
            numberForKeywords ?? state.primaryNumber(of: subscriber)?.e164 ?? subscriber.uuid
        var result: [Destination] = []
        for item in items {
            guard let object = item.objectValue,
                let text = Fields.text(object["destination"]), !text.isEmpty
            else { return nil }
            var priority: Int?
            if let given = object["priority"], !Fields.isBlank(given) {
                guard let number = Fields.integer(given) else {
                    throw APIError.validation(
                        field: "priority", input: Fields.inputText(given),
                        errors: "Value must be an integer")
                }
                priority = number
            }
            var timeout = 300
            if let given = object["timeout"], !Fields.isBlank(given) {
                guard let number = Fields.integer(given), number > 0 else {
                    throw APIError.validation(
                        field: "timeout", input: Fields.inputText(given),
                        errors: Fields.positiveIntegerErrors)
                }
                timeout = number
            }
            var announcementID: Int?
            if let given = object["announcement_id"], !Fields.isBlank(given) {
                guard text == "customhours" else {
                    throw APIError.unprocessable(
                        "Invalid announcement_id, only allowed with customhours destination.")
                }
                announcementID = Fields.integer(given)
            }
            result.append(
                Destination(
                    destination: store(text, type: type, number: number, domain: domain),
                    priority: priority, timeout: timeout, announcementID: announcementID))
        }
        return result
    }
}

/// Rendering and parsing shared by the call forward set resources.
enum CallForwardSets {
    static func render(_ period: TimePeriod) -> JSONValue {
        [
            "year": Fields.optional(period.year), "month": Fields.optional(period.month),
            "mday": Fields.optional(period.mday), "wday": Fields.optional(period.wday),
            "hour": Fields.optional(period.hour), "minute": Fields.optional(period.minute),
        ]
    }

    static func parseTimes(_ value: JSONValue?) -> [TimePeriod] {
        (value?.arrayValue ?? []).compactMap { item in
            guard let object = item.objectValue else { return nil }
            return TimePeriod(
                year: Fields.text(object["year"]), month: Fields.text(object["month"]),
                mday: Fields.text(object["mday"]), wday: Fields.text(object["wday"]),
                hour: Fields.text(object["hour"]), minute: Fields.text(object["minute"]))
        }
    }

    /// Entries of a source or B-number list; nil when an entry is empty (a 500 on write).
    static func parseEntries(_ value: JSONValue?, key: String) -> [String]? {
        var result: [String] = []
        for item in value?.arrayValue ?? [] {
            guard let text = Fields.text(item.objectValue?[key]), !text.isEmpty else { return nil }
            result.append(text)
        }
        return result
    }

    static func usageCount(destinationSet id: Int, in state: State) -> Int {
        let owner = state.destinationSets[id]?.subscriberID ?? 0
        return state.mappings.records(ownedBy: owner).filter { $0.destinationSetID == id }.count
    }

    static func usageCount(timeSet id: Int, in state: State) -> Int {
        let owner = state.timeSets[id]?.subscriberID ?? 0
        return state.mappings.records(ownedBy: owner).filter { $0.timeSetID == id }.count
    }

    static func usageCount(patternSet id: Int, in state: State) -> Int {
        let owner = state.patternSets[id]?.subscriberID ?? 0
        return state.mappings.records(ownedBy: owner).filter {
            $0.sourceSetID == id || $0.bnumberSetID == id
        }.count
    }

    /// The subscriber of a set POST or PUT, which must exist and be visible.
    static func owner(_ body: [String: JSONValue], state: State, role: Role) throws(APIError)
        -> Subscriber
    {
        guard let id = Fields.integer(body["subscriber_id"]) else {
            throw APIError.validation(
                field: "subscriber_id", input: Fields.inputText(body["subscriber_id"]),
                errors: "Subscriber field is required")
        }
        guard let subscriber = SubscribersResource().visible(id, state, role) else {
            throw APIError.unprocessable("Invalid 'subscriber_id'.")
        }
        return subscriber
    }

    static func requireName(_ body: [String: JSONValue]) throws(APIError) -> String {
        guard let name = Fields.text(body["name"]), !name.isEmpty else {
            throw APIError.validation(field: "name", input: "", errors: "Name field is required")
        }
        return name
    }
}
