import NGCPCore
import Testing

@testable import Planning

/// Names from manifests or the live state are shown literally by the plan renderers.
@Suite("Renderer escaping")
struct RendererEscapingTests {
    static let hostileName = "esc\u{1B}[31mRED\u{1B}[0m\rOVERWRITE`x`<b>b</b>|y"

    static var plan: Plan {
        Plan(
            source: PlanSource(revision: "abc", branch: "main\u{1B}[2J"),
            operations: [
                PlannedOperation(
                    id: 1, action: .create, resource: .customers, name: hostileName,
                    method: .post, path: "/api/customers/",
                    changes: [FieldChange(path: "name", before: nil, after: .string(hostileName))],
                    reason: "because `x` <b>b</b>")
            ])
    }

    @Test("human output has no control characters")
    func humanEscapesControlCharacters() {
        let text = HumanPlanRenderer().render(Self.plan)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\r"))
        #expect(text.contains("esc\\u{1b}[31mRED"))
    }

    @Test func bidiControlsAreEscaped() {
        var plan = Self.plan
        plan.operations[0].changes = [
            FieldChange(path: "company", before: nil, after: .string("evil\u{202E}RLO\u{2066}iso"))
        ]
        let human = HumanPlanRenderer().render(plan)
        let markdown = MarkdownPlanRenderer().render(plan)
        for text in [human, markdown] {
            #expect(!text.unicodeScalars.contains("\u{202E}"))
            #expect(!text.unicodeScalars.contains("\u{2066}"))
            #expect(text.contains("evil\\u{202e}RLO\\u{2066}iso"))
        }
    }

    @Test("coloured human output escapes data but keeps its own colours")
    func colouredHumanEscapesData() {
        let text = HumanPlanRenderer(color: true).render(Self.plan)
        #expect(!text.contains("\u{1B}[31mRED"))
        #expect(!text.contains("\u{1B}[2J"))
        #expect(text.contains("\u{1B}[32m"))
    }

    @Test("markdown code spans hold backticks and HTML literally")
    func markdownCodeSpans() {
        let text = MarkdownPlanRenderer().render(Self.plan)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\r"))
        // The span's fence is longer than any backtick run inside it.
        #expect(text.contains("``customers/esc\\u{1b}[31mRED\\u{1b}[0m\\u{d}OVERWRITE`x`<b>b</b>"))
        // The table cell escapes the pipe; the heading does not need to.
        #expect(text.contains("</b>\\|y`` |"))
        #expect(text.contains("</b>|y``\n"))
        #expect(text.contains("because \\`x\\` \\<b\\>b\\</b\\>"))
    }

    @Test("code span fences")
    func codeSpanFences() {
        #expect(PlanText.codeSpan("plain") == "`plain`")
        #expect(PlanText.codeSpan("a`b") == "``a`b``")
        #expect(PlanText.codeSpan("`a``") == "``` `a`` ```")
    }
}
