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
        ] + RevisionOptions.plan + CommonOptions.output,
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
            colorMode: colorMode, environment: environment, maxDeletes: maxDeletes)
        try RevisionOptions.configure(&stage, parsed, connection: connection)
        let output = try await stage.run()
        let plan = output.plan

        Terminal.output(
            render(plan, format: format, color: Terminal.useColor(colorMode, descriptor: 1)))
        // A blocked plan is shown for review but never saved, so it cannot be applied.
        try Guards.enforce(output.violations, target: stage.target?.name)
        if let outPath = parsed.value("out") {
            try PlanFile.write(plan, to: outPath)
        }
        if let jsonPath = parsed.value("out-json") {
            try PlanFile.writeDocument(plan, to: jsonPath)
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
        case "dot": renderer = DotPlanRenderer()
        default: renderer = HumanPlanRenderer(color: color)
        }
        let text = renderer.render(plan)
        return text.hasSuffix("\n") ? text : text + "\n"
    }
}
