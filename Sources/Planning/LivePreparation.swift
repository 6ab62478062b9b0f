import NGCPCore

/// The planner's indexes of the live collections: objects by natural key and id, and the
/// numbers each live subscriber has.
public struct LivePreparation: Sendable {
    let index: LiveIndex
    let numbers: NumberLedger
    /// The collections the indexes were built from. Arrays share their storage when copied,
    /// so keeping them costs nothing, and comparing them shows whether the indexes still fit.
    private let domains: [LiveObject]
    private let customers: [LiveObject]
    private let contacts: [LiveObject]
    private let subscribers: [LiveObject]

    init(_ live: LiveState) {
        index = LiveIndex(live)
        var numbers = NumberLedger()
        numbers.recordLive(live.subscribers)
        self.numbers = numbers
        domains = live.domains
        customers = live.customers
        contacts = live.contacts
        subscribers = live.subscribers
    }

    /// True when `live` has the collections these indexes were built from.
    func matches(_ live: LiveState) -> Bool {
        Self.same(domains, live.domains) && Self.same(customers, live.customers)
            && Self.same(contacts, live.contacts) && Self.same(subscribers, live.subscribers)
    }

    /// Compares two collections, cheaply when they are copies of one array.
    private static func same(_ first: [LiveObject], _ second: [LiveObject]) -> Bool {
        let shared = first.withUnsafeBufferPointer { left in
            second.withUnsafeBufferPointer { right in
                left.baseAddress == right.baseAddress && left.count == right.count
            }
        }
        return shared || first == second
    }
}
