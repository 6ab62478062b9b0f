import ArgumentParsing
import Manifests

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
        let colorMode = try parsed.choice("color", from: ["auto", "always", "never"]) ?? "auto"
        let result = try ManifestStage.load(parsed.positionals, colorMode: colorMode)
        let desired = result.desired
        Terminal.output(
            "Valid: \(result.files.count) files, \(desired.domains.count) domains, "
                + "\(desired.customers.count) customers, \(desired.subscribers.count) "
                + "subscribers (\(DiagnosticRenderer.summary(of: result.diagnostics))).\n")
        return .success
    }
}
