import FoundationEssentials
import NGCPCore

/// A record that lives in one SQLite table as a JSON document keyed by `id`.
protocol StoredRecord: Codable, Sendable {
    static var tableName: String { get }
    var id: Int { get }
    /// The record this one belongs to (a subscriber's sets, a customer's subscribers), kept
    /// in an index so that per-owner lookups do not scan the table.
    var ownerID: Int? { get }
}

extension StoredRecord {
    var ownerID: Int? { nil }
}

/// A JSON value that can be stored inside a Codable record.
struct StoredJSON: Codable, Sendable, Equatable {
    var value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "stored JSON is invalid: \(error)")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value.serialized())
    }

    var object: [String: JSONValue] {
        get { value.objectValue ?? [:] }
        set { value = .object(newValue) }
    }
}

/// The in-memory rows of one table plus the ids changed since the last flush.
struct Table<Record: StoredRecord>: Sendable {
    private(set) var rows: [Int: Record] = [:]
    var nextID = 1
    private(set) var dirty: Set<Int> = []
    private var byOwner: [Int: Set<Int>] = [:]
    /// Ids in ascending order, rebuilt lazily because listing needs a stable order.
    private var sortedCache: [Int]? = nil

    subscript(id: Int) -> Record? {
        rows[id]
    }

    var count: Int { rows.count }

    /// All ids in ascending order.
    mutating func sortedIDs() -> [Int] {
        if let sortedCache { return sortedCache }
        let ids = rows.keys.sorted()
        sortedCache = ids
        return ids
    }

    /// Reserves the next id without storing anything yet.
    mutating func allocateID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    /// Ids of the records whose `ownerID` is `owner`, in ascending order.
    func ids(ownedBy owner: Int) -> [Int] {
        (byOwner[owner] ?? []).sorted()
    }

    func records(ownedBy owner: Int) -> [Record] {
        ids(ownedBy: owner).compactMap { rows[$0] }
    }

    private mutating func index(_ record: Record, replacing old: Record?) {
        if let oldOwner = old?.ownerID, oldOwner != record.ownerID {
            byOwner[oldOwner]?.remove(record.id)
        }
        if let owner = record.ownerID { byOwner[owner, default: []].insert(record.id) }
    }

    mutating func put(_ record: Record) {
        let old = rows.updateValue(record, forKey: record.id)
        if old == nil { sortedCache = nil }
        index(record, replacing: old)
        nextID = max(nextID, record.id + 1)
        dirty.insert(record.id)
    }

    mutating func remove(_ id: Int) {
        if let old = rows.removeValue(forKey: id) {
            sortedCache = nil
            if let owner = old.ownerID { byOwner[owner]?.remove(id) }
        }
        dirty.insert(id)
    }

    /// Loads a row read from disk without marking it dirty.
    mutating func load(_ record: Record) {
        index(record, replacing: rows.updateValue(record, forKey: record.id))
        sortedCache = nil
        nextID = max(nextID, record.id + 1)
    }

    mutating func takeDirty() -> [(id: Int, record: Record?)] {
        defer { dirty.removeAll(keepingCapacity: true) }
        return dirty.map { ($0, rows[$0]) }
    }

    var values: Dictionary<Int, Record>.Values { rows.values }
}
