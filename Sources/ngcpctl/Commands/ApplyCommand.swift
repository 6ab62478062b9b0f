import Apply
import ArgumentParsing
import Foundation
import Manifests
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
            CommonOptions.setWebPasswords,
            .option("format", value: "FORMAT", help: "human or json result (default human)."),
            .option(
                "max-deletes", value: "N",
                help: "Block a plan that deletes more than N subscribers (overrides the "
                    + "target's guard)."),
            .option(
                "parallelism", value: "N",
                help: "Operations in flight at once, 1-32 (default \(defaultParallelism))."),
            .flag("keep-going", help: "After a failure, run what does not depend on it."),
            CommonOptions.journal,
            .option(
                "lock", value: "MODE",
                help: "none, local (this machine) or server (on the target); default local."),
            .flag("no-verify", help: "Do not read written objects back to compare them."),
        ] + RevisionOptions.apply + CommonOptions.policy + CommonOptions.output,
        discussion: """
            Without --auto-approve, apply shows the plan and asks for confirmation on a
            terminal, and stops when there is no terminal. Each operation is journalled
            before it is sent; after a crash or interrupt, run the same command again and it
            continues from the live state. Exit status: 0 when every operation succeeded,
            1 on an error before any change, 3 when another apply holds the lock, a guard
            blocks the plan or a saved plan is stale, 4 when the apply stopped part way or a
            write's outcome is unknown, 5 on a transient failure. The API password is read
            from NGCP_PASSWORD.
            """)

    /// Measured against the emulator with NGCP-like latency; see docs/apply.md.
    static let defaultParallelism = 2

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
        if planPath != nil, parsed.flag("set-webpasswords") {
            throw UsageError(
                "--set-webpasswords belongs to the 'plan --out' run that made the saved plan")
        }
        let format = try parsed.choice("format", from: ["human", "json"]) ?? "human"
        // Checked here so that a bad value is a usage error before the lock is taken.
        _ = try parsed.integer("max-deletes", range: 0...1_000_000)
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)
        let parallelism = try parsed.integer("parallelism", range: 1...32) ?? defaultParallelism
        let lockMode =
            try parsed.choice("lock", from: LockMode.allCases.map(\.rawValue)).flatMap(
                LockMode.init(rawValue:)) ?? LockMode.defaultMode

        // The lock is taken before the live state is read, so the plan cannot go stale
        // because of another apply.
        let locks = try await HeldLocks.acquire(
            lockMode, target: connection.url, client: connection.makeClient())
        let interruption = Interruption(locks: locks)
        let trap = SignalTrap(interruption)
        defer { trap.remove() }
        do {
            let code = try await lockedRun(
                parsed, connection: connection, environment: environment, format: format,
                colorMode: colorMode, planPath: planPath, parallelism: parallelism,
                interruption: interruption)
            await locks.release()
            return code
        } catch {
            await locks.release()
            throw error
        }
    }

    /// Rejects a saved plan made for another server or another target of ngcpctl.yaml, with
    /// the fix for each case: the plan's records and guards belong to its own target.
    private static func checkTarget(of plan: Plan, path: String, connection: Connection) throws {
        let selected = connection.target?.name
        if let target = plan.target, target != connection.url {
            let planTarget = plan.targetName.map { "target '\($0)' (\(target))" } ?? target
            let advice: String
            if let name = plan.targetName, name == selected {
                // The selected target's own URL still matches: --url or NGCP_URL changed it.
                let configured = connection.target?.url.map(APIURL.normalized)
                advice =
                    configured == target
                    ? "the URL comes from --url or NGCP_URL; drop it, or pass --target \(name)"
                    : "the target '\(name)' now has another URL; plan again"
            } else if let name = plan.targetName {
                advice = "pass --target \(name), or plan again against this target"
            } else {
                advice = "plan again against this target"
            }
            throw CommandFailure(
                "the plan in '\(path)' was made for \(planTarget), not \(connection.url); \(advice)"
            )
        }
        if let name = plan.targetName, let selected, name != selected {
            throw CommandFailure(
                "the plan in '\(path)' was made for target '\(name)', not '\(selected)', "
                    + "whose guards and records would apply; pass --target \(name)")
        }
    }

    private static func lockedRun(
        _ parsed: ParsedArguments, connection: Connection, environment: [String: String],
        format: String, colorMode: String, planPath: String?, parallelism: Int,
        interruption: Interruption
    ) async throws -> ExitCode {
        let journalPath = JournalLocation.path(
            option: parsed.value("journal"), manifestPaths: parsed.positionals,
            target: connection.url)
        let recovery = try ApplyJournal.read(path: journalPath)
        if recovery.hasUnfinishedRun {
            Terminal.error(
                "Resuming: the journal \(journalPath) records an apply that did not finish"
                    + (recovery.unfinished.isEmpty
                        ? "" : " (in flight: \(recovery.unfinished.map(\.description)))")
                    + "; the live state is read again and objects it created are adopted.\n")
        }
        // Before planning, so that the plan compares the web passwords that a killed run
        // sent but did not get to record.
        recordJournalledWebPasswords(
            recovery, connection: connection, manifestPaths: parsed.positionals)

        let maxDeletes = try parsed.integer("max-deletes", range: 0...1_000_000)

        // The plan: from the manifests now, or exactly as saved.
        var plan: Plan
        var policyResult = PolicyResult()
        var guardViolations: [GuardViolation] = []
        var targetName: String?
        var literals: [SecretReference: SecretValue] = [:]
        var configuredTarget: TargetConfiguration? = nil
        let resolver = SecretAccessSetup.resolver(
            connection: connection, environment: environment, manifestPaths: parsed.positionals)
        if let planPath {
            plan = try PlanFile.read(planPath)
            try Self.checkTarget(of: plan, path: planPath, connection: connection)
            // The plan must still fit: same secrets, and no touched object changed since.
            try SavedPlanCheck.checkSecrets(plan, connection: connection, resolver: resolver)
            try await SavedPlanCheck.checkLiveObjects(plan, client: connection.makeClient())
            targetName = connection.target?.name
            // Recorded under the selected target's name, as an apply from manifests is.
            configuredTarget = connection.target
            guardViolations = SavedPlanPolicy.guardViolations(
                plan, target: connection.target, maxDeletes: maxDeletes)
            policyResult = try SavedPlanPolicy.check(
                plan, stage: CommonOptions.policyStage(parsed, colorMode: colorMode),
                target: targetName, resolver: resolver)
        } else {
            var stage = PlanningStage(
                paths: parsed.positionals, connection: connection, prune: parsed.flag("prune"),
                colorMode: colorMode, environment: environment)
            stage.maxDeletes = maxDeletes
            stage.policies = CommonOptions.policyStage(parsed, colorMode: colorMode)
            stage.interruptedContacts = recovery.createdContacts
            stage.interruptedWebPasswords = recovery.webPasswordChanges
            stage.sendUnrecordedWebPasswords = parsed.flag("set-webpasswords")
            try RevisionOptions.configure(&stage, parsed, connection: connection)
            let output = try await stage.run()
            plan = output.plan
            policyResult = output.policyResult
            guardViolations = output.violations
            targetName = stage.target?.name
            configuredTarget = stage.target
            for (key, value) in output.secretValues {
                let reference = SecretReference(
                    source: "literal", owner: key.owner.description, field: key.field)
                literals[reference] = value
            }
        }

        // The server lock is a domain that a prune of unused domains would remove.
        plan.operations.removeAll(where: ServerTargetLock.isLockObject)
        plan.notPruned.removeAll(where: ServerTargetLock.isLockObject)
        try RevisionOptions.requireClean(plan, parsed)
        let recording = try RevisionOptions.recording(
            parsed, connection: connection, configured: configuredTarget)

        let showColor = Terminal.useColor(colorMode, descriptor: 1)
        let leftovers = JournalLeftovers(recovery: recovery, plan: plan)
        if plan.isEmpty {
            leftovers.finish(journal: nil, path: journalPath, recovery: recovery)
            if format == "json" {
                Terminal.output(ApplyReport.json(plan: plan, result: nil))
            } else {
                Terminal.output(PlanCommand.render(plan, format: "human", color: showColor))
            }
            try recording.record(plan, result: nil)
            return .success
        }
        if format == "human" {
            Terminal.output(
                PlanCommand.render(
                    plan, format: "human", color: showColor, policyResult: policyResult))
        }
        try Guards.enforce(guardViolations, target: targetName)
        let strict = PlanCommand.warningsAsErrors(parsed, target: connection.target)
        if policyResult.blocks(warningsAsErrors: strict) {
            throw CommandFailure(
                "not applying: the plan is blocked by policy: "
                    + PlanCommand.policyBlockers(policyResult, warningsAsErrors: strict)
                    .joined(separator: ", "),
                exitCode: .blocked)
        }
        try confirm(plan, target: connection.url, autoApprove: parsed.flag("auto-approve"))

        // Execution, with one progress line per finished operation on standard error.
        let journal = try ApplyJournal(path: journalPath)
        await journal.begin(
            target: connection.url, operations: plan.operations.count,
            revision: plan.source.revision,
            webPasswordKeyCheck: SecretDigest.keyCheck(key: webPasswordKey(connection)))
        let progress = ApplyProgress(
            total: plan.operations.count, live: Terminal.standardErrorIsTerminal)
        let stop = interruption.stop
        let executor = PlanExecutor(
            client: connection.makeClient(),
            secrets: PlanSecrets(
                resolver: resolver, literals: literals),
            options: PlanExecutor.Options(
                parallelism: parallelism, keepGoing: parsed.flag("keep-going"),
                recovery: recovery, verifyWrites: !parsed.flag("no-verify")),
            logger: connection.logger, journal: journal, stop: stop,
            progress: { event in progress.report(event) })
        let planToRun = plan
        let result = await interruption.execute {
            Task { [executor] in await executor.execute(planToRun) }
        }
        progress.clear()

        await journal.end(succeeded: result.succeeded, interrupted: result.interrupted)
        if result.succeeded {
            leftovers.finish(journal: journal, path: journalPath, recovery: recovery)
        }
        recordWebPasswords(
            plan, result: result, connection: connection, manifestPaths: parsed.positionals)

        if format == "json" {
            Terminal.output(ApplyReport.json(plan: plan, result: result))
        }
        Terminal.error(ApplyReport.summary(result, journal: journalPath))
        try recording.record(plan, result: result)
        return ApplyReport.exitCode(result)
    }

    /// Records the digests of the web passwords that the apply sent, for the next plan to
    /// compare. A failure is a warning: the apply itself is done, and the next plan sends a
    /// web password whose digest it cannot find again, or notes that it cannot compare it.
    private static func recordWebPasswords(
        _ plan: Plan, result: ApplyResult, connection: Connection, manifestPaths: [String]
    ) {
        guard plan.operations.contains(where: { $0.resource == .subscribers }) else { return }
        let path = WebPasswordRecordLocation.path(
            manifestPaths: manifestPaths, target: connection.url)
        do {
            try WebPasswordRecordFile.update(
                path: path, keyCheck: SecretDigest.keyCheck(key: webPasswordKey(connection)),
                plan: plan, result: result)
        } catch {
            Terminal.error("warning: the web password records were not updated: \(error)\n")
        }
    }

    /// Records the digests of the web passwords that the runs in the journal sent. Replaying
    /// them again is harmless, because each subscriber's last change decides its entry, so
    /// a run killed while it resumes is resumed the same way. A failure is a warning: the
    /// plan still folds the changes in, and the next apply tries again.
    private static func recordJournalledWebPasswords(
        _ recovery: ApplyJournal.Recovery, connection: Connection, manifestPaths: [String]
    ) {
        guard !recovery.webPasswordChanges.isEmpty else { return }
        let path = WebPasswordRecordLocation.path(
            manifestPaths: manifestPaths, target: connection.url)
        do {
            try WebPasswordRecordFile.update(
                path: path, keyCheck: SecretDigest.keyCheck(key: webPasswordKey(connection)),
                changes: recovery.webPasswordChanges)
        } catch {
            Terminal.error(
                "warning: the web password records were not updated from the journal: "
                    + "\(error)\n")
        }
    }

    /// Returns the key of the web password digests for the API credentials and target.
    private static func webPasswordKey(_ connection: Connection) -> [UInt8] {
        SecretDigest.key(
            apiUser: connection.user, apiPassword: connection.password, target: connection.url)
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
