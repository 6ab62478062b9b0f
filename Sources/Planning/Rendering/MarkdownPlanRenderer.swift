import NGCPCore

/// The pull request view of a plan: a heading with the counts, a summary table, and one section
/// per operation with its changes as a fenced `diff` block.
public struct MarkdownPlanRenderer: PlanRenderer {
    public init() {}

    public func render(_ plan: Plan) -> String {
        var lines = ["### ngcpctl plan", ""]
        var context: [String] = []
        if let target = plan.target {
            let url = PlanText.codeSpan(target)
            let text = plan.targetName.map { "\(PlanText.codeSpan($0)) (\(url))" } ?? url
            context.append("Target: \(text)")
        }
        if let revision = plan.source.revision {
            var text = "Source: \(PlanText.codeSpan(revision))"
            if let branch = plan.source.branch { text += " on \(PlanText.codeSpan(branch))" }
            if plan.source.dirty { text += " (with uncommitted changes)" }
            context.append(text)
        }
        if !context.isEmpty {
            lines.append(context.joined(separator: " · "))
            lines.append("")
        }

        guard !plan.isEmpty else {
            lines.append(PlanText.noChangesLine(plan))
            if let note = PlanText.notPrunedLine(plan) {
                lines += ["", PlanText.markdownText(note)]
            }
            if let note = PlanText.unmanagedLine(plan) {
                lines += ["", PlanText.markdownText(note)]
            }
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("**\(PlanText.countLine(plan))**")
        if let note = PlanText.notPrunedLine(plan) { lines += ["", PlanText.markdownText(note)] }
        if let note = PlanText.unmanagedLine(plan) { lines += ["", PlanText.markdownText(note)] }
        for warning in plan.warnings {
            lines += ["", "> [!WARNING]\n> \(PlanText.markdownText(warning.message))"]
        }
        let irreversible = plan.operations.filter(\.irreversible).count
        if irreversible > 0 {
            lines.append("")
            lines.append(
                "> [!CAUTION]\n> \(irreversible) irreversible operation"
                    + "\(irreversible == 1 ? "" : "s") in this plan.")
        }
        lines.append("")

        lines.append("| # | Action | Resource | Request |")
        lines.append("|---|---|---|---|")
        for operation in plan.operations {
            let flag = operation.irreversible ? " **irreversible**" : ""
            lines.append(
                "| \(operation.id) | \(PlanText.symbol(operation.action)) "
                    + "\(operation.action.rawValue)\(flag) | "
                    + PlanText.codeSpan(operation.resourceID.description, inTable: true) + " | "
                    + PlanText.codeSpan(
                        "\(operation.method.rawValue) \(operation.path)", inTable: true)
                    + " |")
        }

        let created = PlanText.createdNames(plan)
        for operation in plan.operations {
            lines.append("")
            lines += section(operation, created: created)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func section(_ operation: PlannedOperation, created: [Int: String]) -> [String] {
        var lines = [
            "#### \(operation.id). \(operation.action.rawValue) "
                + PlanText.codeSpan(operation.resourceID.description),
            "",
            PlanText.codeSpan("\(operation.method.rawValue) \(operation.path)")
                + (operation.dependsOn.isEmpty
                    ? ""
                    : " · after " + operation.dependsOn.map { "#\($0)" }.joined(separator: ", ")),
        ]
        if let reason = operation.reason.map(PlanText.markdownText) {
            lines.append("")
            lines.append(operation.irreversible ? "**Irreversible:** \(reason)" : "_\(reason)_")
        }
        guard !operation.changes.isEmpty else { return lines }

        lines.append("")
        lines.append("```diff")
        for change in operation.changes {
            // A removed secret takes the lines of any other removal, and other secret changes
            // a line of their own, since there is no value to show before or after.
            if change.sensitive && change.removed {
                lines.append("- \(PlanText.printable(change.path)): \(PlanText.sensitive)")
                lines.append("+ \(PlanText.printable(change.path)): \(PlanText.absent)")
                continue
            }
            if change.sensitive {
                lines.append("! \(PlanText.printable(change.path)): \(PlanText.sensitive)")
                continue
            }
            let path = PlanText.printable(change.path)
            if let before = change.before {
                let text = PlanText.value(before, names: change.names, created: created)
                lines.append("- \(path): \(text)")
            }
            if let after = change.after {
                let text = PlanText.value(after, names: change.names, created: created)
                lines.append("+ \(path): \(text)")
            } else if operation.action == .update {
                lines.append("+ \(PlanText.printable(change.path)): \(PlanText.absent)")
            }
        }
        lines.append("```")
        return lines
    }
}
