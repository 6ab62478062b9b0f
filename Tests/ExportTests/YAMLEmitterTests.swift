import Export
import NGCPCore
import Testing
import YAMLReader

/// The emitter's output must parse back, with the YAML 1.2 reader the loader uses, to exactly
/// the values it was given, and read the same under YAML 1.1 rules.
@Suite struct YAMLEmitterTests {
    /// Strings that a careless emitter would let a reader turn into something else.
    static let trickyStrings: [String] = [
        "0664", "0", "4020", "+43", "-1", "1e3", "0x1F", "0o17", "1_000", "1:20", ".5", "8-17",
        "yes", "No", "ON", "off", "y", "N", "true", "False", "null", "Null", "~", "", " ",
        ".inf", "-.inf", ".NaN", "nan", "inf", " leading", "trailing ", "a: b", "a #b", "#x",
        "-x", "- x", "?x", ":x", "@x", "*x", "&x", "!x", "%x", "|x", ">x", "'x", "\"x", "`x",
        "[x]", "{x}", "a, b", "a,b", "x]", "x}", "multi\nline", "tab\there", "cr\rhere",
        "quote\"inside", "back\\slash", "Müller", "Straße 12", "no\u{00A0}break",
        "line\u{2028}separator", "\u{FEFF}bom", "bell\u{07}", "del\u{7F}", "next\u{85}line",
        "emoji 🎉", "sip:4311@example.org", "=", "<<", "---", "...", "a'b", "ok_value",
    ]

    private func parse(_ text: String) throws -> JSONValue {
        let documents = try YAMLParser.parse(text)
        try #require(documents.count == 1)
        return jsonValue(documents[0].root)
    }

    @Test(arguments: trickyStrings)
    func stringValueRoundTrips(_ text: String) throws {
        let document = YAMLValue.block([
            YAMLEntry("block", .string(text)),
            YAMLEntry("flow", .flow([YAMLEntry("value", .string(text))])),
            YAMLEntry("list", .sequence([.string(text)], flow: true)),
            YAMLEntry("items", .sequence([.string(text)])),
        ])
        let parsed = try parse(YAMLEmitter().emit(document))
        #expect(parsed["block"] == .string(text))
        #expect(parsed["flow"]?["value"] == .string(text))
        #expect(parsed["list"] == [.string(text)])
        #expect(parsed["items"] == [.string(text)])
    }

    @Test(arguments: trickyStrings)
    func stringKeyRoundTrips(_ text: String) throws {
        let document = YAMLValue.block([
            YAMLEntry(text, 1), YAMLEntry("nested", .flow([YAMLEntry(text, 2)])),
        ])
        let documents = try YAMLParser.parse(YAMLEmitter().emit(document))
        let pairs = try #require(documents.first?.root.mapping)
        #expect(pairs.first?.key.scalar?.value == .string(text))
        let nested = try #require(pairs.last?.value.mapping)
        #expect(nested.first?.key.scalar?.value == .string(text))
    }

    @Test(arguments: trickyStrings)
    func plainScalarsAreNoYAML11Booleans(_ text: String) throws {
        let line = YAMLEmitter().emit(.block([YAMLEntry("k", .string(text))]))
        let documents = try YAMLParser.parse(line)
        let scalar = try #require(documents.first?.root["k"]?.scalar)
        #expect(!scalar.isYAML11Boolean)
        if scalar.style == .plain {
            // YAML 1.1 reads a plain scalar as a number or null only when it is empty or
            // starts with a digit, a sign, a dot or `~`. The emitter writes none of these plain.
            #expect(scalar.text.first?.isLetter == true)
        }
    }

    @Test func numbersAndBooleansKeepTheirTypes() throws {
        let document = YAMLValue.block([
            YAMLEntry("int", .int(43)), YAMLEntry("negative", .int(-7)),
            YAMLEntry("zero", .int(0)), YAMLEntry("double", .double(7.5)),
            YAMLEntry("whole", .double(20)), YAMLEntry("tiny", .double(1e-5)),
            YAMLEntry("big", .double(5e20)), YAMLEntry("yes", .bool(true)),
            YAMLEntry("no", .bool(false)), YAMLEntry("nothing", .null),
            YAMLEntry("infinity", .double(.infinity)),
        ])
        let parsed = try parse(YAMLEmitter().emit(document))
        #expect(parsed["int"] == 43)
        #expect(parsed["negative"] == -7)
        #expect(parsed["zero"] == 0)
        #expect(parsed["double"] == 7.5)
        #expect(parsed["whole"] == .double(20))
        #expect(parsed["tiny"] == .double(1e-5))
        #expect(parsed["big"] == .double(5e20))
        #expect(parsed["yes"] == true)
        #expect(parsed["no"] == false)
        #expect(parsed["nothing"] == .null)
        #expect(parsed["infinity"] == .double(.infinity))
    }

    @Test func nestedStructureRoundTrips() throws {
        let value = YAMLValue.block([
            YAMLEntry("empty_map", .block([])),
            YAMLEntry("empty_list", .sequence([])),
            YAMLEntry(
                "items",
                .sequence([
                    .block([YAMLEntry("a", 1), YAMLEntry("b", .sequence(["x", "y"]))]),
                    .sequence([.int(1), .sequence([.int(2)])]),
                    .flow([YAMLEntry("deep", .flow([YAMLEntry("deeper", .sequence([]))]))]),
                    .block([]),
                ])),
            YAMLEntry(
                "map", .block([YAMLEntry("inner", .block([YAMLEntry("leaf", "0664")]))])),
        ])
        let parsed = try parse(YAMLEmitter().emit(value))
        #expect(parsed == jsonValue(value))
    }

    @Test func longFlowFallsBackToBlock() throws {
        let items = (0..<30).map { YAMLValue.string("value\($0)") }
        let value = YAMLValue.block([YAMLEntry("list", .sequence(items, flow: true))])
        let text = YAMLEmitter(lineWidth: 100).emit(value)
        #expect(text.hasPrefix("list:\n  - value0\n"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        #expect(try parse(text) == jsonValue(value))
    }

    @Test func layoutIsStable() {
        let value = YAMLValue.block([
            YAMLEntry("apiVersion", "ngcpctl/v1"),
            YAMLEntry("metadata", .block([YAMLEntry("name", "alice@example.org")])),
            YAMLEntry(
                "spec",
                .block([
                    YAMLEntry(
                        "primary_number",
                        .flow([YAMLEntry("cc", 43), YAMLEntry("ac", "1"), YAMLEntry("sn", "0100")])
                    ),
                    YAMLEntry(
                        "destinations",
                        .sequence([
                            .block([YAMLEntry("destination", "voicebox"), YAMLEntry("priority", 1)])
                        ])),
                ])),
        ])
        let expected = """
            apiVersion: ngcpctl/v1
            metadata:
              name: alice@example.org
            spec:
              primary_number: {cc: 43, ac: "1", sn: "0100"}
              destinations:
                - destination: voicebox
                  priority: 1

            """
        #expect(YAMLEmitter().emit(value) == expected)
        #expect(YAMLEmitter().emit(value) == YAMLEmitter().emit(value))
    }

    @Test func documentsAreSeparated() throws {
        let text = YAMLEmitter().emit(documents: [
            .block([YAMLEntry("a", 1)]), .block([YAMLEntry("b", 2)]),
        ])
        #expect(text == "a: 1\n---\nb: 2\n")
        let documents = try YAMLParser.parse(text)
        #expect(documents.count == 2)
    }
}
