import Foundation

/// Minimal stderr logging for the server's own events (never request bodies or secrets).
enum Log {
    static func error(_ message: String) {
        write("error", message)
    }

    static func info(_ message: String) {
        write("info", message)
    }

    private static func write(_ level: String, _ message: String) {
        let line = "ngcp-emulator \(level): \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
