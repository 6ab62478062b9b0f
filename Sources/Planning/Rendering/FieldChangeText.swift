import NGCPCore

/// The plan renderers' text for field changes, for the commands that report field changes
/// outside a plan (`changes` and `drift`), so that a change reads the same everywhere.
public enum FieldChangeText {
    /// Formats `change` as the human plan shows it: `path: before → after`, with ids named
    /// and control characters escaped. A sensitive change shows `(sensitive value)`.
    public static func line(_ change: FieldChange, action: PlannedAction = .update) -> String {
        PlanText.printable(PlanText.change(change, action: action))
    }

    /// Formats `change` like `line(_:action:)`, as a Markdown code span.
    public static func markdownLine(_ change: FieldChange, action: PlannedAction = .update)
        -> String
    {
        PlanText.codeSpan(PlanText.change(change, action: action))
    }

    /// Returns `text` with control and bidirectional characters escaped, as plans print
    /// names.
    public static func printable(_ text: String) -> String {
        PlanText.printable(text)
    }

    /// Returns `text` as a Markdown code span that shows it literally, as plans show names.
    /// In a table cell `|` is escaped as well.
    public static func markdownCode(_ text: String, inTable: Bool = false) -> String {
        PlanText.codeSpan(text, inTable: inTable)
    }
}
