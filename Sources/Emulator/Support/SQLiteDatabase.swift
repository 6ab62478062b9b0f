import CSQLite3

/// A failed SQLite call, with the library's own message.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    let operation: String

    var description: String { "SQLite \(operation) failed (\(code)): \(message)" }
}

/// The owner of one `sqlite3` connection.
///
/// Not thread-safe by itself: the store serialises every call behind its mutex.
final class SQLiteDatabase {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (or creates) the database at `path`; ":memory:" gives a private in-memory database.
    /// File databases use WAL so that a crash loses at most the last transaction.
    init(path: String) throws {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &connection, flags, nil)
        guard status == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let connection { sqlite3_close_v2(connection) }
            throw SQLiteError(code: status, message: message, operation: "open '\(path)'")
        }
        handle = connection
        if path != ":memory:" {
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=NORMAL")
        }
        try execute("PRAGMA cache_size=-65536")
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that take no parameters and return no rows.
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if status != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(errorMessage)
            throw SQLiteError(code: status, message: message, operation: "exec '\(sql)'")
        }
    }

    /// Runs `body` inside one transaction, rolling back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a cached prepared statement with the given parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(parameters, to: statement)
        var rows: [[SQLiteValue]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw failure(status, "step '\(sql)'") }
            rows.append(readRow(statement))
        }
        return rows
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(
            handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw failure(status, "prepare '\(sql)'")
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ parameters: [SQLiteValue], to statement: OpaquePointer) throws {
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch parameter {
            case .null:
                status = sqlite3_bind_null(statement, index)
            case .integer(let value):
                status = sqlite3_bind_int64(statement, index, Int64(value))
            case .text(let value):
                let bytes = Array(value.utf8)
                status = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        csqlite_bind_text_transient(
                            statement, index, chars.baseAddress, Int32(bytes.count))
                    }
                }
            }
            guard status == SQLITE_OK else { throw failure(status, "bind parameter \(index)") }
        }
    }

    private func readRow(_ statement: OpaquePointer) -> [SQLiteValue] {
        var row: [SQLiteValue] = []
        for column in 0..<sqlite3_column_count(statement) {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL:
                row.append(.null)
            case SQLITE_INTEGER:
                row.append(.integer(Int(sqlite3_column_int64(statement, column))))
            default:
                if let text = sqlite3_column_text(statement, column) {
                    let count = Int(sqlite3_column_bytes(statement, column))
                    let buffer = UnsafeBufferPointer(start: text, count: count)
                    row.append(.text(String(decoding: buffer, as: UTF8.self)))
                } else {
                    row.append(.null)
                }
            }
        }
        return row
    }

    private func failure(_ status: Int32, _ operation: String) -> SQLiteError {
        SQLiteError(
            code: status, message: String(cString: sqlite3_errmsg(handle)), operation: operation)
    }
}

/// A value bound to or read from an SQLite statement.
enum SQLiteValue: Equatable {
    case null
    case integer(Int)
    case text(String)

    var integerValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}
