import Apply
import ArgumentParsing
import Foundation
import NGCPCore
import Planning

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
            .option(
                "max-deletes", value: "N",
                help: "Block a plan that deletes more than N subscribers (overrides the "
                    + "target's guard)."),
        ] + RevisionOptions.apply + CommonOptions.output,
        discussion: """
            Without --auto-approve, apply shows the plan and asks for confirmation on a
            terminal, and stops when there is no terminal. Exit status: 0 when every
            operation succeeded, 1 on an error before any change, 4 when the apply stopped
            part way, 3 when a guard blocks the plan or a saved plan is stale, 5 on a
            transient failure. The API password is read from NGCP_PASSWORD.
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
        if planPath != nil, parsed.value("rev") != nil {
            throw UsageError("--rev belongs to the 'plan --out' run that made the saved plan")
        }
        if planPath != nil, parsed.flag("prune") {
            throw UsageError("--prune belongs to the 'plan --out' run that made the saved plan")
        }
        let format = try parsed.choice("format", from: ["human", "json"]) ?? "human"
        let maxDeletes = try parsed.integer("max-deletes", range: 0...1_000_000)
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)

        // The plan: from the manifests now, or exactly as saved.
        let plan: Plan
        var literals: [SecretReference: SecretValue] = [:]
        var configuredTarget: TargetConfiguration? = nil
        if let planPath {
            plan = try PlanFile.read(planPath)
            if let target = plan.target, target != connection.url {
                throw CommandFailure(
                    "the plan in '\(planPath)' was made for \(target), not \(connection.url); "
                        + "plan again against this target")
            }
            // The plan must still fit: same secrets, and no touched object changed since.
            try SavedPlanCheck.checkSecrets(
                plan, connection: connection,
                resolver: SecretResolver(environment: environment))
            try await SavedPlanCheck.checkLiveObjects(plan, client: connection.makeClient())
        } else {
            var stage = PlanningStage(
                paths: parsed.positionals, connection: connection, prune: parsed.flag("prune"),
                colorMode: colorMode, environment: environment, maxDeletes: maxDeletes)
            try RevisionOptions.configure(&stage, parsed, connection: connection)
            let output = try await stage.run()
            plan = output.plan
            configuredTarget = stage.target
            if !output.violations.isEmpty, format == "human" {
                Terminal.output(
                    PlanCommand.render(
                        plan, format: "human",
                        color: Terminal.useColor(colorMode, descriptor: 1)))
            }
            try Guards.enforce(output.violations, target: stage.target?.name)
            for (key, value) in output.secretValues {
                let reference = SecretReference(
                    source: "literal", owner: key.owner.description, field: key.field)
                literals[reference] = value
            }
        }

        try RevisionOptions.requireClean(plan, parsed)
        let recording = try RevisionOptions.recording(
            parsed, connection: connection, configured: configuredTarget)

        let showColor = Terminal.useColor(colorMode, descriptor: 1)
        if plan.isEmpty {
            if format == "json" {
                Terminal.output(ApplyReport.json(plan: plan, result: nil))
            } else {
                Terminal.output(PlanCommand.render(plan, format: "human", color: showColor))
            }
            try recording.record(plan, result: nil)
            return .success
        }
        if format == "human" {
            Terminal.output(PlanCommand.render(plan, format: "human", color: showColor))
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
        try recording.record(plan, result: result)
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
