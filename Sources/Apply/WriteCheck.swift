import NGCPCore

/// The read-after-write comparison: what was sent against what the server then returns.
///
/// The server returns some values in its own spelling: numbers as strings, booleans as
/// 0 and 1, extra members in objects, and internal URIs for call forward targets. Those count
/// as equal here. Whatever else differs is reported with its field path, as a warning.
/// NOTE: these equalities are a subset of the planner's normalisation rules, which the
/// planning module keeps internal; a rewrite only the planner accepts shows up as a warning.
enum WriteCheck {
    /// Field names whose values are never compared, because the server does not return
    /// them.
    static let unreadable: Set<String> = ["password", "webpassword"]

    /// Field names whose values are secrets: a difference is reported without the values.
    static let secretFields: Set<String> = secretPreferenceNames.union(["password", "webpassword"])

    /// Field paths of lists whose order the server decides, compared as sets.
    static let unordered: Set<String> = ["pbx_group_ids", "pbx_groupmember_ids"]

    static func differences(sent: JSONValue, method: HTTPMethod, live: JSONValue) -> [String] {
        var found: [String] = []
        switch (method, sent) {
        case (.patch, .array(let operations)):
            for operation in operations {
                guard let path = operation["path"]?.stringValue, path.hasPrefix("/"),
                    operation["op"]?.stringValue != "remove", let value = operation["value"]
                else { continue }
                let field = String(path.dropFirst())
                guard !field.contains("/") else { continue }
                compare(value, live[field], path: field, into: &found)
            }
        case (_, .object(let members)):
            for (key, value) in members.sorted(by: { $0.key < $1.key })
            where !unreadable.contains(key) {
                compare(value, live[key], path: key, into: &found)
            }
        default:
            break
        }
        return found
    }

    /// True when `live` shows that a write whose outcome is unknown took effect: no field
    /// differs, each member a patch sets is present, and each member it removes is absent.
    /// A patch with a nested path or another operation cannot be confirmed this way.
    static func tookEffect(sent: JSONValue, method: HTTPMethod, live: JSONValue) -> Bool {
        guard differences(sent: sent, method: method, live: live).isEmpty else { return false }
        guard method == .patch else { return method == .put }
        guard case .array(let operations) = sent else { return false }
        for operation in operations {
            guard let path = operation["path"]?.stringValue, path.hasPrefix("/") else {
                return false
            }
            let field = String(path.dropFirst())
            guard !field.contains("/") else { return false }
            switch operation["op"]?.stringValue {
            case "replace", "add":
                guard live[field] != nil else { return false }
            case "remove":
                // A remove with a `value` takes matching elements out of an array member,
                // which the live member alone cannot confirm.
                guard operation["value"] == nil else { return false }
                if let value = live[field], value != .null { return false }
            default:
                return false
            }
        }
        return true
    }

    private static func compare(
        _ sent: JSONValue, _ live: JSONValue?, path: String, into found: inout [String]
    ) {
        // A member the server does not return cannot be checked; the next plan shows it.
        guard let live else { return }
        if isPlaceholder(sent) { return }
        switch (sent, live) {
        case (.object(let sentMembers), .object(let liveMembers)):
            for (key, value) in sentMembers.sorted(by: { $0.key < $1.key }) {
                compare(value, liveMembers[key], path: "\(path).\(key)", into: &found)
            }
        case (.object(let sentMembers), _) where sentMembers.isEmpty:
            return
        case (.array(let sentItems), .array(let liveItems)) where Self.unordered.contains(path):
            // NGCP keeps these lists in an order of its own.
            let sorted = { (items: [JSONValue]) in items.map { $0.serialized() }.sorted() }
            if sorted(sentItems) != sorted(liveItems) {
                found.append(
                    "\(path): sent \(sent.serialized()), the server stored \(live.serialized())")
            }
        case (.array(let sentItems), .array(let liveItems)):
            guard sentItems.count == liveItems.count else {
                found.append(
                    "\(path): sent \(sentItems.count) items, the server holds "
                        + "\(liveItems.count)")
                return
            }
            for (index, (sentItem, liveItem)) in zip(sentItems, liveItems).enumerated() {
                compare(sentItem, liveItem, path: "\(path)[\(index)]", into: &found)
            }
        default:
            if scalarsMatch(sent, live) { return }
            if Self.secretFields.contains(path) {
                found.append("\(path): the server stored a value other than the one sent")
                return
            }
            if path.hasSuffix(".destination"), let sentText = sent.stringValue,
                let liveText = live.stringValue, liveText.contains(sentText)
            {
                // NGCP stores a forward keyword such as `voicebox` as an internal SIP URI.
                return
            }
            found.append(
                "\(path): sent \(sent.serialized()), the server stored \(live.serialized())")
        }
    }

    private static func isPlaceholder(_ value: JSONValue) -> Bool {
        value[PlanPlaceholder.marker] != nil
    }

    /// Equality of two values as NGCP compares them: `1` and `"1"`, `true` and `1`, and
    /// `null` and an empty string are the same.
    static func scalarsMatch(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if lhs == rhs { return true }
        switch (text(lhs), text(rhs)) {
        case (let left?, let right?):
            return left == right
        default:
            return false
        }
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "1" : "0"
        case .int(let number): return "\(number)"
        case .double(let number):
            return number == number.rounded() && abs(number) < 9e15
                ? "\(Int(number))" : "\(number)"
        case .string(let text): return text
        case .array, .object: return nil
        }
    }
}
