/// The keyed digests of the web passwords that ngcpctl sent to the subscribers of one target.
///
/// NGCP stores a subscriber's `webpassword` as a salted hash and never returns it, so a plan
/// cannot compare the manifest's value with the live one. It compares the value's digest with
/// the digest recorded when an apply last sent a web password instead. The digests are
/// HMAC-SHA256 under a key derived from the API credentials and the target URL (see
/// `SecretDigest` in the planning module), and the records never hold a value.
public struct WebPasswordRecords: Sendable, Hashable {
    public static let formatVersion = 1

    /// The web password that an apply last sent to one subscriber.
    public struct Entry: Sendable, Hashable {
        /// The subscriber's server id when the password was sent. A live subscriber with
        /// another id was deleted and created again since, so the entry does not describe it.
        public var subscriberID: Int
        /// The keyed digest of the value, as `hmac-sha256:` and lowercase hex.
        public var digest: String

        public init(subscriberID: Int, digest: String) {
            self.subscriberID = subscriberID
            self.digest = digest
        }
    }

    /// A digest of a fixed message under the key of the entries' digests. A run whose key
    /// gives another check uses other API credentials, and cannot compare the entries.
    public var keyCheck: String
    /// The entries by subscriber natural key, `username@domain` in lower case.
    public var entries: [String: Entry]

    public init(keyCheck: String, entries: [String: Entry] = [:]) {
        self.keyCheck = keyCheck
        self.entries = entries
    }

    /// Returns the key of `entries` for the subscriber `username@domain`. NGCP compares both
    /// parts without regard to case, as pairing does.
    public static func subscriberKey(_ name: String) -> String {
        name.lowercased()
    }

    /// The records as the state file stores them.
    public var jsonValue: JSONValue {
        var subscribers: [String: JSONValue] = [:]
        for (key, entry) in entries {
            subscribers[key] = ["id": .int(entry.subscriberID), "digest": .string(entry.digest)]
        }
        return [
            "format_version": .int(Self.formatVersion), "key_check": .string(keyCheck),
            "subscribers": .object(subscribers),
        ]
    }

    /// Reads records from the state file's JSON document.
    ///
    /// - Throws: `WebPasswordRecordsError` when the document is not such records, or has a
    ///   `format_version` other than 1.
    public init(json: JSONValue) throws(WebPasswordRecordsError) {
        guard let version = json["format_version"]?.intValue else {
            throw WebPasswordRecordsError("format_version is missing")
        }
        guard version == Self.formatVersion else {
            throw WebPasswordRecordsError(
                "format_version \(version) is not supported (expected \(Self.formatVersion))")
        }
        guard let keyCheck = json["key_check"]?.stringValue else {
            throw WebPasswordRecordsError("key_check is missing or not a string")
        }
        guard let subscribers = json["subscribers"]?.objectValue else {
            throw WebPasswordRecordsError("subscribers is missing or not an object")
        }
        var entries: [String: Entry] = [:]
        for (key, value) in subscribers {
            guard let id = value["id"]?.intValue, let digest = value["digest"]?.stringValue
            else {
                throw WebPasswordRecordsError("subscribers.\(key) needs an integer id and a digest")
            }
            entries[key] = Entry(subscriberID: id, digest: digest)
        }
        self.init(keyCheck: keyCheck, entries: entries)
    }
}

/// A state file of web password records that cannot be read.
public struct WebPasswordRecordsError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
