import Apply
import Foundation
import NGCPClient
import NGCPCore
import Testing

/// The leftovers of an apply interrupted between a customer's contact and the customer, once
/// the customer's manifest is gone.
@Suite(.serialized) struct InterruptedApplyTests {
    /// Writes the journal of an apply that created a contact for customer `delta` and was
    /// interrupted before the customer, as `ApplyJournal` writes it. With `contactID` nil the
    /// create has no outcome, as after a second signal or a crash.
    static func writeJournal(_ path: String, target: String, contactID: Int?) throws {
        var lines: [JSONValue] = [
            [
                "type": "begin", "format_version": 1, "target": .string(target),
                "operations": 2, "revision": .null, "host": "test", "pid": 1,
                "at": "2026-12-05T10:00:00.000Z",
            ],
            [
                "type": "start", "operation": 1, "resource": "customercontacts",
                "name": "delta", "action": "create", "method": "POST",
                "path": "/api/customercontacts/", "at": "2026-12-05T10:00:00.100Z",
            ],
        ]
        if let contactID {
            lines.append([
                "type": "finish", "operation": 1, "resource": "customercontacts",
                "name": "delta", "action": "create", "outcome": "created",
                "created_id": .int(contactID), "error": .null, "at": "2026-12-05T10:00:00.200Z",
            ])
        }
        lines.append([
            "type": "end", "succeeded": false, "interrupted": true,
            "at": "2026-12-05T10:00:00.300Z",
        ])
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let text = lines.map { $0.serialized() + "\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Returns the journal's lines, parsed.
    static func journalLines(_ path: String) throws -> [JSONValue] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    static func client(_ emulator: EmulatorProcess) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: emulator.url, user: "administrator",
            password: SecretValue("administrator"))
    }

    @Test func leftoverContactIsListedKeptAndPruned() async throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // The interrupted apply for delta.yaml got as far as the contact. Then delta.yaml
        // was removed again.
        let client = Self.client(emulator)
        let contactID = try await client.post(
            "/api/customercontacts/", body: ["email": "office@delta.test", "reseller_id": 1])
        let journal = ApplyJournal.defaultPath(root: repo.path, target: emulator.url)
        try Self.writeJournal(journal, target: emulator.url, contactID: contactID)

        let plan = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        #expect(plan.operationSummary.isEmpty)
        #expect(
            plan["not_pruned"]?.arrayValue?.compactMap(\.stringValue) == [
                "customercontacts/delta"
            ])
        let human = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(human.standardOutput.contains("No changes to declared objects."))
        #expect(
            human.standardOutput.contains(
                "left alone without --prune: 1 (customercontacts/delta)"))

        // Without --prune the apply resumes, changes nothing and keeps from the journal only
        // the record of the contact, the only link from it to 'delta', so that a later
        // --prune still finds it.
        let kept = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(kept.exitCode == 0, "\(kept.standardError)")
        #expect(kept.standardError.contains("Resuming:"), "\(kept.standardError)")
        #expect(
            kept.standardError.contains(
                "note: an interrupted apply created customercontacts/delta for customer "
                    + "'delta'"), "\(kept.standardError)")
        let records = try Self.journalLines(journal)
        #expect(records.compactMap { $0["type"]?.stringValue } == ["leftover"])
        #expect(records.first?["name"]?.stringValue == "delta")
        #expect(records.first?["created_id"]?.intValue == contactID)

        // The next apply has no unfinished apply to resume, but still names the contact.
        let again = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(again.exitCode == 0, "\(again.standardError)")
        #expect(!again.standardError.contains("Resuming"), "\(again.standardError)")
        #expect(
            again.standardError.contains("note: an interrupted apply created "),
            "\(again.standardError)")
        #expect(try Self.journalLines(journal) == records)
        let listed = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        #expect(
            listed["not_pruned"]?.arrayValue?.compactMap(\.stringValue) == [
                "customercontacts/delta"
            ])

        let pruned = try repo.json(
            ["plan", "manifests", "--prune", "--format", "json"], environment: environment)
        #expect(pruned.operationSummary == ["delete customercontacts/delta"])
        let reason = pruned["operations"]?.arrayValue?.first?["reason"]?.stringValue ?? ""
        #expect(reason.hasPrefix("an interrupted apply created this contact"), "\(reason)")

        let removal = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--prune"], environment: environment)
        #expect(removal.exitCode == 0, "\(removal.standardError)")
        #expect(!FileManager.default.fileExists(atPath: journal))
        await #expect(throws: NGCPAPIError.self) {
            _ = try await client.get("/api/customercontacts/\(contactID)")
        }
        let final = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(final.standardOutput.contains("No changes. Live state matches the manifests."))
    }

    /// `plan --journal FILE` reads the journal that `apply --journal FILE` wrote, so the
    /// contact that the interrupted apply left behind shows in the plan.
    @Test func planReadsJournalGivenWithOption() async throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let journal = repo.path + "/state/apply-journal.jsonl"
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--journal", journal],
            environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        let contactID = try await Self.client(emulator).post(
            "/api/customercontacts/", body: ["email": "office@delta.test", "reseller_id": 1])
        try Self.writeJournal(journal, target: emulator.url, contactID: contactID)

        // The default place has no journal, so a plan without the option finds nothing.
        let unaware = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        #expect(unaware["not_pruned"]?.arrayValue?.isEmpty ?? true, "\(unaware)")

        let aware = try repo.json(
            ["plan", "manifests", "--format", "json", "--journal", journal],
            environment: environment)
        #expect(
            aware["not_pruned"]?.arrayValue?.compactMap(\.stringValue) == [
                "customercontacts/delta"
            ])
        let pruned = try repo.json(
            ["plan", "manifests", "--prune", "--format", "json", "--journal", journal],
            environment: environment)
        #expect(pruned.operationSummary == ["delete customercontacts/delta"])
    }

    @Test func unknownContactCreateIsWarnedAbout() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // The journal has no id for the contact, so nothing can find it again. The apply warns
        // once and discards the journal.
        let journal = ApplyJournal.defaultPath(root: repo.path, target: emulator.url)
        try Self.writeJournal(journal, target: emulator.url, contactID: nil)
        let resumed = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(resumed.exitCode == 0, "\(resumed.standardError)")
        #expect(
            resumed.standardError.contains(
                "warning: an interrupted apply started creating customercontacts/delta and its "
                    + "outcome is unknown."), "\(resumed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: journal))
    }
}
