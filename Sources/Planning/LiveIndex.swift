import NGCPCore

/// Lookups of live objects by natural key, the only way desired and live objects are paired.
///
/// - domains by name, ignoring case (NGCP rejects `Example.org` next to `example.org`);
/// - customers by `external_id`, exactly;
/// - contacts through the paired customer's `contact_id`;
/// - subscribers by `username@domain`, the username ignoring case as NGCP does, the domain
///   taken from `domain_id` (or the `domain` member when the id is unknown).
struct LiveIndex {
    let live: LiveState
    private(set) var domainsByName: [String: LiveObject] = [:]
    private(set) var domainsByID: [Int: LiveObject] = [:]
    private(set) var customersByExternalID: [String: [LiveObject]] = [:]
    private(set) var customersByID: [Int: LiveObject] = [:]
    private(set) var contactsByID: [Int: LiveObject] = [:]
    private(set) var subscribersByID: [Int: LiveObject] = [:]
    private(set) var subscribersByKey: [SubscriberKey: LiveObject] = [:]
    private(set) var subscribersByCustomer: [Int: [LiveObject]] = [:]

    init(_ live: LiveState) {
        self.live = live
        for domain in live.domains {
            domainsByID[domain.id] = domain
            if let name = domain["domain"]?.stringValue {
                domainsByName[Self.lowercased(name)] = domain
            }
        }
        for customer in live.customers {
            customersByID[customer.id] = customer
            if let externalID = customer["external_id"]?.stringValue {
                customersByExternalID[externalID, default: []].append(customer)
            }
        }
        for contact in live.contacts { contactsByID[contact.id] = contact }
        subscribersByID.reserveCapacity(live.subscribers.count)
        for subscriber in live.subscribers {
            subscribersByID[subscriber.id] = subscriber
            if let key = subscriberKey(subscriber) { subscribersByKey[key] = subscriber }
            if let customerID = subscriber["customer_id"]?.intValue {
                subscribersByCustomer[customerID, default: []].append(subscriber)
            }
        }
    }

    /// Returns the live domain, contact, customer or subscriber with the API id `id`. Call
    /// forwards and preferences are blocks of their subscriber, not objects of their own.
    func object(_ kind: ResourceKind, id: Int) -> LiveObject? {
        switch kind {
        case .domains: return domainsByID[id]
        case .customercontacts: return contactsByID[id]
        case .customers: return customersByID[id]
        case .subscribers: return subscribersByID[id]
        case .callforwards, .subscriberpreferences: return nil
        }
    }

    static func subscriberKey(username: String, domain: String) -> SubscriberKey {
        SubscriberKey(username: lowercased(username), domain: lowercased(domain))
    }

    /// Returns `text` in lower case. Names are nearly always lower-case ASCII already, and
    /// returning them as they are saves building a new string for each of many thousands.
    static func lowercased(_ text: String) -> String {
        func needsWork(_ bytes: some Sequence<UInt8>) -> Bool {
            bytes.contains { byte in
                byte >= 0x80 || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            }
        }
        // Native strings are contiguous; scanning their buffer avoids decoding index by index.
        let needsLowering =
            text.utf8.withContiguousStorageIfAvailable(needsWork) ?? needsWork(text.utf8)
        return needsLowering ? text.lowercased() : text
    }

    /// Returns the natural key of a live subscriber, `username@domain`, as written on the server.
    func subscriberName(_ subscriber: LiveObject) -> String {
        let username = subscriber["username"]?.stringValue ?? "?"
        return "\(username)@\(domainName(of: subscriber) ?? "?")"
    }

    func domainName(of subscriber: LiveObject) -> String? {
        if let domainID = subscriber["domain_id"]?.intValue,
            let name = domainsByID[domainID]?["domain"]?.stringValue
        {
            return name
        }
        return subscriber["domain"]?.stringValue
    }

    private func subscriberKey(_ subscriber: LiveObject) -> SubscriberKey? {
        guard let username = subscriber["username"]?.stringValue,
            let domain = domainName(of: subscriber)
        else { return nil }
        return Self.subscriberKey(username: username, domain: domain)
    }

    func domain(named name: String) -> LiveObject? {
        domainsByName[Self.lowercased(name)]
    }

    /// Returns the live customers with this external_id, non-terminated first, then by id.
    func customers(externalID: String) -> [LiveObject] {
        (customersByExternalID[externalID] ?? []).sorted { left, right in
            let leftTerminated = left["status"]?.stringValue == "terminated"
            let rightTerminated = right["status"]?.stringValue == "terminated"
            if leftTerminated != rightTerminated { return !leftTerminated }
            return left.id < right.id
        }
    }

    func subscriber(_ desired: DesiredSubscriber) -> LiveObject? {
        subscribersByKey[Self.subscriberKey(username: desired.username, domain: desired.domain)]
    }

    func subscribers(ofCustomer customerID: Int) -> [LiveObject] {
        (subscribersByCustomer[customerID] ?? []).sorted { $0.id < $1.id }
    }
}

/// A subscriber's natural key, `username@domain`, in lower case. The two parts are kept apart
/// so that a key costs no new string: the domain is shared by all its subscribers, and most
/// usernames fit in a string's inline storage.
struct SubscriberKey: Hashable {
    var username: String
    var domain: String
}
