import NGCPCore

/// The terminal view of a plan: one block per operation with its symbol, natural key, request
/// line and field changes, irreversible operations flagged, and a final count line.
///
/// ```
///   1 + create domains/example.org
///         POST /api/domains/
///           domain: "example.org"
///           reseller_id: 1 (default)
///
/// Plan: 1 to create, 0 to update, 0 to delete.
/// ```
///
/// An id of an object whose name the plan records shows the name after the id, as
/// `PlanText.value(_:names:created:)` formats it.
public struct HumanPlanRenderer: PlanRenderer {
    /// Whether to use ANSI colours: green for create, yellow for update, red for delete.
    public var color: Bool

    public init(color: Bool = false) {
        self.color = color
    }

    public func render(_ plan: Plan) -> String {
        var lines: [String] = []
        if let target = plan.target {
            let url = PlanText.printable(target)
            let text = plan.targetName.map { "\(PlanText.printable($0)) (\(url))" } ?? url
            lines.append("Target: \(text)")
        }
        if let revision = plan.source.revision {
            var line = "Source: \(PlanText.printable(revision))"
            if let branch = plan.source.branch { line += " (\(PlanText.printable(branch)))" }
            if plan.source.dirty {
                line += ", with uncommitted changes in \(plan.source.dirtyFiles.count) file(s)"
            }
            lines.append(line)
        }
        if !lines.isEmpty { lines.append("") }

        guard !plan.isEmpty else {
            lines.append(PlanText.noChangesLine(plan))
            if let note = PlanText.notPrunedLine(plan) { lines.append(PlanText.printable(note)) }
            if let note = PlanText.unmanagedLine(plan) { lines.append(PlanText.printable(note)) }
            return lines.joined(separator: "\n") + "\n"
        }

        lines.append("ngcpctl will perform these operations, in this order:")
        lines.append("")
        let width = String(plan.operations.count).count
        let created = PlanText.createdNames(plan)
        for operation in plan.operations {
            lines += block(operation, width: width, created: created)
            lines.append("")
        }

        for warning in plan.warnings {
            lines.append(paint("Warning: ", .boldYellow) + PlanText.printable(warning.message))
        }
        let irreversible = plan.operations.filter(\.irreversible).count
        if irreversible > 0 {
            let noun = irreversible == 1 ? "operation" : "operations"
            lines.append(paint("!! \(irreversible) irreversible \(noun) in this plan.", .boldRed))
        }
        if let note = PlanText.notPrunedLine(plan) { lines.append(PlanText.printable(note)) }
        if let note = PlanText.unmanagedLine(plan) { lines.append(PlanText.printable(note)) }
        lines.append(paint(PlanText.countLine(plan), .bold))
        return lines.joined(separator: "\n") + "\n"
    }

    private func block(_ operation: PlannedOperation, width: Int, created: [Int: String])
        -> [String]
    {
        let number = String(operation.id)
        let padding = String(repeating: " ", count: width - number.count)
        let symbol = PlanText.symbol(operation.action)
        var header = "  \(padding)\(number) \(symbol) \(operation.action.rawValue) "
        header += PlanText.printable(operation.resourceID.description)
        var lines = [paint(header, style(operation.action))]
        if operation.irreversible {
            lines[0] += " " + paint("[IRREVERSIBLE]", .boldRed)
        }

        let indent = "  " + String(repeating: " ", count: width) + "     "
        lines.append(indent + "\(operation.method.rawValue) \(PlanText.printable(operation.path))")
        if let liveID = operation.liveID { lines.append(indent + "live id: \(liveID)") }
        if !operation.dependsOn.isEmpty {
            let list = operation.dependsOn.map(String.init).joined(separator: ", ")
            lines.append(indent + "after: \(list)")
        }
        if let reason = operation.reason {
            let text = "# \(PlanText.printable(reason))"
            lines.append(indent + (operation.irreversible ? paint(text, .boldRed) : text))
        }
        for change in operation.changes {
            let line = PlanText.change(change, action: operation.action, created: created)
            lines.append(indent + "  " + PlanText.printable(line))
        }
        return lines
    }

    private enum Style: String {
        case green = "32"
        case yellow = "33"
        case red = "31"
        case bold = "1"
        case boldRed = "1;31"
        case boldYellow = "1;33"
    }

    private func style(_ action: PlannedAction) -> Style {
        switch action {
        case .create: return .green
        case .update: return .yellow
        case .delete: return .red
        }
    }

    private func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
