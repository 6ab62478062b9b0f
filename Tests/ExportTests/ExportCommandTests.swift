import Emulator
import Foundation
import NGCPClient
import NGCPCore
import Testing

/// `ngcpctl export` as a process, against the in-process emulator.
/// Serialized because every test starts an emulator, and several at once load a small
/// machine heavily.
@Suite(.serialized) struct ExportCommandTests {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs the `ngcpctl` built beside the test bundle. Output goes to files, so a full pipe
    /// cannot block the child while this thread waits.
    static func ngcpctl(_ arguments: [String], url: String, in directory: String) throws -> Output {
        var products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while !FileManager.default.fileExists(
            atPath: products.appendingPathComponent("ngcpctl").path)
        {
            let parent = products.deletingLastPathComponent()
            try #require(parent.path != products.path, "ngcpctl was not built")
            products = parent
        }
        let process = Process()
        process.executableURL = products.appendingPathComponent("ngcpctl")
        process.arguments = arguments
        process.environment = [
            "NGCP_URL": url, "NGCP_USER": "administrator", "NGCP_PASSWORD": "administrator",
            "NO_COLOR": "1", "PATH": "/usr/bin:/bin",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let outPath = directory + "/.stdout"
        let errPath = directory + "/.stderr"
        try #require(FileManager.default.createFile(atPath: outPath, contents: nil))
        try #require(FileManager.default.createFile(atPath: errPath, contents: nil))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: try String(contentsOfFile: outPath, encoding: .utf8),
            standardError: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    @Test func exportWritesFilesAndSecrets() async throws {
        try await withEmulator(generation: GenerationSettings(customers: 2, subscribers: 4)) {
            server, client in
            let contact = try await client.post(
                "/api/customercontacts/",
                body: ["reseller_id": 1, "email": "nokey@example.org", "company": "No Key"])
            let unkeyed = try await client.post(
                "/api/customers/",
                body: [
                    "contact_id": .int(contact), "billing_profile_id": 1, "status": "active",
                    "type": "sipaccount",
                ])

            let directory = try TemporaryDirectory()
            let output = try Self.ngcpctl(
                [
                    "export", "--out", "repo", "--with-secrets-file", "secrets.sh",
                    "--assign-external-ids",
                ], url: server.baseURL, in: directory.path)
            #expect(output.status == 0, "\(output.standardError)")

            let files = try directory.files().keys.filter { $0.hasPrefix("repo/") }.sorted()
            #expect(
                files == [
                    "repo/customers/gen-customer-0.yaml", "repo/customers/gen-customer-1.yaml",
                    "repo/domains.yaml",
                ])
            let secretsPath = directory.path + "/secrets.sh"
            let mode =
                try FileManager.default.attributesOfItem(atPath: secretsPath)[
                    .posixPermissions] as? Int
            #expect(mode == 0o600)
            let secrets = try String(contentsOfFile: secretsPath, encoding: .utf8)
            #expect(secrets.contains("export NGCP_PW_GEN1_EXAMPLE_ORG_GEN1='gen-pass-1'\n"))

            // Passwords appear only in the secrets file.
            #expect(!output.standardOutput.contains("gen-pass"))
            #expect(!output.standardError.contains("gen-pass"))

            // The customer without external_id is listed, and the plan to key it is shown.
            #expect(output.standardError.contains("customer \(unkeyed) (active"))
            #expect(output.standardOutput.contains("/api/customers/\(unkeyed)"))
            #expect(output.standardOutput.contains("no-key-\(unkeyed)"))
            #expect(output.standardError.contains("This plan was not applied."))

            // Nothing was applied: the customer still has no external_id.
            let live = try await client.get("/api/customers/\(unkeyed)")
            #expect(live["external_id"] == .null)
        }
    }

    @Test func usageErrors() async throws {
        try await withEmulator { server, _ in
            let directory = try TemporaryDirectory()
            let missingOut = try Self.ngcpctl(["export"], url: server.baseURL, in: directory.path)
            #expect(missingOut.status == 64)
            #expect(missingOut.standardError.contains("missing --out DIR"))

            let inside = try Self.ngcpctl(
                ["export", "--out", "repo", "--with-secrets-file", "repo/secrets.sh"],
                url: server.baseURL, in: directory.path)
            #expect(inside.status == 64)
            #expect(inside.standardError.contains("inside the output directory"))

            let positional = try Self.ngcpctl(
                ["export", "--out", "repo", "acme"], url: server.baseURL, in: directory.path)
            #expect(positional.status == 64)
            #expect(positional.standardError.contains("--customer NAME"))

            let unknown = try Self.ngcpctl(
                ["export", "--out", "repo", "--customer", "nobody*"], url: server.baseURL,
                in: directory.path)
            #expect(unknown.status == 1)
            #expect(unknown.standardError.contains("no customer matches --customer 'nobody*'"))

            let reseller = try Self.ngcpctl(
                ["export", "--out", "repo", "--reseller", "nobody"], url: server.baseURL,
                in: directory.path)
            #expect(reseller.status == 1)
            #expect(reseller.standardError.contains("no reseller matches the name 'nobody'"))
        }
    }
}
