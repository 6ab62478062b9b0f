import Testing
import YAMLReader

/// Tests of the YAML parser's word-wide scans of scalar bytes, its key lookup by fingerprint
/// and its growable buffers. They cover every offset and length that the word reads treat
/// differently, each point where a buffer grows, and the switch to an index for duplicate
/// keys.
@Suite struct YAMLTreeBuildingTests {
    private func parseOne(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> YAMLNode {
        let documents = try YAMLParser.parse(text, limits: limits)
        #expect(documents.count == 1)
        return try #require(documents.first).root
    }

    private func parseError(_ text: String) -> YAMLError? {
        do {
            _ = try YAMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// Returns `length` copies of `filler` with `insert` in place of the one at `offset`.
    private func text(length: Int, filler: String, insert: String, at offset: Int) -> String {
        String(repeating: filler, count: offset) + insert
            + String(repeating: filler, count: length - offset - 1)
    }

    private func escaped(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "\\x" + (hex.count == 1 ? "0" + hex : hex)
    }

    // MARK: - Scanning scalar bytes

    @Test(arguments: [0x00, 0x01, 0x1F, 0x7F] as [UInt8])
    func controlByteIsFlaggedAtEveryOffset(byte: UInt8) throws {
        for length in 1...20 {
            for offset in 0..<length {
                let value = text(length: length, filler: "a", insert: escaped(byte), at: offset)
                let root = try parseOne("v: \"\(value)\"\n")
                let node = try #require(root["v"])
                #expect(node.scalar?.text.utf8.count == length, "length \(length)")
                #expect(
                    node.mayContainControlCharacters,
                    "byte \(byte) at offset \(offset) of \(length) bytes")
            }
        }
    }

    @Test func bytesNextToControlRangeAreNotFlagged() throws {
        // Space (0x20) and tilde (0x7E) are the printable ASCII bytes next to the control
        // ranges, so they catch an off-by-one in the word-wide comparisons.
        for length in 1...20 {
            for offset in 0..<length {
                let value = text(length: length, filler: " ", insert: "~", at: offset)
                let root = try parseOne("v: \"\(value)\"\n")
                let node = try #require(root["v"])
                #expect(node.scalar?.text == value)
                #expect(
                    !node.mayContainControlCharacters, "offset \(offset) of \(length) bytes")
            }
        }
    }

    @Test func nonASCIIControlCharacterIsFlagged() throws {
        let root = try parseOne("a: \"x\\u0085\"\nb: \"é\"\n")
        #expect(root["a"]?.mayContainControlCharacters == true)
        #expect(root["b"]?.mayContainControlCharacters == false)
    }

    /// A key with a non-ASCII byte at any offset must compare by canonical equivalence, so
    /// `é` written precomposed and decomposed are the same key.
    @Test func nonASCIIKeyIsFoundAtEveryOffset() {
        for length in 1...20 {
            for offset in 0..<length {
                let composed = text(length: length, filler: "k", insert: "\u{E9}", at: offset)
                let decomposed = text(length: length, filler: "k", insert: "e\u{301}", at: offset)
                let error = parseError("\"\(composed)\": 1\nx: 2\n\"\(decomposed)\": 3\n")
                #expect(
                    error?.message.hasPrefix("duplicate key") == true,
                    "offset \(offset) of \(length) characters")
                #expect(error?.mark == YAMLMark(line: 3, column: 1))
            }
        }
    }

    @Test func keysDifferingInOneByteAreDistinct() throws {
        for length in 1...20 {
            let plain = String(repeating: "a", count: length)
            for offset in 0..<length {
                let changed = text(length: length, filler: "a", insert: "b", at: offset)
                let root = try parseOne("\(plain): 1\n\(changed): 2\n")
                let pairs = try #require(root.mapping)
                #expect(pairs.count == 2, "offset \(offset) of \(length) bytes")

                let names = KeyNames([plain, changed])
                #expect(pairs.lastIndex(ofKeyAt: 0, in: names) == 0)
                #expect(pairs.lastIndex(ofKeyAt: 1, in: names) == 1)
                let fingerprint = KeyNames.fingerprint(of: changed)
                #expect(pairs.lastPosition(ofKey: changed, fingerprint: fingerprint) == 1)
                #expect(pairs.lastPosition(ofKey: plain, fingerprint: fingerprint) == nil)
            }
            let error = parseError("\(plain): 1\n\(plain): 2\n")
            #expect(error?.mark == YAMLMark(line: 2, column: 1), "\(length) bytes")
        }
    }

    // MARK: - Key names

    @Test func repeatedKeyNameGivesLastIndex() throws {
        let pairs = try #require(try parseOne("a: 1\nb: 2\nc: 3\n").mapping)
        let names = KeyNames(["a", "b", "a"])
        #expect(pairs.lastIndex(ofKeyAt: 0, in: names) == 2)
        #expect(pairs.lastIndex(ofKeyAt: 1, in: names) == 1)
        #expect(pairs.lastIndex(ofKeyAt: 2, in: names) == nil)
    }

    @Test func manyKeyNamesAreAllFound() throws {
        let keys = (0..<40).map { "field_\($0)" }
        let text = keys.reversed().map { "\($0): 1\n" }.joined()
        let pairs = try #require(try parseOne(text).mapping)
        let names = KeyNames(keys)
        for position in 0..<40 {
            #expect(pairs.lastIndex(ofKeyAt: position, in: names) == 39 - position)
        }
        #expect(pairs.lastIndex(ofKeyAt: 0, in: KeyNames(["other"])) == nil)
        #expect(pairs.lastIndex(ofKeyAt: 0, in: KeyNames([])) == nil)
    }

    @Test func keyNameMatchesOnlyStringKeys() throws {
        let pairs = try #require(try parseOne("1: a\n'1': b\n\"\": c\né: d\n").mapping)
        let names = KeyNames(["1", "", "e"])
        #expect(pairs.lastIndex(ofKeyAt: 0, in: names) == nil)
        #expect(pairs.lastIndex(ofKeyAt: 1, in: names) == 0)
        #expect(pairs.lastIndex(ofKeyAt: 2, in: names) == 1)
        #expect(pairs.lastIndex(ofKeyAt: 3, in: names) == nil)
        #expect(pairs.lastPosition(ofKey: "1", fingerprint: KeyNames.fingerprint(of: "1")) == 1)
        #expect(pairs.lastPosition(ofKey: "", fingerprint: KeyNames.fingerprint(of: "")) == 2)
    }

    // MARK: - Duplicate keys and merges

    /// Mappings switch from a linear search to an index at 16 pairs. A duplicate must be
    /// found on both sides of the switch, whichever key it repeats.
    @Test(arguments: 13...19)
    func duplicateKeyIsFoundAroundIndexThreshold(distinctKeys: Int) {
        for repeated in [0, distinctKeys / 2, distinctKeys - 1] {
            var text = (0..<distinctKeys).map { "key\($0): \($0)\n" }.joined()
            text += "key\(repeated): again\n"
            let error = parseError(text)
            #expect(
                error?.message
                    == "duplicate key 'key\(repeated)'; first defined at line \(repeated + 1),"
                    + " column 1")
            #expect(error?.mark == YAMLMark(line: distinctKeys + 1, column: 1))
        }
        let numeric = (0..<distinctKeys).map { "\($0): x\n" }.joined() + "0x0: y\n"
        #expect(parseError(numeric)?.mark == YAMLMark(line: distinctKeys + 1, column: 1))
    }

    @Test func mergeAcrossIndexThresholdKeepsExplicitKeys() throws {
        let merged = (0..<20).map { "k\($0): merged" }.joined(separator: ", ")
        let explicit = ["k5", "k17"] + (0..<15).map { "n\($0)" }
        var text = "base: &d {\(merged)}\nitem:\n  <<: *d\n"
        text += explicit.map { "  \($0): explicit\n" }.joined()
        let item = try #require(try parseOne(text)["item"])
        let pairs = try #require(item.mapping)

        let expectedKeys = explicit + (0..<20).map { "k\($0)" }.filter { !explicit.contains($0) }
        #expect(pairs.map { $0.key.scalar?.text } == expectedKeys)
        #expect(item["k5"]?.scalar?.text == "explicit")
        #expect(item["k17"]?.scalar?.text == "explicit")
        #expect(item["k0"]?.scalar?.text == "merged")
    }

    @Test func anchoredCollectionsAreSharedAfterGrowth() throws {
        // Enough nodes before the aliases that the record, child and pending buffers grow.
        var text = "items: [" + (0..<3000).map(String.init).joined(separator: ",") + "]\n"
        text += "list: &l [a, {b: c}, [d]]\nmap: &m {x: *l, y: [*l]}\n"
        text += "copies: [*m, *l, *m]\n"
        let root = try parseOne(text)
        let copies = try #require(root["copies"]?.sequence)
        #expect(copies.count == 3)
        #expect(copies[0] == root["map"])
        #expect(copies[1] == root["list"])
        #expect(copies[2]["y"]?.sequence?[0].sequence?[1]["b"]?.scalar?.text == "c")
        #expect(root["items"]?.sequence?[2999].scalar?.value == .int(2999))
    }

    // MARK: - Buffer growth

    @Test func deepNestingKeepsEveryLevel() throws {
        // The default limit is 64 levels: 63 mappings and the innermost list.
        let depth = 63
        var text = ""
        for level in 0..<(depth - 1) {
            text += String(repeating: "  ", count: level) + "l\(level):\n"
        }
        text += String(repeating: "  ", count: depth - 1) + "leaf: [x]\n"
        var node = try parseOne(text)
        for level in 0..<(depth - 1) {
            let pairs = try #require(node.mapping, "level \(level)")
            #expect(pairs.count == 1)
            #expect(pairs[0].key.scalar?.text == "l\(level)")
            node = pairs[0].value
        }
        #expect(node["leaf"]?.sequence?.first?.scalar?.text == "x")
    }

    @Test func wideMappingsInsideOpenCollections() throws {
        let wide = (0..<600).map { "w\($0): \($0)" }.joined(separator: ", ")
        let text = "outer:\n  before: 1\n  inner: [0, {\(wide)}, 2]\n  after: 3\n"
        let outer = try #require(try parseOne(text)["outer"])
        #expect(outer.mapping?.map { $0.key.scalar?.text } == ["before", "inner", "after"])
        let inner = try #require(outer["inner"]?.sequence)
        #expect(inner.count == 3)
        #expect(inner[0].scalar?.value == .int(0))
        #expect(inner[2].scalar?.value == .int(2))
        let pairs = try #require(inner[1].mapping)
        #expect(pairs.count == 600)
        for position in 0..<600 {
            #expect(pairs[position].key.scalar?.text == "w\(position)")
            #expect(pairs[position].value.scalar?.value == .int(position))
        }
        #expect(outer["after"]?.scalar?.value == .int(3))
    }

    @Test func longScalarsAreKept() throws {
        let long = String(repeating: "0123456789", count: 6000)
        let root = try parseOne("a: \(long)\nb: \"\(long)\"\n")
        #expect(root["a"]?.scalar?.text == long)
        #expect(root["b"]?.scalar?.text == long)
    }

    @Test func detachedCopyGrowsItsBuffers() throws {
        // A detached copy starts with room for a few nodes and bytes, so this one grows.
        let items = (0..<50).map { "item-\($0)-" + String(repeating: "x", count: $0) }
        let text = "list: [" + items.joined(separator: ", ") + "]\nother: 1\n"
        let list = try #require(try parseOne(text)["list"])
        let copy = list.detached()
        #expect(copy.hasSameContent(as: list))
        #expect(copy.sequence?.map { $0.scalar?.text } == items)
    }

    @Test func denseFlowSequenceGrowsRecords() throws {
        // Two bytes per node, where the initial capacity assumes one node per eight bytes.
        let count = 5000
        let text = "[" + String(repeating: "1,", count: count - 1) + "2]"
        let items = try #require(try parseOne(text).sequence)
        #expect(items.count == count)
        #expect(items[0].scalar?.value == .int(1))
        #expect(items[count - 1].scalar?.value == .int(2))
    }

    // MARK: - Content and text

    @Test func contentDiffersInOneByteAtEveryOffset() throws {
        for length in 1...20 {
            let plain = String(repeating: "a", count: length)
            for offset in 0..<length {
                let changed = text(length: length, filler: "a", insert: "b", at: offset)
                let documents = try YAMLParser.parse(
                    "v: \(plain)\n---\nv: \(plain)\n---\nv: \(changed)\n")
                let first = documents[0].root
                #expect(first.hasSameContent(as: documents[1].root))
                #expect(
                    !first.hasSameContent(as: documents[2].root),
                    "offset \(offset) of \(length) bytes")
            }
        }
    }

    @Test(arguments: [0, 1, 7, 8, 14, 15, 16, 17, 40])
    func scalarTextHasEveryByte(length: Int) throws {
        let ascii = String((0..<length).map { Character(UnicodeScalar(0x61 + $0 % 26)!) })
        let accented = String(repeating: "é", count: length)
        let root = try parseOne("a: '\(ascii)'\nb: '\(accented)'\n")
        #expect(root["a"]?.scalar?.text == ascii)
        #expect(root["b"]?.scalar?.text == accented)
        let pairs = try #require(root.mapping)
        #expect(pairs.stringKey(at: 1) == "b")
    }

    @Test(arguments: [
        ("n", YAMLScalarValue.string("n")),
        ("N", .string("N")),
        ("nul", .string("nul")),
        ("nulls", .string("nulls")),
        ("Null", .null),
        ("NULL", .null),
        ("~x", .string("~x")),
        ("t", .string("t")),
        ("tru", .string("tru")),
        ("True", .bool(true)),
        ("TRUE", .bool(true)),
        ("f", .string("f")),
        ("falsey", .string("falsey")),
        ("FALSE", .bool(false)),
        (".inf", .float(.infinity)),
        ("+.Inf", .float(.infinity)),
        ("-.INF", .float(-.infinity)),
        (".infinity", .string(".infinity")),
        ("-x", .string("-x")),
        ("+1", .int(1)),
        (".5", .float(0.5)),
    ])
    func plainSpellingResolution(text: String, expected: YAMLScalarValue) throws {
        let root = try parseOne("v: \(text)\n")
        #expect(root["v"]?.scalar?.value == expected)
    }

    @Test func notANumberSpellings() throws {
        for spelling in [".nan", ".NaN", ".NAN"] {
            let value = try parseOne("v: \(spelling)\n")["v"]?.scalar?.value
            guard case .float(let number) = value else {
                Issue.record("\(spelling) resolved to \(String(describing: value))")
                continue
            }
            #expect(number.isNaN)
        }
        #expect(try parseOne("v: .nanx\n")["v"]?.scalar?.value == .string(".nanx"))
    }
}
