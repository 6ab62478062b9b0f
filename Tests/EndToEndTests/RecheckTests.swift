import Foundation
import Testing

/// The check of the manifests against the target's customers and preference catalogue, which
/// runs while the call forward and preference collections are still being read.
@Suite struct RecheckTests {
    static let manifests = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata:
          name: recheck.example
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: alice@recheck.example
        spec:
          customer: ghost
          password: {env: ALICE_PASSWORD}
          callforwards:
            cfu:
              destinations:
                - {destination: voicebox}

        """

    /// Plans `manifests` (written as `site.yaml`) against a fresh emulator, from a directory
    /// that also contains `files`, with `arguments` added to the command line.
    private func plan(
        _ manifests: String, files: [String: String] = [:], arguments: [String] = []
    ) throws -> ProcessResult {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        try directory.write("site.yaml", manifests)
        for (name, text) in files { try directory.write(name, text) }
        let environment = [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": "Al1ce-secret",
        ]
        return try BuiltProducts.run(
            "ngcpctl", ["plan", "site.yaml"] + arguments, environment: environment,
            currentDirectory: URL(fileURLWithPath: directory.path))
    }

    @Test func customerNeitherDeclaredNorLiveStopsThePlan() throws {
        let result = try plan(Self.manifests)

        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(result.standardError.contains("site.yaml:11:13: error:"), "\(result.standardError)")
        #expect(result.standardError.contains("'ghost' is neither declared in these manifests nor"))
        #expect(result.standardError.contains("nothing was sent to NGCP"))
        #expect(!result.standardOutput.contains("POST"))
        #expect(!result.standardError.contains("Al1ce-secret"))
    }

    @Test func warningsAndProblemsShareOneSummary() throws {
        let manifests = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: recheck.example
            ---
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata:
              name: gold-customer
            spec:
              billing_profile: no-such-profile
              contact: {email: ops@recheck.example}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: alice@recheck.example
            spec:
              customer: gold-customer
              password: Literal-Al1ce-secret
              primary_number: {cc: 43, ac: "1", sn: "5550100"}

            """
        let result = try plan(manifests)

        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(result.diagnosticSummaries == ["1 error, 1 warning"], "\(result.standardError)")
        #expect(result.standardError.contains("error: spec.billing_profile: unknown billing"))
        #expect(!result.standardError.contains("Literal-Al1ce-secret"))
    }

    @Test func targetWarningsAsErrorsBlocksThePlan() throws {
        let files = [
            "ngcpctl.yaml": "targets:\n  lab:\n    warnings_as_errors: true\n",
            "rules/w.yaml":
                "rules:\n  - name: always-warn\n    severity: warn\n    condition: \"true\"\n",
        ]
        let domain = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: wae.example}\n"

        let result = try plan(domain, files: files, arguments: ["--policies", "rules"])

        #expect(result.exitCode == 3, "\(result.standardError)")
        #expect(result.standardError.contains("blocked by policy: always-warn"))
    }

    @Test func unknownDefaultIsReportedOnceInProjectFile() throws {
        let project = "targets:\n  lab:\n    default_billing_profile: no-such-profile\n"
        var manifests = ""
        for name in ["acme", "beta", "gamma", "delta"] {
            manifests += """
                ---
                apiVersion: ngcpctl/v1
                kind: Customer
                metadata: {name: \(name)}
                spec:
                  contact: {email: ops@\(name).example}

                """
        }
        let result = try plan(manifests, files: ["ngcpctl.yaml": project])

        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "ngcpctl.yaml:3:30: error: targets.lab.default_billing_profile: unknown billing"
                    + " profile handle 'no-such-profile'"), "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "4 customers rely on this default (acme, beta, delta and 1 more)"))
        #expect(!result.standardError.contains("site.yaml"), "\(result.standardError)")
        #expect(result.diagnosticSummaries == ["1 error, 0 warnings"], "\(result.standardError)")
    }

    @Test func planningProblemsComeInTheSameRun() throws {
        let customer = """
            ---
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata:
              name: gold-customer
            spec:
              billing_profile: no-such-profile
              contact: {email: ops@recheck.example}

            """
        let result = try plan(Self.manifests + customer)

        // The customer the target lacks and the billing profile it lacks, both at their fields.
        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(result.standardError.contains("site.yaml:11:13: error: spec.customer:"))
        #expect(
            result.standardError.contains(
                "site.yaml:23:20: error: spec.billing_profile: unknown billing profile handle"
                    + " 'no-such-profile'"), "\(result.standardError)")
        #expect(result.diagnosticSummaries == ["2 errors, 0 warnings"], "\(result.standardError)")
        // The summary line gives the counts, and the closing line only what failed and why.
        let closing = result.standardError.split(separator: "\n").last ?? ""
        #expect(closing.hasPrefix("error: the manifests do not fit "), "\(closing)")
        #expect(closing.hasSuffix("Fix the errors above and run again."), "\(closing)")
        #expect(!closing.contains("errors, "), "\(closing)")
    }

    @Test func missingDomainIsOnlyAnError() throws {
        let emulator = try EmulatorProcess()
        let directory = try TemporaryDirectory()
        let environment = [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "ALICE_PASSWORD": "Al1ce-secret",
        ]
        func ngcpctl(_ arguments: [String]) throws -> ProcessResult {
            try BuiltProducts.run(
                "ngcpctl", arguments, environment: environment,
                currentDirectory: URL(fileURLWithPath: directory.path))
        }

        // live.example exists on the target, but the manifests below do not declare it.
        try directory.write(
            "live.yaml", "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: live.example}\n")
        let applied = try ngcpctl(["apply", "live.yaml", "--auto-approve", "--no-record"])
        #expect(applied.exitCode == 0, "\(applied.standardError)")

        try directory.write(
            "site.yaml",
            """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: acme}
            spec:
              billing_profile: default
              contact: {email: ops@acme.example}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@live.example}
            spec:
              customer: acme
              password: {env: ALICE_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "5550100"}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@ghost.example}
            spec:
              customer: acme
              password: {env: ALICE_PASSWORD}
              primary_number: {cc: 43, ac: "1", sn: "5550101"}

            """)
        let result = try ngcpctl(["plan", "site.yaml"])

        // The domain missing on the target is only an error, and the live one keeps its warning.
        let output = result.standardError
        #expect(result.exitCode == 1, "\(output)")
        #expect(output.contains("warning: metadata.name: domain 'live.example' is not declared"))
        #expect(output.contains("domain 'ghost.example' is neither declared nor present"))
        #expect(!output.contains("domain 'ghost.example' is not declared"), "\(output)")
        #expect(result.diagnosticSummaries == ["1 error, 1 warning"], "\(output)")
        #expect(!output.contains("Al1ce-secret"))
    }
}
