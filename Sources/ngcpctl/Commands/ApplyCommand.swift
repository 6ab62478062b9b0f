import Apply
import ArgumentParsing
import Foundation
import NGCPCore
import Planning
import Policies

/// `ngcpctl apply`: plans (or loads a saved plan), confirms, and executes it.
enum ApplyCommand {
    static let spec = CommandSpec(
        name: "ngcpctl apply",
        summary: "Execute the plan for the manifests, or a plan saved with 'plan --out'.",
        positionalUsage: "PATH... | --plan FILE",
        options: CommonOptions.connection + [
            .option("plan", value: "FILE", help: "Execute this saved plan exactly."),
            .flag("auto-approve", help: "Do not ask for confirmation."),
            .flag("prune", help: "Remove managed objects that the manifests no longer declare."),
            .option("format", value: "FORMAT", help: "human or json result (default human)."),
        ] + CommonOptions.policy + CommonOptions.output,
        discussion: """
            Without --auto-approve, apply shows the plan and asks for confirmation on a
            terminal, and stops when there is no terminal. Exit status: 0 when every
            operation succeeded, 1 on an error before any change, 4 when the apply stopped
            part way. The API password is read from NGCP_PASSWORD.
            """)

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        let planPath = parsed.value("plan")
        if planPath == nil, parsed.positionals.isEmpty {
            throw UsageError(
                "missing manifest path or --plan FILE; usage: ngcpctl apply PATH...")
        }
        if planPath != nil, !parsed.positionals.isEmpty {
            throw UsageError("give either manifest paths or --plan FILE, not both")
        }
        if planPath != nil, parsed.flag("prune") {
            throw UsageError("--prune belongs to the 'plan --out' run that made the saved plan")
        }
        let format = try parsed.choice("format", from: ["human", "json"]) ?? "human"
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)

        // The plan: from the manifests now, or exactly as saved.
        let plan: Plan
        var policyResult = PolicyResult()
        var literals: [SecretReference: SecretValue] = [:]
        if let planPath {
            plan = try PlanFile.read(planPath)
            if let target = plan.target, target != connection.url {
                throw CommandFailure(
                    "the plan in '\(planPath)' was made for \(target), not \(connection.url); "
                        + "plan again against this target")
            }
        } else {
            var stage = PlanningStage(
                paths: parsed.positionals, connection: connection, prune: parsed.flag("prune"),
                colorMode: colorMode, environment: environment)
            stage.policies = CommonOptions.policyStage(parsed, colorMode: colorMode)
            let output = try await stage.run()
            plan = output.plan
            policyResult = output.policyResult
            for (key, value) in output.secretValues {
                let reference = SecretReference(
                    source: "literal", owner: key.owner.description, field: key.field)
                literals[reference] = value
            }
        }

        let showColor = Terminal.useColor(colorMode, descriptor: 1)
        if plan.isEmpty {
            if format == "json" {
                Terminal.output(ApplyReport.json(plan: plan, result: nil))
            } else {
                Terminal.output(PlanCommand.render(plan, format: "human", color: showColor))
            }
            return .success
        }
        if format == "human" {
            Terminal.output(
                PlanCommand.render(
                    plan, format: "human", color: showColor, policyResult: policyResult))
        }
        if policyResult.blocks(warningsAsErrors: parsed.flag("warnings-as-errors")) {
            throw CommandFailure(
                "not applying: the plan is blocked by policy: "
                    + PlanCommand.policyBlockers(policyResult, parsed).joined(separator: ", "),
                exitCode: .blocked)
        }
        try confirm(plan, target: connection.url, autoApprove: parsed.flag("auto-approve"))

        // Execution, with one progress line per finished operation on standard error.
        let progress = ApplyProgress(total: plan.operations.count)
        let executor = PlanExecutor(
            client: connection.makeClient(),
            secrets: PlanSecrets(
                resolver: SecretResolver(environment: environment),
                literals: literals),
            logger: connection.logger,
            progress: { event in progress.report(event) })
        let result = await executor.execute(plan)

        if format == "json" {
            Terminal.output(ApplyReport.json(plan: plan, result: result))
        }
        Terminal.error(ApplyReport.summary(result))
        return ApplyReport.exitCode(result)
    }

    /// Asks for confirmation on a terminal; without one, only `--auto-approve` lets it run.
    private static func confirm(_ plan: Plan, target: String, autoApprove: Bool) throws {
        if autoApprove { return }
        guard Terminal.standardInputIsTerminal else {
            throw CommandFailure(
                "not applying: no terminal to confirm on; review the plan and pass "
                    + "--auto-approve to apply without confirmation")
        }
        Terminal.error(
            "\nApply these \(plan.operations.count) operations to \(target)? "
                + "Only 'yes' is accepted: ")
        guard Terminal.readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            throw CommandFailure("apply cancelled; nothing was changed")
        }
    }
}
