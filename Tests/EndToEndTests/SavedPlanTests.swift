import Foundation
import NGCPClient
import NGCPCore
import Testing

/// Guards, saved plans and output files of `plan` and `apply`, with the built `ngcpctl`
/// against an emulator process. The tests run one at a time, and each command waits on a
/// thread of its own, so that these slow processes do not hold the test runner's threads.
@Suite(.serialized) struct SavedPlanTests {
    static func manifests(subscribers: [String], email: String? = nil) -> String {
        var text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: example.org
            spec: {}
            ---
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata:
              name: cust-1
            spec:
              billing_profile: default
              contact: {email: ops@example.org, firstname: First, lastname: Last}

            """
        for (index, user) in subscribers.enumerated() {
            text += """
                ---
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata:
                  name: \(user)@example.org
                spec:
                  customer: cust-1
                  password: {env: \(user.uppercased())_PASSWORD}
                  primary_number: {cc: 43, ac: "1", sn: "555000\(index)"}

                """
            if user == "alice", let email { text += "  email: \(email)\n" }
        }
        return text
    }

    /// The emulator process and its files. Their classes are used by one test at a time.
    struct Setup: @unchecked Sendable {
        let emulator: EmulatorProcess
        let directory: TemporaryDirectory
        var environment: [String: String]

        /// Runs `ngcpctl` with `arguments`, in `workingDirectory` when given, else in the
        /// temporary directory, so that what `apply --plan` keeps next to the working
        /// directory (its journal and records) stays out of the package.
        func run(
            _ arguments: [String], extra: [String: String] = [:],
            workingDirectory: String? = nil
        ) async throws -> ProcessResult {
            let environment = self.environment.merging(extra) { $1 }
            let directory = URL(fileURLWithPath: workingDirectory ?? self.directory.path)
            return try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(
                        with: Result {
                            try BuiltProducts.run(
                                "ngcpctl", arguments, environment: environment,
                                currentDirectory: directory)
                        })
                }.start()
            }
        }

        func write(_ text: String) throws {
            try directory.write("manifests/all.yaml", text)
        }

        var manifests: String { directory.path + "/manifests" }
    }

    /// An emulator with alice and bob applied.
    static func setup() async throws -> Setup {
        // Starting the process waits for its first output line, so it runs on its own thread.
        let started = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Setup, any Error>) in
            Thread {
                continuation.resume(
                    with: Result {
                        Setup(
                            emulator: try EmulatorProcess(), directory: try TemporaryDirectory(),
                            environment: [:])
                    })
            }.start()
        }
        let emulator = started.emulator
        let directory = started.directory
        let environment = [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": "Str0ng-Alice-Passw0rd-1",
            "BOB_PASSWORD": "Str0ng-Bob-Passw0rd-1", "CAROL_PASSWORD": "Str0ng-Carol-Passw0rd-1",
        ]
        let setup = Setup(emulator: emulator, directory: directory, environment: environment)
        try setup.write(manifests(subscribers: ["alice", "bob"]))
        let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        try #require(apply.exitCode == 0, "\(apply.standardError)")
        return setup
    }

    @Test func guardBlocksPlanAndApply() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice"]))

        let plan = try await setup.run([
            "plan", setup.manifests, "--prune", "--max-deletes", "0", "--out",
            setup.directory.path + "/blocked.json",
        ])
        #expect(plan.exitCode == 3, "\(plan.standardError)")
        #expect(plan.standardError.contains("max_deletes"))
        #expect(plan.standardError.contains("subscribers/bob@example.org"))
        #expect(
            !FileManager.default.fileExists(atPath: setup.directory.path + "/blocked.json"))

        let apply = try await setup.run([
            "apply", setup.manifests, "--prune", "--max-deletes", "0", "--auto-approve",
        ])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("max_deletes"))

        // Within the default limit the same prune passes.
        let allowed = try await setup.run(["plan", setup.manifests, "--prune"])
        #expect(allowed.exitCode == 0, "\(allowed.standardError)")
        #expect(allowed.standardOutput.contains("- delete subscribers/bob@example.org"))
    }

    @Test func savedPlanAppliesExactly() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob"], email: "a@example.org"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(saved.contains("live_fingerprint"))
        #expect(!saved.contains("Str0ng-Alice-Passw0rd-1"))

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        let again = try await setup.run(["plan", setup.manifests, "--detailed-exitcode"])
        #expect(again.exitCode == 0, "\(again.standardOutput)")
    }

    @Test func stalePlanIsRejected() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob"], email: "a@example.org"))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        try #require(plan.exitCode == 0, "\(plan.standardError)")

        // Someone changes alice after the plan was made.
        let client = NGCPAPIClient(
            baseURL: setup.emulator.url, user: "administrator",
            password: SecretValue("administrator"))
        let list = try await client.list("subscribers", filters: ["username": "alice"])
        let id = try #require(list.first?["id"]?.intValue)
        _ = try await client.patch(
            "/api/subscribers/\(id)",
            operations: [["op": "replace", "path": "/email", "value": "other@example.org"]])

        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(apply.standardError.contains("subscribers/alice@example.org"))
        #expect(apply.standardError.contains("stale"))
    }

    @Test func objectCreatedSinceIsRejected() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob", "carol"]))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        try #require(plan.exitCode == 0, "\(plan.standardError)")

        // Another run creates carol before the saved plan is applied.
        let apply = try await setup.run(["apply", setup.manifests, "--auto-approve"])
        try #require(apply.exitCode == 0, "\(apply.standardError)")

        let stale = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(stale.exitCode == 3, "\(stale.standardError)")
        #expect(stale.standardError.contains("subscribers/carol@example.org exists by now"))
    }

    @Test func changedSecretIsRejected() async throws {
        let setup = try await Self.setup()
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(
            ["plan", setup.manifests, "--out", planFile],
            extra: ["ALICE_PASSWORD": "Str0ng-Alice-Passw0rd-2"])
        try #require(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("password: (sensitive value)"))
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        #expect(!saved.contains("Str0ng-Alice-Passw0rd-2"))
        #expect(saved.contains("hmac-sha256:"))

        let stale = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"],
            extra: ["ALICE_PASSWORD": "Str0ng-Alice-Passw0rd-3"])
        #expect(stale.exitCode == 3, "\(stale.standardError)")
        #expect(stale.standardError.contains("ALICE_PASSWORD"))
        #expect(!stale.standardError.contains("Str0ng-Alice-Passw0rd-3"))

        let apply = try await setup.run(
            ["apply", "--plan", planFile, "--auto-approve"],
            extra: ["ALICE_PASSWORD": "Str0ng-Alice-Passw0rd-2"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
    }

    @Test func savedPlanShowsNames() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob", "carol"]))
        let planFile = setup.directory.path + "/plan.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out", planFile])
        try #require(plan.exitCode == 0, "\(plan.standardError)")
        #expect(Self.line("customer_id:", in: plan.standardOutput)?.hasSuffix(" (cust-1)") == true)
        #expect(
            Self.line("domain_id:", in: plan.standardOutput)?.hasSuffix(" (example.org)") == true)

        let markdown = try await setup.run(["plan", setup.manifests, "--format", "markdown"])
        #expect(markdown.exitCode == 0, "\(markdown.standardError)")
        let line = Self.line("+ customer_id:", in: markdown.standardOutput)
        #expect(line?.hasSuffix(" (cust-1)") == true, "\(markdown.standardOutput)")

        // The names come from the file, so applying it later shows them without a lookup.
        let saved = try JSONValue.parse(String(contentsOfFile: planFile, encoding: .utf8))
        let changes = saved["operations"]?.arrayValue?.first?["changes"]?.arrayValue ?? []
        let customer = changes.first { $0["path"] == "customer_id" }
        #expect(customer?["names"]?.objectValue?.values.first == "cust-1")
        let apply = try await setup.run(["apply", "--plan", planFile, "--auto-approve"])
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(
            Self.line("customer_id:", in: apply.standardOutput)?.hasSuffix(" (cust-1)") == true,
            "\(apply.standardOutput)")
    }

    /// Returns the first line of `text` that contains `fragment`, without its indentation.
    static func line(_ fragment: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.contains(fragment) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func unreachableServerIsTransient() async throws {
        let setup = try await Self.setup()
        // A port that is bound but not listening refuses connections, and no other test's
        // emulator can take it over while the socket stays open (a stopped emulator's port
        // could be reused by one started in parallel).
        let closed = try ClosedPort()
        defer { closed.release() }
        let plan = try await setup.run(
            ["plan", setup.manifests], extra: ["NGCP_URL": "http://127.0.0.1:\(closed.port)"])
        #expect(plan.exitCode == 5, "\(plan.standardError)")
        #expect(plan.standardError.contains("cannot read the live state"))
    }

    @Test func outputFilesAndFormats() async throws {
        let setup = try await Self.setup()
        try setup.write(Self.manifests(subscribers: ["alice", "bob", "carol"]))
        let jsonFile = setup.directory.path + "/plan-doc.json"
        let plan = try await setup.run(["plan", setup.manifests, "--out-json", jsonFile])
        #expect(plan.exitCode == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("+ create subscribers/carol@example.org"))
        let document = try JSONValue.parse(String(contentsOfFile: jsonFile, encoding: .utf8))
        #expect(document["format_version"] == 1)
        #expect(document["summary"]?["create"] == 1)

        let dot = try await setup.run(["plan", setup.manifests, "--format", "dot"])
        #expect(dot.exitCode == 0)
        #expect(dot.standardOutput.hasPrefix("digraph plan {"))
        #expect(dot.standardOutput.contains("op1 [label="))

        let plain = try await setup.run(["plan", setup.manifests, "--color", "auto"])
        #expect(!plain.standardOutput.contains("\u{1B}["))
        let colored = try await setup.run(["plan", setup.manifests, "--color", "always"])
        #expect(colored.standardOutput.contains("\u{1B}["))
    }
}

/// A loopback port held by a bound socket that never listens, so connecting to it is refused.
final class ClosedPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                getsockname(descriptor, socketAddress, &length)
            }
        }
        guard bound == 0, named == 0 else {
            close(descriptor)
            throw CocoaError(.fileWriteUnknown)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() {
        close(descriptor)
    }
}
