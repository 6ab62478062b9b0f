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
            paths: parsed.positionals, targetName: parsed.value("target"), colorMode: colorMode,
            checksCAFile: true)
        let access = SecretAccessSetup.access(project: project, manifestPaths: parsed.positionals)
        // Validate often runs without the secrets (a CI job with no credentials), so a secret
        // that cannot be read is a warning here, while plan and apply stop on it. A secret
        // that the access rules forbid is an error everywhere.
        let resolver = SecretResolver(
            environment: ProcessInfo.processInfo.environment, access: access)
        var secretDiagnostics: [Diagnostic] = []
        let result = try ManifestStage.load(
            parsed.positionals, options: project.manifestOptions(), colorMode: colorMode,
            contactsServer: false
        ) { result in
            secretDiagnostics = secretProblems(
                in: result.secretOwners, access: access, resolver: resolver)
            return secretDiagnostics
        }
        let desired = result.desired

        let target = project.target.map { " for target \($0.name)" } ?? ""
        let diagnostics = project.warnings + result.diagnostics + secretDiagnostics
        Terminal.output(
            "Valid: \(counted(result.files.count, "file")), "
                + "\(counted(desired.domains.count, "domain")), "
                + "\(counted(desired.customers.count, "customer")), "
                + "\(counted(desired.subscribers.count, "subscriber"))\(target) "
                + "(\(DiagnosticRenderer.summary(of: diagnostics))).\n"
        )
        return .success
    }

    /// Returns an error for each secret that the access rules forbid, and a warning for each
    /// other secret that cannot be read here.
    private static func secretProblems(
        in desired: DesiredState, access: SecretAccess, resolver: SecretResolver
    ) -> [Diagnostic] {
        let rejected = checkSecretAccess(in: desired, access: access)
        func field(_ diagnostic: Diagnostic) -> String {
            "\(diagnostic.location?.description ?? "") \(diagnostic.fieldPath ?? "")"
        }
        // A forbidden secret is not reported as unreadable too.
        let rejectedFields = Set(rejected.map(field))
        let unreadable = resolveSecrets(in: desired, resolver: resolver)
            .filter { !rejectedFields.contains(field($0)) }
            .map { problem in
                Diagnostic(
                    .warning, problem.message, at: problem.location,
                    fieldPath: problem.fieldPath, hint: problem.hint)
            }
        return rejected + unreadable
    }

    /// `1 file`, `2 files`.
    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
