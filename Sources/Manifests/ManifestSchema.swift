import NGCPCore

/// The value type of one manifest field, as the loader checks it.
public indirect enum SchemaType: Sendable {
    /// A YAML string, not a number. `pattern` is an ECMA-262 regular expression.
    case string(minLength: Int = 0, maxLength: Int? = nil, pattern: String? = nil)
    /// Text: a YAML string, or an unquoted number that the loader takes as written, so
    /// `postcode: 1010` is the text "1010". Lengths and `pattern` apply to strings only.
    case text(minLength: Int = 0, maxLength: Int? = nil, pattern: String? = nil)
    /// A digit string, written as a YAML string or an unquoted number whose text is kept.
    /// Without `leadingZero`, the first digit must not be 0.
    case digits(ClosedRange<Int>, leadingZero: Bool = true)
    /// A time period value: `N` or `N-M` with both numbers in the range, as a string or an
    /// integer. Leading zeros are allowed.
    case period(ClosedRange<Int>)
    case integer(ClosedRange<Int>? = nil)
    case number(ClosedRange<Double>)
    case boolean
    case choice([String])
    case email
    /// A mapping with exactly these fields.
    case object([SchemaField])
    /// A list with at least `minCount` items.
    case list(SchemaType, minCount: Int = 0)
    /// A mapping with values of one type and at least `minCount` keys, each of which matches
    /// `keyPattern` when one is given.
    case map(SchemaType, keyPattern: String? = nil, minCount: Int = 0)
    /// `{env: NAME}`, `{file: PATH}` or a literal string.
    case secret
    /// A type that is also null.
    case nullable(SchemaType)
    /// A type that is also null or an empty mapping, both of which clear the value.
    case clearable(SchemaType)
    /// One value, or a list of such values.
    case oneOrList(SchemaType)
    /// Any scalar, list or mapping; checked elsewhere (preferences against their catalogue).
    case any
    /// A named definition under `$defs`.
    case reference(String)
}

/// One field of a manifest mapping.
public struct SchemaField: Sendable {
    public let name: String
    public let type: SchemaType
    public let required: Bool
    /// A field of the same mapping that must be present when this one is set and not null.
    public let needs: String?
    /// The value that `needs` must have, or nil when any value will do.
    public let needsValue: String?
    public let summary: String

    init(
        _ name: String, _ type: SchemaType, required: Bool = false, needs: String? = nil,
        needsValue: String? = nil, _ summary: String
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.needs = needs
        self.needsValue = needsValue
        self.summary = summary
    }
}

extension Array where Element == SchemaField {
    /// The field names in table order, which is the order the loader lists them in messages.
    var names: [String] { map(\.name) }
}

/// The field tables of the manifest format. The loader takes its allowed keys from these
/// tables and `ngcpctl schema` renders them as JSON Schema, so the two cannot disagree.
public enum ManifestSchema {
    static let envelope: [SchemaField] = [
        .init("apiVersion", .choice(["ngcpctl/v1"]), required: true, "Format version."),
        .init(
            "kind", .choice(["Domain", "Customer", "Subscriber"]), required: true,
            "Object kind."),
        .init("metadata", .reference("Metadata"), required: true, "Name, annotations, targets."),
        .init("spec", .any, "Fields of the object; required except for a Domain."),
    ]

    static let metadata: [SchemaField] = [
        .init(
            "name", .text(pattern: "\\S"), required: true,
            "Natural key: domain name, customer external_id, or username@domain."),
        .init("annotations", .map(.string()), "Free notes; never sent to NGCP."),
        .init(
            "targets", .list(.text(minLength: 1), minCount: 1),
            "Target names of ngcpctl.yaml this document applies to; absent means every target."),
    ]

    /// The additions of each kind to the envelope: the type of its spec, whether the spec is
    /// required, and the rules of its `metadata.name`.
    static let kinds: [(kind: String, spec: SchemaType, specRequired: Bool, name: SchemaType)] = [
        ("Domain", .nullable(.reference("DomainSpec")), false, domainName),
        ("Customer", .reference("CustomerSpec"), true, .text(maxLength: 255)),
        ("Subscriber", .reference("SubscriberSpec"), true, .string(pattern: subscriberName)),
    ]

    /// A domain name: no whitespace, at most 127 characters.
    static let domainName = SchemaType.text(maxLength: 127, pattern: "^\\S+$")

    /// `username@domain`. The username has ASCII letters, digits and the punctuation NGCP
    /// allows, at most 127 of them, and no leading, trailing or double dot. The domain has no
    /// whitespace.
    static let subscriberName: String = {
        // The dot is matched on its own, and `-` goes last, where a character class takes it
        // literally.
        let bytes = DocumentContext.usernamePunctuationBytes
        let hyphen = UInt8(ascii: "-")
        let punctuation =
            bytes.subtracting([UInt8(ascii: "."), hyphen]).sorted()
            + (bytes.contains(hyphen) ? [hyphen] : [])
        let character = "[A-Za-z0-9\(String(decoding: punctuation, as: UTF8.self))]"
        return "^(?=[^@]{1,127}@)\(character)+(\\.\(character)+)*@[^@\\s]+$"
    }()

    static let domainSpec: [SchemaField] = [
        .init("reseller", .nullable(.text()), "Reseller name; default: the default reseller.")
    ]

    static let customerSpec: [SchemaField] = [
        .init(
            "billing_profile", .string(maxLength: 63),
            "Billing profile handle; default: the target's default_billing_profile."),
        .init(
            "status", .choice(["active", "pending", "locked", "terminated"]),
            "Contract status; default active."),
        .init("type", .choice(["sipaccount", "pbxaccount"]), "Product; default sipaccount."),
        .init(
            "max_subscribers", .nullable(.integer(0...Int.max)),
            "Most subscribers the customer may have; null means no limit."),
        .init("vat_rate", .number(0...100), "VAT rate in percent."),
        .init("add_vat", .boolean, "Whether invoices add VAT."),
        .init(
            "subscriber_email_template_id", .nullable(.integer(1...Int.max)),
            "E-mail template id for new subscribers."),
        .init(
            "passreset_email_template_id", .nullable(.integer(1...Int.max)),
            "E-mail template id for password resets."),
        .init(
            "invoice_email_template_id", .nullable(.integer(1...Int.max)),
            "E-mail template id for invoices."),
        .init(
            "invoice_template_id", .nullable(.integer(1...Int.max)), "Invoice template id."),
        .init(
            "contact", .reference("Contact"), required: true,
            "The customer contact, created and updated with the customer."),
    ]

    /// Text fields of a customer contact with their maximum length in characters.
    static let contactTextFields: [(name: String, maxLength: Int)] =
        [
            ("firstname", 127), ("lastname", 127), ("company", 127), ("street", 127),
            ("city", 127), ("postcode", 16), ("phonenumber", 31), ("mobilenumber", 31),
            ("faxnumber", 31), ("iban", 34), ("bic", 11), ("bankname", 255), ("vatnum", 127),
            ("comregnum", 31), ("timezone", 64),
        ] + (0...9).map { ("gpp\($0)", 255) }

    static let contact: [SchemaField] =
        [
            .init("email", .email, required: true, "Contact e-mail address."),
            // NOTE: the loader also checks the code against its ISO 3166-1 list, in any letter
            // case. The schema checks only for two letters, because an enum of the codes
            // would reject the lower-case codes that the loader accepts.
            .init(
                "country", .nullable(.string(pattern: "^[A-Za-z]{2}$")),
                "ISO 3166-1 alpha-2 country code; stored in upper case."),
        ]
        + contactTextFields.map { field in
            .init(field.name, .nullable(.text(maxLength: field.maxLength)), "Contact text.")
        }

    static let subscriberSpec: [SchemaField] = [
        .init(
            "customer", .text(minLength: 1), required: true, "The owning customer's external_id."),
        .init("password", .secret, "SIP password."),
        .init("webpassword", .secret, "Self-care web password."),
        .init("webusername", .text(minLength: 1, maxLength: 127), "Self-care login name."),
        .init("primary_number", .nullable(.reference("Number")), "The main number."),
        .init("alias_numbers", .list(.reference("AliasNumber")), "Further numbers."),
        .init("external_id", .nullable(.text(maxLength: 255)), "Free identifier."),
        .init(
            "status", .choice(["active", "locked"]),
            "Subscriber status; to remove a subscriber, delete its document and use --prune."
        ),
        .init(
            "lock", .nullable(.integer(1...5)),
            "Lock level 1 to 5 (foreign, outgoing, all calls, global, ported); null unlocks."),
        .init("display_name", .nullable(.text(maxLength: 128)), "Caller display name."),
        .init("email", .nullable(.email), "Subscriber e-mail address."),
        .init("timezone", .nullable(.text(maxLength: 64)), "Time zone name."),
        .init("administrative", .boolean, "Whether the subscriber administers the customer."),
        .init("pbx_extension", .text(minLength: 1), "PBX extension (pbxaccount customers only)."),
        .init("is_pbx_pilot", .boolean, "PBX pilot subscriber (pbxaccount only)."),
        .init("is_pbx_group", .boolean, "PBX group (pbxaccount only)."),
        .init(
            "pbx_groups", .list(.string(pattern: subscriberName)),
            "Names (username@domain) of the PBX groups of the same customer that the subscriber"
                + " belongs to (pbxaccount only)."),
        .init(
            "pbx_group_ids", .list(.integer(1...Int.max)),
            "Server ids of the PBX groups the subscriber belongs to (pbxaccount only); the"
                + " raw form of pbx_groups, which it excludes."),
        .init(
            "pbx_hunt_policy", .choice(["serial", "parallel", "random", "circular"]),
            "How a PBX group rings its members (PBX groups only)."),
        .init(
            "pbx_hunt_timeout", .integer(1...86_400),
            "Seconds a PBX group rings each member (PBX groups only)."),
        .init(
            "pbx_hunt_cancel_mode", .choice(["bye", "cancel"]),
            "How a PBX group ends ringing the other members (PBX groups only)."),
        .init(
            "profile_set_id", .nullable(.integer(1...Int.max)),
            "Subscriber profile set id; without profile_id its default profile applies."),
        .init(
            "profile_id", .nullable(.integer(1...Int.max)), needs: "profile_set_id",
            "Subscriber profile id; needs profile_set_id."),
        .init(
            "callforwards", .nullable(.reference("CallForwards")),
            "The complete call forward block; absent leaves forwards unmanaged."),
        .init(
            "preferences", .nullable(.map(.any)),
            "Managed preferences by name; others are left alone."),
    ]

    /// Subscriber text fields that may be null, with their maximum length in characters.
    static let subscriberTextFields: [(name: String, maxLength: Int)] =
        subscriberSpec.compactMap { field in
            guard case .nullable(.text(_, let maxLength?, _)) = field.type else { return nil }
            return (field.name, maxLength)
        }

    static let number: [SchemaField] = [
        .init(
            "cc", .digits(1...3, leadingZero: false), required: true,
            "Country code, no leading zero."),
        .init("ac", .nullable(.digits(0...7)), "Area code; may be empty."),
        .init("sn", .digits(1...31), required: true, "Subscriber number."),
    ]

    static let aliasNumber: [SchemaField] =
        number + [.init("is_devid", .boolean, "Device id alias; default false.")]

    static let callForwardTypes = ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo"]

    /// Each forward type refers to a definition without `ringtimeout`, except cft.
    static let callForwards: [SchemaField] = callForwardTypes.map { type in
        let definition = type == "cft" ? "CallForwardWithRingTimeout" : "CallForward"
        return .init(
            type, .clearable(.reference(definition)), "Forward \(type); null or {} clears it.")
    }

    /// The keys of every forward type, as the loader accepts them. The loader rejects
    /// `ringtimeout` on types other than cft with its own message.
    static let callForward: [SchemaField] = [
        .init(
            "destinations", .list(.reference("Destination"), minCount: 1), required: true,
            "Destinations in order; at least one."),
        .init("times", .list(.reference("Period")), "When the forward applies."),
        .init("sources", .list(.reference("Source")), "Caller patterns."),
        .init("sources_mode", .choice(["whitelist", "blacklist"]), "Default whitelist."),
        .init("sources_is_regex", .boolean, "Patterns are regular expressions."),
        .init("bnumbers", .list(.reference("BNumber")), "Called-number patterns."),
        .init("bnumbers_mode", .choice(["whitelist", "blacklist"]), "Default whitelist."),
        .init("bnumbers_is_regex", .boolean, "Patterns are regular expressions."),
        .init(
            "ringtimeout", .nullable(.integer(1...86_400)),
            "Seconds before a cft forward applies; cft only."),
    ]

    static let destination: [SchemaField] = [
        .init(
            "destination", .text(minLength: 1, maxLength: 255), required: true,
            "voicebox, fax2mail, conference, callingcard, callthrough, localuser, autoattendant,"
                + " officehours, customhours, a number or a SIP URI."),
        .init("priority", .nullable(.integer(0...65_535)), "Lower rings first."),
        .init("timeout", .integer(1...86_400), "Seconds to ring; default 300."),
        .init(
            "announcement_id", .nullable(.integer(1...Int.max)), needs: "destination",
            needsValue: "customhours", "Announcement for customhours only."),
    ]

    /// Ranges of the time period fields; each value is `N` or `N-M`. wday 1 is Sunday.
    static let periodFields: [(name: String, range: ClosedRange<Int>)] = [
        ("year", 1990...3000), ("month", 1...12), ("mday", 1...31), ("wday", 1...7),
        ("hour", 0...23), ("minute", 0...59),
    ]

    static let period: [SchemaField] = periodFields.map { field in
        .init(
            field.name, .nullable(.period(field.range)),
            "N or N-M within \(field.range.lowerBound)-\(field.range.upperBound); null is any.")
    }

    static let secretSource: [SchemaField] = [
        .init(
            "env", .string(pattern: "^[A-Za-z_][A-Za-z0-9_]*$"),
            "Name of an environment variable that contains the secret."),
        .init("file", .string(minLength: 1), "Path of a file that contains the secret."),
    ]

    /// The named definitions the tables refer to.
    static let definitions: [String: [SchemaField]] = [
        "Metadata": metadata, "Contact": contact, "Number": number, "AliasNumber": aliasNumber,
        "CallForwards": callForwards,
        "CallForwardWithRingTimeout": callForward,
        "CallForward": callForward.filter { $0.name != "ringtimeout" },
        "Destination": destination, "Period": period, "SecretSource": secretSource,
        "Source": [.init("source", .text(maxLength: 255), required: true, "Caller pattern.")],
        "BNumber": [
            .init("bnumber", .text(maxLength: 255), required: true, "Called-number pattern.")
        ],
    ]
}

/// The field tables of `ngcpctl.yaml`.
///
/// The loader reads the text fields of a target with numbers taken as written, and treats a
/// null field as absent, so the schema admits both.
public enum ProjectSchema {
    static let project: [SchemaField] = [
        .init(
            "targets",
            .map(.nullable(.reference("Target")), keyPattern: targetName, minCount: 1),
            required: true, "Targets by name; at least one."),
        .init(
            "default_target", .text(pattern: targetName),
            "Target used without --target; needed when several targets exist."),
        .init(
            "secrets", .nullable(.reference("Secrets")),
            "What {env:} and {file:} secrets may read."),
    ]

    static let secrets: [SchemaField] = [
        .init(
            "env_names", .nullable(.list(.string(pattern: environmentNamePattern))),
            "Patterns ({env:} names, * matches any run) secrets may read; "
                + "default *_PASSWORD, *_WEBPASSWORD, *_PW, NGCP_PW_*."),
        .init(
            "file_directories", .nullable(.list(.string())),
            "Directories, relative to ngcpctl.yaml, that {file:} secrets may read besides the "
                + "repository."),
    ]

    static let target: [SchemaField] = [
        .init("url", .nullable(.string(pattern: apiURL)), "API base URL; --url and NGCP_URL win."),
        .init("user", .nullable(.text()), "API user; --user and NGCP_USER win."),
        .init(
            "password_env", .nullable(.string(pattern: "^[A-Za-z_][A-Za-z0-9_]*$")),
            "Environment variable holding the API password; default NGCP_PASSWORD."),
        .init("reseller", .nullable(.text()), "Reseller the target's objects belong to."),
        .init(
            "ca_file", .nullable(.text()),
            "CA bundle (PEM), relative to ngcpctl.yaml; --ca-file wins."),
        .init(
            "default_billing_profile", .nullable(.text()),
            "Billing profile handle for customers that name none."),
        .init("guards", .nullable(.reference("Guards")), "Limits checked before apply."),
        .init(
            "ignore", .nullable(.list(.string(pattern: ignorePattern))),
            "[collection/name:]path rules of fields the diff ignores."),
        .init("warnings_as_errors", .boolean, "Policy warnings fail the run."),
    ]

    static let guards: [SchemaField] = [
        .init(
            "max_deletes", .nullable(.integer(0...Int.max)),
            "Most subscriber deletes per plan; null is no limit; default 10."),
        .init(
            "max_terminations", .nullable(.integer(0...Int.max)),
            "Most customer terminations per plan; null is no limit; default 1."),
        .init("allow_domain_delete", .boolean, "Whether a plan may delete a domain."),
        .init(
            "refuse_remove_all", .boolean,
            "Refuse a plan that removes every managed object of a kind; default true."),
        .init(
            "protected", .nullable(.list(.string(pattern: protectedPattern))),
            "collection/name patterns no plan may delete."),
    ]

    /// A target name: 1 to 63 ASCII letters, digits, `-`, `_` and `.`, not starting with `.`,
    /// without `..` and not ending with `.lock`.
    static let targetName = "^(?!\\.)(?!.*\\.\\.)(?!.*\\.lock$)[A-Za-z0-9._-]{1,63}$"

    /// An environment name pattern of `secrets.env_names`: letters, digits, `_` and `*`, with
    /// at least one letter or digit.
    static let environmentNamePattern = "^[A-Za-z0-9_*]*[A-Za-z0-9][A-Za-z0-9_*]*$"

    /// An NGCP API base URL that `APIURL` accepts. The scheme is http or https in any letter
    /// case, and user information is not allowed. The host is a name or an IPv6 address in
    /// brackets, with an optional port from 1 to 65535 (leading zeros allowed). The path has
    /// no query, fragment, space or tab.
    static let apiURL: String = {
        let port = "0*(?:\(NumberPattern.alternatives(1...65_535)))"
        let address = "\\[[0-9A-Fa-f:.]+\\]"
        // A host name has no colon: `APIURL` splits the port off at the last one.
        let hostName = "[^\\[:@/?# \\t][^:@/?# \\t]*"
        return "^[Hh][Tt][Tt][Pp][Ss]?://(?:\(address)|\(hostName))(?::\(port))?"
            + "(?:/[^?# \\t]*)?$"
    }()

    /// An `ignore` rule with a collection that exists and a field path: `path` alone, without
    /// `/`, or `collection[/name]:path`.
    ///
    /// NOTE: only the loader checks the path against the fields that plans compare. The
    /// pattern also reads a `:` with a combining mark after it as a colon, while the loader
    /// splits at characters and takes such a text as a path.
    static let ignorePattern: String = {
        let collections = ResourceKind.allCases.map(\.rawValue).joined(separator: "|")
        return "^(?:[^:/]+|(?:\(collections))(?:/[^:]*)?:[\\s\\S]+)$"
    }()

    /// A `guards.protected` pattern that can protect something: a name pattern without `/`, or
    /// `collection/name` where the collection pattern matches a collection and the name is not
    /// empty and has no further `/`.
    ///
    /// NOTE: a collection pattern with `*` passes when the text before its first `*` begins
    /// a collection name. So `c*x/a` passes here, and only the loader reports that it matches
    /// no collection. The pattern also reads a `/` with a combining mark after it as a slash,
    /// but the loader splits at characters and reads such a text as a name pattern.
    static let protectedPattern: String = {
        let collections = ResourceKind.allCases.map(\.rawValue)
        let exact = collections.joined(separator: "|")
        let glob = PrefixPattern.prefixes(of: collections) + "\\*[^/]*"
        return "^(?:[^/]+|(?:\(exact)|\(glob))/[^/]+)$"
    }()
}
