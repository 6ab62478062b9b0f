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
