import Manifests
import NGCPCore
import Testing

@Suite struct DiagnosticRendererTests {
    private let text = """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          password: hunter2
          primary_numbr: {cc: 43, sn: 100}
        """

    @Test func rendersSourceLineCaretHintAndSummary() {
        let result = loadManifest(text)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        let expected = [
            "m.yaml:6:13: warning: spec.password: secret is written in the manifest as a literal"
                + " value",
            "6 |   password: (sensitive value)",
            "  |             ^",
            "  hint: use {env: NAME} or {file: PATH} so the value stays out of git",
            "m.yaml:7:3: error: spec.primary_numbr: unknown field 'primary_numbr'; did you mean"
                + " 'primary_number'?",
            "7 |   primary_numbr: {cc: 43, sn: 100}",
            "  |   ^",
            // A document with an error still takes part in the checks across documents.
            "m.yaml:5:13: warning: spec.customer: customer 'acme' is not declared in these"
                + " manifests; it must already exist on the target",
            "5 |   customer: acme",
            "  |             ^",
            "m.yaml:3:18: warning: metadata.name: domain 'd.example' is not declared in these"
                + " manifests; it must already exist on the target",
            "3 | metadata: {name: alice@d.example}",
            "  |                  ^",
            "1 error, 3 warnings",
            "",
        ].joined(separator: "\n")
        #expect(rendered == expected)
        #expect(!rendered.contains("hunter2"))
    }

    @Test func windowsLineEndsShowOneLine() {
        let crlf = "bogus: 1\r\n" + text.replacingOccurrences(of: "\n", with: "\r\n")
        let result = loadManifest(crlf)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("1 | bogus: 1"))
        #expect(lines.contains("7 |   password: (sensitive value)"))
        #expect(lines.contains("8 |   primary_numbr: {cc: 43, sn: 100}"))
        #expect(!rendered.contains("hunter2"))
        #expect(!rendered.contains("\\u{d}"))
        #expect(result.sources["m.yaml"]?.contains("hunter2") == false)
    }

    @Test func headerEscapesFileAndFieldPath() {
        let diagnostic = Diagnostic(
            .error, "unknown field",
            at: SourceLocation(file: "e\u{1B}[31m.yaml", line: 1, column: 1),
            fieldPath: "spec.x\u{202E}y\u{1B}[2J")
        let rendered = DiagnosticRenderer(sources: [:]).render(diagnostic)
        #expect(
            rendered == "e\\u{1b}[31m.yaml:1:1: error: spec.x\\u{202e}y\\u{1b}[2J: unknown field\n")
    }

    @Test func bidiControlsInSourceAreEscaped() {
        let source = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: ab\u{202E}cd}\n"
        let result = loadManifest(source)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        #expect(rendered.contains("3 | metadata: {name: ab\\u{202e}cd}"))
        #expect(!rendered.unicodeScalars.contains("\u{202E}"))
    }

    /// A zero-width space in a key is reported as invisible, and the unknown-field error for
    /// the same key quotes it escaped, so that the key does not read like the one suggested.
    @Test func zeroWidthSpaceInQuotedKeyIsEscaped() {
        let source = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: acme}
            spec:
              billing_profile: default
              contact: {email: a@b.example, coun\u{200B}try: AT}
            """
        let result = loadManifest(source)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        let lines = rendered.split(separator: "\n").map(String.init)
        let unknown = lines.first { $0.contains("unknown field") }
        #expect(
            unknown?.hasSuffix("unknown field 'coun\\u{200b}try'; did you mean 'country'?") == true,
            "\(rendered)")
        let invisible = lines.first { $0.contains("invisible character") }
        #expect(invisible?.contains("U+200B (ZERO WIDTH SPACE)") == true, "\(rendered)")

        // Only the source lines show the character as written.
        let quoted = lines.filter { !$0.hasPrefix("6 |") }
        #expect(!quoted.contains { $0.unicodeScalars.contains("\u{200B}") }, "\(rendered)")
    }

    @Test func formatCharactersInMessageAndHintAreEscaped() {
        let diagnostic = Diagnostic(
            .error, "value 'a\u{AD}b\u{FEFF}'", fieldPath: "spec.x\u{2060}y",
            hint: "use 'a\u{200D}b'")
        let rendered = DiagnosticRenderer(sources: [:]).render(diagnostic)
        let expected =
            "error: spec.x\\u{2060}y: value 'a\\u{ad}b\\u{feff}'\n  hint: use 'a\\u{200d}b'\n"
        #expect(rendered == expected)
    }

    @Test func masksBlockScalarSecrets() {
        let source = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@d.example}
            spec:
              customer: acme
              password: |
                hunter2
                more
              webusername: alice
            """
        let result = loadManifest(source)
        let masked = result.sources["m.yaml"] ?? ""
        #expect(!masked.contains("hunter2"))
        #expect(
            masked.contains(
                "  password: (sensitive value)\n    (sensitive value)\n    (sensitive value)\n"
                    + "  webusername: alice"))
    }

    @Test("many diagnostics, one file")
    func manyDiagnosticsOneFile() {
        let source = "a: 1\npassword: |\n  hunter2\nb: 2\nsecret: x\nc: 3\n"
        let renderer = DiagnosticRenderer(sources: ["f": source])
        let lines = (1...6).map { line in
            renderer.render(
                Diagnostic(.error, "m", at: SourceLocation(file: "f", line: line, column: 1))
            )
            .split(separator: "\n")[1]
        }
        #expect(
            lines == [
                "1 | a: 1", "2 | password: (sensitive value)", "3 |   (sensitive value)",
                "4 | b: 2", "5 | secret: (sensitive value)", "6 | c: 3",
            ])
        let beyond = renderer.render(
            Diagnostic(.error, "m", at: SourceLocation(file: "f", line: 99, column: 1)))
        #expect(beyond == "f:99:1: error: m\n")
    }

    @Test func colouredOutputWrapsSeverity() {
        let diagnostic = Diagnostic(
            .error, "broken", at: SourceLocation(file: "f", line: 1, column: 1))
        let rendered = DiagnosticRenderer(sources: [:], colored: true).render(diagnostic)
        #expect(rendered == "f:1:1: \u{1B}[31;1merror:\u{1B}[0m\u{1B}[1m broken\u{1B}[0m\n")
    }

    @Test(arguments: [
        (0, 0, "0 errors, 0 warnings"),
        (1, 0, "1 error, 0 warnings"),
        (2, 1, "2 errors, 1 warning"),
        (1, 3, "1 error, 3 warnings"),
    ])
    func summaryCountsSeverities(errors: Int, warnings: Int, expected: String) {
        let diagnostics =
            Array(repeating: Diagnostic(.error, "e"), count: errors)
            + Array(repeating: Diagnostic(.warning, "w"), count: warnings)
        #expect(DiagnosticRenderer.summary(of: diagnostics) == expected)
    }

    @Test(
        "caret after a masked secret",
        arguments: [
            #"spec: {customer: acme, password: "s3cret, {Passw0rd}", webusernam: alice}"#,
            "spec: {customer: acme, password: s3cretPassw0rd, webusernam: alice}",
            "spec: {customer: acme, password: 'it''s s3cret', webusernam: alice}",
            "spec: {customer: acme, password: &p s3cret , webusernam: alice}",
            "spec: {password: s3cret1, webpassword: s3cret2, webusernam: alice}",
        ])
    func caretAfterMaskedSecret(spec: String) throws {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@d.example}
            \(spec)
            """
        let result = loadManifest(text)
        let renderer = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements)
        let error = try #require(result.errors.first { $0.fieldPath == "spec.webusernam" })
        let rendered = renderer.render(error)

        #expect(!rendered.contains("s3cret"), "\(rendered)")
        let excerpt = try #require(RenderedExcerpt(rendered))
        // Only the value's own characters are masked, so a space after it stays.
        #expect(excerpt.line.contains("password: (sensitive value)"), "\(rendered)")
        #expect(excerpt.pointed.hasPrefix("webusernam: alice}"), "\(rendered)")

        // A diagnostic about the secret itself points at the mask.
        let warning = try #require(result.warnings.first { $0.fieldPath == "spec.password" })
        let masked = try #require(RenderedExcerpt(renderer.render(warning)))
        #expect(masked.pointed.hasPrefix("(sensitive value)"), "\(masked.line)")
        let afterMask = masked.pointed.dropFirst(SourceRedaction.mask.count)
        #expect(afterMask.hasPrefix(",") || afterMask.hasPrefix(" ,"), "\(masked.line)")
    }

    @Test func caretAfterMaskedUserInformation() throws {
        let line = #"targets: {lab: {url: "https://admin:hunter2@ngcp.example/", usr: x}}"#
        let column = try #require(line.range(of: "usr")).lowerBound.utf16Offset(in: line) + 1
        let diagnostic = Diagnostic(
            .error, "unknown field 'usr'", at: SourceLocation(file: "f", line: 1, column: column))
        let rendered = DiagnosticRenderer(sources: ["f": line]).render(diagnostic)

        #expect(!rendered.contains("hunter2"), "\(rendered)")
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.pointed.hasPrefix("usr: x}}"), "\(rendered)")
    }

    /// YAML columns count Unicode scalars, and `e` with a combining accent is one character
    /// of two scalars.
    @Test func caretAfterCombiningMarks() throws {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: "e\u{301}\u{301}.example", bogus: 2}
            """
        let result = loadManifest(text)
        let error = try #require(result.errors.first { $0.fieldPath == "metadata.bogus" })
        #expect(error.location?.column == 33)
        let rendered = DiagnosticRenderer(sources: result.sources).render(error)

        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.pointed.hasPrefix("bogus: 2}"), "\(rendered)")
    }

    /// Terminals show East Asian wide and fullwidth characters in two columns, so the caret
    /// moves two spaces for each, while the column in the header still counts characters.
    @Test(
        "caret after wide characters",
        arguments: [
            // CJK ideographs, two columns each.
            ("日本", 4),
            // Hangul syllables.
            ("한국", 4),
            // Katakana and a fullwidth letter.
            ("カナＡ", 6),
            // An emoji, and a flag of two regional indicators.
            ("\u{1F600}\u{1F1E6}\u{1F1F9}", 4),
            // A Hangul syllable written as conjoining jamo: one character of three scalars.
            ("\u{1100}\u{1161}\u{11A8}", 2),
            // A combining accent and a zero-width space take no column.
            ("e\u{301}\u{200B}x", 2),
            // Latin, Greek and Cyrillic letters take one column each.
            ("aλж", 3),
            // A soft hyphen is a format character that terminals show.
            ("a\u{AD}b", 3),
        ])
    func caretAfterWideCharacters(name: String, columns: Int) throws {
        let line = #"metadata: {name: ""# + name + #"", bogus: 2}"#
        let prefix = #"metadata: {name: ""# + name + #"", "#
        let column = prefix.unicodeScalars.count + 1
        let diagnostic = Diagnostic(
            .error, "unknown field 'bogus'", at: SourceLocation(file: "f", line: 3, column: column))
        let rendered = DiagnosticRenderer(sources: ["f": "a: 1\nb: 2\n" + line]).render(diagnostic)

        let lines = rendered.split(separator: "\n")
        #expect(lines.first?.hasPrefix("f:3:\(column): error:") == true, "\(rendered)")
        #expect(lines.count == 3, "\(rendered)")
        #expect(lines.dropFirst().first == "3 | " + line[...], "\(rendered)")
        // `metadata: {name: "` and `", ` around the name take 21 columns.
        let caret = "  | " + String(repeating: " ", count: 21 + columns) + "^"
        #expect(lines.last.map(String.init) == caret, "\(rendered)")
    }

    @Test func caretAfterWideCharactersAndTab() throws {
        let line = "k: {\t名前: x, bogus: 2}"
        let column = line.unicodeScalars.count - "bogus: 2}".count + 1
        let diagnostic = Diagnostic(
            .error, "unknown field 'bogus'", at: SourceLocation(file: "f", line: 1, column: column))
        let rendered = DiagnosticRenderer(sources: ["f": line]).render(diagnostic)
        // `k: {` before the tab, and `名前: x, ` after it, which takes nine columns.
        let caret = "  | " + "    \t" + String(repeating: " ", count: 9) + "^"
        #expect(rendered.split(separator: "\n").last.map(String.init) == caret, "\(rendered)")
    }

    @Test func caretAfterMaskedSecretWithCombiningMarks() throws {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@d.example}
            spec: {customer: acme, password: "e\u{301}\u{301}SECRETX", webusernam: alice}
            """
        let result = loadManifest(text)
        let renderer = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements)
        let error = try #require(result.errors.first { $0.fieldPath == "spec.webusernam" })
        let rendered = renderer.render(error)

        #expect(!rendered.contains("SECRETX"), "\(rendered)")
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.pointed.hasPrefix("webusernam: alice}"), "\(rendered)")

        let warning = try #require(result.warnings.first { $0.fieldPath == "spec.password" })
        let masked = try #require(RenderedExcerpt(renderer.render(warning)))
        #expect(masked.pointed.hasPrefix("(sensitive value), webusernam"), "\(masked.line)")
    }

    @Test func caretAfterByteOrderMark() throws {
        let text =
            "\u{FEFF}{apiVersion: ngcpctl/v1, kind: Domain, metadata: {name: d.example}, bogus: 1}"
        let result = loadManifest(text)
        let error = try #require(result.errors.first { $0.fieldPath == "bogus" })
        let rendered = DiagnosticRenderer(sources: result.sources).render(error)

        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line.hasPrefix("{apiVersion"), "\(rendered)")
        #expect(excerpt.pointed.hasPrefix("bogus: 1}"), "\(rendered)")
    }

    @Test func byteOrderMarkBeforeBlockMapping() throws {
        // The mark must not indent the first line deeper than the next.
        let text =
            "\u{FEFF}apiVersion: ngcpctl/v1\nkind: Customer\nmetadata:\n  name: bom\nspec:\n"
            + "  billing_profile: default\n  contact: {emial: a@b.example}\n"
        let result = loadManifest(text)
        // The misspelt key, and the email the contact then lacks.
        #expect(result.errors.count == 2, "\(result.errors)")
        let error = try #require(result.errors.first { $0.message.contains("emial") })
        #expect(error.location?.line == 7)
        #expect(error.location?.column == 13)

        let versionError = try #require(
            loadManifest("\u{FEFF}apiVersion: ngcpctl/v3\nkind: Domain\n").errors.first {
                $0.fieldPath == "apiVersion"
            })
        #expect(versionError.location?.column == 13)
        let rendered = DiagnosticRenderer(sources: result.sources).render(error)
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.pointed.hasPrefix("emial"), "\(rendered)")
    }

    @Test func caretAfterEscapedControlCharacter() throws {
        let line = "a: {b: \u{1B}[31m, usr: x}"
        let column = line.unicodeScalars.count - "usr: x}".count + 1
        let diagnostic = Diagnostic(
            .error, "unknown field 'usr'", at: SourceLocation(file: "f", line: 1, column: column))
        let rendered = DiagnosticRenderer(sources: ["f": line]).render(diagnostic)

        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line == "a: {b: \\u{1b}[31m, usr: x}", "\(rendered)")
        #expect(excerpt.pointed.hasPrefix("usr: x}"), "\(rendered)")
    }

    @Test func characterOffsetCountsScalars() {
        let line: Substring = "e\u{301}x"
        #expect(SourceRedaction.characterOffset(ofScalarOffset: 0, in: line, after: []) == 0)
        // The accent belongs to the first character.
        #expect(SourceRedaction.characterOffset(ofScalarOffset: 1, in: line, after: []) == 0)
        #expect(SourceRedaction.characterOffset(ofScalarOffset: 2, in: line, after: []) == 1)
        // Past the end, each scalar counts one character.
        #expect(SourceRedaction.characterOffset(ofScalarOffset: 5, in: line, after: []) == 4)
    }

    @Test func characterOffsetThroughReplacement() {
        // As written, the line is `p: ` and a value of one character with two accents, then
        // `, q: 1`. A three-character mask replaced the value.
        let replacement = SourceRedaction.Replacement(
            offset: 3, removedCount: 1, removedScalarCount: 3, insertedCount: 3)
        let line: Substring = "p: (m), q: 1"
        let afterValue = SourceRedaction.characterOffset(
            ofScalarOffset: 8, in: line, after: [replacement])
        #expect(afterValue == 6)
        // A scalar inside the value maps to the value's first character.
        let inside = SourceRedaction.characterOffset(
            ofScalarOffset: 4, in: line, after: [replacement])
        #expect(inside == 3)
    }

    /// A policy error's hint quotes the expression and puts a caret under the problem on the
    /// next line, which must start as far in as the expression does.
    @Test func multiLineHintLinesUp() {
        let diagnostic = Diagnostic(.error, "bad", hint: "a ==\t名 + )\n    \t    ^")
        let rendered = DiagnosticRenderer(sources: [:]).render(diagnostic)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4, "\(rendered)")
        #expect(lines.dropFirst().first == "  hint: a ==\t名 + )", "\(rendered)")
        #expect(lines.dropFirst(2).first == "            \t    ^", "\(rendered)")
    }

    @Test func hintEscapesControlCharacters() {
        let diagnostic = Diagnostic(.error, "bad", hint: "x\u{1B}[2J\u{202E}y")
        let rendered = DiagnosticRenderer(sources: [:]).render(diagnostic)
        #expect(rendered.hasSuffix("  hint: x\\u{1b}[2J\\u{202e}y\n"), "\(rendered)")
    }

    @Test func locationlessDiagnosticHasNoExcerpt() {
        let rendered = DiagnosticRenderer(sources: [:]).render(
            Diagnostic(.error, "'x' does not exist"))
        #expect(rendered == "error: 'x' does not exist\n")
    }
}

/// The source line and caret of one rendered diagnostic.
struct RenderedExcerpt {
    /// The source line as shown, without its line number.
    let line: Substring
    /// The part of `line` from the caret's column on.
    let pointed: Substring

    /// Reads the excerpt that follows the first line of `rendered`; nil when there is none.
    init?(_ rendered: String) {
        let lines = rendered.split(separator: "\n")
        guard lines.count >= 3, let source = lines[1].range(of: " | "),
            let caretGutter = lines[2].range(of: " | ")
        else { return nil }
        line = lines[1][source.upperBound...]
        let caretLine = lines[2][caretGutter.upperBound...]
        guard let caret = caretLine.firstIndex(of: "^") else { return nil }
        pointed = line.dropFirst(caretLine.distance(from: caretLine.startIndex, to: caret))
    }
}
