import Foundation
import NGCPCore
import YAMLReader

extension DocumentContext {
    static let subscriberFields = KeyNames(ManifestSchema.subscriberSpec.names)
    static let numberFields = KeyNames(ManifestSchema.number.names)
    static let aliasNumberFields = KeyNames(ManifestSchema.aliasNumber.names)
    static let secretSourceFields = KeyNames(ManifestSchema.secretSource.names)
    static let secretPreferenceKeys = KeyNames(secretPreferenceNames.sorted())

    /// Characters NGCP allows in a username besides letters and digits.
    static let usernamePunctuationBytes = Set("+=,;_.~'()!*-".utf8)
    /// Bit `b % 64` of word `b / 64` is set when the ASCII byte `b` may appear in a username:
    /// a letter, a digit or one of `usernamePunctuationBytes`.
    static let usernameBytes: (UInt64, UInt64) = {
        var words: (UInt64, UInt64) = (0, 0)
        for byte in UInt8(0)..<0x80
        where isASCIILetterOrDigit(byte) || usernamePunctuationBytes.contains(byte) {
            if byte < 64 {
                words.0 |= 1 << UInt64(byte)
            } else {
                words.1 |= 1 << UInt64(byte - 64)
            }
        }
        return words
    }()

    /// Decodes a subscriber document's spec. `metadata` is the document's decoded metadata,
    /// which the result keeps with the positions of the secret fields.
    func decodeSubscriber(
        name: String, nameNode: YAMLNode, spec: YAMLNode, metadata: consuming ManifestMetadata
    ) -> DeclaredSubscriber? {
        let identity = splitSubscriberName(name, node: nameNode)
        guard
            let fields = reader.fields(
                spec, "spec", allowed: Self.subscriberFields, required: ["customer"])
        else { return nil }

        // Nodes read more than once, or counted below, are looked up once.
        let customerNode = fields["customer"]
        let passwordNode = fields["password"]
        let webpasswordNode = fields["webpassword"]
        let callforwardsNode = fields["callforwards"]
        let preferencesNode = fields["preferences"]
        let pbxGroupsNode = fields["pbx_groups"]
        let primaryNumberNode = fields["primary_number"]
        let customer = customerNode.flatMap { node in
            nonEmpty(
                reader.string(node, "spec.customer", numbersAsText: true), node, "spec.customer")
        }

        // Every other field goes into `values` under its own name, so this is its final size.
        // Room for every field would take twice the memory for a typical subscriber.
        // Counted without an array of the nodes, which would be an allocation per subscriber.
        func one(_ node: YAMLNode?) -> Int { node == nil ? 0 : 1 }
        let outsideCount =
            one(customerNode) + one(passwordNode) + one(webpasswordNode) + one(callforwardsNode)
            + one(preferencesNode) + one(pbxGroupsNode)
        let valueCount = fields.count - outsideCount
        // Whether the spec has fields besides those above and the primary number. Most
        // subscribers have none, and then the lookups of each of those fields are left out.
        let hasOtherFields = valueCount > (primaryNumberNode == nil ? 0 : 1)
        var values: [String: JSONValue] = Dictionary(minimumCapacity: valueCount)
        var primaryNumber: (key: String, location: SourceLocation)?
        var aliasNumbers: [SubscriberDetails.AliasNumber] = []
        decodeNumbers(
            primaryNumber: primaryNumberNode,
            aliasNumbers: hasOtherFields ? fields["alias_numbers"] : nil,
            into: &values, primaryKey: &primaryNumber, aliasKeys: &aliasNumbers)
        if hasOtherFields { decodeSubscriberFields(fields, into: &values) }
        var pbxGroups: [SubscriberReference]?
        if let node = pbxGroupsNode {
            pbxGroups = decodePBXGroups(node, of: identity, values: values)
            if let idsNode = fields["pbx_group_ids"] {
                reader.error(
                    idsNode, "spec.pbx_group_ids", Message.pbxGroupsWithGroupIDs,
                    hint: Message.pbxGroupsWithGroupIDsHint)
            }
        }

        var secrets: SubscriberSecrets = [:]
        var secretLocations = SecretFieldLocations()
        if let node = passwordNode {
            secretLocations.password = reader.location(node)
            secrets.password = decodeSecret(node, path: "spec.password")
        }
        if let node = webpasswordNode {
            secretLocations.webpassword = reader.location(node)
            secrets.webpassword = decodeSecret(node, path: "spec.webpassword")
        }

        // Subscribers often share these blocks, so each distinct block is decoded once.
        var callforwards: [String: JSONValue]?
        if let node = callforwardsNode {
            callforwards = decodedCallForwards.value(of: node, reader: reader) {
                decodeCallForwards(node, path: "spec.callforwards")
            }
        }
        var preferences: [String: JSONValue]?
        if let node = preferencesNode {
            preferences = decodedPreferences.value(of: node, reader: reader) {
                decodePreferences(node, path: "spec.preferences")
            }
            // Outside the shared block, because a relative file path depends on the
            // manifest's directory.
            decodeSecretPreferences(node, into: &secrets, locations: &secretLocations)
        }

        guard let identity, let customer, let customerNode else { return nil }
        let desired = DesiredSubscriber(
            username: identity.username, domain: identity.domain, customer: customer,
            fields: values, secrets: secrets, callforwards: callforwards,
            preferences: preferences, pbxGroups: pbxGroups, location: reader.location(nameNode),
            fieldLocations: hasOtherFields || pbxGroupsNode != nil ? pbxFieldLocations(fields) : [:]
        )
        metadata.secretLocations = secretLocations
        let details = SubscriberDetails(
            name: name, file: reader.file, specLocation: reader.location(spec),
            customerLocation: reader.location(customerNode),
            primaryNumber: primaryNumber, aliasNumbers: aliasNumbers,
            // Whether it is written, valid or not, so that an invalid number is not also
            // reported as missing by the checks across documents.
            hasPrimaryNumber: primaryNumberNode.map { !$0.isNull } ?? false,
            displayNameLocation: hasOtherFields
                ? fields["display_name"].map { reader.location($0) } : nil,
            webusernameLocation: hasOtherFields
                ? fields["webusername"].map { reader.location($0) } : nil,
            lockFieldLocations: hasOtherFields ? locations(of: Self.lockFields, in: fields) : [:],
            metadata: metadata)
        return DeclaredSubscriber(desired: desired, details: details)
    }

    private func locations(of names: [String], in fields: Fields) -> [String: SourceLocation] {
        var locations: [String: SourceLocation] = [:]
        for name in names {
            if let node = fields[name] { locations[name] = reader.location(node) }
        }
        return locations
    }

    /// Fields that a locked customer overrides.
    static let lockFields = ["lock", "status"]
    static let pbxFields = [
        "pbx_extension", "is_pbx_pilot", "is_pbx_group", "pbx_group_ids", "pbx_groups",
        "pbx_hunt_policy", "pbx_hunt_timeout", "pbx_hunt_cancel_mode",
    ]
    static let flagFields = ["administrative", "is_pbx_pilot", "is_pbx_group"]
    static let profileFields = ["profile_set_id", "profile_id"]

    /// Returns the positions of the PBX fields in `fields`, by field path (`spec.pbx_extension`),
    /// and of each entry of `pbx_group_ids` (`spec.pbx_group_ids[0]`), whose ids are checked
    /// against the target when planning.
    private func pbxFieldLocations(_ fields: Fields) -> [String: SourceLocation] {
        var locations: [String: SourceLocation] = [:]
        for field in Self.pbxFields {
            if let node = fields[field] { locations["spec." + field] = reader.location(node) }
        }
        if let items = fields["pbx_group_ids"]?.sequence {
            for (position, item) in items.enumerated() {
                locations[index("spec.pbx_group_ids", position)] = reader.location(item)
            }
        }
        return locations
    }

    /// Returns `value` unless it is empty, which is an error at `node`: NGCP has no object,
    /// log-in or extension with an empty name.
    private func nonEmpty(
        _ value: String?, _ node: YAMLNode, _ path: String, hint: String? = nil
    ) -> String? {
        guard let value, value.isEmpty else { return value }
        reader.error(node, path, Message.emptyValue, hint: hint)
        return nil
    }

    /// Splits `username@domain` at the last `@` and checks both parts, reporting a problem
    /// at `node` under `path`.
    private func splitSubscriberName(
        _ name: String, node: YAMLNode, path: String = "metadata.name"
    ) -> (username: String, domain: String)? {
        // One pass over the UTF-8 bytes: `@` is ASCII, so its last byte is also the last `@`
        // character, and the halves on either side are valid UTF-8.
        var name = name
        let split = name.withUTF8 { bytes -> (String, String, isValidUsername: Bool)? in
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0,
                at < bytes.count - 1
            else { return nil }
            let usernameBytes = UnsafeBufferPointer(rebasing: bytes[..<at])
            let domainBytes = UnsafeBufferPointer(rebasing: bytes[(at + 1)...])
            return (
                String(decoding: usernameBytes, as: UTF8.self),
                sharedStrings.string(domainBytes), Self.isValidUsername(usernameBytes)
            )
        }
        guard let (username, domain, isValidUsername) = split else {
            reader.error(
                node, path, Message.invalidSubscriberName(name),
                hint: Message.subscriberNameHint)
            return nil
        }

        if containsWhitespace(username) {
            reader.error(node, path, Message.usernameWithSpace(username))
            return nil
        }
        guard isValidUsername else {
            reader.error(node, path, Message.invalidUsername(username))
            return nil
        }
        if containsWhitespace(domain) {
            reader.error(node, path, Message.nameWithSpace(domain))
            return nil
        }
        return (username, domain)
    }

    /// Returns whether the UTF-8 `bytes` are a username that NGCP accepts: at most 127 bytes of
    /// ASCII letters, digits and `usernamePunctuationBytes`, with no `.` first, last or next to
    /// another.
    private static func isValidUsername(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count <= 127, bytes.first != UInt8(ascii: "."),
            bytes.last != UInt8(ascii: ".")
        else { return false }
        let allowed = usernameBytes
        var previousIsDot = false
        for byte in bytes {
            let word = byte < 64 ? allowed.0 : allowed.1
            guard byte < 0x80, word & (1 << UInt64(byte % 64)) != 0 else { return false }
            let isDot = byte == UInt8(ascii: ".")
            if isDot && previousIsDot { return false }
            previousIsDot = isDot
        }
        return true
    }

    static let nullableTextFields = ManifestSchema.subscriberTextFields

    private func decodeSubscriberFields(_ fields: Fields, into values: inout [String: JSONValue]) {
        if let node = fields["webusername"],
            let value = nonEmpty(
                reader.string(node, "spec.webusername", numbersAsText: true, maxLength: 127), node,
                "spec.webusername", hint: "omit webusername to log in with the username")
        {
            values["webusername"] = .string(value)
        }

        for (field, maxLength) in Self.nullableTextFields {
            guard let node = fields[field] else { continue }
            let value = reader.nullableString(
                node, join("spec", field), numbersAsText: true, maxLength: maxLength)
            if let value { values[field] = value }
        }
        if let node = fields["timezone"], let zone = values["timezone"]?.stringValue {
            checkTimeZone(zone, node: node, path: "spec.timezone")
        }

        if let node = fields["status"] {
            // NGCP deletes a subscriber when it is terminated, so a declared terminated
            // subscriber would be created again by every later apply. The status is valid
            // on NGCP, so it gets its own message, and the list of valid values leaves it out.
            if node.scalar?.text == "terminated" {
                reader.error(
                    node, "spec.status", Message.subscriberTerminated,
                    hint: Message.subscriberTerminatedHint)
            } else if let status = reader.choice(node, "spec.status", ["active", "locked"]) {
                values["status"] = .string(status)
            }
        }

        // NGCP returns the lock level as a string ("4"), so the desired value has that shape.
        if let node = fields["lock"] {
            if node.isNull {
                values["lock"] = .null
            } else if let level = reader.int(node, "spec.lock", range: 1...5) {
                values["lock"] = .string(String(level))
            }
        }

        if let node = fields["email"] {
            if node.isNull {
                values["email"] = .null
            } else if let email = reader.string(node, "spec.email", maxLength: 255) {
                if isEmailAddress(email) {
                    values["email"] = .string(email)
                } else {
                    reader.error(node, "spec.email", Message.invalidEmail(email))
                }
            }
        }

        if let node = fields["pbx_extension"],
            let value = nonEmpty(
                reader.string(node, "spec.pbx_extension", numbersAsText: true), node,
                "spec.pbx_extension")
        {
            values["pbx_extension"] = .string(value)
        }

        for field in Self.flagFields {
            if let node = fields[field], let flag = reader.bool(node, join("spec", field)) {
                values[field] = .bool(flag)
            }
        }
        decodeProfileAndGroupFields(fields, into: &values)
    }

    private func decodeProfileAndGroupFields(
        _ fields: Fields, into values: inout [String: JSONValue]
    ) {
        for field in Self.profileFields {
            guard let node = fields[field] else { continue }
            if node.isNull {
                values[field] = .null
            } else if let id = reader.int(node, join("spec", field), range: 1...Int.max) {
                values[field] = .int(id)
            }
        }
        if fields["profile_id"].map({ !$0.isNull }) == true, fields["profile_set_id"] == nil,
            let node = fields["profile_id"]
        {
            reader.error(node, "spec.profile_id", Message.profileWithoutSet)
        }

        if let node = fields["pbx_group_ids"], let items = reader.list(node, "spec.pbx_group_ids") {
            var ids: [Int] = []
            var idItems: [YAMLNode] = []
            for (position, item) in items.enumerated() {
                let path = index("spec.pbx_group_ids", position)
                guard let id = reader.int(item, path, range: 1...Int.max) else { continue }
                // NGCP keeps each membership once, so a repeated id would show as a change
                // in every plan after the apply that stored the list without it. The lists
                // are short, so a linear search finds the first one.
                if let first = ids.firstIndex(of: id) {
                    reader.error(
                        item, path,
                        Message.pbxGroupIDRepeated(id, first: reader.location(idItems[first])),
                        hint: Message.pbxGroupIDRepeatedHint)
                    continue
                }
                ids.append(id)
                idItems.append(item)
            }
            if ids.count == items.count { values["pbx_group_ids"] = .array(ids.map { .int($0) }) }
            if !items.isEmpty {
                checkMembershipAllowed(node, field: "pbx_group_ids", values: values)
            }
        }
        if let node = fields["pbx_hunt_policy"],
            let policy = reader.choice(
                node, "spec.pbx_hunt_policy", ["serial", "parallel", "random", "circular"])
        {
            values["pbx_hunt_policy"] = .string(policy)
        }
        if let node = fields["pbx_hunt_timeout"],
            let seconds = reader.int(node, "spec.pbx_hunt_timeout", range: 1...86_400)
        {
            values["pbx_hunt_timeout"] = .int(seconds)
        }
        if let node = fields["pbx_hunt_cancel_mode"],
            let mode = reader.choice(node, "spec.pbx_hunt_cancel_mode", ["bye", "cancel"])
        {
            values["pbx_hunt_cancel_mode"] = .string(mode)
        }
    }

    // MARK: - PBX groups

    /// Decodes `pbx_groups`, the names of the PBX groups the subscriber `member` is a member
    /// of. Checks each name's form, and reports a repeated name and the subscriber's own name.
    /// Whether each name is a group of the same customer is checked across documents, and
    /// against the target when planning.
    private func decodePBXGroups(
        _ node: YAMLNode, of member: (username: String, domain: String)?,
        values: [String: JSONValue]
    ) -> [SubscriberReference]? {
        guard let items = reader.list(node, "spec.pbx_groups") else { return nil }
        let memberKey = member.map { lowercased($0.username) + "@" + lowercased($0.domain) }

        var references: [SubscriberReference] = []
        references.reserveCapacity(items.count)
        var firstLocations: [String: SourceLocation] = [:]
        for (position, item) in items.enumerated() {
            let path = index("spec.pbx_groups", position)
            guard let name = reader.string(item, path),
                let group = splitSubscriberName(name, node: item, path: path)
            else { continue }

            // Names compare without regard to case, as NGCP compares usernames and domains.
            let key = lowercased(group.username) + "@" + lowercased(group.domain)
            if key == memberKey {
                reader.error(
                    item, path, Message.pbxGroupNamesItself(name),
                    hint: Message.pbxGroupNamesItselfHint)
                continue
            }
            let location = reader.location(item)
            if let first = firstLocations[key] {
                reader.error(item, path, Message.pbxGroupRepeated(name, first: first))
                continue
            }
            firstLocations[key] = location
            references.append(
                SubscriberReference(
                    username: group.username, domain: group.domain, location: location))
        }
        if !items.isEmpty { checkMembershipAllowed(node, field: "pbx_groups", values: values) }
        return references
    }

    /// Reports a non-empty group list on a PBX group or pilot. NGCP stores memberships only
    /// for the other subscribers of a PBX customer, and returns an empty list for these two.
    private func checkMembershipAllowed(
        _ node: YAMLNode, field: String, values: [String: JSONValue]
    ) {
        let path = join("spec", field)
        if values["is_pbx_group"]?.boolValue == true {
            reader.error(
                node, path, Message.pbxGroupsOnGroup(field),
                hint: Message.pbxGroupsOnGroupOrPilotHint(field))
        } else if values["is_pbx_pilot"]?.boolValue == true {
            reader.error(
                node, path, Message.pbxGroupsOnPilot(field),
                hint: Message.pbxGroupsOnGroupOrPilotHint(field))
        }
    }

    // MARK: - Numbers

    /// Decodes the `primary_number` and `alias_numbers` nodes into `values`. Sets
    /// `primaryKey` to the key of a primary number other than null and where it is written,
    /// and adds the key of each alias number to `aliasKeys`.
    private func decodeNumbers(
        primaryNumber: YAMLNode?, aliasNumbers: YAMLNode?, into values: inout [String: JSONValue],
        primaryKey: inout (key: String, location: SourceLocation)?,
        aliasKeys: inout [SubscriberDetails.AliasNumber]
    ) {
        if let node = primaryNumber {
            if node.isNull {
                values["primary_number"] = .null
            } else if let number = decodeNumber(node, path: "spec.primary_number", isAlias: false) {
                values["primary_number"] = .object(number.value)
                primaryKey = (number.key, reader.location(node))
            }
        }

        guard let node = aliasNumbers, let items = reader.list(node, "spec.alias_numbers") else {
            return
        }
        var aliases: [JSONValue] = []
        for (position, item) in items.enumerated() {
            let path = index("spec.alias_numbers", position)
            guard let number = decodeNumber(item, path: path, isAlias: true) else { continue }
            aliases.append(.object(number.value))
            aliasKeys.append(
                SubscriberDetails.AliasNumber(
                    key: number.key, mark: SubscriberDetails.Mark(reader.location(item)),
                    index: Int32(clamping: position)))
        }
        if aliases.count == items.count { values["alias_numbers"] = .array(aliases) }
    }

    /// Decodes a number into the API shape: `cc` as an integer, `ac` and `sn` as strings, and
    /// `is_devid` (false unless set) on aliases. The key is `cc-ac-sn`.
    private func decodeNumber(_ node: YAMLNode, path: String, isAlias: Bool)
        -> (value: [String: JSONValue], key: String)?
    {
        let allowed = isAlias ? Self.aliasNumberFields : Self.numberFields
        guard let fields = reader.fields(node, path, allowed: allowed, required: ["cc", "sn"])
        else { return nil }

        let ccNode = fields["cc"]
        let cc = ccNode.flatMap { digits($0, path: join(path, "cc"), count: 1...3) }
        var ac: String? = ""
        if let node = fields["ac"] { ac = digits(node, path: join(path, "ac"), count: 0...7) }
        let sn = fields["sn"].flatMap { digits($0, path: join(path, "sn"), count: 1...31) }
        if let cc, cc.utf8.first == UInt8(ascii: "0"), let node = ccNode {
            reader.error(
                node, join(path, "cc"), Message.countryCodeLeadingZero(cc),
                hint: Message.countryCodeHint(cc))
            return nil
        }

        var isDevID = false
        // Only an alias may have `is_devid`: on a primary number it was reported as unknown.
        if isAlias, let node = fields["is_devid"] {
            guard let flag = reader.bool(node, join(path, "is_devid")) else { return nil }
            isDevID = flag
        }

        guard let cc, let ccValue = Int(cc), let ac, let sn else { return nil }
        let template = isAlias ? Self.aliasNumberTemplate : Self.primaryNumberTemplate
        var value = template.template.object
        value[at: template.cc] = .int(ccValue)
        value[at: template.ac] = .string(ac)
        value[at: template.sn] = .string(sn)
        if isAlias { value[at: template.isDevID] = .bool(isDevID) }
        return (value, numberKey(cc, ac, sn))
    }

    /// A number in the API shape, with the positions of its keys.
    struct NumberTemplate {
        let template: JSONObjectTemplate
        let cc: JSONObjectTemplate.Position
        let ac: JSONObjectTemplate.Position
        let sn: JSONObjectTemplate.Position
        /// The position of `is_devid`, or that of `sn` in a primary number, which has none.
        let isDevID: JSONObjectTemplate.Position

        init(_ object: [String: JSONValue]) {
            template = JSONObjectTemplate(object)
            cc = template.position(of: "cc")
            ac = template.position(of: "ac")
            sn = template.position(of: "sn")
            isDevID = object["is_devid"] == nil ? sn : template.position(of: "is_devid")
        }
    }

    static let primaryNumberTemplate = NumberTemplate(["cc": 0, "ac": "", "sn": ""])
    static let aliasNumberTemplate = NumberTemplate([
        "cc": 0, "ac": "", "sn": "", "is_devid": false,
    ])

    /// Returns `cc-ac-sn`. The parts are ASCII digits, so their bytes are copied into the
    /// new string directly.
    private func numberKey(_ cc: String, _ ac: String, _ sn: String) -> String {
        let count = cc.utf8.count + ac.utf8.count + sn.utf8.count + 2
        return String(unsafeUninitializedCapacity: count) { target in
            var offset = 0
            Self.write(cc, to: target, at: &offset)
            target[offset] = UInt8(ascii: "-")
            offset += 1
            Self.write(ac, to: target, at: &offset)
            target[offset] = UInt8(ascii: "-")
            offset += 1
            Self.write(sn, to: target, at: &offset)
            return offset
        }
    }

    /// Copies the UTF-8 bytes of `text` into `target` from `offset` on, and moves `offset`
    /// past them.
    private static func write(
        _ text: String, to target: UnsafeMutableBufferPointer<UInt8>, at offset: inout Int
    ) {
        var text = text
        text.withUTF8 { bytes in
            guard let source = bytes.baseAddress, let base = target.baseAddress else { return }
            (base + offset).initialize(from: source, count: bytes.count)
        }
        offset += text.utf8.count
    }

    /// Reads a digit string given as a YAML integer or string. The text is taken as written, so
    /// that an unquoted `0664` keeps its leading zero.
    private func digits(_ node: YAMLNode, path: @autoclosure () -> String, count: ClosedRange<Int>)
        -> String?
    {
        guard let text = node.stringOrNumberText else {
            if node.isNull, count.lowerBound == 0 { return "" }
            reader.typeError(node, path(), expected: "digits")
            return nil
        }

        // The field name is for messages only, so it is cut from the path only on an error.
        var field: String { String(path().split(separator: ".").last ?? "") }
        guard allBytes(of: text, { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            reader.error(node, path(), Message.notDigits(text, field: field))
            return nil
        }
        guard count.contains(text.utf8.count) else {
            reader.error(
                node, path(), Message.digitCount(text, field: field, range: count),
                hint: field == "cc" ? Message.countryCodeHint(text) : nil)
            return nil
        }
        return text
    }

    // MARK: - Secrets

    /// Decodes the secret preferences of `node`, the `preferences` block, that have a value,
    /// as secret sources. `decodePreferences` checks their names and leaves them out.
    private func decodeSecretPreferences(
        _ node: YAMLNode, into secrets: inout SubscriberSecrets,
        locations: inout SecretFieldLocations
    ) {
        guard let pairs = node.mapping else { return }
        // Keys are matched by their bytes, so that the block of every subscriber costs no
        // string per key.
        for position in pairs.indices {
            guard let index = pairs.lastIndex(ofKeyAt: position, in: Self.secretPreferenceKeys)
            else { continue }
            let value = pairs.value(at: position)
            guard !value.isNull else { continue }
            let field = secretPreferenceField(Self.secretPreferenceKeys.names[index])
            let path = "spec." + field
            locations[field] = reader.location(value)
            guard let source = decodeSecret(value, path: path) else { continue }
            // NOTE: only a literal is checked here. A longer value from a variable or a file
            // fails at apply, when NGCP rejects the PATCH with status 422.
            if case .literal(let text) = source, text.utf8.count > Self.maxPreferenceLength,
                text.count > Self.maxPreferenceLength
            {
                reader.error(
                    value, path, Message.secretTooLong(maxLength: Self.maxPreferenceLength))
                continue
            }
            secrets[field] = source
        }
    }

    /// Decodes a secret source: a literal string (with a warning), `{env: NAME}` or
    /// `{file: PATH}`. A relative path is made absolute against the manifest's directory.
    private func decodeSecret(_ node: YAMLNode, path: @autoclosure () -> String)
        -> SecretSource?
    {
        if let value = node.stringValue {
            if value.isEmpty {
                reader.error(node, path(), Message.emptySecret, hint: Message.literalSecretHint)
                return nil
            }
            // Recorded for an invalid value too, so that the excerpts of its messages hide it.
            reader.recordLiteralSecret(value, at: node, path: path())

            // `SecretAccess.rejection(ofValue:)` rejects every secret value with a control
            // character when it is read, so this value could never be used. ControlCharacterCheck
            // has reported any control character but tab and line feed, which it allows in values.
            if let character = ControlCharacterCheck.firstControlCharacter(
                value, allowingWhitespace: false)
            {
                let reportedAlready =
                    ControlCharacterCheck.firstControlCharacter(value, allowingWhitespace: true)
                    != nil
                if !reportedAlready {
                    reader.error(
                        node, path(), Message.literalSecretWhitespace(character),
                        hint: Message.literalSecretWhitespaceHint)
                }
                return nil
            }
            reader.warning(node, path(), Message.literalSecret, hint: Message.literalSecretHint)
            return .literal(value)
        }
        guard node.mapping != nil else {
            reader.error(node, path(), Message.secretSourceShape)
            return nil
        }
        let errorsBefore = reader.errorCount
        guard let fields = reader.fields(node, path(), allowed: Self.secretSourceFields)
        else { return nil }
        // Beside `env` or `file`, an unknown key is a misplaced option rather than the
        // secret, so its name may show.
        if reader.errorCount > errorsBefore, fields["env"] != nil || fields["file"] != nil {
            reader.secretSourcePaths.insert(path())
        }
        // An unknown key was reported already; the shape error would only repeat it.
        if fields.isEmpty, reader.errorCount > errorsBefore { return nil }

        switch (fields["env"], fields["file"]) {
        case (let env?, nil):
            guard let name = reader.string(env, join(path(), "env")) else { return nil }
            guard isValidEnvironmentName(name) else {
                reader.error(env, join(path(), "env"), Message.invalidEnvironmentName(name))
                return nil
            }
            return .environment(sharedStrings.string(name))
        case (nil, let file?):
            guard let filePath = reader.string(file, join(path(), "file")) else { return nil }
            guard !filePath.isEmpty else {
                reader.error(file, join(path(), "file"), Message.emptyFilePath)
                return nil
            }
            let absolute = filePath.hasPrefix("/") ? filePath : directory + "/" + filePath
            return .file(URL(fileURLWithPath: absolute).standardizedFileURL.path)
        default:
            reader.error(node, path(), Message.secretSourceShape)
            return nil
        }
    }
}

/// Returns whether `name` is a valid environment variable name: ASCII letters, digits and `_`,
/// not starting with a digit.
func isValidEnvironmentName(_ name: String) -> Bool {
    let bytes = name.utf8
    return bytes.first.map { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false
        && allBytes(of: name) { isASCIILetterOrDigit($0) || $0 == UInt8(ascii: "_") }
}
