/// A subscriber's secret sources, read and written by field path like a dictionary:
/// `password`, `webpassword`, and secret preferences such as `preferences.peer_auth_pass`
/// (see `secretPreferenceField(_:)`).
///
/// Two optionals and a dictionary for the rare secret preference, instead of one
/// `[String: SecretSource]`: a dictionary costs an allocation and a hashed key for each of
/// tens of thousands of subscribers, and an empty one costs neither. Iteration yields
/// `password`, then `webpassword`, then the secret preferences by field path, each only when
/// it is set.
public struct SubscriberSecrets: Sendable, Hashable {
    public var password: SecretSource?
    public var webpassword: SecretSource?
    /// The secret preferences, by field path (`preferences.peer_auth_pass`).
    public var preferences: [String: SecretSource] = [:]

    public init(password: SecretSource? = nil, webpassword: SecretSource? = nil) {
        self.password = password
        self.webpassword = webpassword
    }

    /// Gets or sets the source of the secret field `field`; nil when it is not set. Setting a
    /// field other than `password`, `webpassword` or a secret preference's path traps.
    public subscript(field: String) -> SecretSource? {
        get {
            switch field {
            case "password": password
            case "webpassword": webpassword
            default: preferences.isEmpty ? nil : preferences[field]
            }
        }
        set {
            switch field {
            case "password": password = newValue
            case "webpassword": webpassword = newValue
            default:
                precondition(
                    secretPreferenceName(ofField: field) != nil,
                    "'\(field)' is not a secret field of a subscriber")
                preferences[field] = newValue
            }
        }
    }

    public var isEmpty: Bool { password == nil && webpassword == nil && preferences.isEmpty }
    public var count: Int {
        (password == nil ? 0 : 1) + (webpassword == nil ? 0 : 1) + preferences.count
    }

    /// The field paths that are set, in iteration order.
    public var keys: [String] { map(\.key) }
    /// The sources of the fields that are set, in iteration order.
    public var values: [SecretSource] { map(\.value) }
}

extension SubscriberSecrets: Sequence {
    public struct Iterator: IteratorProtocol {
        private var fields: [(key: String, value: SecretSource)]
        private var position = 0

        init(_ secrets: SubscriberSecrets) {
            fields = []
            if let password = secrets.password { fields.append(("password", password)) }
            if let webpassword = secrets.webpassword {
                fields.append(("webpassword", webpassword))
            }
            for field in secrets.preferences.keys.sorted() {
                fields.append((field, secrets.preferences[field]!))
            }
        }

        public mutating func next() -> (key: String, value: SecretSource)? {
            guard position < fields.count else { return nil }
            defer { position += 1 }
            return fields[position]
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(self)
    }

    public var underestimatedCount: Int { count }
}

extension SubscriberSecrets: ExpressibleByDictionaryLiteral {
    /// Sets each listed field, as the subscript does.
    public init(dictionaryLiteral elements: (String, SecretSource)...) {
        self.init(password: nil, webpassword: nil)
        for (field, source) in elements {
            self[field] = source
        }
    }
}
