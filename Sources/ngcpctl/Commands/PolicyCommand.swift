import ArgumentParsing
import Manifests
import Policies

/// `ngcpctl policy test PLAN.json...`: runs policies against saved plans, for policy authors.
enum PolicyCommand {
    static let spec = CommandSpec(
        name: "ngcpctl policy test",
        summary: "Check saved plan files against the policies, with no API access.",
        positionalUsage: "PLAN.json...",
        options: [
            .option(
                "policies", value: "PATH", help: "Policy file or directory (default policies/).",
                repeatable: true),
            .flag("no-builtin-policies", help: "Do not load the built-in policy pack."),
            .option("color", value: "WHEN", help: "Colour output: auto, always or never."),
        ],
        discussion: """
            A plan file may carry test members: 'expect_violations' (rule names the plan must
            violate), per-operation 'desired' and 'live' objects, and 'annotations'. Without
            'expect_violations' a file passes when no deny rule fires. See docs/policies.md.
            Exit status: 0 when every file passes, 1 otherwise.
            """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        if arguments == ["--help"] || arguments == ["help"] {
            Terminal.output(
                "Usage: ngcpctl policy test [options] PLAN.json...\n\n"
                    + "Run 'ngcpctl policy test --help' for the options.\n")
            return .success
        }
        guard let first = arguments.first else {
            throw UsageError("missing policy command; usage: ngcpctl policy test PLAN.json...")
        }
        guard first == "test" else {
            throw UsageError(
                "unknown policy command '\(arguments.first ?? "")'; usage: ngcpctl policy test "
                    + "PLAN.json...")
        }
        guard let parsed = try NGCPCtl.parse(spec, Array(arguments.dropFirst())) else {
            return .success
        }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing plan file; usage: ngcpctl policy test PLAN.json...")
        }
        let colorMode = try CommonOptions.colorMode(parsed)
        let policyPaths =
            parsed.allValues("policies").isEmpty ? ["policies"] : parsed.allValues("policies")
        let report = PolicyTester.run(
            planFiles: parsed.positionals, policyPaths: policyPaths,
            includeBuiltIn: !parsed.flag("no-builtin-policies"))
        ManifestStage.report(report.policyDiagnostics, sources: [:], colorMode: colorMode)
        if report.policyDiagnostics.hasErrors {
            throw CommandFailure("the policy files are invalid; no plan file was checked")
        }

        for file in report.files {
            let verdict = file.passed ? "PASS" : "FAIL"
            var line = "\(verdict) \(file.file)"
            if let error = file.error {
                line += ": \(error)"
            } else if let expected = file.expectedRules {
                line +=
                    ": expected [\(expected.sorted().joined(separator: ", "))], got "
                    + "[\(file.violatedRules.joined(separator: ", "))]"
            } else if !file.violatedRules.isEmpty {
                line += ": violations [\(file.violatedRules.joined(separator: ", "))]"
            }
            Terminal.output(line + "\n")
        }
        let failed = report.files.filter { !$0.passed }.count
        Terminal.output("\(report.files.count - failed) passed, \(failed) failed\n")
        return failed == 0 ? .success : .failure
    }
}
