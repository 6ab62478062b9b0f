import ArgumentParsing
import Foundation
import NGCPClient
import NGCPCore
import Planning
import Policies

/// `ngcpctl plan PATH...`: reads the live state and prints the ordered operations.
enum PlanCommand {
    static let spec = CommandSpec(
        name: "ngcpctl plan",
        summary: "Read the live state and print the operations that would make it match the "
            + "manifests. Nothing is written to NGCP.",
        positionalUsage: "PATH...",
        options: CommonOptions.connection + [
            .option(
                "format", value: "FORMAT",
                help: "human, json, markdown or dot (Graphviz) (default human)."),
            .option(
                "out", value: "FILE",
                help: "Also save the plan as JSON, for 'apply --plan FILE'."),
            .option(
                "out-json", value: "FILE",
                help: "Also write the plan document as JSON, whatever the format."),
            .option(
                "max-deletes", value: "N",
                help: "Block a plan that deletes more than N subscribers (overrides the "
                    + "target's guard)."),
            .flag(
                "detailed-exitcode",
                help: "Exit 0 with no changes, 2 with changes, 1 on error."),
            .flag("prune", help: "Remove managed objects that the manifests no longer declare."),
            CommonOptions.setWebPasswords,
            CommonOptions.journal,
        ] + RevisionOptions.plan + CommonOptions.policy + CommonOptions.output,
        discussion: "The API password is read from NGCP_PASSWORD. See docs/cli.md.")

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl plan PATH...")
        }
        let format =
            try parsed.choice("format", from: ["human", "json", "markdown", "dot"]) ?? "human"
        let maxDeletes = try parsed.integer("max-deletes", range: 0...1_000_000)
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)

        var stage = PlanningStage(
            paths: parsed.positionals, connection: connection, prune: parsed.flag("prune"),
            colorMode: colorMode, environment: environment)
        stage.maxDeletes = maxDeletes
        stage.policies = CommonOptions.policyStage(parsed, colorMode: colorMode)
        stage.sendUnrecordedWebPasswords = parsed.flag("set-webpasswords")
        let recovery = JournalLeftovers.interruptedApply(
            option: parsed.value("journal"), manifestPaths: parsed.positionals,
            target: connection.url)
        stage.interruptedContacts = recovery.createdContacts
        stage.interruptedWebPasswords = recovery.webPasswordChanges
        try RevisionOptions.configure(&stage, parsed, connection: connection)
        let output = try await stage.run()
        ExitRetention.keep(output)
        let plan = output.plan
        let policyResult = output.policyResult

        Terminal.output(
            render(
                plan, format: format, color: Terminal.useColor(colorMode, descriptor: 1),
                policyResult: policyResult, requests: output.requests))
        if let jsonPath = parsed.value("out-json") {
            try PlanFile.writeDocument(
                render(
                    plan, format: "json", color: false, policyResult: policyResult,
                    requests: output.requests),
                to: jsonPath)
        }
        // A blocked plan is shown for review but never saved, so 'apply --plan' only sees plans
        // that passed the guards and policies.
        try Guards.enforce(output.violations, target: stage.target?.name)
        let strict = warningsAsErrors(parsed, target: stage.target)
        if policyResult.blocks(warningsAsErrors: strict) {
            Terminal.error(
                "error: the plan is blocked by policy: "
                    + policyBlockers(policyResult, warningsAsErrors: strict)
                    .joined(separator: ", ") + "\n")
            return .blocked
        }
        if let outPath = parsed.value("out") {
            try PlanFile.write(plan, to: outPath)
        }
        if parsed.flag("detailed-exitcode") {
            return plan.isEmpty ? .success : .changesPresent
        }
        return .success
    }

    static func render(
        _ plan: Plan, format: String, color: Bool, policyResult: PolicyResult = PolicyResult(),
        requests: RequestStatistics? = nil
    ) -> String {
        switch format {
        case "json":
            var document = plan.jsonValue
            if case .object(var members) = document {
                members["policy"] = policyResult.jsonValue
                // The requests that reading the live state took.
                if let requests { members["requests"] = requests.json }
                document = .object(members)
            }
            return document.serialized(pretty: true) + "\n"
        case "markdown":
            return withNewline(MarkdownPlanRenderer().render(plan))
                + PolicyReport.markdown(policyResult)
        case "dot":
            return withNewline(DotPlanRenderer().render(plan))
        default:
            return withNewline(HumanPlanRenderer(color: color).render(plan))
                + PolicyReport.human(policyResult)
        }
    }

    /// Returns whether policy warnings block the plan: `--warnings-as-errors`, or the target's
    /// `warnings_as_errors` in ngcpctl.yaml.
    static func warningsAsErrors(_ parsed: ParsedArguments, target: TargetConfiguration?) -> Bool {
        parsed.flag("warnings-as-errors") || target?.warningsAsErrors == true
    }

    /// The rule names that block the plan, each once.
    static func policyBlockers(_ result: PolicyResult, warningsAsErrors: Bool) -> [String] {
        let blocking = warningsAsErrors ? result.violations : result.denials
        var seen: Set<String> = []
        return blocking.map(\.rule).filter { seen.insert($0).inserted }
    }

    private static func withNewline(_ text: String) -> String {
        text.hasSuffix("\n") ? text : text + "\n"
    }
}
