import NGCPCore

/// Turns a plan into text for one audience: a terminal, a program, or a pull request comment.
public protocol PlanRenderer: Sendable {
    func render(_ plan: Plan) -> String
}

/// The plan document of `PlanJSON`, indented, with sorted keys and a final newline.
public struct JSONPlanRenderer: PlanRenderer {
    public init() {}

    public func render(_ plan: Plan) -> String {
        plan.jsonValue.serialized(pretty: true) + "\n"
    }
}

/// Text pieces shared by the human and Markdown renderers.
enum PlanText {
    static let sensitive = "(sensitive value)"
    static let knownAfterApply = "(known after apply)"
    static let absent = "(absent)"
    static let noChanges = "No changes. Live state matches the manifests."

    /// Formats the line that lists unmanaged objects, or returns nil when there are none.
    static func unmanagedLine(_ plan: Plan) -> String? {
        guard !plan.unmanaged.isEmpty else { return nil }
        let shown = plan.unmanaged.prefix(10).map(\.description)
        let more = plan.unmanaged.count > shown.count ? ", ..." : ""
        return "Not managed by ngcpctl, left alone: \(plan.unmanaged.count) "
            + "(\(shown.joined(separator: ", "))\(more))."
    }

    /// Formats the line that counts the undeclared objects left alone because prune is off,
    /// or returns nil when there are none.
    static func notPrunedLine(_ plan: Plan) -> String? {
        guard !plan.notPruned.isEmpty else { return nil }
        let shown = plan.notPruned.prefix(10).map(\.description)
        let more = plan.notPruned.count > shown.count ? ", ..." : ""
        return "Declared by no manifest and left alone without --prune: \(plan.notPruned.count) "
            + "(\(shown.joined(separator: ", "))\(more)). Run with --prune to remove them."
    }

    /// The line for a plan without operations.
    static func noChangesLine(_ plan: Plan) -> String {
        plan.notPruned.isEmpty
            ? noChanges : "No changes to declared objects."
    }

    static func symbol(_ action: PlannedAction) -> String {
        switch action {
        case .create: return "+"
        case .update: return "~"
        case .delete: return "-"
        }
    }

    /// "Plan: 3 to create, 1 to update, 0 to delete."
    static func countLine(_ plan: Plan) -> String {
        let counts = plan.summary
        return "Plan: \(counts[.create] ?? 0) to create, \(counts[.update] ?? 0) to update, "
            + "\(counts[.delete] ?? 0) to delete."
    }

    /// Returns the natural key of each object that `plan` creates, by the id of the operation
    /// that creates it, for the id placeholders that refer to that operation.
    static func createdNames(_ plan: Plan) -> [Int: String] {
        var names: [Int: String] = [:]
        for operation in plan.operations where operation.method == .post {
            names[operation.id] = operation.name
        }
        return names
    }

    /// Formats a value for display: placeholders in words, everything else as compact JSON.
    /// Each id with a known name is followed by that name, such as `2 (gold)` or
    /// `[3 (sales@example.org), new (support@example.org)]`. Live ids take their names from
    /// `names`, and placeholders from `created`, by operation id.
    static func value(
        _ value: JSONValue?, names: [Int: String] = [:], created: [Int: String] = [:]
    ) -> String {
        guard let value else { return absent }
        if let text = namedIDs(value, names: names, created: created) { return text }
        if containsPlaceholder(value) {
            if value[PlanPlaceholder.marker] == "secret" { return sensitive }
            if value[PlanPlaceholder.marker] != nil { return knownAfterApply }
        }
        // JSON escapes control characters but keeps bidirectional controls as they are.
        return printable(displayed(value).serialized())
    }

    /// Formats an id, an id placeholder, or an array of them, with the name of each object
    /// that has one. Returns nil for any other value, and when no object has a name, so that
    /// such values keep their JSON form.
    private static func namedIDs(
        _ value: JSONValue, names: [Int: String], created: [Int: String]
    ) -> String? {
        guard !names.isEmpty || !created.isEmpty else { return nil }

        // Each item's text, and whether it carries a name.
        func item(_ value: JSONValue) -> (text: String, named: Bool)? {
            if case .int(let id) = value {
                guard let name = names[id] else { return (String(id), false) }
                return ("\(id) (\(printable(name)))", true)
            }
            guard value[PlanPlaceholder.marker] == "id" else { return nil }
            guard let operation = value["operation"]?.intValue, let name = created[operation]
            else { return (knownAfterApply, false) }
            return ("new (\(printable(name)))", true)
        }

        if case .array(let values) = value {
            var items: [(text: String, named: Bool)] = []
            for value in values {
                guard let shown = item(value) else { return nil }
                items.append(shown)
            }
            guard items.contains(where: \.named) else { return nil }
            return "[" + items.map(\.text).joined(separator: ", ") + "]"
        }
        guard let shown = item(value), shown.named else { return nil }
        return shown.text
    }

    /// Replaces each placeholder nested in a value with its description.
    private static func displayed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(displayed))
        case .object(let members):
            switch members[PlanPlaceholder.marker] {
            case "secret": return .string(sensitive)
            case .some: return .string(knownAfterApply)
            case .none: return .object(members.mapValues(displayed))
            }
        default: return value
        }
    }

    static func containsPlaceholder(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let items): return items.contains(where: containsPlaceholder)
        case .object(let members):
            return members[PlanPlaceholder.marker] != nil
                || members.values.contains(where: containsPlaceholder)
        default: return false
        }
    }

    /// Returns `text` with control characters and bidirectional embeddings, overrides and
    /// isolates shown as `\u{..}`, so that names and values from manifests or the live state
    /// cannot move the cursor, recolour a terminal or reorder the text around them.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isBidirectionalControl || scalar.properties.generalCategory == .control
    }

    /// Returns `text` as a Markdown code span that shows it literally: the fence is one
    /// backtick longer than the longest run of backticks inside. In a table cell `|` is
    /// escaped, which GitHub Markdown undoes inside the span.
    static func codeSpan(_ text: String, inTable: Bool = false) -> String {
        let shown = printable(text)
        var longest = 0
        var run = 0
        for character in shown {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        // A span that starts or ends with a backtick needs a space inside the fence, which
        // Markdown strips again.
        let padding = shown.hasPrefix("`") || shown.hasSuffix("`") ? " " : ""
        let body =
            inTable
            ? shown.split(separator: "|", omittingEmptySubsequences: false)
                .joined(separator: "\\|") : shown
        return fence + padding + body + padding + fence
    }

    /// Returns `text` as Markdown text shown literally: punctuation that Markdown or HTML
    /// would interpret is backslash-escaped.
    static func markdownText(_ text: String) -> String {
        var output = ""
        for character in printable(text) {
            if "\\`*_{}[]()<>#+-.!|~&".contains(character) { output.append("\\") }
            output.append(character)
        }
        return output
    }

    /// Formats one change as `path: before → after`, or `path: after` for a create. `created`
    /// names the objects of the plan's creates, as `createdNames(_:)` returns them. A sensitive
    /// change shows `(sensitive value)` in place of its values, and a removed one is followed
    /// by `→ (absent)` like any other removal.
    static func change(
        _ change: FieldChange, action: PlannedAction, created: [Int: String] = [:]
    ) -> String {
        if change.sensitive {
            let text = "\(change.path): \(sensitive)"
            return change.removed ? "\(text) → \(absent)" : text
        }
        let after = value(change.after, names: change.names, created: created)
        if action == .create && change.before == nil {
            return "\(change.path): \(after)"
        }
        let before = value(change.before, names: change.names, created: created)
        return "\(change.path): \(before) → \(after)"
    }
}
