import Testing
import YAMLReader

@Suite struct YAMLParserTests {
    private func parseOne(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> YAMLNode {
        let documents = try YAMLParser.parse(text, limits: limits)
        #expect(documents.count == 1)
        return try #require(documents.first).root
    }

    private func parseError(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLError? {
        do {
            _ = try YAMLParser.parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func marksAreOneBased() throws {
        let root = try parseOne("a: 1\nlist:\n  - x\n  - {y: 2}\n")
        #expect(root.mark == YAMLMark(line: 1, column: 1))
        let pairs = try #require(root.mapping)
        #expect(pairs[0].key.mark == YAMLMark(line: 1, column: 1))
        #expect(pairs[0].value.mark == YAMLMark(line: 1, column: 4))
        let items = try #require(pairs[1].value.sequence)
        #expect(items[0].mark == YAMLMark(line: 3, column: 5))
        #expect(items[1].mark == YAMLMark(line: 4, column: 5))
        #expect(items[1]["y"]?.mark == YAMLMark(line: 4, column: 9))
    }

    @Test(
        "control character position",
        arguments: [
            ("a: 1\nb: x\u{01}y\n", YAMLMark(line: 2, column: 5)),
            ("a: 1\nb: é\u{9F}\n", YAMLMark(line: 2, column: 5)),
            ("\u{FEFF}b: x\u{7F}\n", YAMLMark(line: 1, column: 5)),
        ])
    func controlCharacterPosition(_ text: String, _ mark: YAMLMark) {
        let error = parseError(text)
        #expect(error?.message.contains("control characters are not allowed") == true)
        #expect(error?.mark == mark)
    }

    @Test(arguments: [
        ("true", YAMLScalarValue.bool(true)),
        ("False", .bool(false)),
        ("null", .null),
        ("~", .null),
        ("", .null),
        ("42", .int(42)),
        ("-7", .int(-7)),
        ("0o17", .int(15)),
        ("0x1F", .int(31)),
        ("0664", .int(664)),
        ("1.5", .float(1.5)),
        ("1e3", .float(1000)),
        ("-.inf", .float(-.infinity)),
        ("yes", .string("yes")),
        ("off", .string("off")),
        ("0b101", .string("0b101")),
        ("1_000", .string("1_000")),
        ("'true'", .string("true")),
        ("\"42\"", .string("42")),
        ("!!str 42", .string("42")),
        ("!!int \"42\"", .int(42)),
        ("!!float 3", .float(3)),
    ])
    func coreSchemaResolution(text: String, expected: YAMLScalarValue) throws {
        let root = try parseOne("v: \(text)\n")
        #expect(root["v"]?.scalar?.value == expected)
    }

    @Test func scalarStyleAndYAML11Booleans() throws {
        let root = try parseOne("a: yes\nb: 'yes'\nc: |\n  text\nd: >\n  folded\n")
        #expect(root["a"]?.scalar?.style == .plain)
        #expect(root["a"]?.scalar?.isYAML11Boolean == true)
        #expect(root["b"]?.scalar?.style == .singleQuoted)
        #expect(root["b"]?.scalar?.isYAML11Boolean == false)
        #expect(root["c"]?.scalar?.style == .literal)
        #expect(root["c"]?.scalar?.text == "text\n")
        #expect(root["d"]?.scalar?.style == .folded)
    }

    @Test func anchorsAndAliasesAreExpanded() throws {
        let root = try parseOne("base: &b {x: 1}\ncopy: *b\nlist: [&s hi, *s]\n")
        #expect(root["copy"]?["x"]?.scalar?.value == .int(1))
        #expect(root["copy"] == root["base"])
        let list = try #require(root["list"]?.sequence)
        #expect(list.map { $0.scalar?.text } == ["hi", "hi"])
    }

    @Test func mergeKeysApplyWithExplicitKeysWinning() throws {
        let text = """
            defaults: &d {status: active, type: sipaccount}
            extra: &e {type: pbxaccount, max: 3}
            item:
              <<: [*d, *e]
              status: locked
            """
        let root = try parseOne(text)
        let item = try #require(root["item"])
        #expect(item["status"]?.scalar?.text == "locked")
        #expect(item["type"]?.scalar?.text == "sipaccount")
        #expect(item["max"]?.scalar?.value == .int(3))
        #expect(item.mapping?.map { $0.key.scalar?.text } == ["status", "type", "max"])
    }

    @Test func mergeOfScalarIsRejected() {
        let error = parseError("a:\n  <<: 5\n")
        #expect(error?.message == "merge key '<<' needs a mapping or a list of mappings")
        #expect(error?.mark == YAMLMark(line: 2, column: 7))
    }

    @Test func aliasBombIsRejected() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            let items = Array(repeating: previous, count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(items)]\n"
        }
        let error = parseError(text)
        #expect(error?.message.hasPrefix("alias '*a") == true)
        #expect(error?.message.contains("beyond the limit of 100000 nodes") == true)
        #expect(error?.mark != nil)
    }

    @Test func aliasLimitIsPerDocument() throws {
        // Each document adds 48 nodes through aliases, 3,000 documents add 144,000: more than
        // one document may add, and far less than 16 times the nodes written.
        let document =
            "---\nf: &f {a: 1, b: 2, c: [1, 2, 3, 4, 5, 6, 7, 8, 9]}\ng: *f\nh: *f\ni: *f\n"
        let text = String(repeating: document, count: 3_000)
        let documents = try YAMLParser.parse(text, limits: YAMLLimits(maxInputBytes: 1 << 22))
        #expect(documents.count == 3_000)
        #expect(documents.last?.root["i"]?["c"]?.sequence?.count == 9)
    }

    @Test func aliasesAcrossDocumentsAreBounded() {
        // Each document stays below its own limit of 1,000 nodes, but the stream adds far more
        // than 16 times the nodes it writes.
        let level = "[x, x, x, x, x, x, x, x, x, x]"
        var document = "---\na: &a \(level)\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        document += "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n"
        let text = String(repeating: document, count: 200)
        let error = parseError(text, limits: YAMLLimits(maxAliasExpansion: 1_000))
        #expect(
            error?.message
                == "alias '*b' makes the aliases of this file expand to more than 16 times the"
                + " nodes written in it, so the rest of the file is not read; split the file, or"
                + " use fewer aliases")
        #expect(error?.mark != nil)
    }

    @Test func problemLeavesOutItsDocumentOnly() throws {
        let text = """
            a: 1
            ---
            b: 1
            b: 2
            c: 1
            c: 2
            ---
            d: !custom 1
            e: !other 2
            ---
            f: 1
            ---
            g: [1, 2
            ---
            h: 1
            """
        let stream = try YAMLParser(text).read()
        #expect(stream.documents.map { $0.root.mapping?.first?.key.scalar?.text } == ["a", "f"])
        #expect(stream.errors.map(\.mark?.line) == [4, 6, 8, 14])
        #expect(
            stream.errors.first?.message == "duplicate key 'b'; first defined at line 3, column 1")
        #expect(stream.errors.last?.message.contains("while parsing a flow sequence") == true)
        // The throwing reader still stops at the first problem.
        #expect(throws: YAMLError.self) { try YAMLParser.parse(text) }
    }

    @Test func aliasInsideItsAnchorIsRejected() {
        let error = parseError("a: &a {x: *a}\n")
        #expect(
            error?.message
                == "alias '*a' is inside the collection that its anchor names; a collection"
                + " cannot contain itself")
        #expect(error?.mark == YAMLMark(line: 1, column: 11))
    }

    @Test func undefinedAliasIsRejected() {
        let error = parseError("a: *missing\n")
        #expect(error?.message == "alias '*missing' refers to no anchor defined before it")
        #expect(error?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func depthLimitIsEnforced() {
        let deep = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        let error = parseError(deep, limits: YAMLLimits(maxDepth: 5))
        #expect(error?.message == "nesting is deeper than the limit of 5 levels")
        #expect(error?.mark == YAMLMark(line: 1, column: 6))
    }

    @Test func aliasesCannotExceedDepthLimit() {
        let text = "a: &a [[[x]]]\nb: [[[*a]]]\n"
        let error = parseError(text, limits: YAMLLimits(maxDepth: 6))
        #expect(error?.message == "nesting is deeper than the limit of 6 levels")
        #expect(error?.mark == YAMLMark(line: 2, column: 7))
        #expect(parseError(text, limits: YAMLLimits(maxDepth: 7)) == nil)
    }

    @Test func secondReadOfParserEnds() throws {
        let parser = try YAMLParser("a: 1\n")
        #expect(try parser.documents().count == 1)
        #expect(try parser.documents().isEmpty)
    }

    @Test func scalarSizeLimitIsEnforced() {
        let text = "a: " + String(repeating: "x", count: 100) + "\n"
        let error = parseError(text, limits: YAMLLimits(maxScalarBytes: 50))
        #expect(error?.message == "scalar is 100 bytes, more than the limit of 50 bytes")
        #expect(error?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func inputSizeLimitIsEnforcedBeforeParsing() {
        let text = String(repeating: "# comment\n", count: 20)
        let error = parseError(text, limits: YAMLLimits(maxInputBytes: 100))
        #expect(error?.message == "input is 200 bytes, more than the limit of 100 bytes")
        #expect(error?.mark == nil)
    }

    @Test func duplicateKeysNameBothPositions() {
        let error = parseError("a: 1\nb: 2\na: 3\n")
        #expect(error?.message == "duplicate key 'a'; first defined at line 1, column 1")
        #expect(error?.mark == YAMLMark(line: 3, column: 1))
    }

    /// Keys are duplicates when their resolved values are equal, whatever their spelling.
    @Test(arguments: [
        ("1: a\nx: b\n0x1: c\n", true),
        ("0.0: a\nx: b\n-0.0: c\n", true),
        ("null: a\nx: b\n~: c\n", true),
        ("true: a\nx: b\nTrue: c\n", true),
        ("K: a\nx: b\n\u{212A}: c\n", true),
        ("\u{212A}: a\nx: b\nK: c\n", true),
        ("1: a\nx: b\n'1': c\n", false),
        ("k: a\nx: b\nK: c\n", false),
    ])
    func duplicateKeysCompareValues(text: String, isDuplicate: Bool) {
        let error = parseError(text)
        #expect((error?.message.hasPrefix("duplicate key") == true) == isDuplicate)
        if isDuplicate { #expect(error?.mark == YAMLMark(line: 3, column: 1)) }
    }

    @Test func repeatedMergeKeyIsDuplicate() throws {
        let text = "d: &d {a: 1}\ne: &e {b: 2}\nf:\n  <<: *d\n  c: 3\n  <<: *e\n---\ng: 1\n"
        let error = parseError(text)
        #expect(error?.message == "duplicate key '<<'; first defined at line 4, column 3")
        #expect(error?.mark == YAMLMark(line: 6, column: 3))

        // The document is left out, and the next one still loads.
        let stream = try YAMLParser(text).read()
        #expect(stream.documents.map { $0.root.mapping?.first?.key.scalar?.text } == ["g"])
        #expect(stream.errors.count == 1)
    }

    @Test func mergeKeysOfNestedMappingsAreNoDuplicates() throws {
        let root = try parseOne("d: &d {a: 1}\ne:\n  <<: *d\n  f:\n    <<: *d\n  g: {<<: *d}\n")
        #expect(root["e"]?["a"]?.scalar?.value == .int(1))
        #expect(root["e"]?["f"]?["a"]?.scalar?.value == .int(1))
        #expect(root["e"]?["g"]?["a"]?.scalar?.value == .int(1))
    }

    @Test func mergedKeysAreNoDuplicates() throws {
        let root = try parseOne("d: &d {a: 1}\ne:\n  <<: *d\n  a: 2\n")
        #expect(root["e"]?["a"]?.scalar?.value == .int(2))
    }

    @Test(arguments: [
        "!custom x", "!!binary aGk=", "!!set {a: null}", "!<tag:example.com,2000:x> 1",
    ])
    func nonCoreTagsAreRejected(text: String) {
        let error = parseError("v: \(text)\n")
        #expect(error?.message.hasPrefix("unsupported tag '") == true)
        #expect(error?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func tagValueMismatchIsRejected() {
        let error = parseError("v: !!int abc\n")
        #expect(error?.message == "value is not valid for tag '!!int'")
    }

    @Test func coreCollectionTagsAreAccepted() throws {
        let root = try parseOne("m: !!map {a: 1}\ns: !!seq [1]\n")
        #expect(root["m"]?.mapping?.count == 1)
        #expect(root["s"]?.sequence?.count == 1)
    }

    @Test func multiDocumentStream() throws {
        let documents = try YAMLParser.parse("a: 1\n---\n---\nb: 2\n...\n")
        #expect(documents.count == 3)
        #expect(documents[0].root["a"]?.scalar?.value == .int(1))
        #expect(documents[1].isEmpty)
        #expect(documents[2].root["b"]?.scalar?.value == .int(2))
        #expect(documents[2].mark.line == 3)
    }

    @Test func anchorsDoNotCrossDocuments() {
        let error = parseError("a: &x 1\n---\nb: *x\n")
        #expect(error?.message == "alias '*x' refers to no anchor defined before it")
        #expect(error?.mark == YAMLMark(line: 3, column: 4))
    }

    @Test func parseErrorCarriesPosition() {
        let error = parseError("a: 1\nb: [1, 2\nc: 3\n")
        #expect(error?.mark?.line == 3)
        #expect(error?.message.contains("while parsing a flow sequence") == true)
    }

    @Test func tabIndentationIsAParseError() {
        let error = parseError("a:\n\tb: 1\n")
        #expect(error != nil)
        #expect(error?.mark?.line == 2)
    }

    @Test func taggedIntegerOverflowIsRejected() {
        let error = parseError("v: !!int 99999999999999999999\n")
        #expect(error?.message == "integer is out of the 64-bit range")
        #expect(error?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func plainIntegerOverflowBecomesFloatWithExactText() throws {
        let root = try parseOne("v: 99999999999999999999\n")
        #expect(root["v"]?.scalar?.value == .float(1e20))
        #expect(root["v"]?.scalar?.text == "99999999999999999999")
    }

    @Test func longSequenceKeepsEveryItem() throws {
        let count = 50_000
        let text = String(repeating: "- item\n", count: count - 1) + "- last\n"
        let root = try parseOne(text)
        #expect(root.sequence?.count == count)
        #expect(root.sequence?.last?.scalar?.text == "last")
    }
}
