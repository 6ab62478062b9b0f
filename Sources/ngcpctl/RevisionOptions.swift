import Apply
import ArgumentParsing
import NGCPCore

/// The git options of `plan` and `apply`: `--rev`, `--allow-dirty`, prune's inventory and the
/// record of what was applied.
enum RevisionOptions {
    static let plan: [OptionSpec] = [
        .option(
            "rev", value: "REV",
            help: "Read the manifests from this git revision (commit, branch, tag) instead of "
                + "the working tree.")
    ]

    static let apply: [OptionSpec] =
        plan + [
            .flag(
                "allow-dirty",
                help: "Apply manifests that differ from their commit (uncommitted changes)."),
            .flag(
                "no-record",
                help: "Do not record the applied revision in git (for trial runs against a "
                    + "test server)."),
        ]

    /// Sets the stage's revision and, with `--prune`, the inventory of the revision last
    /// applied to the target. Without `--prune` it only looks up that revision, whose
    /// inventory the plan reads when it lists what prune would remove.
    static func configure(
        _ stage: inout PlanningStage, _ parsed: ParsedArguments, connection: Connection
    ) throws {
        stage.revision = parsed.value("rev")
        guard stage.prune else {
            // An invalid target name fails the commands that record or prune, not this one.
            if let target = try? targetName(stage.target, parsed, connection: connection) {
                stage.appliedRevision = PruneInventory.appliedRevision(
                    paths: stage.paths, target: target)
            }
            return
        }
        let target = try targetName(stage.target, parsed, connection: connection)
        stage.managedInventory = try PruneInventory.load(
            paths: stage.paths, target: target, colorMode: stage.colorMode,
            options: connection.project.manifestOptions())
    }

    /// Returns the target's name for records: ngcpctl.yaml's selected target, `--target`, or
    /// the URL's host and port.
    static func targetName(
        _ configured: TargetConfiguration?, _ parsed: ParsedArguments, connection: Connection
    ) throws -> String {
        try AppliedRecords.targetName(
            explicit: configured?.name ?? parsed.value("target"), url: connection.url)
    }

    /// Rejects a plan made from a dirty working tree unless `--allow-dirty` is given.
    static func requireClean(_ plan: Plan, _ parsed: ParsedArguments) throws {
        guard plan.source.dirty, !parsed.flag("allow-dirty") else { return }
        let files = plan.source.dirtyFiles
        let listed = files.shortList(limit: 10)
        throw CommandFailure(
            "not applying: the manifests differ from commit "
                + "\(plan.source.revision.map { String($0.prefix(12)) } ?? "(none)") "
                + "(\(listed)); commit them, or pass --allow-dirty to apply them anyway",
            exitCode: .blocked)
    }

    static func recording(
        _ parsed: ParsedArguments, connection: Connection, configured: TargetConfiguration? = nil
    ) throws -> ApplyRecorder {
        ApplyRecorder(
            target: try targetName(configured, parsed, connection: connection),
            searchPath: parsed.positionals.first ?? ".", enabled: !parsed.flag("no-record"))
    }
}

/// Writes the applied-revision record once the executor has run.
struct ApplyRecorder {
    let target: String
    let searchPath: String
    let enabled: Bool

    /// Records `plan` as applied; `result` is nil when the plan had nothing to do. An apply
    /// that stopped before changing anything is not recorded.
    func record(_ plan: Plan, result: ApplyResult?) throws {
        guard enabled else { return }
        if let result, ApplyReport.exitCode(result) == .failure { return }
        try ApplyRecording.record(
            plan: plan, result: result, target: target, searchPath: searchPath)
    }
}
