import ArgumentParsing

/// `ngcpctl validate PATH...`: parses and checks manifests with no network access.
enum ValidateCommand {
    static let spec = CommandSpec(
        name: "ngcpctl validate", summary: "Check manifests without contacting NGCP.",
        positionalUsage: "PATH...",
        options: [
            .option("color", value: "WHEN", help: "Colour output: auto, always or never.")
        ],
        discussion: "Exit status: 0 when the manifests are valid, 1 when they are not.")

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl validate PATH...")
        }
        throw CommandFailure("validate is not wired yet")
    }
}
