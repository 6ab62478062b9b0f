import NGCPCore
import YAMLReader

/// The settings and state that decoding one document needs besides its nodes.
///
/// A class, so that the closures and calls of decoding share one context instead of copying
/// its references each time.
final class DocumentContext {
    let reader: NodeReader
    /// The absolute directory of the manifest file, for relative `{file: PATH}` secrets.
    let directory: String
    /// The preferences that manifests may set, indexed for looking up mapping keys.
    let preferenceIndex: PreferenceIndex
    let defaultBillingProfile: String?
    /// Whether a preference missing from `catalogue` is only a warning, because the target's
    /// own catalogue is checked later.
    let deferUnknownPreferences: Bool
    let defaultReseller: String?
    /// Domain and environment variable names shared by the documents of one load.
    let sharedStrings: SharedStrings
    /// Call forward blocks decoded before, shared by the documents of one load.
    let decodedCallForwards: DecodedValueCache<[String: JSONValue]>
    /// Preference blocks decoded before, shared by the documents of one load.
    let decodedPreferences: DecodedValueCache<[String: JSONValue]>
    /// The `times` lists of call forwards decoded before, because blocks with different
    /// destinations can still share their hours.
    let decodedTimes: DecodedValueCache<[JSONValue]>

    init(
        reader: NodeReader, directory: String, preferenceIndex: PreferenceIndex,
        defaultBillingProfile: String?, deferUnknownPreferences: Bool = false,
        defaultReseller: String? = nil, sharedStrings: SharedStrings = SharedStrings(),
        decodedCallForwards: DecodedValueCache<[String: JSONValue]> = DecodedValueCache(),
        decodedPreferences: DecodedValueCache<[String: JSONValue]> = DecodedValueCache(),
        decodedTimes: DecodedValueCache<[JSONValue]> = DecodedValueCache()
    ) {
        self.reader = reader
        self.directory = directory
        self.preferenceIndex = preferenceIndex
        self.defaultBillingProfile = defaultBillingProfile
        self.deferUnknownPreferences = deferUnknownPreferences
        self.defaultReseller = defaultReseller
        self.sharedStrings = sharedStrings
        self.decodedCallForwards = decodedCallForwards
        self.decodedPreferences = decodedPreferences
        self.decodedTimes = decodedTimes
    }
}

extension DocumentContext {
    /// The preferences that manifests may set.
    var catalogue: PreferenceCatalogue { preferenceIndex.catalogue }
}

// MARK: - Domain

extension DocumentContext {
    static let domainFields = KeyNames(ManifestSchema.domainSpec.names)

    func decodeDomain(name: String, nameNode: YAMLNode, spec: YAMLNode?) -> DesiredDomain? {
        if containsWhitespace(name) {
            reader.error(nameNode, "metadata.name", Message.nameWithSpace(name))
        }
        if name.count > 127 {
            reader.error(nameNode, "metadata.name", Message.tooLong(name, maxLength: 127))
        }

        var reseller = defaultReseller
        var fieldLocations: [String: SourceLocation] = [:]
        if let spec, !spec.isNull,
            let fields = reader.fields(spec, "spec", allowed: Self.domainFields),
            let node = fields["reseller"], !node.isNull
        {
            reseller = reader.string(node, "spec.reseller", numbersAsText: true)
            fieldLocations["spec.reseller"] = reader.location(node)
        }
        return DesiredDomain(
            domain: name, reseller: reseller, location: reader.location(nameNode),
            fieldLocations: fieldLocations)
    }
}

// MARK: - Customer

extension DocumentContext {
    static let customerFields = KeyNames(ManifestSchema.customerSpec.names)

    static let templateFields = [
        "subscriber_email_template_id", "passreset_email_template_id",
        "invoice_email_template_id", "invoice_template_id",
    ]

    static let contactTextFields = ManifestSchema.contactTextFields
    static let contactFields = KeyNames(ManifestSchema.contact.names)

    func decodeCustomer(name: String, nameNode: YAMLNode, spec: YAMLNode) -> DesiredCustomer? {
        if name.count > 255 {
            reader.error(nameNode, "metadata.name", Message.tooLong(name, maxLength: 255))
        }
        guard
            let fields = reader.fields(
                spec, "spec", allowed: Self.customerFields, required: ["contact"])
        else { return nil }

        var billingProfile: String?
        if let node = fields["billing_profile"] {
            billingProfile = reader.string(node, "spec.billing_profile", maxLength: 63)
        } else if let defaultBillingProfile {
            billingProfile = defaultBillingProfile
        } else {
            reader.error(
                spec, "spec", Message.missingBillingProfile, hint: Message.missingBillingProfileHint
            )
        }

        // An invalid status or type removes its default, so that the checks across documents,
        // which also read customers of documents with errors, do not mistake it for the default.
        var values: [String: JSONValue] = ["status": "active", "type": "sipaccount"]
        if let node = fields["status"] {
            let status = reader.choice(
                node, "spec.status", ["active", "pending", "locked", "terminated"])
            values["status"] = status.map { .string($0) }
        }
        if let node = fields["type"] {
            let type = reader.choice(node, "spec.type", ["sipaccount", "pbxaccount"])
            values["type"] = type.map { .string($0) }
        }
        if let node = fields["max_subscribers"] {
            if node.isNull {
                values["max_subscribers"] = .null
            } else if let number = reader.int(node, "spec.max_subscribers", range: 0...Int.max) {
                values["max_subscribers"] = .int(number)
            }
        }
        if let node = fields["vat_rate"],
            let rate = reader.number(node, "spec.vat_rate", range: 0...100)
        {
            values["vat_rate"] = rate
        }
        if let node = fields["add_vat"], let flag = reader.bool(node, "spec.add_vat") {
            values["add_vat"] = .bool(flag)
        }
        for field in Self.templateFields {
            guard let node = fields[field] else { continue }
            if node.isNull {
                values[field] = .null
            } else if let id = reader.int(node, join("spec", field), range: 1...Int.max) {
                values[field] = .int(id)
            }
        }

        let contact = fields["contact"].flatMap { decodeContact($0, path: "spec.contact") }
        // Without a billing profile or contact an error was reported, which keeps the customer
        // out of the desired state. It is still returned for the checks across documents.
        var fieldLocations: [String: SourceLocation] = [:]
        for field in ["billing_profile", "type", "status"] {
            if let node = fields[field] { fieldLocations["spec." + field] = reader.location(node) }
        }
        return DesiredCustomer(
            externalID: name, billingProfile: billingProfile ?? "", fields: values,
            contact: contact ?? [:], location: reader.location(nameNode),
            fieldLocations: fieldLocations)
    }

    private func decodeContact(_ node: YAMLNode, path: String) -> [String: JSONValue]? {
        guard
            let fields = reader.fields(
                node, path, allowed: Self.contactFields, required: ["email"])
        else { return nil }

        var contact: [String: JSONValue] = [:]
        if let node = fields["email"],
            let email = reader.string(node, join(path, "email"), maxLength: 255)
        {
            if isEmailAddress(email) {
                contact["email"] = .string(email)
            } else {
                reader.error(node, join(path, "email"), Message.invalidEmail(email))
            }
        }

        if let node = fields["country"] {
            if node.isNull {
                contact["country"] = .null
            } else if let country = reader.string(node, join(path, "country")) {
                if ReferenceData.countryCodes.contains(country.uppercased()) {
                    contact["country"] = .string(country.uppercased())
                } else {
                    reader.error(
                        node, join(path, "country"), Message.invalidCountry(country),
                        hint: Message.countryHint(country))
                }
            }
        }

        for (field, maxLength) in Self.contactTextFields {
            guard let node = fields[field] else { continue }
            let value = reader.nullableString(
                node, join(path, field), numbersAsText: true, maxLength: maxLength)
            if let value { contact[field] = value }
        }
        if let node = fields["timezone"], let zone = contact["timezone"]?.stringValue {
            checkTimeZone(zone, node: node, path: join(path, "timezone"))
        }
        return contact
    }
}

extension DocumentContext {
    /// Reports a time zone that the tz database of this machine does not contain, as NGCP
    /// rejects it. Without a tz database nothing is checked.
    func checkTimeZone(_ zone: String, node: YAMLNode, path: String) {
        guard !zone.isEmpty, ReferenceData.isKnownTimeZone(zone) == false else { return }
        reader.error(node, path, Message.unknownTimeZone(zone), hint: Message.unknownTimeZoneHint)
    }
}

/// Checks loosely that `text` is an e-mail address: one `@` with a non-empty local part and a domain containing a dot,
/// and no spaces. NGCP validates the address in full.
func isEmailAddress(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { return false }
    return !containsWhitespace(text) && !parts[1].hasPrefix(".")
        && !parts[1].hasSuffix(".")
}
