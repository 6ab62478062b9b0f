import NGCPCore
import YAMLReader

extension DocumentContext {
    static let callForwardTypes = ManifestSchema.callForwardTypes
    static let callForwardTypeKeys = KeyNames(callForwardTypes)
    static let callForwardFields = KeyNames(ManifestSchema.callForward.names)
    static let periodFields = ManifestSchema.periodFields
    static let periodFieldNames = KeyNames(ManifestSchema.periodFields.map(\.name))
    static let destinationFields = KeyNames(ManifestSchema.destination.names)
    /// The number lists of a call forward: list field, item field, mode and regex flag.
    static let callForwardLists = [
        ("sources", "source", "sources_mode", "sources_is_regex"),
        ("bnumbers", "bnumber", "bnumbers_mode", "bnumbers_is_regex"),
    ]

    // Decoded values start as copies of these templates and are filled in by position
    // (see `JSONObjectTemplate`). Each has room for the keys added later, so it never grows.

    /// Every key of a call forward type but `ringtimeout`, with NGCP's defaults, and the
    /// positions of the keys that decoding sets. `destinations` is a placeholder, because a
    /// valid call forward always sets it.
    struct CallForwardTemplate {
        let template: JSONObjectTemplate
        let destinations: JSONObjectTemplate.Position
        let times: JSONObjectTemplate.Position
        /// The positions of the list, mode and regex flag of `callForwardLists`, in order.
        let lists:
            [(
                list: JSONObjectTemplate.Position, mode: JSONObjectTemplate.Position,
                regex: JSONObjectTemplate.Position
            )]

        init() {
            var value: [String: JSONValue] = Dictionary(minimumCapacity: 9)
            value["destinations"] = []
            value["times"] = []
            value["sources"] = []
            value["sources_mode"] = "whitelist"
            value["sources_is_regex"] = false
            value["bnumbers"] = []
            value["bnumbers_mode"] = "whitelist"
            value["bnumbers_is_regex"] = false
            let template = JSONObjectTemplate(value)
            self.template = template
            destinations = template.position(of: "destinations")
            times = template.position(of: "times")
            lists = DocumentContext.callForwardLists.map { list, _, mode, regex in
                (
                    template.position(of: list), template.position(of: mode),
                    template.position(of: regex)
                )
            }
        }
    }

    static let callForwardTemplate = CallForwardTemplate()

    /// Every key of a destination with NGCP's defaults, and the positions of the keys that
    /// decoding sets. `destination` is a placeholder, because a valid destination always sets
    /// it.
    struct DestinationTemplate {
        let template: JSONObjectTemplate
        let destination: JSONObjectTemplate.Position
        let priority: JSONObjectTemplate.Position
        let timeout: JSONObjectTemplate.Position
        let announcementID: JSONObjectTemplate.Position

        init() {
            var value: [String: JSONValue] = Dictionary(minimumCapacity: 4)
            value["destination"] = ""
            value["priority"] = .null
            value["timeout"] = 300
            value["announcement_id"] = .null
            let template = JSONObjectTemplate(value)
            self.template = template
            destination = template.position(of: "destination")
            priority = template.position(of: "priority")
            timeout = template.position(of: "timeout")
            announcementID = template.position(of: "announcement_id")
        }
    }

    static let destinationTemplate = DestinationTemplate()

    /// Every key of a time period as null, which means "any".
    static let periodTemplate: JSONObjectTemplate = {
        var value: [String: JSONValue] = Dictionary(minimumCapacity: periodFields.count)
        for (field, _) in periodFields { value[field] = .null }
        return JSONObjectTemplate(value)
    }()
    /// The positions of `periodFields` in `periodTemplate`, in order.
    static let periodPositions = periodFields.map { periodTemplate.position(of: $0.name) }

    /// Decodes the call forward block into the shape of `/api/callforwards/{id}`. Types that are absent,
    /// null or `{}` are left out, which means they are cleared. Each listed type gets every
    /// key with NGCP's defaults filled in (timeout 300, whitelist, not regex).
    func decodeCallForwards(_ node: YAMLNode, path: String) -> [String: JSONValue]? {
        if node.isNull { return [:] }
        guard let fields = reader.fields(node, path, allowed: Self.callForwardTypeKeys) else {
            return nil
        }

        var block: [String: JSONValue] = [:]
        var valid = true
        for type in Self.callForwardTypes {
            guard let entry = fields[type] else { continue }
            if entry.isNull || entry.mapping?.isEmpty == true { continue }
            if let value = decodeCallForward(entry, type: type, path: join(path, type)) {
                block[type] = .object(value)
            } else {
                valid = false
            }
        }
        return valid ? block : nil
    }

    /// Decodes one call forward type. `path` is built only when a diagnostic needs it.
    private func decodeCallForward(
        _ node: YAMLNode, type: String, path: @autoclosure () -> String
    ) -> [String: JSONValue]? {
        guard let fields = reader.fields(node, path(), allowed: Self.callForwardFields) else {
            return nil
        }
        let errorsBefore = reader.errorCount
        func fieldPath(_ field: String) -> String { join(path(), field) }

        let template = Self.callForwardTemplate
        var value = template.template.object

        let destinations = fields["destinations"].flatMap {
            // Closures rather than method references: a method reference copies `self`
            // into a new heap context on every call.
            decodeList($0, path: fieldPath("destinations")) { decodeDestination($0, $1) }
        }
        if fields["destinations"] == nil || destinations?.isEmpty == true {
            reader.error(
                fields["destinations"] ?? node, path(), Message.missingDestinations(type),
                hint: Message.missingDestinationsHint)
        }
        if let destinations { value[at: template.destinations] = .array(destinations) }

        if let node = fields["times"],
            let times = decodedTimes.value(
                of: node, reader: reader,
                decode: { decodeList(node, path: fieldPath("times"), { decodePeriod($0, $1) }) })
        {
            value[at: template.times] = .array(times)
        }
        for ((list, entry, modeField, regexField), positions) in zip(
            Self.callForwardLists, template.lists)
        {
            if let node = fields[list],
                let items = decodeList(
                    node, path: fieldPath(list),
                    { item, itemPath in decodeSingleField(item, itemPath, field: entry) })
            {
                value[at: positions.list] = .array(items)
            }
            if let node = fields[modeField],
                let mode = reader.choice(node, fieldPath(modeField), ["whitelist", "blacklist"])
            {
                value[at: positions.mode] = .string(mode)
            }
            if let node = fields[regexField], let flag = reader.bool(node, fieldPath(regexField)) {
                value[at: positions.regex] = .bool(flag)
            }
        }

        // Adding or removing a key can make the positions invalid, so the keys change only
        // after every value set by position.
        if destinations == nil { value["destinations"] = nil }
        if type == "cft" {
            value["ringtimeout"] = .null
        }
        if let node = fields["ringtimeout"] {
            if type != "cft" {
                reader.error(node, fieldPath("ringtimeout"), Message.ringTimeoutOnlyCFT(type))
            } else if !node.isNull,
                let seconds = reader.int(node, fieldPath("ringtimeout"), range: 1...86_400)
            {
                value["ringtimeout"] = .int(seconds)
            }
        }

        return reader.errorCount == errorsBefore ? value : nil
    }

    /// Decodes every item of a list; nil when the node is no list or any item is invalid.
    private func decodeList(
        _ node: YAMLNode, path: @autoclosure () -> String,
        _ decodeItem: (YAMLNode, () -> String) -> JSONValue?
    ) -> [JSONValue]? {
        guard let items = reader.list(node, path()) else { return nil }
        var values: [JSONValue] = []
        values.reserveCapacity(items.count)
        // The item's path closure lives only for the call, as `path` does.
        withoutActuallyEscaping(path) { path in
            for (position, item) in items.enumerated() {
                if let value = decodeItem(item, { index(path(), position) }) {
                    values.append(value)
                }
            }
        }
        return values.count == items.count ? values : nil
    }

    private func decodeDestination(_ node: YAMLNode, _ path: () -> String) -> JSONValue? {
        guard
            let fields = reader.fields(
                node, path(), allowed: Self.destinationFields,
                required: ["destination"])
        else { return nil }

        let destination = fields["destination"].flatMap {
            reader.string($0, join(path(), "destination"), numbersAsText: true, maxLength: 255)
        }
        if let destination, destination.isEmpty, let node = fields["destination"] {
            reader.error(node, join(path(), "destination"), Message.emptyName)
        }

        let template = Self.destinationTemplate
        var value = template.template.object
        // An invalid priority or timeout leaves its key out, and removing a key can make the
        // positions invalid, so the keys are removed only after every value is set.
        var removesPriority = false
        var removesTimeout = false
        if let node = fields["priority"], !node.isNull {
            if let priority = reader.int(node, join(path(), "priority"), range: 0...65_535) {
                value[at: template.priority] = .int(priority)
            } else {
                removesPriority = true
            }
        }
        if let node = fields["timeout"] {
            if let timeout = reader.int(node, join(path(), "timeout"), range: 1...86_400) {
                value[at: template.timeout] = .int(timeout)
            } else {
                removesTimeout = true
            }
        }
        if let node = fields["announcement_id"], !node.isNull {
            if destination != "customhours" {
                reader.error(
                    node, join(path(), "announcement_id"), Message.announcementOnlyCustomHours)
            } else if let id = reader.int(node, join(path(), "announcement_id"), range: 1...Int.max)
            {
                value[at: template.announcementID] = .int(id)
            }
        }

        guard let destination, !destination.isEmpty else { return nil }
        value[at: template.destination] = .string(destination)
        if removesPriority { value["priority"] = nil }
        if removesTimeout { value["timeout"] = nil }
        return .object(value)
    }

    /// Decodes one time period with all six keys. A missing key is null, which means "any".
    private func decodePeriod(_ node: YAMLNode, _ path: () -> String) -> JSONValue? {
        guard let fields = reader.fields(node, path(), allowed: Self.periodFieldNames)
        else { return nil }

        var value = Self.periodTemplate.object
        var valid = true
        for ((field, range), position) in zip(Self.periodFields, Self.periodPositions) {
            guard let item = fields[field], !item.isNull else { continue }
            var fieldPath: String { join(path(), field) }
            guard let text = reader.string(item, fieldPath, numbersAsText: true) else {
                valid = false
                continue
            }
            guard let bounds = periodBounds(text), range.contains(bounds.0),
                range.contains(bounds.1)
            else {
                reader.error(
                    item, fieldPath, Message.invalidPeriod(text, field: field, range: range))
                valid = false
                continue
            }
            // Only the year is not cyclic: `12-2` is a valid month range, `2030-2025` is not.
            if field == "year", bounds.0 > bounds.1 {
                reader.error(item, fieldPath, Message.yearRangeDescending(text))
                valid = false
                continue
            }
            value[at: position] = .string(text)
        }
        return valid ? .object(value) : nil
    }

    /// `N` or `N-M` as its two bounds.
    private func periodBounds(_ text: String) -> (Int, Int)? {
        var numbers: [Int] = []
        var current = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") {
                guard digits > 0, numbers.isEmpty else { return nil }
                numbers.append(current)
                current = 0
                digits = 0
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            // The value saturates: anything past a million is out of every period's range, and
            // leading zeros still count as digits of a valid number.
            digits += 1
            current = min(current * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000)
        }
        guard digits > 0 else { return nil }
        numbers.append(current)
        return numbers.count == 1 ? (numbers[0], numbers[0]) : (numbers[0], numbers[1])
    }

    /// Decodes a `{source: ...}` or `{bnumber: ...}` entry.
    private func decodeSingleField(_ node: YAMLNode, _ path: () -> String, field: String)
        -> JSONValue?
    {
        guard
            let fields = reader.fields(node, path(), allowed: KeyNames([field]), required: [field]),
            let item = fields[field],
            let text = reader.string(item, join(path(), field), numbersAsText: true, maxLength: 255)
        else { return nil }
        return .object([field: .string(text)])
    }
}
