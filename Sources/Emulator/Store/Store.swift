import FoundationEssentials
import NGCPCore
import Synchronization

/// The emulator's data: an in-memory `State` that every request reads and changes, written
/// through to SQLite after each change.
///
/// All access is serialised by one mutex, so concurrent writers never lose an update. Queries
/// run on the in-memory copy; SQLite is the durable copy that a restart loads back.
final class Store: Sendable {
    private struct Guarded: @unchecked Sendable {
        var state: State
        let database: SQLiteDatabase
    }

    private let guarded: Mutex<Guarded>
    /// True when the database held no data and got the fresh-installation content.
    let isFresh: Bool

    /// Opens the database at `path` (or ":memory:"), loading its rows or writing the content of
    /// a freshly installed NGCP when it is empty.
    init(path: String) throws {
        let database = try SQLiteDatabase(path: path)
        try Self.createSchema(database)
        var state = State()
        let loaded = try Self.load(into: &state, from: database)
        if !loaded {
            FreshInstallation.populate(&state)
        }
        isFresh = !loaded
        state.rebuildIndexes()
        var guarded = Guarded(state: state, database: database)
        try Self.flush(&guarded)
        self.guarded = Mutex(guarded)
    }

    /// Runs a read-only look at the state.
    func read<T>(_ body: (inout State) throws(APIError) -> T) throws(APIError) -> T {
        try guarded.withLock { (guarded: inout Guarded) throws(APIError) -> T in
            try body(&guarded.state)
        }
    }

    /// Runs a change and writes every changed row to SQLite before the lock is released.
    /// Rows changed before an error are written too, because the in-memory state keeps them.
    func write<T>(_ body: (inout State) throws(APIError) -> T) throws(APIError) -> T {
        try guarded.withLock { (guarded: inout Guarded) throws(APIError) -> T in
            let result: Result<T, APIError>
            do throws(APIError) {
                result = .success(try body(&guarded.state))
            } catch {
                result = .failure(error)
            }
            do {
                try Self.flush(&guarded)
            } catch {
                Log.error("writing to the database failed: \(error)")
                throw APIError.internalServerError()
            }
            return try result.get()
        }
    }

    // MARK: Persistence

    private static let tableNames = [
        Reseller.tableName, BillingProfile.tableName, Domain.tableName, Contact.tableName,
        Customer.tableName, PhoneNumber.tableName, Subscriber.tableName,
        DestinationSet.tableName, TimeSet.tableName, NumberPatternSet.tableName,
        CFMapping.tableName,
    ]

    private static func createSchema(_ database: SQLiteDatabase) throws {
        for name in tableNames {
            try database.execute(
                "CREATE TABLE IF NOT EXISTS \(name) (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        try database.execute(
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    }

    /// Returns false when the database holds no data yet.
    private static func load(into state: inout State, from database: SQLiteDatabase) throws -> Bool
    {
        let counterRows = try database.query("SELECT name, value FROM counters")
        if counterRows.isEmpty { return false }
        let decoder = JSONDecoder()
        func loadTable<R: StoredRecord>(_ table: inout Table<R>) throws {
            for row in try database.query("SELECT body FROM \(R.tableName)") {
                guard let text = row[0].textValue else { continue }
                table.load(try decoder.decode(R.self, from: Data(text.utf8)))
            }
        }
        try loadTable(&state.resellers)
        try loadTable(&state.billingProfiles)
        try loadTable(&state.domains)
        try loadTable(&state.contacts)
        try loadTable(&state.customers)
        try loadTable(&state.numbers)
        try loadTable(&state.subscribers)
        try loadTable(&state.destinationSets)
        try loadTable(&state.timeSets)
        try loadTable(&state.patternSets)
        try loadTable(&state.mappings)
        for row in counterRows {
            guard let name = row[0].textValue, let value = row[1].integerValue else { continue }
            state.counters[name] = value
        }

        // Ids are never reused, even after the row with the highest id was deleted.
        func restoreNextID<R>(_ table: inout Table<R>) {
            if let next = state.counters["next:\(R.tableName)"] {
                table.nextID = max(table.nextID, next)
            }
        }
        restoreNextID(&state.resellers)
        restoreNextID(&state.billingProfiles)
        restoreNextID(&state.domains)
        restoreNextID(&state.contacts)
        restoreNextID(&state.customers)
        restoreNextID(&state.numbers)
        restoreNextID(&state.subscribers)
        restoreNextID(&state.destinationSets)
        restoreNextID(&state.timeSets)
        restoreNextID(&state.patternSets)
        restoreNextID(&state.mappings)
        return true
    }

    private static func flush(_ guarded: inout Guarded) throws {
        let encoder = JSONEncoder()
        let database = guarded.database
        var state = guarded.state
        defer { guarded.state = state }
        try database.transaction {
            var nextIDs: [String: Int] = [:]
            func flushTable<R: StoredRecord>(_ table: inout Table<R>) throws {
                let changes = table.takeDirty()
                for (id, record) in changes {
                    if let record {
                        let body = String(decoding: try encoder.encode(record), as: UTF8.self)
                        try database.query(
                            "INSERT OR REPLACE INTO \(R.tableName) (id, body) VALUES (?, ?)",
                            [.integer(id), .text(body)])
                    } else {
                        try database.query(
                            "DELETE FROM \(R.tableName) WHERE id = ?", [.integer(id)])
                    }
                }
                nextIDs["next:\(R.tableName)"] = table.nextID
            }
            try flushTable(&state.resellers)
            try flushTable(&state.billingProfiles)
            try flushTable(&state.domains)
            try flushTable(&state.contacts)
            try flushTable(&state.customers)
            try flushTable(&state.numbers)
            try flushTable(&state.subscribers)
            try flushTable(&state.destinationSets)
            try flushTable(&state.timeSets)
            try flushTable(&state.patternSets)
            try flushTable(&state.mappings)
            state.counters.merge(nextIDs) { _, new in new }
            for (name, value) in state.counters {
                try database.query(
                    "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)",
                    [.text(name), .integer(value)])
            }
        }
    }
}
