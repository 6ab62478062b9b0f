import NGCPCore

/// Tracks which subscriber has each telephone number before and after the plan, so that a
/// number moving between subscribers is freed by one operation before another one takes it.
struct NumberLedger {
    typealias Number = Normalization.Number

    /// A create or update that assigns numbers to a subscriber.
    struct Taker {
        var draft: Int
        var subscriber: DesiredSubscriber
        /// The live subscriber that the operation updates; nil for a create.
        var liveID: Int?
        var numbers: [Number]
    }

    /// The live subscriber id holding each number.
    private(set) var holders: [Number: Int] = [:]
    /// Each live subscriber's primary number and aliases as read.
    private(set) var liveNumbers: [Int: (primary: Number?, aliases: [JSONValue])] = [:]
    /// The numbers of live subscribers that an operation changes, after the plan. The others
    /// keep their live numbers, which `kept(_:)` derives when asked: most subscribers are not
    /// changed, and a set per subscriber cost more than the rest of the ledger.
    private var changedKept: [Int: Set<Number>] = [:]
    /// The operation that releases numbers of a live subscriber (an update, delete or
    /// customer termination).
    private(set) var freeingDraft: [Int: Int] = [:]
    private(set) var takers: [Taker] = []
    /// The desired subscriber declaring each number, to find duplicates.
    private(set) var declaredBy: [Number: String] = [:]

    mutating func recordLive(_ subscribers: [LiveObject]) {
        holders.reserveCapacity(subscribers.count)
        liveNumbers.reserveCapacity(subscribers.count)
        for subscriber in subscribers {
            let primary = Normalization.number(subscriber["primary_number"])
            let aliases = subscriber["alias_numbers"]?.arrayValue ?? []
            liveNumbers[subscriber.id] = (primary, aliases)
            for alias in aliases {
                if let number = Normalization.number(alias) { holders[number] = subscriber.id }
            }
            if let primary { holders[primary] = subscriber.id }
        }
    }

    /// Returns the numbers the live subscriber `id` has after the plan, or nil for an id that
    /// was not read.
    func kept(_ id: Int) -> Set<Number>? {
        if let changed = changedKept[id] { return changed }
        guard let numbers = liveNumbers[id] else { return nil }
        var all = Set(numbers.aliases.compactMap { Normalization.number($0) })
        if let primary = numbers.primary { all.insert(primary) }
        return all
    }

    /// Records that `draft` leaves the live subscriber `id` with `numbers`.
    mutating func update(subscriber id: Int, keeping numbers: Set<Number>, by draft: Int) {
        if let before = kept(id), !before.subtracting(numbers).isEmpty {
            freeingDraft[id] = draft
        }
        changedKept[id] = numbers
    }

    /// Records that `draft` removes the live subscriber `id` and frees all its numbers.
    mutating func delete(subscriber id: Int, by draft: Int) {
        changedKept[id] = []
        freeingDraft[id] = draft
    }

    /// Records that terminating a customer frees the numbers of all its subscribers, unless an
    /// operation of their own frees them already.
    mutating func freeAll(ofCustomer customerID: Int, index: LiveIndex, by draft: Int) {
        for subscriber in index.subscribers(ofCustomer: customerID)
        where freeingDraft[subscriber.id] == nil {
            changedKept[subscriber.id] = []
            freeingDraft[subscriber.id] = draft
        }
    }

    mutating func take(_ taker: Taker) {
        takers.append(taker)
    }

    /// Records a declared number; returns the other subscriber declaring it, if any.
    mutating func declare(_ number: Number, by name: String) -> String? {
        if let other = declaredBy[number], other != name { return other }
        declaredBy[number] = name
        return nil
    }
}
