/// A subscriber's `password` and `webpassword` sources, read and written by field name like a
/// dictionary.
///
/// Two optionals instead of a `[String: SecretSource]`: a dictionary costs an allocation and a
/// hashed key for each of tens of thousands of subscribers, for at most two entries.
/// Iteration yields `password` before `webpassword`, each only when it is set.
public struct SubscriberSecrets: Sendable, Hashable {
    /// The field names a subscriber's secrets can have, in iteration order.
    public static let fieldNames = ["password", "webpassword"]

    public var password: SecretSource?
    public var webpassword: SecretSource?

    public init(password: SecretSource? = nil, webpassword: SecretSource? = nil) {
        self.password = password
        self.webpassword = webpassword
    }

    /// The source of the secret field `field`. Nil for a field that is not set, and for a
    /// name other than `password` and `webpassword`, which setting traps on.
    public subscript(field: String) -> SecretSource? {
        get {
            switch field {
            case "password": password
            case "webpassword": webpassword
            default: nil
            }
        }
        set {
            switch field {
            case "password": password = newValue
            case "webpassword": webpassword = newValue
            default: preconditionFailure("'\(field)' is not a secret field of a subscriber")
            }
        }
    }

    public var isEmpty: Bool { password == nil && webpassword == nil }
    public var count: Int { (password == nil ? 0 : 1) + (webpassword == nil ? 0 : 1) }

    /// The names of the fields that are set, in iteration order.
    public var keys: [String] { map(\.key) }
    /// The sources of the fields that are set, in iteration order.
    public var values: [SecretSource] { map(\.value) }
}

extension SubscriberSecrets: Sequence {
    public struct Iterator: IteratorProtocol {
        let secrets: SubscriberSecrets
        var position = 0

        public mutating func next() -> (key: String, value: SecretSource)? {
            while position < SubscriberSecrets.fieldNames.count {
                let field = SubscriberSecrets.fieldNames[position]
                position += 1
                if let source = secrets[field] { return (field, source) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(secrets: self)
    }

    public var underestimatedCount: Int { count }
}

extension SubscriberSecrets: ExpressibleByDictionaryLiteral {
    /// Sets each listed field. A name other than `password` and `webpassword` traps.
    public init(dictionaryLiteral elements: (String, SecretSource)...) {
        self.init(password: nil, webpassword: nil)
        for (field, source) in elements {
            self[field] = source
        }
    }
}
