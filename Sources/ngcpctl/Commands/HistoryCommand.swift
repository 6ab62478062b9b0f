import ArgumentParsing
import Foundation
import NGCPCore

/// `ngcpctl history`: the applied revisions recorded in git notes, newest first.
enum HistoryCommand {
    static let spec = CommandSpec(
        name: "ngcpctl history",
        summary: "List the revisions applied to each target, newest first, from the git notes "
            + "under refs/notes/ngcpctl. Nothing is sent to NGCP.",
        positionalUsage: "[PATH]",
        options: [
            .option("target", value: "NAME", help: "Only this target."),
            .option("format", value: "FORMAT", help: "human or json (default human)."),
        ],
        discussion: """
            PATH is any path inside the manifest repository (default: the current
            directory). In a fresh clone, fetch the records first:
            git fetch origin '+refs/notes/ngcpctl:refs/notes/ngcpctl' \\
              '+refs/ngcpctl/*:refs/ngcpctl/*'
            """)

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard parsed.positionals.count <= 1 else {
            throw UsageError("history takes at most one PATH; usage: ngcpctl history [PATH]")
        }
        let format = try parsed.choice("format", from: ["human", "json"]) ?? "human"
        let repository = try RevisionRepository.open(
            containing: parsed.positionals.first ?? ".", purpose: "history")
        let records: [AppliedRecord]
        let current: [String: String]
        do {
            records = try AppliedRecords.history(
                in: repository.repository, target: parsed.value("target"))
            var heads: [String: String] = [:]
            for name in try repository.repository.references(
                withPrefix: AppliedRecords.appliedPrefix)
            {
                heads[String(name.dropFirst(AppliedRecords.appliedPrefix.count))] =
                    try repository.repository.referenceTarget(name)
            }
            current = heads
        } catch {
            throw CommandFailure("cannot read the applied-revision records: \(error)")
        }

        if format == "json" {
            let items: [JSONValue] = records.map { record in
                guard case .object(var members) = record.jsonValue else { return .null }
                members["commit"] = .string(record.commit)
                members["current"] = .bool(current[record.target] == record.commit)
                return .object(members)
            }
            Terminal.output(JSONValue.array(items).serialized(pretty: true) + "\n")
            return .success
        }
        if records.isEmpty {
            Terminal.output(
                "No applied revisions recorded"
                    + (parsed.value("target").map { " for target '\($0)'" } ?? "")
                    + ". Records are fetched with: git fetch origin "
                    + "\(AppliedRecords.fetchRefspecs)\n")
            return .success
        }
        for record in records {
            Terminal.output(line(record, current: current[record.target] == record.commit))
        }
        return .success
    }

    private static func line(_ record: AppliedRecord, current: Bool) -> String {
        let counts = Outcome.allCases.map(\.rawValue).compactMap { name in
            record.outcomes[name].flatMap { $0 > 0 ? "\($0) \(name)" : nil }
        }
        var flags: [String] = []
        if current { flags.append("current") }
        if !record.succeeded { flags.append("incomplete") }
        if record.dirty { flags.append("dirty") }
        let summary = counts.isEmpty ? "no changes" : counts.joined(separator: ", ")
        let marks = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "\(record.time)  \(record.target)  \(record.commit.prefix(12))  \(summary)"
            + "  plan sha256:\(record.planDigest.prefix(16))\(marks)\n"
    }
}
