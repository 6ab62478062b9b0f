import Foundation
import NGCPCore
import Testing

@testable import Apply

/// The web password records that an apply keeps: which outcomes set, keep or remove an entry,
/// and how the state file is written.
@Suite struct WebPasswordRecordTests {
    static let alice = ResourceID(.subscribers, "alice@example.org")
    static let placeholder = PlanPlaceholder.secret(
        .environment("WEB_ALICE"), owner: alice, field: "webpassword")
    static let newDigest = "hmac-sha256:" + String(repeating: "b", count: 64)
    static let oldEntry = WebPasswordRecords.Entry(
        subscriberID: 40, digest: "hmac-sha256:" + String(repeating: "a", count: 64))

    static func update(
        body: JSONValue = [["op": "add", "path": "/webpassword", "value": placeholder]]
    )
        -> PlannedOperation
    {
        PlannedOperation(
            id: 1, action: .update, resource: .subscribers, name: "alice@example.org",
            method: .patch, path: "/api/subscribers/40", body: body, liveID: 40)
    }

    static func create(body: JSONValue) -> PlannedOperation {
        PlannedOperation(
            id: 1, action: .create, resource: .subscribers, name: "alice@example.org",
            method: .post, path: "/api/subscribers/", body: body)
    }

    static func plan(_ operations: [PlannedOperation]) -> Plan {
        Plan(
            operations: operations,
            secretDigests: [
                PlanSecretDigest(
                    source: "env:WEB_ALICE", owner: alice.description, field: "webpassword",
                    digest: newDigest)
            ])
    }

    static func result(
        _ operation: PlannedOperation, _ outcome: Outcome, createdID: Int? = nil
    ) -> OperationResult {
        OperationResult(
            operationID: operation.id, resourceID: operation.resourceID,
            action: operation.action, outcome: outcome, createdID: createdID)
    }

    /// Applies `results` of `operations` to records that contain alice's old entry, and returns
    /// alice's entry afterwards.
    static func recorded(
        _ operations: [PlannedOperation], _ results: [OperationResult]
    ) -> WebPasswordRecords.Entry? {
        var records = WebPasswordRecords(
            keyCheck: "check", entries: ["alice@example.org": oldEntry])
        records.record(plan(operations), result: ApplyResult(operations: results))
        return records.entries["alice@example.org"]
    }

    @Test("updated web password recorded")
    func updateRecorded() {
        let operation = Self.update()
        let entry = Self.recorded([operation], [Self.result(operation, .updated)])
        #expect(entry == WebPasswordRecords.Entry(subscriberID: 40, digest: Self.newDigest))
    }

    @Test("failed or skipped update keeps entry", arguments: [Outcome.failed, .skipped])
    func failedUpdateKeepsEntry(_ outcome: Outcome) {
        let operation = Self.update()
        #expect(Self.recorded([operation], [Self.result(operation, outcome)]) == Self.oldEntry)
    }

    @Test("operation without result keeps entry")
    func missingResultKeepsEntry() {
        #expect(Self.recorded([Self.update()], []) == Self.oldEntry)
    }

    @Test("update of other fields keeps entry")
    func otherUpdateKeepsEntry() {
        let operation = Self.update(body: [["op": "replace", "path": "/email", "value": "a@b.c"]])
        #expect(Self.recorded([operation], [Self.result(operation, .updated)]) == Self.oldEntry)
    }

    @Test("create records created id")
    func createRecorded() {
        let operation = Self.create(body: ["username": "alice", "webpassword": Self.placeholder])
        let entry = Self.recorded([operation], [Self.result(operation, .created, createdID: 77)])
        #expect(entry == WebPasswordRecords.Entry(subscriberID: 77, digest: Self.newDigest))
    }

    @Test("create without web password removes entry")
    func createWithoutWebPassword() {
        let operation = Self.create(body: ["username": "alice"])
        let results = [Self.result(operation, .created, createdID: 77)]
        #expect(Self.recorded([operation], results) == nil)
    }

    @Test("adopted create removes entry")
    func adoptedCreate() {
        // The interrupted apply that made the object may have sent another value.
        let operation = Self.create(body: ["username": "alice", "webpassword": Self.placeholder])
        var result = Self.result(operation, .created, createdID: 77)
        result.adoptedFromEarlierApply = true
        #expect(Self.recorded([operation], [result]) == nil)
    }

    @Test("create without digest removes entry")
    func createWithoutDigest() {
        let other = PlanPlaceholder.secret(
            .environment("WEB_OTHER"), owner: Self.alice, field: "webpassword")
        let operation = Self.create(body: ["username": "alice", "webpassword": other])
        let results = [Self.result(operation, .created, createdID: 77)]
        #expect(Self.recorded([operation], results) == nil)
    }

    @Test("delete removes entry", arguments: [Outcome.deleted, .unchanged])
    func deleteRemovesEntry(_ outcome: Outcome) {
        let operation = PlannedOperation(
            id: 1, action: .delete, resource: .subscribers, name: "Alice@Example.org",
            method: .delete, path: "/api/subscribers/40", liveID: 40)
        #expect(Self.recorded([operation], [Self.result(operation, outcome)]) == nil)
    }

    @Test("move records the new copy")
    func moveRecordsNewCopy() {
        // A move to another customer deletes the old copy first, then creates the new one.
        let deletion = PlannedOperation(
            id: 1, action: .delete, resource: .subscribers, name: "alice@example.org",
            method: .delete, path: "/api/subscribers/40", liveID: 40)
        var creation = Self.create(body: ["username": "alice", "webpassword": Self.placeholder])
        creation.id = 2
        let results = [
            Self.result(creation, .created, createdID: 41), Self.result(deletion, .deleted),
        ]
        let entry = Self.recorded([creation, deletion], results)
        #expect(entry == WebPasswordRecords.Entry(subscriberID: 41, digest: Self.newDigest))
    }

    // MARK: The journal

    /// Writes a journal of one run with `finished` lines, in that order, and reads it back.
    static func journalled(
        keyCheck: String?, _ finished: [(PlannedOperation, OperationResult, Plan)]
    ) async throws -> (recovery: ApplyJournal.Recovery, text: String) {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/journal.jsonl"
        let journal = try ApplyJournal(path: path)
        await journal.begin(
            target: "http://127.0.0.1:1/", operations: finished.count, revision: nil,
            webPasswordKeyCheck: keyCheck)
        for (operation, result, plan) in finished {
            let change = WebPasswordRecords.change(
                for: operation, outcome: result,
                digests: WebPasswordRecords.webPasswordDigests(of: plan))
            await journal.finished(operation, result, webPasswordRecord: change)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return (try ApplyJournal.read(path: path), text)
    }

    @Test("journal carries created entry")
    func journalCarriesCreatedEntry() async throws {
        let operation = Self.create(body: ["username": "alice", "webpassword": Self.placeholder])
        let result = Self.result(operation, .created, createdID: 77)
        let (recovery, text) = try await Self.journalled(
            keyCheck: "check", [(operation, result, Self.plan([operation]))])

        let entry = WebPasswordRecords.Entry(subscriberID: 77, digest: Self.newDigest)
        #expect(
            recovery.webPasswordChanges == [
                JournalledWebPasswordChange(
                    subscriberKey: "alice@example.org", change: .set(entry), keyCheck: "check")
            ])
        #expect(text.contains(#""webpassword_record":{"#))
        // No request body reaches the journal, not even the secret's placeholder.
        #expect(!text.contains("WEB_ALICE"))
    }

    @Test("journalled changes replay like an apply")
    func journalReplaysLikeApply() async throws {
        let updated = Self.update()
        var failed = Self.update()
        failed.id = 2
        let deletion = PlannedOperation(
            id: 3, action: .delete, resource: .subscribers, name: "bob@example.org",
            method: .delete, path: "/api/subscribers/41", liveID: 41)
        let plan = Self.plan([updated, failed, deletion])
        let results = [
            Self.result(updated, .updated), Self.result(failed, .failed),
            Self.result(deletion, .deleted),
        ]
        let (recovery, _) = try await Self.journalled(
            keyCheck: "check", zip([updated, failed, deletion], results).map { ($0, $1, plan) })

        let start = WebPasswordRecords(
            keyCheck: "check",
            entries: ["alice@example.org": Self.oldEntry, "bob@example.org": Self.oldEntry])
        var replayed = start
        replayed.replay(recovery.webPasswordChanges)
        var recorded = start
        recorded.record(plan, result: ApplyResult(operations: results))
        #expect(replayed == recorded)
        #expect(
            replayed.entries == [
                "alice@example.org": WebPasswordRecords.Entry(
                    subscriberID: 40, digest: Self.newDigest)
            ])
    }

    @Test("journalled changes in plan order")
    func journalInPlanOrder() async throws {
        // A move: the create (2) finishes first in the journal, the delete (1) of the old
        // copy after it, and the plan order still puts the new copy last.
        let deletion = PlannedOperation(
            id: 1, action: .delete, resource: .subscribers, name: "alice@example.org",
            method: .delete, path: "/api/subscribers/40", liveID: 40)
        var creation = Self.create(body: ["username": "alice", "webpassword": Self.placeholder])
        creation.id = 2
        let plan = Self.plan([deletion, creation])
        let (recovery, _) = try await Self.journalled(
            keyCheck: "check",
            [
                (creation, Self.result(creation, .created, createdID: 41), plan),
                (deletion, Self.result(deletion, .deleted), plan),
            ])

        var records = WebPasswordRecords(
            keyCheck: "check", entries: ["alice@example.org": Self.oldEntry])
        records.replay(recovery.webPasswordChanges)
        #expect(
            records.entries["alice@example.org"]
                == WebPasswordRecords.Entry(subscriberID: 41, digest: Self.newDigest))
    }

    @Test("digest under other key removes entry")
    func journalOtherKeyRemoves() async throws {
        let operation = Self.update()
        let (recovery, _) = try await Self.journalled(
            keyCheck: "other",
            [(operation, Self.result(operation, .updated), Self.plan([operation]))])

        var records = WebPasswordRecords(
            keyCheck: "check", entries: ["alice@example.org": Self.oldEntry])
        records.replay(recovery.webPasswordChanges)
        #expect(records.entries.isEmpty)
    }

    @Test("journal without record members")
    func journalWithoutRecordMembers() throws {
        // As written before the journal carried record changes: no key check, no member.
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/journal.jsonl"
        let lines = [
            #"{"type":"begin","format_version":1,"target":"http://x/","operations":1,"#
                + #""revision":null,"host":"h","pid":1,"at":"2026-12-05T10:00:00.000Z"}"#,
            #"{"type":"finish","operation":1,"resource":"subscribers","#
                + #""name":"alice@example.org","action":"create","outcome":"created","#
                + #""created_id":77,"error":null,"at":"2026-12-05T10:00:00.100Z"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)

        let recovery = try ApplyJournal.read(path: path)
        #expect(recovery.hasUnfinishedRun)
        #expect(recovery.creates[Self.alice] == .some(77))
        #expect(recovery.webPasswordChanges.isEmpty)
    }

    @Test("journal file replayed once changed")
    func journalFileReplay() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/records.json"
        let entry = WebPasswordRecords.Entry(subscriberID: 77, digest: Self.newDigest)
        let changes = [
            JournalledWebPasswordChange(
                subscriberKey: "alice@example.org", change: .set(entry), keyCheck: "check")
        ]

        #expect(try WebPasswordRecordFile.update(path: path, keyCheck: "check", changes: changes))
        #expect(try WebPasswordRecordFile.read(path: path)?.entries["alice@example.org"] == entry)
        // A resume that is itself killed replays the same journal: nothing changes.
        #expect(
            try !WebPasswordRecordFile.update(path: path, keyCheck: "check", changes: changes))
    }

    // MARK: The state file

    /// Creates a directory under the system's temporary directory and returns its path.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "webpassword-records-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("file written with mode 0600")
    func fileWritten() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = WebPasswordRecordFile.defaultPath(
            root: directory, target: "https://ngcp.example.org:1443/api/")
        let operation = Self.update()

        let changed = try WebPasswordRecordFile.update(
            path: path, keyCheck: "check", plan: Self.plan([operation]),
            result: ApplyResult(operations: [Self.result(operation, .updated)]))
        #expect(changed)
        #expect(path.hasPrefix(directory + "/.ngcpctl/webpasswords/"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let read = try #require(try WebPasswordRecordFile.read(path: path))
        #expect(read.keyCheck == "check")
        #expect(
            read.entries == [
                "alice@example.org": WebPasswordRecords.Entry(
                    subscriberID: 40, digest: Self.newDigest)
            ])
    }

    @Test("nothing sent writes no file")
    func nothingSentWritesNoFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/records.json"
        let operation = Self.update()

        let changed = try WebPasswordRecordFile.update(
            path: path, keyCheck: "check", plan: Self.plan([operation]),
            result: ApplyResult(operations: [Self.result(operation, .failed)]))
        #expect(!changed)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("other key check replaces entries")
    func otherKeyReplacesEntries() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/records.json"
        let old = WebPasswordRecords(
            keyCheck: "old", entries: ["bob@example.org": Self.oldEntry])
        try WebPasswordRecordFile.write(old, path: path)
        let operation = Self.update()

        try WebPasswordRecordFile.update(
            path: path, keyCheck: "new", plan: Self.plan([operation]),
            result: ApplyResult(operations: [Self.result(operation, .updated)]))
        let read = try #require(try WebPasswordRecordFile.read(path: path))
        #expect(read.keyCheck == "new")
        #expect(Array(read.entries.keys) == ["alice@example.org"])
    }

    @Test("invalid file left as it is")
    func invalidFileKept() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/records.json"
        let text = #"{"format_version": 2, "key_check": "x", "subscribers": {}}"#
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let operation = Self.update()

        let error = #expect(throws: ApplyError.self) {
            try WebPasswordRecordFile.update(
                path: path, keyCheck: "check", plan: Self.plan([operation]),
                result: ApplyResult(operations: [Self.result(operation, .updated)]))
        }
        #expect(error?.message.contains("format_version 2") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }
}
