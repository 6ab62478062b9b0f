import ArgumentParsing

/// `ngcpctl plan PATH...`: reads the live state and prints the ordered operations.
enum PlanCommand {
    static let spec = CommandSpec(
        name: "ngcpctl plan",
        summary: "Read the live state and print the operations that would make it match the "
            + "manifests.",
        positionalUsage: "PATH...",
        options: CommonOptions.connection + [
            .option("format", value: "FORMAT", help: "human, json or markdown (default human)."),
            .option(
                "out", value: "FILE",
                help: "Also save the plan as JSON for "
                    + "'apply --plan FILE'."),
            .flag(
                "detailed-exitcode",
                help: "Exit 0 with no changes, 2 with changes, 1 on "
                    + "error."),
            .flag("prune", help: "Remove managed objects that the manifests no longer declare."),
        ] + CommonOptions.output)

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl plan PATH...")
        }
        throw CommandFailure("plan is not wired yet")
    }
}
