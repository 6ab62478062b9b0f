import ArgumentParsing
import Foundation
import LiveState
import NGCPClient
import NGCPCore
import Planning

/// `ngcpctl drift PATH...`: compares the live state with the revision last applied to the
/// target and reports, per object, whether git, the server or both changed since. It writes
/// nothing.
enum DriftCommand {
    static let spec = CommandSpec(
        name: "ngcpctl drift",
        summary: "Compare the live state with the manifests of the revision last applied to "
            + "the target, and classify each difference as changed in git, changed on the "
            + "server, or both. Nothing is written to NGCP or to git.",
        positionalUsage: "PATH...",
        options: CommonOptions.connection + [
            .option(
                "rev", value: "REV",
                help: "Compare against this revision instead of the target's applied one."),
            .option("format", value: "FORMAT", help: "human or json (default human)."),
        ] + CommonOptions.output,
        discussion: """
            The applied revision is read from refs/ngcpctl/applied/<target>, which apply
            writes. "Changed in git" means HEAD declares the object differently from the
            applied revision; "changed on the server" means the live object no longer
            matches the applied revision. Exit status: 0 in sync, 2 drift, 1 error, 5 a
            transient failure worth retrying.
            """)

    enum Origin: String {
        case git = "changed in git"
        case server = "changed on the server"
        case both = "changed in git and on the server"
    }

    struct Finding {
        let id: ResourceID
        let origin: Origin
        /// The differing fields as `before → after` (each side's since the applied revision),
        /// or operation summaries, for the reader.
        let details: [String]
        /// The change in git from the applied revision to HEAD, or nil when git left it alone.
        var gitChange: DesiredStateDiff.Change? = nil
        /// The same differences as `details`, one JSON object each, for scripts.
        var fields: [JSONValue] = []
    }

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard !parsed.positionals.isEmpty else {
            throw UsageError("missing manifest path; usage: ngcpctl drift PATH...")
        }
        let format = try parsed.choice("format", from: ["human", "json"]) ?? "human"
        let colorMode = try CommonOptions.colorMode(parsed)
        let environment = ProcessInfo.processInfo.environment
        let connection = try Connection(parsed, environment: environment)
        let paths = parsed.positionals

        // 1. The applied revision and HEAD, both read from git objects.
        let repository = try RevisionRepository.open(containing: paths[0], purpose: "drift")
        let target = try AppliedRecords.targetName(
            explicit: connection.target?.name ?? parsed.value("target"), url: connection.url)
        let appliedRevision: String
        if let revision = parsed.value("rev") {
            appliedRevision = revision
        } else if let commit = try AppliedRecords.appliedCommit(
            target: target, in: repository.repository)
        {
            appliedRevision = commit
        } else {
            throw CommandFailure(
                "no applied revision is recorded for target '\(target)' "
                    + "(\(AppliedRecords.reference(for: target)) is missing); fetch the records "
                    + "with 'git fetch origin \(AppliedRecords.fetchRefspecs)', or pass --rev REV")
        }
        let options = connection.project.manifestOptions()
        // Only HEAD's warnings are printed, so that a warning of both revisions shows once.
        let applied = try RevisionManifests.load(
            paths, revision: appliedRevision,
            purpose: "drift (the revision applied to '\(target)')", colorMode: colorMode,
            options: options, quietUnlessErrors: true)
        let head = try RevisionManifests.load(
            paths, revision: "HEAD", purpose: "drift", colorMode: colorMode, options: options)

        // 2. Live state, read like plan reads it.
        let client = connection.makeClient()
        let reader = LiveStateReader(client: client, logger: connection.logger)
        var live: LiveState
        do {
            live = try await reader.read()
            let blocks = Planner.managedBlocks(desired: applied.result.desired, live: live)
            try await reader.readSubscriberBlocks(
                forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)
        } catch let error as NGCPAPIError {
            throw CommandFailure(
                "cannot read the live state from \(connection.url): \(error)",
                exitCode: error.isTransient ? .transient : .failure)
        }

        // 3. Server side: what a plan of the applied revision would change, with the selected
        // target's ignore rules. Secrets are not resolved, so a changed SIP password on the
        // server is not detected.
        let ignoreRules = try Guards.ignoreRules(connection.target)
        let serverPlan: Plan
        do {
            serverPlan = try Planner.plan(
                desired: applied.result.desired, live: live,
                options: PlannerOptions(
                    ignoreRules: ignoreRules, source: PlanSource(revision: applied.commit),
                    target: connection.url))
        } catch {
            // A default of the revision's ngcpctl.yaml that the target lacks is one problem
            // at that file's line, as in a plan of the revision.
            let (settingDiagnostics, objectProblems) = PlanningStage.settingProblems(
                error.problems, project: applied.project)
            var sources = applied.result.sources
            if !settingDiagnostics.isEmpty, let file = applied.project.file {
                sources[file.path] = file.text
            }
            ManifestStage.report(
                settingDiagnostics + objectProblems.map(\.diagnostic), sources: sources,
                sourceReplacements: applied.result.sourceReplacements, colorMode: colorMode)
            // The summary line above counts the problems, so the closing line does not.
            throw CommandFailure(
                "cannot plan the applied revision \(applied.commit.prefix(12)) against "
                    + "\(connection.url), so drift was not checked. The errors above are in "
                    + "that revision's files: what they name is missing on the target now, "
                    + "so restore it there or apply a revision that does without it.")
        }

        // 4. Git side: the desired-state difference from the applied revision to HEAD.
        let gitDiff = DesiredStateDiff(from: applied.result.desired, to: head.result.desired)
        let findings = classify(serverPlan: serverPlan, gitDiff: gitDiff)

        let report = (target: target, applied: applied.commit, head: head.commit)
        if format == "json" {
            Terminal.output(json(findings, report).serialized(pretty: true) + "\n")
        } else {
            Terminal.output(human(findings, report))
        }
        return findings.isEmpty ? .success : .changesPresent
    }

    /// Returns the object that an operation belongs to: contacts belong to their customer,
    /// forwards and preferences to their subscriber.
    static func owner(_ id: ResourceID) -> ResourceID {
        switch id.kind {
        case .customercontacts: return ResourceID(.customers, id.name)
        case .callforwards, .subscriberpreferences: return ResourceID(.subscribers, id.name)
        default: return id
        }
    }

    static func classify(serverPlan: Plan, gitDiff: DesiredStateDiff) -> [Finding] {
        var server: [ResourceID: [String]] = [:]
        var serverFields: [ResourceID: [JSONValue]] = [:]
        for operation in serverPlan.operations {
            let summary = "\(operation.action.rawValue) \(operation.resource.rawValue)"
            let details =
                operation.changes.isEmpty
                ? [summary] : operation.changes.map { summary + ": " + serverChangeText($0) }
            let owner = owner(operation.resourceID)
            server[owner, default: []] += details
            serverFields[owner, default: []] += serverFieldJSON(operation)
        }

        var git: [ResourceID: [String]] = [:]
        var gitChanges: [ResourceID: DesiredStateDiff.Change] = [:]
        var gitFields: [ResourceID: [JSONValue]] = [:]
        for entry in gitDiff.entries {
            git[entry.id] =
                entry.change == .changed
                ? entry.fields.map { "git: " + gitFieldText($0) }
                : ["git: \(entry.change.rawValue)"]
            gitChanges[entry.id] = entry.change
            gitFields[entry.id] = entry.change == .changed ? entry.fields.map(gitFieldJSON) : []
        }

        return Set(server.keys).union(git.keys).sorted().map { id in
            let origin: Origin
            switch (git[id] != nil, server[id] != nil) {
            case (true, true): origin = .both
            case (false, true): origin = .server
            default: origin = .git
            }
            let details =
                (git[id] ?? []) + (server[id] ?? []).map { "server: " + $0 }
            return Finding(
                id: id, origin: origin, details: details, gitChange: gitChanges[id],
                fields: (gitFields[id] ?? []) + (serverFields[id] ?? []))
        }
    }

    /// Describes the field changes of a server-side operation as JSON objects, each running
    /// from the applied value to the live one like `serverChangeText`. An operation without
    /// field changes, such as a delete, gives one object without `path`.
    static func serverFieldJSON(_ operation: PlannedOperation) -> [JSONValue] {
        let base: [String: JSONValue] = [
            "origin": "server", "action": .string(operation.action.rawValue),
            "resource": .string(operation.resource.rawValue),
        ]
        guard !operation.changes.isEmpty else { return [.object(base)] }
        return operation.changes.map { change in
            var object = base
            object["path"] = .string(change.path)
            object["sensitive"] = .bool(change.sensitive)
            // The plan's `removed` on a sensitive change means that applying the revision would
            // remove the field, so the server gained it since the apply. It is left out
            // because it would read as the opposite here.
            if !change.sensitive {
                object["before"] = change.after ?? .null
                object["after"] = change.before ?? .null
            }
            return .object(object)
        }
    }

    /// Describes a field that changed from the applied revision to HEAD as a JSON object.
    static func gitFieldJSON(_ field: DesiredStateDiff.Field) -> JSONValue {
        var object: [String: JSONValue] = [
            "origin": "git", "path": .string(field.path), "sensitive": .bool(field.secret),
        ]
        if field.secret {
            if field.secretRemoved { object["removed"] = true }
        } else {
            object["before"] = field.before ?? .null
            object["after"] = field.after ?? .null
        }
        return .object(object)
    }

    /// Formats a field change of the server-side plan from the applied value to the live one,
    /// which is what changed on the server. The plan's own change runs the other way, from
    /// live to desired. A sensitive field shows no values and no direction.
    static func serverChangeText(_ change: FieldChange) -> String {
        let sinceApply = FieldChange(
            path: change.path, before: change.after, after: change.before,
            sensitive: change.sensitive, names: change.names)
        return FieldChangeText.line(sinceApply)
    }

    /// Formats a field that changed from the applied revision to HEAD.
    static func gitFieldText(_ field: DesiredStateDiff.Field) -> String {
        if field.secret { return field.secretText }
        return FieldChangeText.line(field.change)
    }

    private static func human(
        _ findings: [Finding], _ report: (target: String, applied: String, head: String)
    ) -> String {
        var text =
            "Target '\(report.target)': applied \(report.applied.prefix(12)), "
            + "HEAD \(report.head.prefix(12)).\n"
        if findings.isEmpty { return text + "In sync: no drift.\n" }
        for finding in findings {
            text += "\(finding.id): \(finding.origin.rawValue)\n"
            for detail in finding.details { text += "    \(detail)\n" }
        }
        let counts = [Origin.git, .server, .both].map { origin in
            "\(findings.filter { $0.origin == origin }.count) \(origin.rawValue)"
        }
        return text + "Drift: \(counts.joined(separator: ", ")).\n"
    }

    private static func json(
        _ findings: [Finding], _ report: (target: String, applied: String, head: String)
    ) -> JSONValue {
        let items: [JSONValue] = findings.map { finding in
            let origin: String
            switch finding.origin {
            case .git: origin = "git"
            case .server: origin = "server"
            case .both: origin = "both"
            }
            var item: [String: JSONValue] = [
                "id": .string(finding.id.description), "changed": .string(origin),
                "details": .array(finding.details.map { .string($0) }),
                "fields": .array(finding.fields),
            ]
            if let gitChange = finding.gitChange {
                item["git_change"] = .string(gitChange.rawValue)
            }
            return .object(item)
        }
        return [
            "target": .string(report.target), "applied_commit": .string(report.applied),
            "head_commit": .string(report.head), "in_sync": .bool(findings.isEmpty),
            "drift": .array(items),
        ]
    }
}
