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
            FileHandle.standardError.write(Data((line + "\n").utf8))
        case .memory:
            buffer.withLock { $0.append(line) }
        case .discard:
            break
        }
    }
}
