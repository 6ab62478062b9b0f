import Foundation
import Synchronization

/// A small structured logger: a constant message plus key-value metadata, written to standard
/// error. Core code receives a logger from its caller and never creates one.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var name: String { String(describing: self) }
    }

    public let label: String
    public let minimumLevel: Level
    private let sink: LogSink

    public init(label: String, minimumLevel: Level = .notice, sink: LogSink = .standardError) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    /// A logger that drops every message.
    public static let disabled = Logger(label: "disabled", minimumLevel: .critical, sink: .discard)

    public func log(
        _ level: Level, _ message: @autoclosure () -> String, _ metadata: [String: String] = [:]
    ) {
        guard level >= minimumLevel, !sink.isDiscarding else { return }
        var line = "\(level.name): \(message())"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key]!)"
        }
        sink.write(line)
    }

    public func debug(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.debug, message(), metadata)
    }

    public func info(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.info, message(), metadata)
    }

    public func notice(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.notice, message(), metadata)
    }

    public func warning(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.warning, message(), metadata)
    }

    public func error(_ message: @autoclosure () -> String, _ metadata: [String: String] = [:]) {
        log(.error, message(), metadata)
    }
}

/// Where log lines go: standard error, an in-memory buffer for tests, or nowhere.
public final class LogSink: Sendable {
    private enum Destination {
        case standardError
        case memory
        case discard
    }

    private let destination: Destination
    private let buffer = Mutex<[String]>([])

    private init(destination: Destination) {
        self.destination = destination
    }

    public static let standardError = LogSink(destination: .standardError)
    public static let discard = LogSink(destination: .discard)

    /// A sink that keeps lines in memory; read them with `lines`.
    public static func memory() -> LogSink { LogSink(destination: .memory) }

    var isDiscarding: Bool { destination == .discard }

    public var lines: [String] { buffer.withLock { $0 } }

    func write(_ line: String) {
        switch destination {
        case .standardError:
            StatusLine.writeAbove(line + "\n")
        case .memory:
            buffer.withLock { $0.append(line) }
        case .discard:
            break
        }
    }
}

/// The one status line that a progress display keeps at the end of standard error, such as
/// "reading subscribers 12,000 / 50,000, page 12 of 50". Log lines written meanwhile clear it
/// first, so that they do not run into it, and the display draws it again with its next report.
public enum StatusLine {
    /// Whether a status line is on the screen.
    private static let drawn = Mutex(false)

    private static let eraseLine = "\r\u{1B}[K"

    /// Replaces the status line with `text`.
    public static func draw(_ text: String) {
        drawn.withLock { drawn in
            FileHandle.standardError.write(Data((eraseLine + text).utf8))
            drawn = true
        }
    }

    /// Removes the status line, if one is drawn.
    public static func clear() {
        drawn.withLock { drawn in
            if drawn { FileHandle.standardError.write(Data(eraseLine.utf8)) }
            drawn = false
        }
    }

    /// Writes `text` to standard error, clearing the status line before it.
    public static func writeAbove(_ text: String) {
        drawn.withLock { drawn in
            let prefix = drawn ? eraseLine : ""
            FileHandle.standardError.write(Data((prefix + text).utf8))
            drawn = false
        }
    }
}
