import NGCPCore

/// The comparison rules that make a live object, as NGCP returns it, comparable with its
/// manifest. Each rule covers one quirk of the API and has a test of its own.
///
/// Rules only decide equality and build the canonical values shown in a plan. Request bodies keep
/// the manifest's values, because the API accepts them as written.
enum Normalization {

    // MARK: Scalars

    /// Booleans: NGCP returns form booleans as `true`/`false`, but raw tinyint columns inside
    /// nested objects (for example a source set's `is_regex`) as `0`/`1`, and accepts `"0"`/`"1"`.
    /// A boolean therefore equals the integers and strings 0 and 1 of the same truth value.
    static func booleansEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool? {
        switch (lhs, rhs) {
        case (.bool(let value), let other), (let other, .bool(let value)):
            guard let truth = truthValue(other) else { return false }
            return truth == value
        default:
            return nil
        }
    }

    private static func truthValue(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let truth): return truth
        case .int(0), .string("0"): return false
        case .int(1), .string("1"): return true
        default: return nil
        }
    }

    /// Numeric strings: NGCP stringifies numbers sent for string fields and accepts digit
    /// strings for integer fields. It also returns numbers inconsistently: a subscriber's `cc` as
    /// a number but the `cc` preference as a string, and `lock` as `"4"`. So an integer equals a
    /// string containing the same decimal integer.
    static func numericStringsEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool? {
        switch (lhs, rhs) {
        case (.int(let number), .string(let text)), (.string(let text), .int(let number)):
            return Int(text) == number
        case (.double(let number), .string(let text)), (.string(let text), .double(let number)):
            return Double(text) == number
        case (.int(let integer), .double(let number)), (.double(let number), .int(let integer)):
            return Double(integer) == number
        default:
            return nil
        }
    }

    /// Compares two values with the scalar rules above, recursing into arrays (in order) and
    /// objects (a member absent on one side equals `null` on the other, because NGCP emits
    /// every form field and fills the empty ones with `null`).
    static func looselyEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if lhs == rhs { return true }
        if let equal = booleansEqual(lhs, rhs) { return equal }
        if let equal = numericStringsEqual(lhs, rhs) { return equal }
        switch (lhs, rhs) {
        case (.array(let left), .array(let right)):
            guard left.count == right.count else { return false }
            return zip(left, right).allSatisfy { looselyEqual($0, $1) }
        case (.object(let left), .object(let right)):
            let keys = Set(left.keys).union(right.keys)
            return keys.allSatisfy { looselyEqual(left[$0] ?? .null, right[$0] ?? .null) }
        default:
            return false
        }
    }

    /// Compares a field that may be absent on either side: absent equals `null`.
    static func optionalEqual(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        looselyEqual(lhs ?? .null, rhs ?? .null)
    }

    // MARK: Server-owned fields

    /// Fields that the server owns: ids, timestamps, `uuid` and `_links`. They are never
    /// compared, because they differ between targets and change on every write.
    static let serverOwnedFields: Set<String> = [
        "_links", "id", "uuid", "create_timestamp", "modify_timestamp", "activate_timestamp",
        "terminate_timestamp", "number_id",
    ]

    /// True for a field that a manifest may set and the planner compares. Only fields that the
    /// manifest sets are compared: NGCP fills every omitted field with a default, and those
    /// defaults are not drift.
    static func isComparedField(_ name: String, references: Set<String>) -> Bool {
        !serverOwnedFields.contains(name) && !references.contains(name)
    }

    /// Subscriber `display_name`: NGCP accepts it on every subscriber but stores it only for
    /// PBX customers. On other subscribers it stays `null`, so declaring it would give a change
    /// on every plan. It belongs in the `display_name` preference instead.
    static let fieldsStoredOnlyForPBX = ["display_name"]

    // MARK: Lock levels

    /// Lock levels: a subscriber's `lock` comes back as a string (`"4"`) or `null`, while a
    /// manifest writes an integer. Both are reduced to the decimal text, and `null` stays `null`.
    static func lockLevel(_ value: JSONValue?) -> JSONValue {
        switch value {
        case .int(let level)?: return .string(String(level))
        case .string(let text)? where !text.isEmpty: return .string(text)
        default: return .null
        }
    }

    /// Subscriber status `locked`: NGCP forces lock level 4 when a subscriber is locked without
    /// a lock level, so a declared `status: locked` with no `lock` (or `lock: null`) matches a
    /// live `lock: "4"`.
    static func lockImpliedByStatus(
        desiredLock: JSONValue?, desiredStatus: JSONValue?, live: JSONValue?
    )
        -> Bool
    {
        desiredStatus == "locked" && lockLevel(desiredLock) == .null
            && lockLevel(live) == .string("4")
    }

    /// Customer lock cascade: locking a customer makes NGCP set each of its subscribers to
    /// `status: locked` with `lock: "4"`, and unlocking clears both. While the customer is
    /// declared locked, the subscribers' `status` and `lock` belong to the cascade and are not
    /// compared.
    static func isSetByCustomerLock(field: String, customerStatus: String?) -> Bool {
        customerStatus == "locked" && (field == "status" || field == "lock")
    }

    // MARK: Numbers

    /// A telephone number as NGCP keys it: `(cc, ac, sn)` is unique on the whole platform.
    struct Number: Hashable, Comparable, CustomStringConvertible {
        var cc: String
        var ac: String
        var sn: String

        var description: String { telephoneNumberText(cc: cc, ac: ac, sn: sn) }

        static func < (lhs: Number, rhs: Number) -> Bool {
            (lhs.cc, lhs.ac, lhs.sn) < (rhs.cc, rhs.ac, rhs.sn)
        }

        /// The number in the shape NGCP returns and a manifest sends: `cc` as a JSON number,
        /// `ac` and `sn` as strings.
        var jsonValue: JSONValue { ["cc": countryCodeValue, "ac": .string(ac), "sn": .string(sn)] }

        /// `cc` as a JSON number, or as text if it contains something other than digits.
        var countryCodeValue: JSONValue { Int(cc).map(JSONValue.int) ?? .string(cc) }
    }

    /// Number components: `cc` comes back as a JSON number and `ac`/`sn` as strings, while a
    /// manifest may write any of them either way, and an absent `ac` is stored as `""`. Each
    /// component is reduced to its text (`cc` without leading zeros or `+`); `number_id` and
    /// `is_devid` are not part of the number.
    static func number(_ value: JSONValue?) -> Number? {
        guard let object = value?.objectValue else { return nil }
        guard let cc = componentText(object["cc"]), let sn = componentText(object["sn"]),
            !sn.isEmpty
        else { return nil }
        var countryCode = cc
        if countryCode.hasPrefix("+") { countryCode.removeFirst() }
        if let numeric = Int(countryCode) { countryCode = String(numeric) }
        return Number(cc: countryCode, ac: componentText(object["ac"]) ?? "", sn: sn)
    }

    private static func componentText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: return nil
        }
    }

    /// Alias numbers: NGCP adds `number_id` and `is_devid` to each entry and keeps its own order,
    /// so alias lists are compared as sets of numbers. `is_devid` is compared only for the
    /// entries where the manifest sets it.
    static func aliasNumbersEqual(desired: JSONValue?, live: JSONValue?) -> Bool {
        let desiredEntries = desired?.arrayValue ?? []
        let liveEntries = live?.arrayValue ?? []
        let desiredSet = Set(desiredEntries.compactMap { number($0) })
        let liveSet = Set(liveEntries.compactMap { number($0) })
        guard desiredSet == liveSet else { return false }

        var liveDeviceFlags: [Number: Bool] = [:]
        for entry in liveEntries {
            if let key = number(entry) { liveDeviceFlags[key] = entry["is_devid"]?.boolValue }
        }
        for entry in desiredEntries {
            guard let key = number(entry), let flag = entry["is_devid"] else { continue }
            let desiredFlag = truthValue(flag) ?? false
            if (liveDeviceFlags[key] ?? false) != desiredFlag { return false }
        }
        return true
    }

    /// Sorts the numbers of an alias list into the canonical `{cc, ac, sn}` shape for display.
    static func canonicalAliasNumbers(_ value: JSONValue?) -> JSONValue {
        let numbers = (value?.arrayValue ?? []).compactMap { number($0) }
        return .array(Set(numbers).sorted().map(\.jsonValue))
    }

    // MARK: Call forwards

    /// The seven forward types of `/api/callforwards/{id}`.
    static let forwardTypes = ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo"]

    /// Destination keywords that NGCP stores and returns symbolically.
    static let symbolicDestinations: Set<String> = [
        "voicebox", "fax2mail", "conference", "callingcard", "callthrough", "autoattendant",
        "officehours", "customhours", "managersecretary",
    ]

    /// Forward destinations: NGCP stores a number or user name as `sip:<user>@<domain>`. It
    /// fills in the subscriber's own domain and turns `sips:` into `sip:`, while keywords such as
    /// `voicebox` stay symbolic. The internal URIs of keywords (`sip:vmu…@voicebox.local`,
    /// `sip:fax=…@fax2mail.local`, `sip:conf=…@conference.local`) also map back to the keyword.
    /// So `4311`, `sip:4311@example.org` and `sips:4311@EXAMPLE.org` are the same destination
    /// for a subscriber in `example.org`.
    static func destination(_ text: String, subscriberDomain: String) -> String {
        let trimmed = text.trimmingSpaces()
        if symbolicDestinations.contains(trimmed.lowercased()) { return trimmed.lowercased() }

        var uri = Substring(trimmed)
        for scheme in ["sips:", "sip:"] where uri.lowercased().hasPrefix(scheme) {
            uri = uri.dropFirst(scheme.count)
            break
        }
        let user: Substring
        let domain: String
        if let at = uri.lastIndex(of: "@") {
            user = uri[..<at]
            domain = String(uri[uri.index(after: at)...]).lowercased()
        } else {
            user = uri
            domain = subscriberDomain.lowercased()
        }
        if let keyword = keywordForInternalURI(user: user, domain: domain) { return keyword }
        return "sip:\(user)@\(domain)"
    }

    private static func keywordForInternalURI(user: Substring, domain: String) -> String? {
        switch domain {
        case "voicebox.local" where user.hasPrefix("vmu") || user.hasPrefix("vmb"):
            return "voicebox"
        case "fax2mail.local": return "fax2mail"
        case "conference.local": return "conference"
        case "managersecretary.local": return "managersecretary"
        default: return nil
        }
    }

    /// Destination defaults: a destination without `timeout` is stored with 300 seconds and one
    /// without `priority` with `null`; `announcement_id` defaults to `null`.
    static let defaultDestinationTimeout = 300

    /// Reduces one destination to canonical form: `destination`, `priority`, `timeout`, and
    /// `announcement_id` when set. `simple_destination` is output only and dropped.
    static func canonicalDestination(_ value: JSONValue, subscriberDomain: String) -> JSONValue {
        let object = value.objectValue ?? [:]
        let text = object["destination"]?.stringValue ?? object["destination"]?.description ?? ""
        var canonical: [String: JSONValue] = [
            "destination": .string(destination(text, subscriberDomain: subscriberDomain)),
            "timeout": integer(object["timeout"]).map(JSONValue.int)
                ?? .int(
                    defaultDestinationTimeout),
            "priority": integer(object["priority"]).map(JSONValue.int) ?? .null,
        ]
        if let announcement = integer(object["announcement_id"]) {
            canonical["announcement_id"] = .int(announcement)
        }
        return .object(canonical)
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: return number
        case .string(let text)?: return Int(text)
        case .double?: return value?.intValue
        default: return nil
        }
    }

    /// Destination order: NGCP tries destinations by ascending `priority`, and returns them in
    /// that order. Destinations are compared sorted by priority (a missing priority last), with
    /// the written order breaking ties.
    static func destinationsByPriority(_ destinations: [JSONValue]) -> [JSONValue] {
        destinations.enumerated().sorted { left, right in
            let leftPriority = left.element["priority"]?.intValue ?? Int.max
            let rightPriority = right.element["priority"]?.intValue ?? Int.max
            if leftPriority != rightPriority { return leftPriority < rightPriority }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// Forward types in an authoritative block: every write replaces the whole set, so a type
    /// the manifest omits means `{}`. A configured type is reduced to what a PUT sets. That is
    /// the destinations (canonical, by priority) and `times`, then `sources` with `sources_mode`
    /// (default `whitelist`) and `sources_is_regex` (default false), and the same for `bnumbers`.
    /// The `*_set` objects describe server-side sets and are ignored, and `cft.ringtimeout` is
    /// compared by `ringTimeoutDiffers(desired:live:)`. A type without destinations is `{}`,
    /// because a PUT deletes the mapping of such a type.
    static func canonicalForward(_ value: JSONValue?, subscriberDomain: String) -> JSONValue {
        guard let object = value?.objectValue,
            let destinations = object["destinations"]?.arrayValue, !destinations.isEmpty
        else { return [:] }

        let canonical = destinations.map {
            canonicalDestination($0, subscriberDomain: subscriberDomain)
        }
        var result: [String: JSONValue] = [
            "destinations": .array(destinationsByPriority(canonical)),
            "times": .array((object["times"]?.arrayValue ?? []).map(canonicalPeriod)),
        ]
        for (list, mode, isRegex) in patternLists {
            result[list] = object[list] ?? .array([])
            result[mode] = object[mode] ?? "whitelist"
            result[isRegex] = .bool(object[isRegex].flatMap(truthValue) ?? false)
        }
        return .object(result)
    }

    /// The caller and called-number pattern lists of a forward, with the names of their mode
    /// and regex flag.
    static let patternLists = [
        ("sources", "sources_mode", "sources_is_regex"),
        ("bnumbers", "bnumbers_mode", "bnumbers_is_regex"),
    ]

    /// A time period with every field present, `null` where unset, as NGCP returns it.
    private static func canonicalPeriod(_ value: JSONValue) -> JSONValue {
        var period = value.objectValue ?? [:]
        for field in ["year", "month", "mday", "wday", "hour", "minute"] where period[field] == nil
        {
            period[field] = .null
        }
        return .object(period)
    }

    /// `cft.ringtimeout` is compared only when the manifest sets it on a `cft` forward with
    /// destinations. A PUT without it keeps the stored value while a `cft` forward remains, and
    /// a PUT that clears `cft` cannot set it.
    static func ringTimeoutDiffers(desiredForward: JSONValue?, live: JSONValue?) -> Bool {
        guard let desired = desiredForward?["ringtimeout"],
            !(desiredForward?["destinations"]?.arrayValue ?? []).isEmpty
        else { return false }
        return !optionalEqual(desired, live)
    }

    // MARK: Preferences

    /// Preferences that NGCP sets by itself when a subscriber is created or renumbered. They are
    /// reported only when a manifest manages them, because only managed keys are compared. The
    /// list documents why an unmanaged live preference is normal.
    static let automaticPreferences: Set<String> = [
        "cc", "ac", "allowed_clis", "call_log_level", "emergency_location_format", "cli", "lock",
    ]

    /// Members of a `/api/subscriberpreferences/{id}` object that are not preferences.
    static let preferenceEnvelopeFields: Set<String> = ["id", "subscriber_id", "_links"]
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
