import Foundation
import NGCPCore

/// The state file that keeps `WebPasswordRecords` between runs, one per target.
///
/// `plan` reads it to detect a changed `webpassword`, and `apply` updates it for the
/// operations that succeeded. The file contains digests and subscriber ids, never a value,
/// and is written with mode 0600.
public enum WebPasswordRecordFile {
    /// Returns the default path: `.ngcpctl/webpasswords/<target-hash>.json` under `root`,
    /// with the same hash as the apply journal's file name.
    public static func defaultPath(root: String, target: String) -> String {
        (root as NSString).appendingPathComponent(
            ".ngcpctl/webpasswords/\(ApplyJournal.targetHash(target)).json")
    }

    /// Reads the records at `path`, or returns nil when there is no file.
    ///
    /// - Throws: `ApplyError` when the file exists but cannot be read or parsed.
    public static func read(path: String) throws -> WebPasswordRecords? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ApplyError(
                "cannot read the web password records '\(path)'; check its permissions")
        }
        do {
            let json = try JSONValue.parse(String(decoding: data, as: UTF8.self))
            return try WebPasswordRecords(json: json)
        } catch {
            throw ApplyError(
                "the web password records '\(path)' are invalid (\(error)); move the file "
                    + "away, and plan with --set-webpasswords to record the web passwords again")
        }
    }

    /// Writes `records` to `path` atomically with mode 0600, creating the directory when it
    /// is missing.
    public static func write(_ records: WebPasswordRecords, path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        let bytes = records.jsonValue.serializedBytes(pretty: true) + [UInt8(ascii: "\n")]
        do {
            try replaceFile(at: path, with: bytes)
        } catch {
            throw ApplyError(
                "could not write the web password records '\(path)': \(error.step) failed: "
                    + "\(error.reason); check the permissions of its directory")
        }
    }

    /// Records the web passwords that `result` shows were sent, in the file at `path`, and
    /// returns whether the file changed. The file is written only when an entry changes, so
    /// applies that send no web password create none. Entries made with a `keyCheck` other
    /// than this run's cannot be compared by this run, so a write replaces them.
    ///
    /// - Throws: `ApplyError` when the file cannot be read, which leaves it as it is, or
    ///   cannot be written.
    @discardableResult
    public static func update(
        path: String, keyCheck: String, plan: Plan, result: ApplyResult
    ) throws -> Bool {
        try modify(path: path, keyCheck: keyCheck) { $0.record(plan, result: result) }
    }

    /// Records the web passwords that interrupted applies sent, from the `changes` that their
    /// journal holds, in the file at `path`, and returns whether the file changed. The file
    /// is written under the same rules as by `update(path:keyCheck:plan:result:)`.
    ///
    /// - Throws: `ApplyError` when the file cannot be read, which leaves it as it is, or
    ///   cannot be written.
    @discardableResult
    public static func update(
        path: String, keyCheck: String, changes: [JournalledWebPasswordChange]
    ) throws -> Bool {
        try modify(path: path, keyCheck: keyCheck) { $0.replay(changes) }
    }

    /// Returns `existing` with `changes` replayed, or nil when they change no entry. Records
    /// made with another `keyCheck` are replaced, as a write of the file replaces them.
    public static func replaying(
        _ changes: [JournalledWebPasswordChange], onto existing: WebPasswordRecords?,
        keyCheck: String
    ) -> WebPasswordRecords? {
        var start = WebPasswordRecords(keyCheck: keyCheck)
        if let existing, existing.keyCheck == keyCheck { start = existing }
        var records = start
        records.replay(changes)
        return records == start ? nil : records
    }

    private static func modify(
        path: String, keyCheck: String, _ change: (inout WebPasswordRecords) -> Void
    ) throws -> Bool {
        var start = WebPasswordRecords(keyCheck: keyCheck)
        if let existing = try read(path: path), existing.keyCheck == keyCheck {
            start = existing
        }
        var records = start
        change(&records)
        guard records != start else { return false }
        try write(records, path: path)
        return true
    }
}

/// The change that a finished subscriber operation makes to its subscriber's web password
/// entry.
public enum WebPasswordRecordChange: Sendable, Hashable {
    /// The operation sent a web password with a known digest.
    case set(WebPasswordRecords.Entry)
    /// NGCP may now hold a web password whose digest is unknown, or the subscriber is gone.
    case remove
}

/// A `WebPasswordRecordChange` that an apply wrote to its journal, for the run that resumes
/// the apply after it was killed before it could update the records.
public struct JournalledWebPasswordChange: Sendable, Hashable {
    /// The subscriber's key in `WebPasswordRecords.entries`.
    public var subscriberKey: String
    public var change: WebPasswordRecordChange
    /// The `keyCheck` of the key that the journalled digest was made with, or nil when the
    /// journal recorded none.
    public var keyCheck: String?

    public init(subscriberKey: String, change: WebPasswordRecordChange, keyCheck: String?) {
        self.subscriberKey = subscriberKey
        self.change = change
        self.keyCheck = keyCheck
    }
}

extension WebPasswordRecords {
    /// Updates the entries from the subscriber operations of `plan` that succeeded in
    /// `result`. A failed or skipped operation leaves its entry as it was, so a web password
    /// whose update failed still differs from its entry, and the next plan sends it again.
    ///
    /// An entry is set when a create or update sent a web password, from the digest that
    /// the plan recorded for it. It is removed when a subscriber is deleted, when a create
    /// sends none, and when the digest or the created id is unknown, including a create
    /// adopted from an interrupted earlier apply, whose request may have had another value.
    public mutating func record(_ plan: Plan, result: ApplyResult) {
        let digests = Self.webPasswordDigests(of: plan)
        let results = Dictionary(
            result.operations.map { ($0.operationID, $0) },
            uniquingKeysWith: { first, _ in first })

        // In plan order, so that the create of a subscriber that moves to another customer
        // comes after the delete of its old copy.
        for operation in plan.operations.sorted(by: { $0.id < $1.id }) {
            guard let outcome = results[operation.id],
                let change = Self.change(for: operation, outcome: outcome, digests: digests)
            else { continue }
            apply(change, to: Self.subscriberKey(operation.name))
        }
    }

    /// Replays the changes that interrupted applies journalled, in their order. A digest made
    /// under a key other than `keyCheck`'s cannot be compared, so its entry is removed.
    public mutating func replay(_ changes: [JournalledWebPasswordChange]) {
        for journalled in changes {
            var change = journalled.change
            if case .set = change, journalled.keyCheck != keyCheck { change = .remove }
            apply(change, to: journalled.subscriberKey)
        }
    }

    private mutating func apply(_ change: WebPasswordRecordChange, to key: String) {
        switch change {
        case .set(let entry): entries[key] = entry
        case .remove: entries[key] = nil
        }
    }

    /// Returns the digests that `plan` recorded for web passwords, by secret.
    static func webPasswordDigests(of plan: Plan) -> [SecretReference: String] {
        var digests: [SecretReference: String] = [:]
        for entry in plan.secretDigests where entry.field == "webpassword" {
            let reference = SecretReference(
                source: entry.source, owner: entry.owner, field: entry.field)
            digests[reference] = entry.digest
        }
        return digests
    }

    /// Returns how `operation`, which ended with `outcome`, changes its subscriber's entry,
    /// or nil when the entry stays as it is. `digests` are the plan's, from
    /// `webPasswordDigests(of:)`.
    static func change(
        for operation: PlannedOperation, outcome: OperationResult,
        digests: [SecretReference: String]
    ) -> WebPasswordRecordChange? {
        guard operation.resource == .subscribers, outcome.succeeded else { return nil }
        guard operation.action != .delete else { return .remove }
        guard let placeholder = Self.webPasswordPlaceholder(in: operation.body) else {
            // An update without a web password leaves the one that NGCP has.
            return operation.action == .create ? .remove : nil
        }
        let id = operation.action == .create ? outcome.createdID : operation.liveID
        let reference = SecretReference(
            source: placeholder["source"]?.stringValue ?? "",
            owner: placeholder["owner"]?.stringValue ?? "", field: "webpassword")
        guard !outcome.adoptedFromEarlierApply, let id, let digest = digests[reference] else {
            return .remove
        }
        return .set(Entry(subscriberID: id, digest: digest))
    }

    /// Returns the secret placeholder that a subscriber request body sends as `webpassword`:
    /// the member of a create's object, or the value of a JSON Patch operation on
    /// `/webpassword`.
    static func webPasswordPlaceholder(in body: JSONValue?) -> JSONValue? {
        let value: JSONValue?
        switch body {
        case .object(let members):
            value = members["webpassword"]
        case .array(let operations):
            value =
                operations.last { operation in
                    operation["path"]?.stringValue == "/webpassword"
                        && operation["op"]?.stringValue != "remove"
                }?["value"]
        default:
            value = nil
        }
        guard let value, value[PlanPlaceholder.marker]?.stringValue == "secret" else {
            return nil
        }
        return value
    }
}
