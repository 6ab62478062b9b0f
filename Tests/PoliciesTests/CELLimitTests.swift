import NGCPCore
import Testing

@testable import Policies

@Suite struct CELLimitTests {
    private func error(_ body: () throws -> Void) -> CELError? {
        do {
            try body()
            return nil
        } catch {
            return error as? CELError
        }
    }

    @Test func costLimitStopsNestedMacros() {
        let range = CELValue.list((0..<100).map { .int($0) })
        let failure = error {
            let program = try CELProgram(
                "r.all(a, r.all(b, r.all(c, a + b + c >= 0)))", limits: CELLimits(maxCost: 50_000))
            _ = try program.evaluate(["r": range])
        }
        #expect(failure?.kind == .limit)
        #expect(failure?.message == "evaluation cost exceeds the limit of 50000 steps")
    }

    @Test func costLimitIsNotAbsorbedByLogicalOr() {
        let range = CELValue.list((0..<1000).map { .int($0) })
        let failure = error {
            let program = try CELProgram(
                "r.all(a, r.all(b, true)) || true", limits: CELLimits(maxCost: 10_000))
            _ = try program.evaluate(["r": range])
        }
        #expect(failure?.kind == .limit)
    }

    @Test func costCountsListSearches() throws {
        let range = CELValue.list((0..<5000).map { .int($0) })
        let program = try CELProgram("-1 in r", limits: CELLimits(maxCost: 1000))
        let failure = error { _ = try program.evaluate(["r": range]) }
        #expect(failure?.kind == .limit)
        #expect(try CELProgram("-1 in r").evaluate(["r": range]) == .bool(false))
    }

    @Test func expressionLengthLimit() {
        let text = String(repeating: "1 + ", count: 20) + "1"
        let failure = error { _ = try CELProgram(text, limits: CELLimits(maxExpressionLength: 40)) }
        #expect(failure?.kind == .limit)
        #expect(failure?.message == "expression is 81 characters long, more than the limit of 40")
    }

    @Test func parenthesesNestingLimit() {
        let text = String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        let failure = error { _ = try CELProgram(text) }
        #expect(failure?.kind == .limit)
        #expect(failure?.message == "expression nests deeper than the limit of 64 levels")
    }

    @Test func operatorChainNestingLimit() throws {
        let chain = Array(repeating: "x", count: 70).joined(separator: " && ")
        let failure = error { _ = try CELProgram(chain) }
        #expect(failure?.kind == .limit)
        let short = Array(repeating: "x", count: 30).joined(separator: " && ")
        #expect(try CELProgram(short).evaluate(["x": .bool(true)]) == .bool(true))
    }

    @Test func unaryNestingLimit() {
        let text = String(repeating: "!", count: 200) + "true"
        let failure = error { _ = try CELProgram(text) }
        #expect(failure?.kind == .limit)
    }

    @Test func patternLengthLimit() {
        let pattern = String(repeating: "a", count: 600)
        let failure = error { _ = try CELProgram("'a'.matches('\(pattern)')") }
        #expect(failure?.kind == .limit)
        #expect(failure?.column == 13)
    }

    @Test(arguments: [
        ("(a+)+$", true), ("(a*)*", true), ("^(\\d{2,})+x", true), ("((ab)+c)*", true),
        ("(a+)?b", false), ("(ab)+", false), ("a+b*", false), ("[(a+)]+", false),
        ("\\(a+\\)+", false), ("^(0900|0901)[0-9]+$", false),
    ])
    func nestedQuantifierDetection(_ pattern: String, _ nested: Bool) {
        #expect(hasNestedQuantifier(pattern) == nested, "\(pattern)")
    }

    @Test func nestedQuantifierRejectedAtCompileTime() {
        let failure = error { _ = try CELProgram("s.matches('(a+)+$')") }
        #expect(failure?.kind == .syntax)
        #expect(failure?.column == 11)
        #expect(
            failure?.message
                == "regular expression '(a+)+$' repeats a group that itself repeats, such as"
                + " (a+)+, which can take exponential time; rewrite it without the nesting")
    }

    @Test func matchSubjectLengthLimit() throws {
        let program = try CELProgram("s.matches('^a+$')")
        let long = CELValue.string(String(repeating: "a", count: 5000))
        let failure = error { _ = try program.evaluate(["s": long]) }
        #expect(failure?.kind == .limit)
        #expect(try program.evaluate(["s": "aaa"]) == .bool(true))
    }

    @Test func dynamicInvalidPatternFailsAtEvaluation() throws {
        let program = try CELProgram("'a'.matches(p)")
        let failure = error { _ = try program.evaluate(["p": "("]) }
        #expect(failure?.message == "invalid regular expression '('")
        #expect(failure?.column == 13)
    }

    @Test func declaredVariablesAreCheckedAtCompileTime() {
        let failure = error {
            _ = try CELProgram("desierd.username == 'a'", variables: ["desired", "live"])
        }
        #expect(failure?.kind == .syntax)
        #expect(failure?.message == "undeclared reference to 'desierd'; did you mean 'desired'?")
        #expect(failure?.column == 1)
    }

    @Test func macroVariablesAreDeclaredInsideTheMacro() throws {
        let program = try CELProgram("items.exists(i, i > 1)", variables: ["items"])
        #expect(try program.evaluate(["items": .list([.int(2)])]) == .bool(true))
        let failure = error {
            _ = try CELProgram("items.exists(i, i > 1) && i", variables: ["items"])
        }
        #expect(failure?.message == "undeclared reference to 'i'")
    }

    @Test func typeNamesNeedNoDeclaration() throws {
        let program = try CELProgram("type(x) == string", variables: ["x"])
        #expect(try program.evaluate(["x": "a"]) == .bool(true))
    }

    @Test func multiLineErrorPosition() {
        let failure = error {
            _ = try CELProgram("a &&\n  b +\n  ").evaluate(["a": true, "b": 1])
        }
        #expect(failure?.line == 3)
        #expect(failure?.column == 3)
        #expect(
            failure?.description
                == "expected an expression but found end of expression (line 3, column 3 of"
                + " the expression)")
    }

    @Test func snippetPointsAtColumn() {
        let failure = error { _ = try CELProgram("1 + 'a'").evaluate([:]) }
        #expect(failure?.snippet == "1 + 'a'\n  ^")
        #expect(
            failure?.description
                == "no matching overload for '+' with int and string (column 3 of the"
                + " expression)")
    }

    /// The column counts scalars, but the caret moves by the columns a terminal shows: two
    /// for a wide character, none for a combining accent, and a tab for a tab.
    @Test(
        "snippet caret after wide, combining and tab characters",
        arguments: [
            ("'名前' + 1", "       ^"),
            ("'한국어' + 1", "         ^"),
            ("'e\u{301}' + 1", "    ^"),
            ("1 ==\t1 + 'a'", "    \t  ^"),
            ("'\u{1F600}\u{1F1E6}\u{1F1F9}' + 1", "       ^"),
        ])
    func snippetCaretCountsColumns(expression: String, caretLine: String) throws {
        let failure = try #require(error { _ = try CELProgram(expression).evaluate([:]) })
        #expect(failure.snippet == expression + "\n" + caretLine)
    }

    @Test func snippetCaretInsideCharacter() throws {
        // The accent makes `+` and itself one character, so the caret points at that character.
        let failure = try #require(error { _ = try CELProgram("1 +\u{301} 2") })
        #expect(failure.column == 4)
        #expect(failure.snippet == "1 +\u{301} 2\n  ^")
    }

    @Test func snippetCaretOnLaterLine() throws {
        let failure = try #require(
            error { _ = try CELProgram("'名' == 'x' ||\n'名' + 1").evaluate([:]) })
        #expect(failure.line == 2)
        #expect(failure.snippet == "'名' + 1\n     ^")
    }

    /// An expression can carry control characters from a YAML escape. Printed raw, they would
    /// recolour the terminal or move the cursor, so the snippet shows them as escapes.
    @Test func snippetEscapesControlCharacters() throws {
        let failure = try #require(
            error { _ = try CELProgram("'\u{1B}[2J\u{202E}' + 1").evaluate([:]) })
        #expect(failure.column == 9)
        #expect(
            failure.snippet == "'\\u{1b}[2J\\u{202e}' + 1\n" + String(repeating: " ", count: 20)
                + "^")
    }

    /// The position counts lines as the snippet splits them: at LF, CRLF and a lone CR.
    @Test(arguments: ["\r", "\r\n", "\n"])
    func positionAfterLineBreak(lineBreak: String) throws {
        let failure = try #require(error { _ = try CELProgram("true ||" + lineBreak + "1 + )") })
        #expect(failure.line == 2)
        #expect(failure.column == 5)
        #expect(failure.snippet == "1 + )\n    ^")
        #expect(
            failure.description
                == "expected an expression but found ')' (line 2, column 5 of the expression)")
    }

    @Test func jsonRoundTrip() throws {
        let program = try CELProgram("{'list': x.map(v, v * 2), 'name': y}")
        let result = try program.evaluate(json: ["x": [1, 2], "y": "n"])
        #expect(result == ["list": [2, 4], "name": "n"])
    }

    @Test func programIsReusable() throws {
        let program = try CELProgram("x > 2")
        #expect(try program.evaluate(["x": 3]) == .bool(true))
        #expect(try program.evaluate(["x": 1]) == .bool(false))
    }
}

extension CELValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
