import ArgumentParsing

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
        ] + CommonOptions.output)

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        if parsed.value("plan") == nil, parsed.positionals.isEmpty {
            throw UsageError("missing manifest path or --plan FILE; usage: ngcpctl apply PATH...")
        }
        throw CommandFailure("apply is not wired yet")
    }
}
