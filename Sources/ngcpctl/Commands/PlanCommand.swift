import ArgumentParsing
import Foundation
import NGCPCore
import Planning

/// `ngcpctl plan PATH...`: reads the live state and prints the ordered operations.
enum PlanCommand {
    static let spec = CommandSpec(
        name: "ngcpctl plan",
        summary: "Read the live state and print the operations that would make it match the "
            + "manifests. Nothing is written to NGCP.",
        positionalUsage: "PATH...",
        options: CommonOptions.connection + [
            .option("format", value: "FORMAT", help: "human, json or markdown (default human)."),
            .option(
                "out", value: "FILE",
                help: "Also save the plan as JSON, for 'apply --plan FILE'."),
            .flag(
                "detailed-exitcode",
                help: "Exit 0 with no changes, 2 with changes, 1 on error."),
            .flag("prune", help: "Remove managed objects that the manifests no longer declare."),
        ] + CommonOptions.output,
        discussion: "The API password is read from NGCP_PASSWORD. See docs/cli.md.")

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl plan PATH...")
        }
        let format = try parsed.choice("format", from: ["human", "json", "markdown"]) ?? "human"
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)

        let stage = PlanningStage(
            paths: parsed.positionals, connection: connection, prune: parsed.flag("prune"),
            colorMode: colorMode, environment: environment)
        let output = try await stage.run()
        let plan = output.plan

        if let outPath = parsed.value("out") {
            try PlanFile.write(plan, to: outPath)
        }
        if format == "json" {
            // The JSON output also counts the requests that reading the live state took.
            Terminal.output(RequestReport.planJSON(plan, requests: output.requests))
        } else {
            Terminal.output(
                render(plan, format: format, color: Terminal.useColor(colorMode, descriptor: 1)))
        }
        if parsed.flag("detailed-exitcode") {
            return plan.isEmpty ? .success : .changesPresent
        }
        return .success
    }

    static func render(_ plan: Plan, format: String, color: Bool) -> String {
        let renderer: any PlanRenderer
        switch format {
        case "json": renderer = JSONPlanRenderer()
        case "markdown": renderer = MarkdownPlanRenderer()
        default: renderer = HumanPlanRenderer(color: color)
        }
        let text = renderer.render(plan)
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}
