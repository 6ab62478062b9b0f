import Apply
import Foundation
import NGCPCore
import Testing

/// An apply killed with SIGKILL right after it created a subscriber with a web password: the
/// records are written only when the operations end, so the next run takes the digest from
/// the journal.
@Suite(.serialized) struct KilledApplyTests {
    static let webPasswords = ["Killed-Web-Value-1", "Killed-Web-Value-2"]
    static let sipPassword = "Str0ng-Alice-Passw0rd-1"

    /// Alice has a web password. The subscribers after her have none, so an interrupted
    /// create of one leaves nothing to compare. There are ten of them, so that the apply is
    /// still busy for seconds after alice's create, however late a loaded machine lets the
    /// test see the journal line.
    static let manifests =
        baseManifests
        + (1...8).map { index in
            """
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: dave\(index)@example.org
            spec:
              customer: cust-1
              password: {env: ALICE_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "555010\(index)"}

            """
        }.joined()

    /// The domain, the customer and alice of the web password tests, then bob and carol.
    static let baseManifests =
        WebPasswordTests.manifests + """
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: bob@example.org
            spec:
              customer: cust-1
              password: {env: ALICE_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "5550002"}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: carol@example.org
            spec:
              customer: cust-1
              password: {env: ALICE_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "5550003"}

            """

    /// Returns the journal line that records the end of alice's create, or nil while there
    /// is none.
    static func aliceCreateFinished(_ journal: String) -> JSONValue? {
        guard let text = try? String(contentsOfFile: journal, encoding: .utf8) else { return nil }
        // A line that is still being written does not end with a newline yet.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let entry = try? JSONValue.parse(String(line)) else { continue }
            if entry["type"]?.stringValue == "finish",
                entry["name"]?.stringValue == "alice@example.org",
                entry["action"]?.stringValue == "create"
            {
                return entry
            }
        }
        return nil
    }

    /// Runs `ngcpctl apply` and kills it with SIGKILL once the journal records alice's
    /// create. Returns the process, which has exited.
    static func applyUntilAliceIsCreated(
        manifests: String, environment: [String: String], journal: String
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("ngcpctl"))
        process.arguments = ["apply", manifests, "--auto-approve", "--parallelism", "1"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: manifests)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Waits for an event, the journal line, and not for a time: the deadline only ends
        // the wait when the apply fails before it gets there.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, aliceCreateFinished(journal) == nil, Date() < deadline {
            usleep(5000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process
    }

    @Test func killedCreateIsRecordedOnResume() throws {
        // Each response takes 150 ms, so after alice's create the apply is still busy with
        // ten more creates, at least 300 ms each (the POST and the read-back), when it is
        // killed.
        let emulator = try EmulatorProcess(arguments: ["--latency-ms", "150"])
        let directory = try TemporaryDirectory()
        try directory.write("manifests/all.yaml", Self.manifests)
        let manifests = directory.path + "/manifests"
        let environment = [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": Self.sipPassword,
            "ALICE_WEBPASSWORD": Self.webPasswords[0],
        ]
        func run(_ arguments: [String], web: Int = 0) throws -> ProcessResult {
            var extended = environment
            extended["ALICE_WEBPASSWORD"] = Self.webPasswords[web]
            return try BuiltProducts.run(
                "ngcpctl", arguments, environment: extended,
                currentDirectory: URL(fileURLWithPath: manifests))
        }
        let journal = ApplyJournal.defaultPath(root: manifests, target: emulator.url)
        let records = WebPasswordRecordFile.defaultPath(root: manifests, target: emulator.url)

        let killed = try Self.applyUntilAliceIsCreated(
            manifests: manifests, environment: environment, journal: journal)
        #expect(killed.terminationReason == .uncaughtSignal, "the apply was not killed")
        #expect(!FileManager.default.fileExists(atPath: records))
        let finish = try #require(Self.aliceCreateFinished(journal))
        let record = try #require(finish["webpassword_record"])
        let digest = try #require(record["digest"]?.stringValue)
        #expect(digest.hasPrefix("hmac-sha256:"))
        #expect(record["id"]?.intValue == finish["created_id"]?.intValue)
        let journalText = try String(contentsOfFile: journal, encoding: .utf8)
        for secret in Self.webPasswords + [Self.sipPassword] {
            #expect(!journalText.contains(secret), "a password value is in the journal")
        }

        // A plan reads the journal too, so it already compares alice's web password.
        let plan = try run(["plan", manifests])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        #expect(!plan.standardError.contains("not compared"), "\(plan.standardError)")
        #expect(!plan.standardOutput.contains("alice@example.org"), "\(plan.standardOutput)")

        let resumed = try run(["apply", manifests, "--auto-approve"])
        #expect(resumed.exitCode == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("Resuming:"), "\(resumed.standardError)")
        #expect(!resumed.standardError.contains("not compared"), "\(resumed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: journal))
        let file = try #require(try WebPasswordRecordFile.read(path: records))
        #expect(file.entries["alice@example.org"]?.digest == digest)
        #expect(file.entries["alice@example.org"]?.subscriberID == record["id"]?.intValue)

        let converged = try run(["plan", manifests, "--detailed-exitcode"])
        #expect(converged.exitCode == 0, "\(converged.standardOutput)")
        #expect(!converged.standardError.contains("not compared"), "\(converged.standardError)")

        // The recorded digest is the one of the value sent: another value is an update.
        let changed = try run(["plan", manifests, "--detailed-exitcode"], web: 1)
        #expect(changed.exitCode == 2, "\(changed.standardError)")
        #expect(changed.standardOutput.contains("update subscribers/alice@example.org"))
    }
}
