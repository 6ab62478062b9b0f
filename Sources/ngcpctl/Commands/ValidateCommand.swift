import ArgumentParsing
import Foundation
import Manifests
import NGCPCore

/// `ngcpctl validate PATH...`: parses and checks manifests with no network access.
enum ValidateCommand {
    static let spec = CommandSpec(
        name: "ngcpctl validate", summary: "Check manifests without contacting NGCP.",
        positionalUsage: "PATH...",
        options: [
            .option("color", value: "WHEN", help: "Colour output: auto, always or never."),
            CommonOptions.target,
        ],
        discussion: "Exit status: 0 when the manifests are valid, 1 when they are not.")

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl validate PATH...")
        }
        let colorMode = try parsed.choice("color", from: ["auto", "always", "never"]) ?? "auto"
        let project = try ProjectStage.select(
            paths: parsed.positionals, targetName: parsed.value("target"), colorMode: colorMode)
        let result = try ManifestStage.load(
            parsed.positionals, options: project.manifestOptions(), colorMode: colorMode)
        let desired = result.desired
        let access = SecretAccessSetup.access(project: project, manifestPaths: parsed.positionals)
        let rejected = result.locatingSecretFields(checkSecretAccess(in: desired, access: access))
        if !rejected.isEmpty {
            ManifestStage.report(rejected, sources: result.sources, colorMode: colorMode)
            throw CommandFailure("the manifests name secrets that ngcpctl may not read")
        }

        // Validate often runs without the secrets (a CI job with no credentials), so a secret
        // that cannot be read is a warning here; plan and apply stop on it.
        let resolver = SecretResolver(
            environment: ProcessInfo.processInfo.environment, access: access)
        let secretProblems = result.locatingSecretFields(
            resolveSecrets(in: desired, resolver: resolver))
        let secretWarnings = secretProblems.map { problem in
            Diagnostic(
                .warning, problem.message, at: problem.location, fieldPath: problem.fieldPath,
                hint: problem.hint)
        }
        // Each warning alone: the summary line below counts them with the loader's.
        let renderer = DiagnosticRenderer(
            sources: result.sources, colored: Terminal.useColor(colorMode, descriptor: 2))
        for warning in secretWarnings { Terminal.error(renderer.render(warning)) }

        Terminal.output(
            "Valid: \(counted(result.files.count, "file")), "
                + "\(counted(desired.domains.count, "domain")), "
                + "\(counted(desired.customers.count, "customer")), "
                + "\(counted(desired.subscribers.count, "subscriber"))\(project.target.map { " for target \($0.name)" } ?? "") "
                + "(\(DiagnosticRenderer.summary(of: result.diagnostics + secretWarnings))).\n")
        return .success
    }

    /// `1 file`, `2 files`.
    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
