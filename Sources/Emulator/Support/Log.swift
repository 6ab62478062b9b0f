import Foundation

/// How much the emulator writes to standard error: each level includes the ones before it.
public enum EmulatorLogLevel: Int, Sendable, Comparable, CaseIterable {
    /// Failures that lose data or stop a request, such as a failed database write.
    case error
    /// Unexpected events that the emulator survives, such as a connection that libmicrohttpd
    /// closed on its own.
    case warning
    /// Start-up notes, such as seed options ignored for a database that contains data.
    case info
    /// Expected details, such as each connection closed on purpose by an injected fault.
    case debug

    public static func < (left: EmulatorLogLevel, right: EmulatorLogLevel) -> Bool {
        left.rawValue < right.rawValue
    }

    /// The name used on the command line and in each line, such as `warning`.
    public var name: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "info"
        case .debug: return "debug"
        }
    }
}

/// Minimal stderr logging for the server's own events (never request bodies or secrets).
enum Log {
    /// Writes an error, which every level shows.
    static func error(_ message: String) {
        write(.error, message, threshold: .error)
    }

    /// Writes `message` when `threshold` includes `level`.
    static func write(_ level: EmulatorLogLevel, _ message: String, threshold: EmulatorLogLevel) {
        guard level <= threshold else { return }
        let line = "ngcp-emulator \(level.name): \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
