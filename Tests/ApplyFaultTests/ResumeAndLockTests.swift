import Emulator
import Foundation
import NGCPClient
import NGCPCore
import Synchronization
import Testing

@testable import Apply

/// Interrupted applies, the journal they leave, and the locks.
@Suite(.serialized) struct ResumeAndLockTests {
    /// A crash right after a contact create reached the server: the journal holds the start
    /// line only. The next apply adopts the contact instead of making a second one.
    @Test func unfinishedContactCreateIsAdopted() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        try await harness.withServer { _, client in
            let plan = try await harness.plan(client)
            let contact = try #require(plan.operations.first { $0.resource == .customercontacts })
            let contactID = try await client.post(
                contact.path, body: try #require(contact.body))
            let journal = try ApplyJournal(path: harness.journalPath)
            await journal.begin(target: client.baseURL, operations: 1, revision: nil)
            await journal.started(contact, path: contact.path)

            let result = try await harness.apply(client)
            #expect(result.succeeded)
            let adopted = try #require(
                result.operations.first {
                    $0.resourceID == contact.resourceID && $0.action == .create
                })
            #expect(adopted.createdID == contactID)
            #expect(try await harness.duplicates(client).isEmpty)
            #expect(try await harness.plan(client).operations.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: harness.journalPath))
        }
    }

    /// A contact that a customer already uses is never adopted, even with equal fields.
    @Test func usedContactIsNotAdopted() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        try await harness.withServer { _, client in
            let plan = try await harness.plan(client)
            let contact = try #require(plan.operations.first { $0.resource == .customercontacts })
            let body = try #require(contact.body)
            let usedID = try await client.post(contact.path, body: body)
            _ = try await client.post(
                "/api/customers/",
                body: [
                    "contact_id": .int(usedID), "billing_profile_id": 1, "status": "active",
                    "type": "sipaccount", "external_id": "someone-else",
                ])
            let lookup = try #require(NaturalKeyLookup(contact, body: body))
            #expect(try await lookup.find(with: client) == nil)
            #expect(try await lookup.check(id: usedID, with: client) == nil)
        }
    }

    /// A stop request after the first finished operation lets nothing else start; the rest
    /// is skipped and a rerun completes the plan.
    @Test func stopRequestSkipsTheRestAndRerunCompletes() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        try await harness.withServer { _, client in
            let stop = StopRequest()
            let first = try await harness.apply(client, parallelism: 1, stop: stop) { event in
                if case .finished = event { stop.request() }
            }
            #expect(first.interrupted)
            #expect(first.operations.filter { $0.outcome == .created }.count == 1)
            #expect(
                first.operations.filter { $0.outcome == .skipped }.allSatisfy {
                    $0.error == "not run because the apply was interrupted"
                })
            #expect(FileManager.default.fileExists(atPath: harness.journalPath))

            let second = try await harness.apply(client)
            #expect(second.succeeded)
            #expect(try await harness.plan(client).operations.isEmpty)
            #expect(try await harness.duplicates(client).isEmpty)
        }
    }

    @Test func journalRecordsStartsAndOutcomesWithoutSecrets() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }
        let path = harness.directory + "/kept.jsonl"

        try await harness.withServer { _, client in
            let plan = try await harness.plan(client)
            let journal = try ApplyJournal(path: path)
            await journal.begin(
                target: client.baseURL, operations: plan.operations.count, revision: nil)
            let executor = PlanExecutor(
                client: client,
                secrets: PlanSecrets(resolver: SecretResolver(environment: harness.environment)),
                journal: journal)
            let result = await executor.execute(plan)
            #expect(result.succeeded)

            let text = try String(contentsOfFile: path, encoding: .utf8)
            let lines = text.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
            #expect(lines.allSatisfy { $0 != nil })
            let types: [String] = lines.compactMap { line in line?["type"]?.stringValue }
            #expect(types.filter { $0 == "start" }.count == plan.operations.count)
            #expect(types.filter { $0 == "finish" }.count == plan.operations.count)
            for secret in harness.environment.values {
                #expect(!text.contains(secret))
            }

            // Every create that the run recorded is known with its id.
            let recovery = try ApplyJournal.read(path: path)
            let posts = plan.operations.filter { $0.method == .post }
            #expect(recovery.creates.count == posts.count)
            #expect(recovery.creates.values.allSatisfy { $0 != nil })
            #expect(recovery.unfinished.isEmpty)
        }
    }

    @Test func truncatedLastLineIsIgnoredButOtherDamageIsNot() throws {
        let directory = NSTemporaryDirectory() + "journal-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/j.jsonl"
        let begin = #"{"type":"begin","format_version":1}"#
        let start =
            #"{"type":"start","operation":3,"resource":"customercontacts","name":"acme","#
            + #""action":"create","method":"POST","path":"/api/customercontacts/"}"#
        try (begin + "\n" + start + "\n" + #"{"type":"fin"#).write(
            toFile: path, atomically: true, encoding: .utf8)
        let recovery = try ApplyJournal.read(path: path)
        #expect(recovery.runs == 1)
        #expect(recovery.unfinished == [ResourceID(.customercontacts, "acme")])
        #expect(recovery.creates[ResourceID(.customercontacts, "acme")] == .some(nil))

        try (begin + "\n" + "garbage\n" + start + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ApplyError.self) { try ApplyJournal.read(path: path) }
    }

    /// The leftover records of a completed apply stay through a later run that is stopped
    /// part way. The run after that completes and uses the recorded contact, whose customer
    /// the manifests declare, instead of creating another one.
    @Test func leftoverRecordSurvivesInterruptedRun() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        try await harness.withServer { _, client in
            let plan = try await harness.plan(client)
            let contact = try #require(plan.operations.first { $0.resource == .customercontacts })
            let contactID = try await client.post(
                contact.path, body: try #require(contact.body))
            try ApplyJournal.keepOnly([contact.resourceID: contactID], path: harness.journalPath)

            let recorded = try ApplyJournal.read(path: harness.journalPath)
            #expect(!recorded.hasUnfinishedRun)
            #expect(recorded.leftovers == [contact.resourceID: contactID])
            #expect(recorded.createdContacts == [contactID: contact.name])

            let stop = StopRequest()
            let first = try await harness.apply(client, parallelism: 1, stop: stop) { event in
                if case .finished = event { stop.request() }
            }
            #expect(first.interrupted)
            let interrupted = try ApplyJournal.read(path: harness.journalPath)
            #expect(interrupted.hasUnfinishedRun)
            #expect(interrupted.leftovers == [contact.resourceID: contactID])
            #expect(interrupted.creates[contact.resourceID] == .some(contactID))

            let second = try await harness.apply(client)
            #expect(second.succeeded)
            let contactCreate = (first.operations + second.operations).first {
                $0.resourceID == contact.resourceID && $0.outcome == .created
            }
            #expect(contactCreate?.createdID == contactID)
            #expect(try await harness.duplicates(client).isEmpty)
            #expect(try await harness.plan(client).operations.isEmpty)
        }
    }

    /// Keeping leftovers replaces the whole file, and keeping none deletes it. Neither leaves
    /// a temporary file behind.
    @Test func keepOnlyReplacesOrDeletesJournal() throws {
        let directory = NSTemporaryDirectory() + "journal-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/j.jsonl"
        let begin = #"{"type":"begin","format_version":1}"#
        let start =
            #"{"type":"start","operation":3,"resource":"customercontacts","name":"acme","#
            + #""action":"create","method":"POST","path":"/api/customercontacts/"}"#
        try (begin + "\n" + start + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let acme = ResourceID(.customercontacts, "acme")
        let beta = ResourceID(.customercontacts, "beta")
        try ApplyJournal.keepOnly([beta: 8, acme: 7], path: path)
        let recovery = try ApplyJournal.read(path: path)
        #expect(recovery.runs == 0)
        #expect(recovery.unfinished.isEmpty)
        #expect(recovery.leftovers == [acme: 7, beta: 8])
        #expect(recovery.creates == [acme: .some(7), beta: .some(8)])
        let names = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { try JSONValue.parse(String($0))["name"]?.stringValue }
        #expect(names == ["acme", "beta"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["j.jsonl"])

        try ApplyJournal.keepOnly([:], path: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        // A journal that is already gone is no error.
        try ApplyJournal.keepOnly([:], path: path)
    }

    @Test func secondServerLockIsRefusedWithTheHolderNamed() async throws {
        let harness = try ExamplesHarness()
        defer { harness.removeFiles() }

        try await harness.withServer { server, client in
            let first = ServerTargetLock(client: client, target: server.baseURL)
            let holder = LockHolder(host: "runner-7", pid: 4242, user: "ci", since: "2026-01-01")
            try await first.acquire(as: holder)

            let second = ServerTargetLock(client: client, target: server.baseURL)
            do {
                try await second.acquire(as: LockHolder.current())
                Issue.record("a second lock was granted")
            } catch let error as LockHeldError {
                #expect(error.holder == holder)
                #expect(error.description.contains("runner-7"))
                #expect(error.description.contains("4242"))
            }

            // The lock domain is invisible to the plan's execution.
            #expect(try await second.domainID() != nil)
            #expect(try await first.release() == holder)
            #expect(try await second.domainID() == nil)
            #expect(try await second.currentHolder() == nil)
            try await second.acquire(as: LockHolder.current())
            try await second.release()
        }
    }

    @Test func localLockIsExclusiveAndNamesTheHolder() throws {
        let path = NSTemporaryDirectory() + "lock-" + UUID().uuidString
        defer { unlink(path) }
        let lock = try LocalTargetLock(path: path)
        do {
            _ = try LocalTargetLock(path: path)
            Issue.record("a second local lock was granted")
        } catch let error as LockHeldError {
            #expect(error.holder?.pid == Int(ProcessInfo.processInfo.processIdentifier))
        }
        lock.release()
        let again = try LocalTargetLock(path: path)
        again.release()
    }
}
