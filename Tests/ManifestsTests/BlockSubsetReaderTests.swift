import Foundation
import Testing
import YAMLReader

/// The subset reader must give, for every input it accepts, exactly the tree and errors that
/// libyaml's events give, and leave everything else to libyaml.
@Suite struct BlockSubsetReaderTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Reads `text` with both readers. Returns whether the subset reader accepted it, and
    /// records a failure when it accepted it and the outlines differ.
    @discardableResult
    private func compare(
        _ text: String, name: String = "input", sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard let subset = try? YAMLParser(text).readWithSubsetReader() else { return false }
        guard let reference = try? YAMLParser(text).readWithLibyaml() else {
            Issue.record("libyaml refused \(name)", sourceLocation: sourceLocation)
            return true
        }
        #expect(
            subset.outline == reference.outline, "\(name): \(String(reflecting: text))",
            sourceLocation: sourceLocation)
        return true
    }

    @Test(
        "inputs inside the subset",
        arguments: [
            "a: 1\n",
            "a: 1",
            "# head\n\na: 1 # tail\nb:   two words  \n",
            "apiVersion: ngcpctl/v1\nkind: Subscriber\nmetadata:\n  name: a@b.example\n",
            "spec:\n  primary_number: {cc: 43, ac: \"0720\", sn: '1000'}\n",
            "list:\n  - x\n  - {y: 2}\n  - [1, 2, [3]]\n  - 'q'\n  - \"d\"\n",
            "list:\n- x\n- y\nnext: 1\n",
            "- a: 1\n  b:\n  - x\n  c: 2\n- b\n",
            "-\n  a: 1\n- 2\n",
            "a: {}\nb: []\nc: { }\nd: [ ]\n",
            "---\na: 1\n---\nb: 2\n",
            "--- # first\na: 1\n...x: 2\n",
            "a: sip:user@example.org\nb: a#b\nc: -5\nd: 0043\ne: no\nf: ~\n",
            "a: 1\na: 2\n",
            "a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n",
            "a:\n  b:\n    c:\n      d: [e, {f: g}]\n",
            "<<: {a: 1}\nb: 2\n",
            "k: {a: b c, d: 'e f'}\n",
            "key : value\n",
            "a[1]: x,y\n",
            "a: 1\n\n\n# only a comment\n",
            "a: \u{00E9}\n",
            "name: Z\u{00FC}rich Stra\u{00DF}e \u{65E5}\u{672C} \u{1F600}\nb: {\u{00E9}: [\u{00E9}, x]}\n",
            "a: x\u{00A0}y\n\u{00E9}\u{00E9}: {b: 1, c: 2}\n",
            "a: [\u{00E9}, \u{00E9}, {\u{00E9}: \u{00E9}}]\n\u{00E9}: [x, \u{00E9}]\n",
            "- \u{00E9}: 1\n  b: \u{00E9}\u{00E9}\n- c: {d: \u{00E9}}\n",
        ])
    func insideSubset(_ text: String) {
        #expect(compare(text), "outside the subset: \(String(reflecting: text))")
    }

    @Test(
        "inputs left to libyaml",
        arguments: [
            "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: |\n  text\n", "a: >\n  text\n",
            "a: multi\n  line\n", "a: 'it''s'\n", "a: \"tab\\t\"\n", "a:\n", "a:\nb: 1\n",
            "a:\tb\n", "a: b\r\n", "\u{FEFF}a: 1\n", "a: x\u{2028}y\n", "a: x\u{85}y\n",
            "a: x\u{FEFF}y\n", "a: x\u{9F}\n", "? a\n: b\n",
            "a: [1,\n  2]\n", "a: {b}\n", "a: {b: }\n", "a: [1, ]\n", "a: {b:c}\n",
            "  a: 1\n", "scalar\n", "[1, 2]\n", "---\n", "a: 1\n---\n", "%YAML 1.1\n---\na: 1\n",
            "a: b: c\n", "a: 'x' y\n", "a: [1] 2\n", "- - x\n", "a: - x\n", "a: -\n",
            "a:#b\n", "a: 1\n b: 2\n", "a: 1\n  # c\n  b: 2\n", "\"a\": 1\n", "a: {\"b\": 1}\n",
            "a: x #c\n  y\n", "a: @x\n", "a: `x\n", "a: ?x\n", "a: :x\n",
        ])
    func outsideSubset(_ text: String) throws {
        let parser = try YAMLParser(text)
        #expect(parser.readWithSubsetReader() == nil)
    }

    @Test func readsTheSameAsLibyamlEveryManifestOfTheRepository() throws {
        let directories = [
            "examples", "policies", "Tests/ManifestsTests/Corpus", "Tests/PlanningTests/Golden",
        ]
        var files: [URL] = []
        for directory in directories {
            let root = Self.repositoryRoot.appendingPathComponent(directory)
            let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let url = walker?.nextObject() as? URL {
                if url.pathExtension == "yaml" { files.append(url) }
            }
        }
        #expect(files.count > 250)

        var accepted = 0
        for file in files {
            // Some invalid manifests are no UTF-8 on purpose; the loader repairs them this way.
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            if compare(text, name: file.lastPathComponent) { accepted += 1 }
        }
        // Most of the repository's manifests are in the subset; the invalid corpus is not.
        #expect(accepted > files.count / 3)
    }

    /// Edits the repository's examples at pseudo-random places with characters that matter
    /// to YAML, and compares both readers on every edited text that the subset accepts.
    @Test func readsTheSameAsLibyamlEditedManifests() throws {
        let root = Self.repositoryRoot.appendingPathComponent("examples")
        var seeds: [[UInt8]] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            if url.pathExtension == "yaml" { seeds.append(Array(try Data(contentsOf: url))) }
        }
        seeds.append(Array("a:\n- {b: 1, c: [x, 'y']}\n- d: \"e\"\n  f: -1\n".utf8))
        #expect(!seeds.isEmpty)

        let alphabet =
            Array(" \n-:#{}[],'\"&*!|>?%@`.0a~<=\\\t\r").map { [UInt8]($0.utf8) }
            + ["\u{00E9}", "\u{65E5}", "\u{1F600}", "\u{2028}", "\u{85}", "\u{FEFF}"].map {
                [UInt8]($0.utf8)
            }
        var random = SplitMix(seed: 0x5EED)
        var accepted = 0
        for round in 0..<6000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...(random.next() % 3) {
                let index = Int(random.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 4 {
                case 0: bytes.insert(contentsOf: byte, at: index)
                case 1 where index < bytes.count: bytes.remove(at: index)
                case 2 where index < bytes.count: bytes.replaceSubrange(index...index, with: byte)
                default: bytes.insert(contentsOf: [UInt8(ascii: " ")], at: index)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if compare(text, name: "edit \(round)") { accepted += 1 }
        }
        // The test means something only when many edited texts stay inside the subset.
        #expect(accepted > 1000)
    }
}

/// A small deterministic generator, so that every run edits the same places.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
