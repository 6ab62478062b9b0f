import NGCPCore

/// All emulator data, guarded as a whole by the store's mutex.
struct State: Sendable {
    var resellers = Table<Reseller>()
    var billingProfiles = Table<BillingProfile>()
    var domains = Table<Domain>()
    var contacts = Table<Contact>()
    var customers = Table<Customer>()
    var numbers = Table<PhoneNumber>()
    var subscribers = Table<Subscriber>()
    var destinationSets = Table<DestinationSet>()
    var timeSets = Table<TimeSet>()
    var patternSets = Table<NumberPatternSet>()
    var mappings = Table<CFMapping>()

    /// Counter for provisioning ids and other ids that have no table of their own.
    var counters: [String: Int] = [:]

    /// "domainID|lower-case username" of every live subscriber, for the uniqueness check.
    private(set) var usernameIndex: [String: Int] = [:]
    /// "cc-ac-sn" of every number row, free or assigned.
    private(set) var numberIndex: [String: Int] = [:]

    mutating func nextCounter(_ name: String) -> Int {
        let value = (counters[name] ?? 0) + 1
        counters[name] = value
        return value
    }

    // MARK: Indexes

    static func usernameKey(domainID: Int, username: String) -> String {
        "\(domainID)|\(username.lowercased())"
    }

    mutating func rebuildIndexes() {
        usernameIndex = [:]
        for subscriber in subscribers.values {
            usernameIndex[
                Self.usernameKey(domainID: subscriber.domainID, username: subscriber.username)] =
                subscriber.id
        }
        numberIndex = [:]
        for number in numbers.values { numberIndex[number.key] = number.id }
    }

    func subscriberID(domainID: Int, username: String) -> Int? {
        usernameIndex[Self.usernameKey(domainID: domainID, username: username)]
    }

    func numberID(cc: Int, ac: String, sn: String) -> Int? {
        numberIndex["\(cc)-\(ac)-\(sn)"]
    }

    // MARK: Subscribers and numbers

    mutating func putSubscriber(_ subscriber: Subscriber) {
        if let old = subscribers[subscriber.id] {
            usernameIndex.removeValue(
                forKey: Self.usernameKey(domainID: old.domainID, username: old.username))
        }
        subscribers.put(subscriber)
        usernameIndex[
            Self.usernameKey(domainID: subscriber.domainID, username: subscriber.username)] =
            subscriber.id
    }

    mutating func putNumber(_ number: PhoneNumber) {
        if let old = numbers[number.id], old.key != number.key {
            numberIndex.removeValue(forKey: old.key)
        }
        numbers.put(number)
        numberIndex[number.key] = number.id
    }

    mutating func removeNumber(_ id: Int) {
        if let old = numbers[id] { numberIndex.removeValue(forKey: old.key) }
        numbers.remove(id)
    }

    /// Removes a subscriber the way NGCP terminates one. The provisioning side, its preferences
    /// and call forward sets go, and its numbers stay as free rows. The exceptions are the alias
    /// numbers of a PBX subscriber, which its pilot takes over.
    mutating func terminateSubscriber(_ id: Int) {
        guard let subscriber = subscribers[id] else { return }
        usernameIndex.removeValue(
            forKey: Self.usernameKey(domainID: subscriber.domainID, username: subscriber.username))
        subscribers.remove(id)
        let takenByPilot = PBXRules.release(subscriber, in: &self)
        for numberID in [subscriber.primaryNumberID].compactMap({ $0 }) + subscriber.aliasNumberIDs
        where !takenByPilot.contains(numberID) {
            if var number = numbers[numberID] {
                number.subscriberID = nil
                putNumber(number)
            }
        }
        for mapping in mappings.records(ownedBy: id) {
            mappings.remove(mapping.id)
        }
        for set in destinationSets.records(ownedBy: id) {
            destinationSets.remove(set.id)
        }
        for set in timeSets.records(ownedBy: id) { timeSets.remove(set.id) }
        for set in patternSets.records(ownedBy: id) { patternSets.remove(set.id) }
    }

    func primaryNumber(of subscriber: Subscriber) -> PhoneNumber? {
        subscriber.primaryNumberID.flatMap { numbers[$0] }
    }

    func aliasNumbers(of subscriber: Subscriber) -> [PhoneNumber] {
        subscriber.aliasNumberIDs.compactMap { numbers[$0] }
    }

    /// The reseller a customer belongs to (through its contact).
    func resellerID(ofCustomer customer: Customer) -> Int? {
        contacts[customer.contactID]?.resellerID
    }

    func resellerID(ofSubscriber subscriber: Subscriber) -> Int? {
        customers[subscriber.customerID].flatMap { resellerID(ofCustomer: $0) }
    }
}
