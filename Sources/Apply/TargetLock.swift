import Foundation
import NGCPClient
import NGCPCore

/// The holder of an apply lock, as the holder recorded it.
public struct LockHolder: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int
    public var user: String
    /// ISO 8601 time at which the holder took the lock.
    public var since: String

    public init(host: String, pid: Int, user: String, since: String) {
        self.host = host
        self.pid = pid
        self.user = user
        self.since = since
    }

    /// This process.
    public static func current() -> LockHolder {
        let environment = ProcessInfo.processInfo.environment
        return LockHolder(
            host: ProcessInfo.processInfo.hostName,
            pid: Int(ProcessInfo.processInfo.processIdentifier),
            user: environment["USER"] ?? environment["LOGNAME"] ?? "uid \(getuid())",
            since: ApplyJournal.timestamp())
    }

    public var description: String { "\(user) on \(host), pid \(pid), since \(since)" }

    var jsonValue: JSONValue {
        [
            "host": .string(host), "pid": .int(pid), "user": .string(user),
            "since": .string(since),
        ]
    }

    init?(json: JSONValue) {
        guard let host = json["host"]?.stringValue, let pid = json["pid"]?.intValue,
            let user = json["user"]?.stringValue, let since = json["since"]?.stringValue
        else { return nil }
        self.init(host: host, pid: pid, user: user, since: since)
    }
}

/// Another apply holds the lock for the target.
public struct LockHeldError: Error, Sendable, CustomStringConvertible {
    /// Nil when the lock exists but its holder could not be read.
    public let holder: LockHolder?
    public let place: String
    public let breakHint: String

    public var description: String {
        let who = holder.map { "by \($0)" } ?? "by an apply whose holder record is missing"
        return "another apply holds the lock for this target (\(place)) \(who); wait for it "
            + "to finish. \(breakHint)"
    }
}

/// A lock file on this machine, held with `flock`. The kernel drops it when the process
/// ends, however it ends, so it never goes stale; it does not protect against another
/// machine.
public final class LocalTargetLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock at `path` or throws `LockHeldError` naming the holder.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ApplyError(
                "cannot open the lock file '\(path)': \(String(cString: strerror(errno))); "
                    + "pass --lock none to apply without a local lock")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = FileManager.default.contents(atPath: path).flatMap {
                try? JSONValue.parse(Array($0))
            }.flatMap(LockHolder.init(json:))
            close(fd)
            throw LockHeldError(
                holder: holder, place: "lock file \(path)",
                breakHint: "The lock ends with that process.")
        }
        let record = LockHolder.current().jsonValue.serializedBytes() + [UInt8(ascii: "\n")]
        _ = ftruncate(fd, 0)
        _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.path = path
        self.descriptor = fd
    }

    /// Releases the lock. The file stays, so that its inode, which `flock` locks, is the one
    /// every process opens.
    public func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The default path: one file per target in the system's temporary directory.
    public static func defaultPath(target: String) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return (base as NSString).appendingPathComponent(
            "ngcpctl-\(ApplyJournal.targetHash(target)).lock")
    }
}

/// A lock kept on the NGCP target itself, so that every machine that applies to the target
/// sees it.
///
/// The lock is a SIP domain named `ngcpctl-lock.<target-hash>.invalid`: NGCP refuses a second
/// domain with the same name (422), so exactly one creator wins. The holder is written next
/// to it as a customer contact with the e-mail `holder@<lock domain>`, whose name fields
/// carry host, pid, user and start time. Both are deleted on release; `ngcpctl unlock`
/// deletes them when a holder died without releasing.
public struct ServerTargetLock: Sendable {
    public let client: NGCPAPIClient
    public let domain: String
    /// The reseller that owns the lock objects.
    public let resellerID: Int

    public init(client: NGCPAPIClient, target: String, resellerID: Int = 1) {
        self.client = client
        self.domain = Self.domainName(target: target)
        self.resellerID = resellerID
    }

    public static func domainName(target: String) -> String {
        "ngcpctl-lock.\(ApplyJournal.targetHash(target)).invalid"
    }

    public var holderEmail: String { "holder@\(domain)" }

    static let breakHint = "If that apply is gone, run 'ngcpctl unlock' against the target."

    /// Takes the lock or throws `LockHeldError` naming the holder.
    public func acquire(as holder: LockHolder = .current()) async throws {
        var failure: NGCPAPIError?
        do {
            _ = try await client.post(
                "/api/domains/", body: ["domain": .string(domain), "reseller_id": .int(resellerID)])
        } catch {
            failure = error
        }
        if let failure {
            try await handleCreateFailure(failure)
        }

        _ = try await client.post(
            "/api/customercontacts/",
            body: [
                "reseller_id": .int(resellerID), "email": .string(holderEmail),
                "firstname": .string(holder.user), "lastname": .string(holder.host),
                "company": .string("ngcpctl apply lock"), "street": .string(holder.since),
                "postcode": .string("\(holder.pid)"),
            ])
    }

    private func handleCreateFailure(_ failure: NGCPAPIError) async throws {
        if failure.status == 422 {
            let holder = try await currentHolder()
            throw LockHeldError(
                holder: holder, place: "domain \(domain)", breakHint: Self.breakHint)
        }
        guard failure.outcomeUnknown else { throw failure }

        // The create may have taken effect. The domain without a holder record is taken to be
        // this process's, because a winner writes its record right after the domain; two
        // runners in exactly this state at once are not distinguished.
        let existing = try await domainID()
        let holder = try await currentHolder()
        if existing == nil || holder != nil {
            throw LockHeldError(
                holder: holder, place: "domain \(domain)", breakHint: Self.breakHint)
        }
    }

    /// Deletes the holder record and the lock domain. Returns the holder that was removed,
    /// or nil when there was no lock.
    @discardableResult
    public func release() async throws -> LockHolder? {
        let holder = try await currentHolder()
        let contacts = try await client.list(
            "customercontacts", filters: ["email": holderEmail], rows: 10)
        for contact in contacts
        where contact["email"]?.stringValue?.lowercased() == holderEmail.lowercased() {
            if let id = contact["id"]?.intValue {
                try await client.delete("/api/customercontacts/\(id)", notFoundIsDone: true)
            }
        }
        guard let id = try await domainID() else { return holder }
        try await client.delete("/api/domains/\(id)", notFoundIsDone: true)
        return holder
    }

    /// The holder recorded next to the lock domain, or nil when there is none.
    public func currentHolder() async throws -> LockHolder? {
        let contacts = try await client.list(
            "customercontacts", filters: ["email": holderEmail], rows: 10)
        guard
            let contact = contacts.first(where: {
                $0["email"]?.stringValue?.lowercased() == holderEmail.lowercased()
            })
        else { return nil }
        return LockHolder(
            host: contact["lastname"]?.stringValue ?? "?",
            pid: Int(contact["postcode"]?.stringValue ?? "") ?? 0,
            user: contact["firstname"]?.stringValue ?? "?",
            since: contact["street"]?.stringValue ?? "?")
    }

    /// The lock domain's id, or nil when no lock is held.
    public func domainID() async throws -> Int? {
        let domains = try await client.list("domains", filters: ["domain": domain], rows: 10)
        return domains.first { $0["domain"]?.stringValue?.lowercased() == domain }?["id"]?
            .intValue
    }

    /// True for operations of a plan that touch the lock itself, which a prune of unused
    /// domains would otherwise delete.
    public static func isLockObject(_ operation: PlannedOperation) -> Bool {
        isLockObject(operation.resourceID)
    }

    /// True for the lock domain, which a plan lists as not pruned while an apply holds it.
    public static func isLockObject(_ id: ResourceID) -> Bool {
        id.kind == .domains && id.name.lowercased().hasPrefix("ngcpctl-lock.")
            && id.name.lowercased().hasSuffix(".invalid")
    }
}
