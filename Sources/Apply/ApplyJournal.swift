import Foundation
import NGCPCore
import Synchronization

/// A write-ahead record of an apply: one JSON object per line, each written and flushed to
/// disk (`fsync`) before the step it describes goes on. The format is described in
/// docs/apply.md.
///
/// A line is written before each request is sent (`start`) and after its outcome is known
/// (`finish`, with the created id). Request bodies are never written, so no secret reaches
/// the file. After a crash the next apply reads the file to learn which creates may have
/// taken effect without their id being recorded, and which web password digests the crashed
/// run did not get to record.
public final class ApplyJournal: Sendable {
    public static let formatVersion = 1

    public let path: String
    private let descriptor: Mutex<Int32>
    /// Runs the blocking `write` and `fsync` calls, which would otherwise hold one of the
    /// few threads of the cooperative pool while the disk is busy.
    private let writer = BlockingWorker(name: "ngcpctl.journal")

    /// Opens `path` for appending, creating it and its directory when missing.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ApplyError(
                "cannot open the apply journal '\(path)': \(String(cString: strerror(errno))); "
                    + "check the directory's permissions or pass --journal FILE")
        }
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit {
        writer.stop()
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    /// Records the start of a run of the plan against `target`. `webPasswordKeyCheck` is
    /// the `WebPasswordRecords.keyCheck` of the key that the plan's digests were made with.
    public func begin(
        target: String, operations: Int, revision: String?, webPasswordKeyCheck: String? = nil
    ) async {
        var members: [String: JSONValue] = [
            "type": "begin", "format_version": .int(Self.formatVersion),
            "target": .string(target), "operations": .int(operations),
            "revision": revision.map(JSONValue.string) ?? .null,
            "host": .string(ProcessInfo.processInfo.hostName),
            "pid": .int(Int(ProcessInfo.processInfo.processIdentifier)),
        ]
        if let webPasswordKeyCheck {
            members["webpassword_key_check"] = .string(webPasswordKeyCheck)
        }
        await append(members)
    }

    /// Records that `operation` is about to be sent to `path`.
    public func started(_ operation: PlannedOperation, path: String) async {
        await append([
            "type": "start", "operation": .int(operation.id),
            "resource": .string(operation.resource.rawValue), "name": .string(operation.name),
            "action": .string(operation.action.rawValue),
            "method": .string(operation.method.rawValue), "path": .string(path),
        ])
    }

    /// Records the outcome of `operation`, and how it changes the web password records:
    /// `webPasswordRecord` is nil when it leaves them as they are. Only the digest and the
    /// subscriber id are written, never the web password.
    public func finished(
        _ operation: PlannedOperation, _ result: OperationResult,
        webPasswordRecord: WebPasswordRecordChange? = nil
    ) async {
        var members: [String: JSONValue] = [
            "type": "finish", "operation": .int(operation.id),
            "resource": .string(operation.resource.rawValue), "name": .string(operation.name),
            "action": .string(operation.action.rawValue),
            "outcome": .string(result.outcome.rawValue),
            "created_id": result.createdID.map(JSONValue.int) ?? .null,
            "error": result.error.map(JSONValue.string) ?? .null,
        ]
        switch webPasswordRecord {
        case .set(let entry)?:
            members["webpassword_record"] = [
                "id": .int(entry.subscriberID), "digest": .string(entry.digest),
            ]
        case .remove?:
            members["webpassword_record"] = .null
        case nil:
            break
        }
        await append(members)
    }

    /// Records the end of a run; `interrupted` when a signal stopped it.
    public func end(succeeded: Bool, interrupted: Bool) async {
        await append([
            "type": "end", "succeeded": .bool(succeeded), "interrupted": .bool(interrupted),
        ])
    }

    /// Closes the file and deletes it: called once the plan has been applied in full, so no
    /// later run needs it.
    public func remove() {
        closeDescriptor()
        unlink(path)
    }

    /// Closes the file and replaces it with a `leftover` line for each of `leftovers`, or
    /// deletes it when there are none: called once the plan has been applied in full, so no
    /// later run resumes it.
    public func replace(keeping leftovers: [ResourceID: Int]) throws {
        closeDescriptor()
        try Self.keepOnly(leftovers, path: path)
    }

    private func closeDescriptor() {
        writer.stop()
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    private func append(_ members: [String: JSONValue]) async {
        var line = members
        line["at"] = .string(Self.timestamp())
        let bytes = JSONValue.object(line).serializedBytes() + [UInt8(ascii: "\n")]
        await writer.run { self.writeLine(bytes) }
    }

    private func writeLine(_ bytes: [UInt8]) {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            // A journal that cannot be written is reported but does not stop the apply: the
            // next run still plans from the live state, and only the adoption of an
            // interrupted contact create depends on this file.
            if written != bytes.count || fsync(fd) != 0 {
                FileHandle.standardError.write(
                    Data(
                        ("warning: could not write the apply journal '\(path)': "
                            + "\(String(cString: strerror(errno)))\n").utf8))
            }
        }
    }

    /// Formats `date` as ISO 8601 UTC with milliseconds, such as `2026-12-04T17:37:18.123Z`.
    /// It is formatted by hand, because creating an `ISO8601DateFormatter` for every journal
    /// line took a fifth of an apply's CPU time.
    static func timestamp(_ date: Date = Date()) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMilliseconds.floorDivided(by: 1000))
        let milliseconds = Int(totalMilliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)

        func padded(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-"
            + padded(parts.tm_mday, 2) + "T" + padded(parts.tm_hour, 2) + ":"
            + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2) + "."
            + padded(Int32(milliseconds), 3) + "Z"
    }

    // MARK: Reading

    /// The records that an earlier, unfinished apply left behind.
    public struct Recovery: Sendable, Hashable {
        /// Objects whose create was started by an earlier run: the created id when the run
        /// recorded one, else nil (the outcome is unknown).
        public var creates: [ResourceID: Int?]
        /// Operations started but never finished, for the report.
        public var unfinished: [ResourceID]
        /// The number of runs recorded in the file.
        public var runs: Int
        /// Objects that an earlier apply left on the target and recorded in `leftover` lines,
        /// by their server ids. They are in `creates` too.
        public var leftovers: [ResourceID: Int]
        /// The changes to the web password records that the recorded runs journalled, by run
        /// and then in plan order, as `WebPasswordRecords.record` makes them. A run that was
        /// killed never wrote them to the records.
        public var webPasswordChanges: [JournalledWebPasswordChange]

        public init(
            creates: [ResourceID: Int?] = [:], unfinished: [ResourceID] = [], runs: Int = 0,
            leftovers: [ResourceID: Int] = [:],
            webPasswordChanges: [JournalledWebPasswordChange] = []
        ) {
            self.creates = creates
            self.unfinished = unfinished
            self.runs = runs
            self.leftovers = leftovers
            self.webPasswordChanges = webPasswordChanges
        }

        /// Whether the file records a run. Only an apply that did not complete its plan
        /// leaves one behind, because a complete apply keeps at most the `leftovers`, unless
        /// it failed to rewrite the file.
        public var hasUnfinishedRun: Bool { runs > 0 }

        /// The contacts whose create an earlier run recorded with the new id, by that id, each
        /// with the `external_id` of its customer (a contact's operation carries that name).
        public var createdContacts: [Int: String] {
            var contacts: [Int: String] = [:]
            for (resource, id) in creates where resource.kind == .customercontacts {
                if let id { contacts[id] = resource.name }
            }
            return contacts
        }
    }

    /// Reads the journal at `path`, or returns an empty recovery when there is none. A last
    /// line cut short by a crash is ignored; any other unreadable line is an error.
    public static func read(path: String) throws -> Recovery {
        guard let data = FileManager.default.contents(atPath: path) else { return Recovery() }
        var recovery = Recovery()
        var open: [String: ResourceID] = [:]
        var keyCheck: String?
        // By operation id, because lines are in the order in which operations finished.
        var runChanges: [Int: JournalledWebPasswordChange] = [:]
        let lines = String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)

        for (index, line) in lines.enumerated() where !line.isEmpty {
            let entry: JSONValue
            do {
                entry = try JSONValue.parse(String(line))
            } catch {
                if index == lines.count - 1 { break }
                throw ApplyError(
                    "the apply journal '\(path)' line \(index + 1) is not JSON (\(error)); "
                        + "move the file away to apply without it")
            }
            guard let type = entry["type"]?.stringValue else { continue }
            if type == "leftover" {
                if let leftover = Self.leftover(in: entry) {
                    recovery.leftovers[leftover.resource] = leftover.id
                    recovery.creates[leftover.resource] = .some(leftover.id)
                }
                continue
            }
            if type == "begin" {
                recovery.runs += 1
                // Operation ids restart with every run.
                for (_, resource) in open { recovery.unfinished.append(resource) }
                open = [:]
                recovery.webPasswordChanges += Self.inPlanOrder(runChanges)
                runChanges = [:]
                keyCheck = entry["webpassword_key_check"]?.stringValue
                continue
            }
            guard let kindText = entry["resource"]?.stringValue,
                let kind = ResourceKind(rawValue: kindText),
                let name = entry["name"]?.stringValue,
                let operation = entry["operation"]?.intValue
            else { continue }
            let resource = ResourceID(kind, name)
            let key = "\(recovery.runs):\(operation)"
            let isCreate = entry["action"]?.stringValue == PlannedAction.create.rawValue
            switch type {
            case "start":
                open[key] = resource
                if isCreate, entry["method"]?.stringValue == HTTPMethod.post.rawValue,
                    recovery.creates[resource] == nil
                {
                    recovery.creates[resource] = .some(nil)
                }
            case "finish":
                open[key] = nil
                if isCreate, let id = entry["created_id"]?.intValue {
                    recovery.creates[resource] = .some(id)
                }
                if kind == .subscribers, let record = entry["webpassword_record"] {
                    runChanges[operation] = Self.webPasswordChange(
                        record, subscriber: name, keyCheck: keyCheck)
                }
            default:
                continue
            }
        }
        recovery.unfinished.append(contentsOf: open.values)
        recovery.unfinished.sort()
        recovery.webPasswordChanges += Self.inPlanOrder(runChanges)
        return recovery
    }

    /// Returns the change that a `webpassword_record` member describes: an object with the
    /// subscriber id and the digest sets the entry, and anything else removes it, because
    /// the web password that NGCP now has cannot be compared.
    private static func webPasswordChange(
        _ record: JSONValue, subscriber: String, keyCheck: String?
    ) -> JournalledWebPasswordChange {
        var change = WebPasswordRecordChange.remove
        if let id = record["id"]?.intValue, let digest = record["digest"]?.stringValue {
            change = .set(WebPasswordRecords.Entry(subscriberID: id, digest: digest))
        }
        return JournalledWebPasswordChange(
            subscriberKey: WebPasswordRecords.subscriberKey(subscriber), change: change,
            keyCheck: keyCheck)
    }

    /// Returns one run's changes sorted by operation id: the plan order, in which
    /// `WebPasswordRecords.record` applies them.
    private static func inPlanOrder(_ changes: [Int: JournalledWebPasswordChange])
        -> [JournalledWebPasswordChange]
    {
        changes.sorted { $0.key < $1.key }.map(\.value)
    }

    // MARK: Location

    /// The default journal path: `.ngcpctl/journal/<target-hash>.jsonl` under `root`.
    public static func defaultPath(root: String, target: String) -> String {
        (root as NSString).appendingPathComponent(
            ".ngcpctl/journal/\(targetHash(target)).jsonl")
    }

    /// A short stable name for a target URL: 16 hex digits of its FNV-1a hash, so that file
    /// and lock names never carry the host name or credentials.
    public static func targetHash(_ target: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var normalised = target.lowercased()
        while normalised.hasSuffix("/") { normalised.removeLast() }
        for byte in normalised.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}

/// A request to stop an apply early, set from a signal handler: no new operation starts, and
/// the ones in flight finish. Cancelling the executor's task instead also abandons the
/// requests in flight.
public final class StopRequest: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func request() { flag.store(true, ordering: .sequentiallyConsistent) }

    public var isRequested: Bool { flag.load(ordering: .sequentiallyConsistent) }
}

/// One thread that runs blocking jobs one at a time, for callers in async code.
final class BlockingWorker: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    /// The state shared with the thread, which must not keep the worker itself alive.
    private final class Channel: Sendable {
        let queue = Mutex(Queue())
        let signal = DispatchSemaphore(value: 0)
    }

    private let channel = Channel()

    init(name: String) {
        let thread = Thread { [channel] in
            while true {
                channel.signal.wait()
                let next = channel.queue.withLock { state -> (@Sendable () -> Void)? in
                    state.jobs.isEmpty ? nil : state.jobs.removeFirst()
                }
                if let next {
                    next()
                } else if channel.queue.withLock({ $0.stopped }) {
                    return
                }
            }
        }
        thread.name = name
        thread.start()
    }

    /// Runs `job` on the worker thread and returns when it has finished. After `stop` the
    /// job runs on the caller's thread instead.
    func run(_ job: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = channel.queue.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.jobs.append {
                    job()
                    continuation.resume()
                }
                return true
            }
            if accepted {
                channel.signal.signal()
            } else {
                job()
                continuation.resume()
            }
        }
    }

    /// Ends the thread once the queued jobs have run.
    func stop() {
        let first = channel.queue.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if first { channel.signal.signal() }
    }
}

extension Int64 {
    /// The quotient rounded down, also for negative values.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
