import Apply
import Foundation
import GitSource
import Manifests
import NGCPCore
import Planning

/// One apply of one commit to one target, as stored in the commit's note.
struct AppliedRecord: Sendable, Hashable {
    var commit: String
    var target: String
    var url: String?
    /// When the apply finished, as ISO 8601 in UTC.
    var time: String
    /// SHA-256 of the plan JSON, the same bytes that 'plan --out' writes.
    var planDigest: String
    /// Outcome name (`created`, `failed`, ...) to count.
    var outcomes: [String: Int]
    var succeeded: Bool
    /// Whether the manifests differed from the commit when they were applied.
    var dirty: Bool

    var movesReference: Bool { succeeded && !dirty }

    var jsonValue: JSONValue {
        var counts: [String: JSONValue] = [:]
        for (name, count) in outcomes { counts[name] = .int(count) }
        return [
            "target": .string(target), "url": url.map { .string($0) } ?? .null,
            "time": .string(time), "plan_sha256": .string(planDigest),
            "outcomes": .object(counts), "succeeded": .bool(succeeded), "dirty": .bool(dirty),
        ]
    }

    init(
        commit: String, target: String, url: String?, time: String, planDigest: String,
        outcomes: [String: Int], succeeded: Bool, dirty: Bool
    ) {
        self.commit = commit
        self.target = target
        self.url = url
        self.time = time
        self.planDigest = planDigest
        self.outcomes = outcomes
        self.succeeded = succeeded
        self.dirty = dirty
    }

    /// Reads one entry of a note; nil when it lacks the target or the time.
    init?(commit: String, json: JSONValue) {
        guard let target = json["target"]?.stringValue, let time = json["time"]?.stringValue
        else { return nil }
        var outcomes: [String: Int] = [:]
        for (name, value) in json["outcomes"]?.objectValue ?? [:] {
            if let count = value.intValue { outcomes[name] = count }
        }
        self.init(
            commit: commit, target: target, url: json["url"]?.stringValue, time: time,
            planDigest: json["plan_sha256"]?.stringValue ?? "", outcomes: outcomes,
            succeeded: json["succeeded"]?.boolValue ?? false,
            dirty: json["dirty"]?.boolValue ?? false)
    }
}

/// The records of applied revisions: a JSON note per applied commit under `refs/notes/ngcpctl`
/// with one entry per target, and a reference per target under `refs/ngcpctl/applied/`
/// pointing at the last commit applied there.
enum AppliedRecords {
    static let notesRef = "refs/notes/ngcpctl"
    static let appliedPrefix = "refs/ngcpctl/applied/"
    /// The refspecs that bring the records into a clone.
    static let fetchRefspecs =
        "'+refs/notes/ngcpctl:refs/notes/ngcpctl' '+refs/ngcpctl/*:refs/ngcpctl/*'"

    static func reference(for target: String) -> String { appliedPrefix + target }

    /// Returns a reference-safe target name: `--target` or the target of ngcpctl.yaml when given,
    /// otherwise the URL's host and port, such as `ngcp.example.net-443`.
    static func targetName(explicit: String?, url: String) throws -> String {
        if let explicit {
            guard isValidTargetName(explicit) else {
                throw CommandFailure(
                    "invalid target name '\(explicit)': use letters, digits, '.', '_' and '-'")
            }
            return explicit
        }
        let components = URLComponents(string: url)
        let host = components?.host ?? "unknown"
        let port = components?.port ?? (components?.scheme == "http" ? 80 : 443)
        let raw = "\(host)-\(port)"
        let safe = String(
            raw.map { character in
                character.isLetter || character.isNumber || "._-".contains(character)
                    ? character : "-"
            })
        return safe.hasPrefix(".") ? "-" + safe.dropFirst() : safe
    }

    static func isValidTargetName(_ name: String) -> Bool {
        ProjectConfigurationLoader.isValidTargetName(name)
    }

    /// Writes `record` into its commit's note, replacing an earlier entry for the same target,
    /// and moves the target's reference when the apply succeeded from a clean working tree.
    static func write(_ record: AppliedRecord, in repository: GitRepository) throws {
        do {
            var entries = try entries(on: record.commit, in: repository).filter {
                $0.target != record.target
            }
            entries.append(record)
            entries.sort { $0.target < $1.target }
            let document: JSONValue = [
                "ngcpctl_applied": .array(entries.map(\.jsonValue))
            ]
            try repository.setNote(
                document.serialized(pretty: true) + "\n", on: record.commit, notesRef: notesRef)
            // Prune's inventory and drift read the reference, so it names only a commit whose
            // manifests the target fully matched. A dirty apply matches no commit, and after a
            // partial one the objects that the older revision declared may still be live.
            if record.movesReference {
                try repository.setReference(
                    reference(for: record.target), to: record.commit,
                    message: "ngcpctl apply to \(record.target)")
            }
        } catch {
            throw CommandFailure("cannot record the applied revision in git: \(error)")
        }
    }

    /// Returns the entries of the note on `commit`, or none when it has no ngcpctl note.
    static func entries(on commit: String, in repository: GitRepository) throws(GitError)
        -> [AppliedRecord]
    {
        guard let text = try repository.note(on: commit, notesRef: notesRef) else { return [] }
        return parse(text, commit: commit)
    }

    /// Returns every recorded apply, newest first, optionally of one target.
    static func history(in repository: GitRepository, target: String?) throws(GitError)
        -> [AppliedRecord]
    {
        var records: [AppliedRecord] = []
        for note in try repository.notes(notesRef: notesRef) {
            records += parse(note.text, commit: note.commit)
        }
        if let target { records = records.filter { $0.target == target } }
        return records.sorted { lhs, rhs in
            lhs.time != rhs.time ? lhs.time > rhs.time : lhs.target < rhs.target
        }
    }

    /// Returns the commit last applied to `target`, or nil when none is recorded.
    static func appliedCommit(target: String, in repository: GitRepository) throws -> String? {
        do {
            return try repository.referenceTarget(reference(for: target))
        } catch {
            throw CommandFailure("cannot read \(reference(for: target)): \(error)")
        }
    }

    private static func parse(_ text: String, commit: String) -> [AppliedRecord] {
        guard let document = try? JSONValue.parse(text),
            let entries = document["ngcpctl_applied"]?.arrayValue
        else { return [] }
        return entries.compactMap { AppliedRecord(commit: commit, json: $0) }
    }

    /// Returns the current time as ISO 8601 in UTC, to the second.
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// Recording an apply: the note and reference, after the executor has run.
enum ApplyRecording {
    /// Records `plan`'s revision as applied to `target`. Skips, with a message, when the plan
    /// has no revision or the current directory's repository lacks the commit.
    static func record(
        plan: Plan, result: ApplyResult?, target: String, searchPath: String
    ) throws {
        guard let commit = plan.source.revision else {
            Terminal.error(
                "note: the manifests are not in a git repository, so no applied revision is "
                    + "recorded\n")
            return
        }
        let repository: GitRepository
        do {
            guard let found = try GitRepository.discover(containing: searchPath),
                found.containsCommit(commit)
            else {
                Terminal.error(
                    "warning: commit \(commit) is not in the repository at '\(searchPath)', so "
                        + "the apply is not recorded\n")
                return
            }
            repository = found
        } catch {
            throw CommandFailure("cannot open the git repository to record the apply: \(error)")
        }

        var outcomes: [String: Int] = [:]
        for outcome in Outcome.allCases { outcomes[outcome.rawValue] = 0 }
        for (outcome, count) in result?.summary ?? [:] { outcomes[outcome.rawValue] = count }
        let planText = plan.jsonValue.serialized(pretty: true) + "\n"
        let record = AppliedRecord(
            commit: commit, target: target, url: plan.target, time: AppliedRecords.now(),
            planDigest: SHA256.hexHash(planText), outcomes: outcomes,
            succeeded: result?.succeeded ?? true, dirty: plan.source.dirty)
        try AppliedRecords.write(record, in: repository)
        let short = String(commit.prefix(12))
        if !record.movesReference {
            let reason = record.dirty ? "with uncommitted changes" : "incomplete"
            Terminal.error(
                "Recorded the apply of \(short) (\(reason)) to '\(target)' in "
                    + "\(AppliedRecords.notesRef); \(AppliedRecords.reference(for: target)) "
                    + "still names the last complete apply of a commit.\n")
        } else {
            Terminal.error(
                "Recorded \(short) as applied to '\(target)' "
                    + "(\(AppliedRecords.reference(for: target)), \(AppliedRecords.notesRef)).\n")
        }
    }
}
