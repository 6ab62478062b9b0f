import ArgumentParsing
import Foundation
import NGCPCore

/// `ngcpctl changes --from REV --to REV PATH...`: the desired-state difference between two
/// revisions, from the manifests alone.
enum ChangesCommand {
    static let spec = CommandSpec(
        name: "ngcpctl changes",
        summary: "Show what the manifests' desired state gains, loses and changes between two "
            + "git revisions: objects added, removed and changed field by field. NGCP is not "
            + "contacted.",
        positionalUsage: "PATH...",
        options: [
            .option("from", value: "REV", help: "The older revision (for example origin/main)."),
            .option("to", value: "REV", help: "The newer revision (default HEAD)."),
            .option(
                "format", value: "FORMAT",
                help: "human, json or markdown (default human); markdown suits a pull request "
                    + "comment."),
            .option("color", value: "WHEN", help: "Colour diagnostics: auto, always or never."),
            CommonOptions.target,
        ],
        discussion: """
            Secret values never appear: a changed {env:} or {file:} reference or literal
            password shows only as "secret reference changed". Warnings are printed for the
            --to revision only. Exit status: 0 on success
            (with or without changes), 1 when a revision is missing or its manifests are
            invalid.
            """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl changes --from REV PATH...")
        }
        guard let from = parsed.value("from") else {
            throw UsageError("missing --from REV, the revision to compare against")
        }
        let to = parsed.value("to") ?? "HEAD"
        let format = try parsed.choice("format", from: ["human", "json", "markdown"]) ?? "human"
        let colorMode = try CommonOptions.colorMode(parsed)

        // The target's defaults (its billing profile, its reseller) complete the documents,
        // as they do for validate and plan.
        let project = try ProjectStage.select(
            paths: parsed.positionals, targetName: parsed.value("target"), colorMode: colorMode)
        // Only the newer revision's warnings are printed, because that is the state being
        // reviewed, and a warning that both revisions share would otherwise appear twice.
        // Errors in the older revision still stop the command, with all its diagnostics.
        let old = try RevisionManifests.load(
            parsed.positionals, revision: from, purpose: "changes --from", colorMode: colorMode,
            options: project.manifestOptions(), quietUnlessErrors: true)
        let new = try RevisionManifests.load(
            parsed.positionals, revision: to, purpose: "changes --to", colorMode: colorMode,
            options: project.manifestOptions())
        let diff = DesiredStateDiff(from: old.result.desired, to: new.result.desired)
        Terminal.output(
            DesiredStateDiffRenderer.render(
                diff, from: (from, old.commit), to: (to, new.commit), format: format))
        return .success
    }
}
