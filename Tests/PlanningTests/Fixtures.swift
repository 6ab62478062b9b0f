import NGCPCore

@testable import Planning

/// Live objects shaped exactly as a real ngcp-panel returns them (with `_links` stripped), and
/// matching desired objects. Ids: reseller 1, billing profile 1 (`default`), domain 10
/// (`example.org`), contact 20, customer 30 (`cust-1`), subscribers from 40 on.
enum Fixture {
    static let reseller = LiveObject(
        id: 1, fields: ["id": 1, "contract_id": 1, "name": "default", "status": "active"])

    static let billingProfile = LiveObject(
        id: 1,
        fields: [
            "id": 1, "handle": "default_billing_profile", "name": "Default Billing Profile",
            "reseller_id": 1, "status": "active", "prepaid": false,
        ])

    static func domain(id: Int = 10, name: String = "example.org") -> LiveObject {
        LiveObject(id: id, fields: ["id": .int(id), "domain": .string(name), "reseller_id": 1])
    }

    static func contact(id: Int = 20, email: String = "ops@example.org") -> LiveObject {
        var fields: [String: JSONValue] = [
            "id": .int(id), "reseller_id": 1, "email": .string(email), "firstname": "First",
            "lastname": "Last",
        ]
        for field in [
            "bankname", "bic", "city", "company", "comregnum", "country", "faxnumber", "iban",
            "mobilenumber", "phonenumber", "postcode", "street", "timezone", "vatnum",
        ] {
            fields[field] = .null
        }
        for index in 0...9 { fields["gpp\(index)"] = .null }
        return LiveObject(id: id, fields: fields)
    }

    static func customer(
        id: Int = 30, externalID: String? = "cust-1", contactID: Int = 20,
        status: String = "active", maxSubscribers: JSONValue = .null
    ) -> LiveObject {
        LiveObject(
            id: id,
            fields: [
                "id": .int(id), "activate_timestamp": .null, "add_vat": false,
                "all_billing_profiles": [
                    [
                        "effective_start_time": "1970-01-01 00:00:00", "network_id": .null,
                        "profile_id": 1, "start": .null, "stop": .null,
                    ]
                ],
                "billing_profile_definition": "id", "billing_profile_id": 1,
                "billing_profiles": [], "contact_id": .int(contactID),
                "create_timestamp": "2026-12-04 15:26:57",
                "external_id": externalID.map(JSONValue.string) ?? .null,
                "invoice_email_template_id": .null, "invoice_template_id": .null,
                "max_subscribers": maxSubscribers, "modify_timestamp": "2026-12-04 15:26:57",
                "passreset_email_template_id": .null, "profile_package_id": .null,
                "status": .string(status), "subscriber_email_template_id": .null,
                "terminate_timestamp": .null, "type": "sipaccount", "vat_rate": 0,
            ])
    }

    /// Builds a live alias entry: `cc` as a number, `number_id` and `is_devid` added.
    static func alias(_ sn: String, numberID: Int = 90) -> JSONValue {
        ["ac": "1", "cc": 43, "is_devid": false, "number_id": .int(numberID), "sn": .string(sn)]
    }

    static func subscriber(
        id: Int, username: String, customerID: Int = 30, domainID: Int = 10,
        domain: String = "example.org", sn: String, aliases: [String] = [],
        password: String = "SipPass123", lock: JSONValue = .null, status: String = "active"
    ) -> LiveObject {
        LiveObject(
            id: id,
            fields: [
                "id": .int(id), "administrative": false,
                "alias_numbers": .array(
                    aliases.enumerated().map { alias($1, numberID: 100 + id * 10 + $0) }),
                "create_timestamp": "2026-12-04T15:32:57+00:00", "customer_id": .int(customerID),
                "display_name": .null, "domain": .string(domain), "domain_id": .int(domainID),
                "email": .null, "external_id": .null, "lock": lock,
                "modify_timestamp": "2026-12-04T15:32:57+00:00", "password": .string(password),
                "primary_number": [
                    "ac": "1", "cc": 43, "number_id": .int(id * 10), "sn": .string(sn),
                ],
                "profile_id": .null, "profile_set_id": .null, "status": .string(status),
                "timezone": .null, "username": .string(username),
                "uuid": "60df39fa-8e47-44e5-ad3e-6150b0bee6a5", "webusername": .string(username),
            ])
    }

    /// The call forwards of a subscriber without forwards: all seven types `{}`.
    static let noForwards: [String: JSONValue] = [
        "cfb": [:], "cfna": [:], "cfo": [:], "cfr": [:], "cfs": [:], "cft": [:], "cfu": [:],
    ]

    /// One live forward type as GET returns it after a PUT of `destinations`.
    static func liveForward(_ destinations: [JSONValue], type: String = "cfu") -> JSONValue {
        var forward: [String: JSONValue] = [
            "bnumber_set": .null, "bnumbers": [], "bnumbers_is_regex": false,
            "bnumbers_mode": "whitelist",
            "destination_set": [
                "id": 2, "name": .string("quickset_\(type)"), "own": 1,
                "subscriber_id": 44,
            ],
            "destinations": .array(destinations), "source_set": .null, "sources": [],
            "sources_is_regex": false, "sources_mode": "whitelist", "time_set": .null,
            "times": [],
        ]
        if type == "cft" { forward["ringtimeout"] = .null }
        return .object(forward)
    }

    /// Builds a live destination for a number in the subscriber's domain.
    static func liveDestination(
        _ number: String, domain: String = "example.org", priority: JSONValue = .null,
        timeout: Int = 300
    ) -> JSONValue {
        [
            "announcement_id": .null, "destination": .string("sip:\(number)@\(domain)"),
            "priority": priority, "simple_destination": .string(number), "timeout": .int(timeout),
        ]
    }

    /// Builds the preferences NGCP sets on a new subscriber with a number.
    static func automaticPreferences(id: Int, numbers: [String]) -> [String: JSONValue] {
        [
            "ac": "1", "allowed_clis": .array(numbers.map(JSONValue.string)),
            "call_log_level": "notice", "cc": "43", "emergency_location_format": "cirpack",
            "id": .int(id), "subscriber_id": .int(id),
        ]
    }

    // MARK: Desired

    static let desiredDomain = DesiredDomain(domain: "example.org")

    static func desiredCustomer(
        _ externalID: String = "cust-1", status: String = "active",
        fields: [String: JSONValue] = [:]
    ) -> DesiredCustomer {
        var all: [String: JSONValue] = ["status": .string(status), "type": "sipaccount"]
        all.merge(fields) { $1 }
        return DesiredCustomer(
            externalID: externalID, billingProfile: "default_billing_profile", fields: all,
            contact: ["email": "ops@example.org", "firstname": "First", "lastname": "Last"])
    }

    static func desiredSubscriber(
        _ username: String, customer: String = "cust-1", domain: String = "example.org",
        sn: String, aliases: [String]? = nil, fields extra: [String: JSONValue] = [:],
        callforwards: [String: JSONValue]? = nil, preferences: [String: JSONValue]? = nil
    ) -> DesiredSubscriber {
        var fields: [String: JSONValue] = [
            "primary_number": ["cc": 43, "ac": "1", "sn": .string(sn)]
        ]
        if let aliases {
            fields["alias_numbers"] = .array(
                aliases.map { ["cc": "43", "ac": "1", "sn": .string($0)] })
        }
        fields.merge(extra) { $1 }
        return DesiredSubscriber(
            username: username, domain: domain, customer: customer, fields: fields,
            secrets: [
                "password": .environment("SIP_\(username.uppercased())"),
                "webpassword": .environment("WEB_\(username.uppercased())"),
            ],
            callforwards: callforwards, preferences: preferences)
    }

    /// Builds a live state with reseller, billing profile, domain, contact and customer `cust-1`.
    static func liveBase(
        subscribers: [LiveObject] = [], callforwards: [Int: [String: JSONValue]] = [:],
        preferences: [Int: [String: JSONValue]] = [:], customers: [LiveObject]? = nil,
        contacts: [LiveObject]? = nil
    ) -> LiveState {
        LiveState(
            resellers: [reseller], billingProfiles: [billingProfile], domains: [domain()],
            contacts: contacts ?? [contact()], customers: customers ?? [customer()],
            subscribers: subscribers, callforwards: callforwards, preferences: preferences)
    }

    static func desiredBase(subscribers: [DesiredSubscriber] = []) -> DesiredState {
        DesiredState(
            domains: [desiredDomain], customers: [desiredCustomer()], subscribers: subscribers)
    }
}

/// Secrets for tests: every password resolves to `SipPass123` unless overridden.
func secrets(_ values: [String: String] = [:]) -> SecretLookup {
    { id, field in
        SecretValue(values["\(id.name)/\(field)"] ?? "SipPass123")
    }
}
