import Manifests
import NGCPCore

/// Turns the live subscriber fields, call forwards and preferences into the manifest shape.
///
/// Each rule drops what the server sets by itself or what equals the default the loader would
/// fill in, so a manifest lists only what someone decided.
enum SubscriberMapping {

    // MARK: Numbers

    /// Converts a number to the manifest's form: `cc` as an integer, `ac` and `sn` as strings (quoted
    /// in YAML, so leading zeros survive), `ac` only when not empty, `is_devid` only when true.
    /// `number_id` is server-owned and dropped.
    static func number(_ value: JSONValue?, isAlias: Bool) -> YAMLValue? {
        guard let object = value?.objectValue,
            let cc = digitText(object["cc"]), let sn = digitText(object["sn"]), !sn.isEmpty
        else { return nil }
        var entries: [YAMLEntry] = []
        if let code = Int(cc) {
            entries.append(YAMLEntry("cc", .int(code)))
        } else {
            entries.append(YAMLEntry("cc", .string(cc)))
        }
        if let ac = digitText(object["ac"]), !ac.isEmpty {
            entries.append(YAMLEntry("ac", .string(ac)))
        }
        entries.append(YAMLEntry("sn", .string(sn)))
        if isAlias, truth(object["is_devid"]) == true {
            entries.append(YAMLEntry("is_devid", .bool(true)))
        }
        return .flow(entries)
    }

    /// Returns the E.164 digits of a number object, `cc` + `ac` + `sn`.
    static func e164(_ value: JSONValue?) -> String? {
        guard let object = value?.objectValue,
            let cc = digitText(object["cc"]), let sn = digitText(object["sn"])
        else { return nil }
        return cc + (digitText(object["ac"]) ?? "") + sn
    }

    /// Alias numbers sorted by `(cc, ac, sn)`: NGCP keeps its own order and the planner compares
    /// aliases as a set, so sorting keeps the output stable without changing the meaning.
    static func aliasNumbers(_ value: JSONValue?) -> [YAMLValue] {
        let entries = (value?.arrayValue ?? []).compactMap { entry -> (key: [String], YAMLValue)? in
            guard let object = entry.objectValue,
                let yaml = number(entry, isAlias: true)
            else { return nil }
            let key = ["cc", "ac", "sn"].map { digitText(object[$0]) ?? "" }
            return (key, yaml)
        }
        return entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.1)
    }

    static func digitText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: return nil
        }
    }

    // MARK: Call forwards

    /// The keyword destinations that NGCP stores symbolically.
    static let symbolicDestinations: Set<String> = [
        "voicebox", "fax2mail", "conference", "callingcard", "callthrough", "autoattendant",
        "officehours", "customhours", "managersecretary",
    ]

    /// Internal domains whose URIs stand for a keyword destination.
    static let keywordDomains: [String: String] = [
        "voicebox.local": "voicebox", "fax2mail.local": "fax2mail",
        "conference.local": "conference", "managersecretary.local": "managersecretary",
    ]

    /// Returns a destination as a person writes it. NGCP stores numbers and user names as
    /// `sip:<user>@<subscriber's domain>`, so such a URI becomes `<user>` again. Keywords stay
    /// as they are, and their internal URIs (`sip:vmu…@voicebox.local`) become the keyword. A
    /// URI in another domain, or one whose user part is itself a keyword, stays a full URI.
    static func destination(_ text: String, subscriberDomain: String) -> String {
        let lowered = text.lowercased()
        if symbolicDestinations.contains(lowered) { return lowered }
        guard lowered.hasPrefix("sip:"), let at = text.lastIndex(of: "@") else { return text }

        let user = String(text[text.index(text.startIndex, offsetBy: 4)..<at])
        let domain = text[text.index(after: at)...].lowercased()
        if let keyword = keywordDomains[domain] {
            // Voicemail URIs name the mailbox as `vmu<number>` or `vmb<number>`.
            let mailbox = user.lowercased().hasPrefix("vmu") || user.lowercased().hasPrefix("vmb")
            if keyword != "voicebox" || mailbox { return keyword }
        }
        guard domain == subscriberDomain.lowercased(), !user.isEmpty,
            !symbolicDestinations.contains(user.lowercased()), !user.contains("@"),
            !user.contains(":")
        else { return text }
        return user
    }

    /// NGCP's ring time for a destination without `timeout`, in seconds.
    static let defaultTimeout = 300

    static let forwardTypes = ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo"]

    /// Builds the `callforwards` block: one entry per type with destinations, in the API's type order.
    /// Nil when no type is configured, which leaves forwards unmanaged.
    static func callForwards(_ live: [String: JSONValue]?, subscriberDomain: String)
        -> YAMLValue?
    {
        guard let live else { return nil }
        var entries: [YAMLEntry] = []
        for type in forwardTypes {
            guard let forward = live[type]?.objectValue,
                let destinations = forward["destinations"]?.arrayValue, !destinations.isEmpty
            else { continue }
            entries.append(
                YAMLEntry(
                    type,
                    callForward(
                        forward, type: type, destinations: destinations,
                        subscriberDomain: subscriberDomain)))
        }
        return entries.isEmpty ? nil : .block(entries)
    }

    private static func callForward(
        _ forward: [String: JSONValue], type: String, destinations: [JSONValue],
        subscriberDomain: String
    ) -> YAMLValue {
        var entries: [YAMLEntry] = []
        if type == "cft", let ringTimeout = integer(forward["ringtimeout"]) {
            entries.append(YAMLEntry("ringtimeout", .int(ringTimeout)))
        }
        let written = destinations.compactMap {
            destinationEntry($0, subscriberDomain: subscriberDomain)
        }
        entries.append(YAMLEntry("destinations", .sequence(written)))

        let periods = (forward["times"]?.arrayValue ?? []).map(period)
        if !periods.isEmpty { entries.append(YAMLEntry("times", .sequence(periods))) }

        for (list, member) in [("sources", "source"), ("bnumbers", "bnumber")] {
            let items = (forward[list]?.arrayValue ?? []).compactMap { item -> YAMLValue? in
                guard let text = scalarText(item[member]) else { return nil }
                return .flow([YAMLEntry(member, .string(text))])
            }
            guard !items.isEmpty else { continue }
            entries.append(YAMLEntry(list, .sequence(items)))
            if let mode = forward["\(list)_mode"]?.stringValue, mode != "whitelist" {
                entries.append(YAMLEntry("\(list)_mode", .string(mode)))
            }
            if truth(forward["\(list)_is_regex"]) == true {
                entries.append(YAMLEntry("\(list)_is_regex", .bool(true)))
            }
        }
        return .block(entries)
    }

    /// Converts one destination, leaving out its defaults: `priority` only when set, `timeout` only when not
    /// 300, `announcement_id` only for `customhours` (the only destination that takes one).
    /// `simple_destination` is output only.
    private static func destinationEntry(_ value: JSONValue, subscriberDomain: String)
        -> YAMLValue?
    {
        guard let object = value.objectValue, let text = scalarText(object["destination"]) else {
            return nil
        }
        let written = destination(text, subscriberDomain: subscriberDomain)
        var entries = [YAMLEntry("destination", .string(written))]
        if let priority = integer(object["priority"]) {
            entries.append(YAMLEntry("priority", .int(priority)))
        }
        if let timeout = integer(object["timeout"]), timeout != defaultTimeout {
            entries.append(YAMLEntry("timeout", .int(timeout)))
        }
        if written == "customhours", let announcement = integer(object["announcement_id"]) {
            entries.append(YAMLEntry("announcement_id", .int(announcement)))
        }
        return .block(entries)
    }

    /// Converts a time period to the fields that are set, in the order year to minute.
    private static func period(_ value: JSONValue) -> YAMLValue {
        var entries: [YAMLEntry] = []
        for field in ["year", "month", "mday", "wday", "hour", "minute"] {
            switch value[field] {
            case .int(let number)?: entries.append(YAMLEntry(field, .int(number)))
            case .string(let text)? where !text.isEmpty:
                entries.append(YAMLEntry(field, .string(text)))
            default: break
            }
        }
        return .flow(entries)
    }

    // MARK: Preferences

    /// A preference left out of the export, with the reason.
    struct SkippedPreference: Hashable {
        let name: String
        let reason: String
    }

    /// A secret preference's value, which the manifest reads from `variable`.
    struct SecretPreference: Hashable {
        let name: String
        let variable: String
        let value: SecretValue
    }

    /// Selects the preferences worth declaring: those a person set. The values NGCP sets by
    /// itself on a new subscriber are dropped (see `isAutomatic`). So are `lock`, which is
    /// written as `spec.lock`, internal preferences and unset ones. A preference the catalogue
    /// does not accept is skipped and reported, because the manifest would not load.
    ///
    /// A secret preference is written as `{env: NAME}`, with the variable that
    /// `secretVariable` names for it, and its value is returned in `secrets`.
    static func preferences(
        _ live: [String: JSONValue]?, primaryNumber: JSONValue?, aliasNumbers: JSONValue?,
        catalogue: PreferenceCatalogue, secretVariable: (String) -> String
    ) -> (value: YAMLValue?, skipped: [SkippedPreference], secrets: [SecretPreference]) {
        guard let live else { return (nil, [], []) }
        var entries: [YAMLEntry] = []
        var skipped: [SkippedPreference] = []
        var secrets: [SecretPreference] = []
        let numbers = Numbers(primary: primaryNumber, aliases: aliasNumbers)

        for name in live.keys.sorted() {
            guard let value = live[name], !value.isNull else { continue }
            if ["id", "subscriber_id", "lock"].contains(name) { continue }
            if isAutomatic(name, value, numbers: numbers) { continue }
            guard let definition = catalogue[name] else {
                skipped.append(.init(name: name, reason: "not in the preference catalogue"))
                continue
            }
            if definition.isInternal { continue }
            if secretPreferenceNames.contains(name) {
                // The loader rejects an empty secret.
                guard let text = scalarText(value), !text.isEmpty else {
                    skipped.append(.init(name: name, reason: "a secret cannot be empty"))
                    continue
                }
                let variable = secretVariable(name)
                entries.append(YAMLEntry(name, .flow([YAMLEntry("env", .string(variable))])))
                secrets.append(
                    SecretPreference(name: name, variable: variable, value: SecretValue(text)))
                continue
            }
            switch preferenceValue(value, definition: definition) {
            case .success(let yaml): entries.append(YAMLEntry(name, yaml))
            case .failure(let problem): skipped.append(.init(name: name, reason: problem.reason))
            }
        }
        return (entries.isEmpty ? nil : .block(entries), skipped, secrets)
    }

    /// The numbers of one subscriber, for recognising automatic preference values.
    struct Numbers {
        let primary: String?
        let primaryCC: String?
        let primaryAC: String?
        let all: Set<String>

        init(primary: JSONValue?, aliases: JSONValue?) {
            self.primary = SubscriberMapping.e164(primary)
            primaryCC = SubscriberMapping.digitText(primary?["cc"])
            primaryAC =
                primary?.objectValue == nil
                ? nil : SubscriberMapping.digitText(primary?["ac"]) ?? ""
            var all = Set((aliases?.arrayValue ?? []).compactMap { SubscriberMapping.e164($0) })
            if let own = self.primary { all.insert(own) }
            self.all = all
        }
    }

    /// True for a preference whose value is the one NGCP sets by itself.
    static func isAutomatic(_ name: String, _ value: JSONValue, numbers: Numbers) -> Bool {
        switch name {
        case "cc":
            guard let text = scalarText(value), let cc = numbers.primaryCC else { return false }
            return Int(text) != nil && Int(text) == Int(cc)
        case "ac":
            guard let text = scalarText(value), let ac = numbers.primaryAC else { return false }
            return text == ac
        case "allowed_clis":
            guard let items = value.arrayValue, let primary = numbers.primary else { return false }
            let clis = Set(items.compactMap(scalarText))
            guard clis.count == items.count else { return false }
            // With automatic CLI management NGCP lists the primary number and, depending on its
            // configuration, the alias numbers too.
            return clis == numbers.all || clis == [primary]
        case "cli":
            return numbers.primary != nil && scalarText(value) == numbers.primary
        case "call_log_level":
            return value == "notice"
        case "emergency_location_format":
            return value == "cirpack"
        default:
            return false
        }
    }

    struct PreferenceProblem: Error {
        let reason: String
    }

    /// Converts a live preference value to the type its definition declares.
    static func preferenceValue(_ value: JSONValue, definition: PreferenceDefinition)
        -> Result<YAMLValue, PreferenceProblem>
    {
        if definition.dataType == .blob {
            return .failure(PreferenceProblem(reason: "binary preferences cannot be declared"))
        }
        guard definition.isList else { return scalarPreference(value, definition: definition) }

        let items = value.arrayValue ?? [value]
        var converted: [YAMLValue] = []
        for item in items {
            switch scalarPreference(item, definition: definition) {
            case .success(let yaml): converted.append(yaml)
            case .failure(let problem): return .failure(problem)
            }
        }
        if definition.name == "allowed_clis", Set(converted).count != converted.count {
            return .failure(PreferenceProblem(reason: "a value is listed twice"))
        }
        return .success(.sequence(converted))
    }

    /// NGCP rejects longer preference values.
    static let maxPreferenceLength = 128

    private static func scalarPreference(_ value: JSONValue, definition: PreferenceDefinition)
        -> Result<YAMLValue, PreferenceProblem>
    {
        switch definition.dataType {
        case .boolean:
            guard let flag = truth(value) else {
                return .failure(PreferenceProblem(reason: "expected a boolean, found \(value)"))
            }
            return .success(.bool(flag))
        case .int:
            guard let number = integer(value) else {
                return .failure(PreferenceProblem(reason: "expected an integer, found \(value)"))
            }
            return .success(.int(number))
        case .string, .blob:
            guard let text = scalarText(value) else {
                return .failure(PreferenceProblem(reason: "expected text, found \(value)"))
            }
            guard text.count <= maxPreferenceLength else {
                return .failure(
                    PreferenceProblem(
                        reason: "the value is longer than \(maxPreferenceLength) characters"))
            }
            return .success(.string(text))
        case .enumeration:
            guard let text = scalarText(value) else {
                return .failure(PreferenceProblem(reason: "expected text, found \(value)"))
            }
            guard definition.enumValues.isEmpty || definition.enumValues.contains(text) else {
                return .failure(
                    PreferenceProblem(reason: "'\(text)' is not one of the catalogue's values"))
            }
            return .success(.string(text))
        }
    }

    // MARK: Scalars

    static func scalarText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        default: return nil
        }
    }

    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: return number
        case .string(let text)?: return Int(text)
        case .double?: return value?.intValue
        default: return nil
        }
    }

    /// Booleans as NGCP returns them: JSON booleans, or 0/1 as numbers or strings.
    static func truth(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let flag)?: return flag
        case .int(0)?, .string("0")?, .string("false")?: return false
        case .int(1)?, .string("1")?, .string("true")?: return true
        default: return nil
        }
    }
}
