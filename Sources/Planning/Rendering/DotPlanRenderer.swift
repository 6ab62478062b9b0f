import NGCPCore

/// The plan as a Graphviz digraph: one node per operation, labelled with its number, symbol
/// and natural key, and an edge from each prerequisite to its dependent. Render it with
/// `dot -Tsvg`.
public struct DotPlanRenderer: PlanRenderer {
    public init() {}

    public func render(_ plan: Plan) -> String {
        var lines = ["digraph plan {", "  rankdir=LR;", "  node [shape=box];"]
        for operation in plan.operations {
            var label = "\(operation.id) \(PlanText.symbol(operation.action)) "
            label += "\(operation.action.rawValue) \(operation.resourceID.description)"
            var attributes = "label=\(quoted(label)), color=\(color(operation.action))"
            if operation.irreversible { attributes += ", penwidth=2, style=bold" }
            lines.append("  op\(operation.id) [\(attributes)];")
        }
        for operation in plan.operations {
            for prerequisite in operation.dependsOn {
                lines.append("  op\(prerequisite) -> op\(operation.id);")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func color(_ action: PlannedAction) -> String {
        switch action {
        case .create: return "darkgreen"
        case .update: return "goldenrod"
        case .delete: return "red"
        }
    }

    private func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }
}
