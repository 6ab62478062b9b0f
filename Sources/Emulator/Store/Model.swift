import NGCPCore

// The emulator's records. They mirror what the NGCP database keeps, not the API shapes:
// the resource files render them into representations.

struct Reseller: StoredRecord {
    static let tableName = "resellers"
    var id: Int
    var contractID: Int
    var name: String
    var status: String
}

struct BillingProfile: StoredRecord {
    static let tableName = "billing_profiles"
    var id: Int
    var resellerID: Int
    var handle: String
    var name: String
    var status: String
    /// The remaining optional fields, kept as sent (prepaid, currency, fraud limits, ...).
    var extra: StoredJSON
}

struct Domain: StoredRecord {
    static let tableName = "domains"
    var id: Int
    var domain: String
    var resellerID: Int
}

struct Contact: StoredRecord {
    static let tableName = "contacts"
    var id: Int
    /// Nil for system contacts, which the customer contact API never shows.
    var resellerID: Int?
    /// The string fields (email, firstname, gpp0, ...); an absent key renders as null.
    var fields: [String: String]
    var status: String
}

struct BillingMapping: Codable, Sendable {
    var profileID: Int
    var start: String?
    var effectiveStart: String
}

struct Customer: StoredRecord {
    static let tableName = "customers"
    var id: Int
    var contactID: Int
    var billingProfileID: Int
    var billingMappings: [BillingMapping]
    var status: String
    var type: String
    var externalID: String?
    var maxSubscribers: Int?
    var vatRate: StoredJSON
    var addVat: Bool
    var templateIDs: [String: Int]
    var profilePackageID: Int?
    var createTimestamp: String
    var modifyTimestamp: String
    var activateTimestamp: String?
    var terminateTimestamp: String?
}

/// A row of the number table; a number without a subscriber is free for reuse.
struct PhoneNumber: StoredRecord {
    static let tableName = "numbers"
    var id: Int
    var cc: Int
    var ac: String
    var sn: String
    var subscriberID: Int?
    var isDevID: Bool

    var e164: String { "\(cc)\(ac)\(sn)" }
    var key: String { "\(cc)-\(ac)-\(sn)" }
}

struct Subscriber: StoredRecord {
    static let tableName = "subscribers"
    var id: Int
    /// The provisioning-side id that call forward sets report as their `subscriber_id`.
    var provisioningID: Int
    var customerID: Int
    var domainID: Int
    var username: String
    var password: String
    var webusername: String?
    /// Only whether it is set matters: the API never returns it.
    var hasWebpassword: Bool
    var status: String
    var externalID: String?
    var email: String?
    var timezone: String?
    /// The contact row NGCP creates for a subscriber's e-mail address and time zone.
    var contactID: Int?
    var administrative: Bool
    var primaryNumberID: Int?
    var aliasNumberIDs: [Int]
    var profileID: Int?
    var profileSetID: Int?
    var uuid: String
    var createTimestamp: String
    var modifyTimestamp: String
    /// The user preferences by name, including the internal `ringtimeout`.
    var preferences: StoredJSON
    /// Nil for subscribers of `sipaccount` customers, whose PBX fields NGCP drops.
    var pbx: PBXSettings?

    var ownerID: Int? { customerID }
}

/// The PBX columns of a subscriber of a `pbxaccount` customer.
struct PBXSettings: Codable, Sendable, Equatable {
    var isPilot: Bool
    var isGroup: Bool
    var pbxExtension: String?
    /// The hunt settings of a PBX group. NGCP stores them as sent and returns them only for
    /// groups.
    var huntPolicy: String?
    var huntTimeout: Int?
    var huntCancelMode: String?
    /// The groups this subscriber is a member of. Each membership is a row of its own, and
    /// NGCP lists both a member's groups and a group's members in the order of the row ids.
    var memberships: [PBXMembership]
}

struct PBXMembership: Codable, Sendable, Equatable {
    var id: Int
    var groupID: Int
}

struct Destination: Codable, Sendable, Equatable {
    var destination: String
    var priority: Int?
    var timeout: Int
    var announcementID: Int?
}

struct DestinationSet: StoredRecord {
    static let tableName = "cf_destination_sets"
    var id: Int
    var subscriberID: Int
    var name: String
    var destinations: [Destination]

    var ownerID: Int? { subscriberID }
}

struct TimePeriod: Codable, Sendable, Equatable {
    var year: String?
    var month: String?
    var mday: String?
    var wday: String?
    var hour: String?
    var minute: String?
}

struct TimeSet: StoredRecord {
    static let tableName = "cf_time_sets"
    var id: Int
    var subscriberID: Int
    var name: String
    var times: [TimePeriod]

    var ownerID: Int? { subscriberID }
}

/// A source set (`entries` are sources) or a B-number set (`entries` are B-numbers).
struct NumberPatternSet: StoredRecord {
    static let tableName = "cf_pattern_sets"
    var id: Int
    var subscriberID: Int
    var name: String
    var mode: String
    var isRegex: Bool
    var entries: [String]
    var isBNumberSet: Bool

    var ownerID: Int? { subscriberID }
}

struct CFMapping: StoredRecord {
    static let tableName = "cf_mappings"
    var id: Int
    var subscriberID: Int
    var type: String
    var destinationSetID: Int
    var timeSetID: Int?
    var sourceSetID: Int?
    var bnumberSetID: Int?
    var enabled: Bool
    var useRedirection: Bool

    var ownerID: Int? { subscriberID }
}

/// The call forward types in the order the API lists them.
let callForwardTypes = ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo"]
