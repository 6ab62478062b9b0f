import Foundation
import NGCPCore
import Testing

/// Runs the built `ngcpctl` against the examples and checks exit codes and output.
@Suite struct CommandLineTests {
    @Test func validateAcceptsExamples() throws {
        let result = try BuiltProducts.run("ngcpctl", ["validate", "examples"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("4 files, 2 domains, 3 customers, 9 subscribers"))
    }

    @Test func validateReportsEveryErrorWithPosition() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "bad.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: bob@voice.example.net
            spec:
              customer: acme
              primary_numbr: {cc: 43, ac: "1", sn: "100"}
            ---
            apiVersion: ngcpctl/v1
            kind: Domian
            metadata:
              name: x.example
            spec: {}
            """)
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("bad.yaml:7:3: error: spec.primary_numbr"))
        #expect(result.standardError.contains("did you mean 'primary_number'?"))
        #expect(result.standardError.contains("bad.yaml:10:7: error"))
        #expect(result.standardOutput.isEmpty)
        // validate never contacts NGCP, so its last line does not mention it.
        #expect(result.standardError.contains("error: the manifests are invalid. Fix"))
    }

    @Test func validateReportsSecretsWithOtherErrors() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "subscribers.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: eve@voice.example.net
            spec:
              customer: acme
              webpassword: {file: /etc/hostname}
              password: {env: HOME}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: ivy@voice.example.net
            spec:
              customer: acme
              primary_numbr: {cc: 43, ac: "1", sn: "100"}
            """)
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1)
        let errors = result.standardError.split(separator: "\n").filter {
            $0.contains(": error: ")
        }
        #expect(errors.count == 3, "\(result.standardError)")
        // In line order, whichever check found them.
        #expect(errors.first?.contains("subscribers.yaml:7:16: error: spec.webpassword") == true)
        #expect(
            errors.dropFirst().first?.contains("subscribers.yaml:8:13: error: spec.password")
                == true)
        #expect(errors.last?.contains("subscribers.yaml:16:3: error: spec.primary_numbr") == true)
        // One summary for the whole run.
        #expect(result.diagnosticSummaries.count == 1, "\(result.standardError)")
    }

    @Test func secretsOfInvalidDocumentAreChecked() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "subscriber.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: eve@voice.example.net
            spec:
              customer: acme
              bogus: 1
              password: {env: HOME}
            """)
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("error: spec.bogus: unknown field 'bogus'"))
        #expect(
            result.standardError.contains(
                "subscriber.yaml:8:13: error: spec.password: subscriber 'eve@"))
        // The warnings are about the customer and the domain, which no document declares.
        #expect(result.diagnosticSummaries == ["2 errors, 2 warnings"], "\(result.standardError)")
    }

    @Test(
        "failed validate gives its counts once",
        arguments: [
            (
                "d.yaml",
                "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n"
                    + "spec: {bogus: 1}\n", "the manifests are invalid"
            ),
            ("ngcpctl.yaml", "targets:\n  lab:\n    bogus: 1\n", "ngcpctl.yaml is invalid"),
        ])
    func failedValidateCountsOnce(file: String, text: String, failure: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write(file, text)
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1, "\(result.standardError)")

        let lines = result.standardError.split(separator: "\n")
        let counted = lines.filter { $0.contains("1 error, 0 warnings") }
        #expect(counted == ["1 error, 0 warnings"], "\(result.standardError)")
        #expect(lines.last?.hasPrefix("error: ") == true, "\(result.standardError)")
        #expect(lines.last?.contains(failure) == true, "\(result.standardError)")
        #expect(lines.last?.hasSuffix("Fix the errors above and run again.") == true)
    }

    @Test func caretAfterMaskedSecretFindsToken() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "subscriber.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: eve@voice.example.net}
            spec: {customer: acme, password: "Lit3ral, much longer secret", webusernam: eve}
            """)
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(!result.standardError.contains("Lit3ral"), "\(result.standardError)")

        // The caret is under the unknown field of the masked line, as in the file.
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { $0.contains("spec.webusernam") })
        let source = String(lines[header + 1])
        let caret = String(lines[header + 2])
        #expect(
            source == "4 | spec: {customer: acme, password: (sensitive value), webusernam: eve}")
        let token = try #require(source.range(of: "webusernam")).lowerBound
        let column = try #require(caret.firstIndex(of: "^"))
        #expect(
            caret.distance(from: caret.startIndex, to: column)
                == source.distance(from: source.startIndex, to: token), "\(caret)")
    }

    @Test func validateCountsProjectWarnings() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "ngcpctl.yaml",
            "targets:\n  lab:\n    url: http://127.0.0.1:1443\n    guards: {max_deletes: 010}\n")
        try directory.write(
            "d.yaml", "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n")
        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardError.contains("ngcpctl.yaml:4:27: warning:"))
        #expect(!result.standardError.contains("0 errors, 1 warning"))
        #expect(result.standardOutput.contains("for target lab (0 errors, 1 warning)."))
    }

    @Test func validateReportsUnreadableCAFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "ngcpctl.yaml",
            """
            default_target: lab
            targets:
              lab:
                url: https://127.0.0.1:9
                ca_file: certs/lab.pem
              production:
                url: https://127.0.0.1:10
                ca_file: /nonexistent/production.pem
            """)
        try directory.write(
            "d.yaml", "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n")

        let result = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(result.exitCode == 1)
        let resolved = URL(fileURLWithPath: directory.path + "/certs/lab.pem")
            .standardizedFileURL.path
        #expect(
            result.standardError.contains(
                "ngcpctl.yaml:5:14: error: targets.lab.ca_file: cannot read the CA file"
                    + " '\(resolved)' of target 'lab': the file does not exist"),
            "\(result.standardError)")
        #expect(result.standardError.contains("hint: put the CA bundle (PEM)"))
        // Only the selected target's file is checked.
        #expect(!result.standardError.contains("production.pem"))

        try directory.write("certs/lab.pem", "")
        let fixed = try BuiltProducts.run("ngcpctl", ["validate", directory.path])
        #expect(fixed.exitCode == 0, "\(fixed.standardError)")
    }

    @Test func planWithUnreadableCAFileHasHint() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "ngcpctl.yaml",
            "targets:\n  lab:\n    url: https://127.0.0.1:9\n    ca_file: missing.pem\n")
        try directory.write(
            "d.yaml", "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n")

        // `--ca-file` replaces the target's file, so only the flag's file is checked.
        let result = try BuiltProducts.run(
            "ngcpctl",
            ["plan", directory.path, "--user", "admin", "--ca-file", "/nonexistent.pem"],
            environment: ["NGCP_PASSWORD": "secret"])
        #expect(result.exitCode == 1)
        #expect(
            result.standardError.contains(
                "error: cannot read the CA file '/nonexistent.pem' given with --ca-file\n"
                    + "  hint: pass the path of a readable CA bundle (PEM)"),
            "\(result.standardError)")
        #expect(!result.standardError.contains("missing.pem"))

        // A directory is no CA bundle, though it passes a check for readability.
        let directoryAsFile = try BuiltProducts.run(
            "ngcpctl", ["plan", directory.path, "--user", "admin", "--ca-file", directory.path],
            environment: ["NGCP_PASSWORD": "secret"])
        #expect(directoryAsFile.exitCode == 1)
        #expect(
            directoryAsFile.standardError.contains(
                "error: cannot read the CA file '\(directory.path)' given with --ca-file\n"),
            "\(directoryAsFile.standardError)")

        let fromFile = try BuiltProducts.run(
            "ngcpctl", ["plan", directory.path, "--user", "admin"],
            environment: ["NGCP_PASSWORD": "secret"])
        #expect(fromFile.exitCode == 1)
        #expect(
            fromFile.standardError.contains("ngcpctl.yaml:4:14: error: targets.lab.ca_file"),
            "\(fromFile.standardError)")
    }

    @Test func unknownCommandIsUsageError() throws {
        let result = try BuiltProducts.run("ngcpctl", ["pln", "examples"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("unknown command 'pln'; did you mean 'plan'?"))
    }

    @Test func unknownOptionIsUsageError() throws {
        let result = try BuiltProducts.run("ngcpctl", ["plan", "--detailed-exit-code", "examples"])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("did you mean '--detailed-exitcode'?"))
    }

    @Test func planWithoutPasswordIsUsageError() throws {
        let result = try BuiltProducts.run(
            "ngcpctl", ["plan", "examples", "--url", "http://127.0.0.1:9", "--user", "admin"],
            environment: ["NGCP_PASSWORD": ""])
        #expect(result.exitCode == 64)
        #expect(result.standardError.contains("set NGCP_PASSWORD"))
    }

    @Test func helpListsCommands() throws {
        let result = try BuiltProducts.run("ngcpctl", ["help"])
        #expect(result.exitCode == 0)
        for command in ["validate", "plan", "apply"] {
            #expect(result.standardOutput.contains(command))
        }
    }
}

/// A directory under the system's temporary directory, removed when the value is.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/ngcpctl-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ relativePath: String, _ text: String) throws {
        let full = path + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path + "/" + relativePath, encoding: .utf8)
    }

    /// Copies the package's examples/ directory into this one.
    func copyExamples() throws -> String {
        let target = path + "/examples"
        try FileManager.default.copyItem(
            atPath: BuiltProducts.packageRoot.appendingPathComponent("examples").path,
            toPath: target)
        return target
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
