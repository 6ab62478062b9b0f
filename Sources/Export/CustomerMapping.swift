import NGCPCore

/// Turns a live customer and its contact into the manifest's `spec` fields.
enum CustomerMapping {
    /// Contact fields in the order a manifest lists them: who, where, how to reach, bank, tax,
    /// and the free-form `gpp0` … `gpp9`.
    static let contactFields: [String] =
        [
            "email", "firstname", "lastname", "company", "street", "postcode", "city", "country",
            "phonenumber", "mobilenumber", "faxnumber", "iban", "bic", "bankname", "vatnum",
            "comregnum", "timezone",
        ] + (0...9).map { "gpp\($0)" }

    static let templateFields = [
        "subscriber_email_template_id", "passreset_email_template_id",
        "invoice_email_template_id", "invoice_template_id",
    ]

    /// Customer fields that differ from what the loader or NGCP fills in when they are omitted:
    /// `status` other than `active`, `type` other than `sipaccount`, a `max_subscribers` limit,
    /// a non-zero `vat_rate`, `add_vat: true`, and template ids that are set. Ids of the
    /// contact, billing profile and reseller, timestamps and billing mappings are dropped.
    ///
    /// NOTE: template ids have no natural key in the manifest format, so they are written as
    /// ids, which are valid only on the platform they were exported from.
    static func fields(_ customer: LiveObject) -> [YAMLEntry] {
        var entries: [YAMLEntry] = []
        if let status = customer["status"]?.stringValue, status != "active" {
            entries.append(YAMLEntry("status", .string(status)))
        }
        if let type = customer["type"]?.stringValue, type != "sipaccount" {
            entries.append(YAMLEntry("type", .string(type)))
        }
        if let limit = SubscriberMapping.integer(customer["max_subscribers"]) {
            entries.append(YAMLEntry("max_subscribers", .int(limit)))
        }
        switch customer["vat_rate"] {
        case .int(let rate)? where rate != 0:
            entries.append(YAMLEntry("vat_rate", .int(rate)))
        case .double(let rate)? where rate != 0:
            entries.append(YAMLEntry("vat_rate", .double(rate)))
        case .string(let text)?:
            if let rate = Double(text), rate != 0 {
                entries.append(YAMLEntry("vat_rate", .double(rate)))
            }
        default:
            break
        }
        if SubscriberMapping.truth(customer["add_vat"]) == true {
            entries.append(YAMLEntry("add_vat", .bool(true)))
        }
        for field in templateFields {
            if let id = SubscriberMapping.integer(customer[field]) {
                entries.append(YAMLEntry(field, .int(id)))
            }
        }
        return entries
    }

    /// Returns the contact's fields that are set. `id`, `reseller_id`, `status` and timestamps
    /// are server-owned. Empty strings are left out like nulls, so they stay unmanaged.
    static func contact(_ contact: LiveObject) -> YAMLValue {
        var entries: [YAMLEntry] = []
        for field in contactFields {
            guard let text = SubscriberMapping.scalarText(contact[field]), !text.isEmpty else {
                continue
            }
            entries.append(YAMLEntry(field, .string(text)))
        }
        return .block(entries)
    }
}
