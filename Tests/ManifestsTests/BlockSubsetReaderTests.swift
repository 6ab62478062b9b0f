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
        _ text: String, limits: YAMLLimits = YAMLLimits(), name: String = "input",
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard let subset = try? YAMLParser(text, limits: limits).readWithSubsetReader() else {
            return false
        }
        guard let reference = try? YAMLParser(text, limits: limits).readWithLibyaml() else {
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
            "a: 1\n...: 2\n....: 3\n",
            String(repeating: "k", count: 1000) + ": 1\n",
            "k" + String(repeating: " ", count: 998) + ": 1\n",
            "k: {" + String(repeating: "f", count: 1000) + ": 1}\n",
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
            // `...` in the first column ends the document, even before text that reads as
            // a key.
            "a: 1\n... b: 2\n", "a: 1\n... : x\n", "a:\n- x\n... b: c\n",
            // libyaml reads no key whose `:` is more than 1,024 characters after its start,
            // spaces included.
            "k" + String(repeating: " ", count: 1100) + ": 1\n",
            "- k" + String(repeating: " ", count: 1100) + ": 1\n",
            "k: {f" + String(repeating: " ", count: 1100) + ": 1}\n",
            String(repeating: "k", count: 1030) + ": 1\n",
        ])
    func outsideSubset(_ text: String) throws {
        let parser = try YAMLParser(text)
        #expect(parser.readWithSubsetReader() == nil)
    }

    /// A control character right after a line feed, at every position in an eight-byte
    /// word, and other bytes that libyaml refuses, each next to a line feed.
    @Test func controlCharacterAfterLineFeedIsLeftToLibyaml() throws {
        for control in ["\u{0B}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "\u{00}"] {
            for padding in 0..<8 {
                let value = String(repeating: "x", count: padding + 1)
                for text in [
                    "a: \(value)\n\(control)b: 1\n", "a: \(value)\(control)\nb: 1\n",
                ] {
                    let parser = try YAMLParser(text)
                    #expect(parser.readWithSubsetReader() == nil, "\(String(reflecting: text))")
                }
            }
        }
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

    /// Compares both readers on generated streams, from plain manifest shapes to shapes at
    /// and beyond the subset's edges, some read with small limits so that documents left out
    /// after an error are compared too.
    @Test func readsTheSameAsLibyamlGeneratedStreams() {
        var generator = YAMLStreamGenerator(random: SplitMix(seed: 0x5EED_0002))
        var acceptedWithoutNoise = 0
        var acceptedWithNoise = 0
        for round in 0..<5000 {
            generator.noise = Int(generator.random.next() % 5)
            let text = generator.stream()
            let limits = generator.limits()
            guard compare(text, limits: limits, name: "stream \(round)") else { continue }
            if generator.noise == 0 {
                acceptedWithoutNoise += 1
            } else {
                acceptedWithNoise += 1
            }
        }
        // Most of the about 1,000 streams without noise are inside the subset, and many of
        // the others.
        #expect(acceptedWithoutNoise > 700)
        #expect(acceptedWithNoise > 400)
    }
}

/// Writes random YAML streams of the shapes manifests use: block mappings and sequences
/// with varied indentation, compact mappings after `- `, one-line flow collections, plain
/// and quoted scalars, comments, blank lines and document markers. `noise`, from 0 to 4,
/// sets how often a shape at or beyond the subset's edge is mixed in: tricky words, long
/// keys, shifted lines, empty values, markers with content, and random byte edits.
private struct YAMLStreamGenerator {
    var random: SplitMix
    var noise = 0

    /// Words that the subset reads in block context, including duplicates, non-ASCII text
    /// and merge keys.
    private static let commonWords = [
        "a", "b", "k", "k", "v", "key", "name", "x1", "0", "1", "-5", "-1", "0043", "0x1F",
        "1.5", "-0.0", ".inf", "1e3", "+1", "~", "null", "Null", "yes", "no", "true", "On",
        "<<", "a b", "sip:u@x.org", "a#b", "a:b", "a,b", "a[1]", "a]b", "a?b", "..x", "-x",
        "=", "<", ".", "x.y", "a/b", "a-b", "\u{00E9}", "\u{65E5}", "x\u{00A0}y",
    ]
    /// Words at or beyond the subset's edge.
    private static let edgeWords = [
        "x{", "x}", "a!b", "a&b", "a*b", "a%b", "a|b", "a>b", "\u{1F600}", "\u{00A0}", "...",
        "--x", "---", "-", "?", "?x", ":x", "x:", "x :y", "a  b", "`x", "@x", "%x", "!x", "&x",
        "*x", "|", "'x", "\"x", "x'", "x\"", "x #c", "x#", "a,", "- a", "x\\y", "0o7",
        "1_000", "2001-12-14",
    ]
    private static let edgeQuotedBodies = [
        "", "it''s", "tab\\t", "\\\"", "#", "a: b", " x ", "[1]", "{a}", "a, b", "'", "\"",
        "x #y", "\\", "---",
    ]

    /// Returns true with `percent` percent at noise 2, never at noise 0.
    private mutating func edge(_ percent: Int) -> Bool {
        Int(random.next() % 200) < percent * noise
    }

    private mutating func chance(_ percent: Int) -> Bool {
        random.next() % 100 < UInt64(percent)
    }

    private mutating func pick<T>(_ items: [T]) -> T {
        items[Int(random.next() % UInt64(items.count))]
    }

    private mutating func count(below bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }

    private mutating func word() -> String {
        edge(30) ? pick(Self.edgeWords) : pick(Self.commonWords)
    }

    private mutating func plain() -> String {
        var text = word()
        if chance(20) { text += pick(["", " ", "  "]) + word() }
        return text
    }

    private mutating func quoted() -> String {
        let body = edge(40) ? pick(Self.edgeQuotedBodies) : plain()
        if chance(50) {
            return "'" + body.replacingOccurrences(of: "'", with: "''") + "'"
        }
        return "\"" + body + "\""
    }

    /// Returns a plain scalar for a flow collection, where flow indicators and `:` end it.
    private mutating func flowPlain() -> String {
        if edge(3) { return String(repeating: "f", count: 1000 + count(below: 40)) }
        if edge(3) { return "f" + String(repeating: " ", count: 1000 + count(below: 40)) + "f" }
        var text = plain()
        if !edge(30) {
            text = String(text.filter { !",[]{}:".contains($0) })
            if text.isEmpty || text.hasPrefix("-") { text = "f" + text }
        }
        return text
    }

    /// Returns a block mapping key. Long ones reach libyaml's limit of 1,024 characters from
    /// a key's start to its `:`.
    private mutating func key() -> String {
        var text: String
        switch edge(100) ? count(below: 40) : 40 {
        case 0: text = String(repeating: "k", count: 990 + count(below: 40))
        case 1: text = "k" + String(repeating: " ", count: 990 + count(below: 40)) + "k"
        case 2: text = quoted()
        case 3: text = "[a]"
        case 4: text = "{a: 1}"
        case 5: text = "? a"
        default: text = plain()
        }
        if chance(10) { text += String(repeating: " ", count: 1 + count(below: 3)) }
        if edge(2) { text += String(repeating: " ", count: 1000 + count(below: 40)) }
        return text
    }

    private mutating func flow(depth: Int) -> String {
        if depth > 3 || chance(35) {
            return chance(75) ? flowPlain() : quoted()
        }
        let isMapping = chance(50)
        var items: [String] = []
        for _ in 0..<count(below: 4) {
            if isMapping {
                let separator = edge(20) ? pick([" : ", ":", ":  "]) : ": "
                switch edge(10) ? count(below: 2) : 2 {
                case 0: items.append(flowPlain())
                case 1: items.append(flowPlain() + ": ")
                default: items.append(flowPlain() + separator + flow(depth: depth + 1))
                }
            } else if edge(8) {
                items.append(flowPlain() + ": " + flow(depth: depth + 1))
            } else {
                items.append(flow(depth: depth + 1))
            }
        }
        var inner = items.map { spaces() + $0 + spaces() }.joined(separator: ",")
        if edge(5) { inner += "," }
        if edge(3) { inner += " #c" }
        return isMapping ? "{" + inner + "}" : "[" + inner + "]"
    }

    private mutating func spaces() -> String {
        pick(["", "", "", " ", "  "])
    }

    private mutating func comment() -> String {
        edge(20) ? "#c" : pick([" # c", "  #c", " #", " # a: b", " #\u{00E9}"])
    }

    /// Returns a scalar or flow collection after `: ` or `- `, then the rest of its line.
    private mutating func inlineValue() -> String {
        var text: String
        switch count(below: 10) {
        case 0, 1: text = quoted()
        case 2, 3: text = flow(depth: 0)
        default: text = plain()
        }
        if chance(15) { text += comment() }
        if chance(8) { text += pick([" ", "  "]) }
        return text
    }

    /// Returns the extra indentation of a nested block. 0 gives an indentless sequence.
    private mutating func step() -> Int {
        edge(10) ? 0 : pick([2, 2, 2, 4, 1, 3])
    }

    private mutating func blankOrCommentLines(indent: Int) -> [String] {
        guard chance(10) else { return [] }
        return [
            pick([
                "", "  ", String(repeating: " ", count: count(below: 6)) + "# note", "#",
                String(repeating: " ", count: indent + 2) + "# deeper",
            ])
        ]
    }

    private mutating func mapping(indent: Int, depth: Int) -> [String] {
        var lines: [String] = []
        let pad = String(repeating: " ", count: indent)
        for _ in 0...count(below: 4) {
            lines += blankOrCommentLines(indent: indent)

            var linePad = pad
            if edge(2) { linePad += " " }
            if edge(2) && !linePad.isEmpty { linePad.removeLast() }
            let key = key()
            let colon = edge(3) ? pick([" :", ":x"]) : ":"
            guard depth < 5 && chance(35) else {
                lines.append(linePad + key + colon + pick([" ", " ", "  "]) + inlineValue())
                if edge(3) { lines.append(pad + "  " + plain()) }
                continue
            }

            // A nested block on the next lines.
            var line = linePad + key + colon
            if chance(10) { line += comment() }
            if chance(5) { line += " " }
            lines.append(line)
            lines += blankOrCommentLines(indent: indent)
            if edge(4) { continue }
            let nested = step()
            if chance(50) {
                lines += sequence(indent: indent + nested, depth: depth + 1)
            } else {
                lines += mapping(indent: indent + max(nested, edge(10) ? 0 : 1), depth: depth + 1)
            }
        }
        return lines
    }

    private mutating func sequence(indent: Int, depth: Int) -> [String] {
        var lines: [String] = []
        let pad = String(repeating: " ", count: indent)
        for _ in 0...count(below: 4) {
            lines += blankOrCommentLines(indent: indent)
            let dash = edge(5) ? pick(["-x", "--"]) : "-"
            switch count(below: 10) {
            case 0, 1, 2:
                // A compact mapping: its first key follows the dash on the same line.
                let gap = 1 + (chance(20) ? count(below: 3) : 0)
                let column = indent + 1 + gap
                var nested = mapping(indent: column, depth: depth + 1)
                if nested[0].hasPrefix(String(repeating: " ", count: column)) {
                    nested[0] =
                        pad + dash + String(repeating: " ", count: gap)
                        + nested[0].dropFirst(column)
                }
                lines += nested
            case 3 where depth < 5:
                var line = pad + dash
                if chance(20) { line += comment() }
                lines.append(line)
                let nested = max(step(), edge(10) ? 0 : 1)
                lines +=
                    chance(50)
                    ? mapping(indent: indent + nested, depth: depth + 1)
                    : sequence(indent: indent + nested, depth: depth + 1)
            case 4 where edge(20):
                lines.append(pad + dash + " - " + plain())
            default:
                lines.append(pad + dash + pick([" ", " ", "  "]) + inlineValue())
            }
        }
        return lines
    }

    private mutating func document() -> [String] {
        if edge(3) { return [inlineValue()] }
        let indent = edge(3) ? 1 : 0
        return chance(70)
            ? mapping(indent: indent, depth: 0) : sequence(indent: indent, depth: 0)
    }

    mutating func stream() -> String {
        var lines: [String] = []
        if chance(10) { lines.append("# head") }
        if edge(3) { lines.append(pick(["%YAML 1.1", "\u{FEFF}"])) }
        let documents = 1 + (chance(30) ? count(below: 3) : 0)
        for index in 0..<documents {
            if index > 0 || chance(25) {
                lines.append(edge(10) ? "--- x" : pick(["---", "--- ", "--- # c", "---  #c"]))
                if chance(5) { lines.append("") }
            }
            if edge(2) { continue }
            lines += document()
            if edge(5) { lines.append(pick(["...", "... ", "... # c", "... x: 1", "... : x"])) }
        }

        var text = lines.joined(separator: "\n")
        switch count(below: 10) {
        case 0: break
        case 1: text += "\n\n"
        case 2: text += "\n  \n# end"
        default: text += "\n"
        }
        if edge(15) { edit(&text) }
        return text
    }

    /// Inserts, removes or replaces up to three characters that matter to YAML.
    private mutating func edit(_ text: inout String) {
        let alphabet =
            Array(" \n\t\r-:#{}[],'\"&*!|>?%@`.0a~<\\").map { [UInt8]($0.utf8) }
            + ["\u{00E9}", "\u{1F600}", "..."].map { [UInt8]($0.utf8) }
        var bytes = Array(text.utf8)
        for _ in 0...count(below: 3) {
            let index = count(below: bytes.count + 1)
            let insertion = pick(alphabet)
            switch count(below: 3) {
            case 0: bytes.insert(contentsOf: insertion, at: index)
            case 1 where index < bytes.count: bytes.remove(at: index)
            case 2 where index < bytes.count: bytes.replaceSubrange(index...index, with: insertion)
            default: break
            }
        }
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Returns mostly the default limits, sometimes a small scalar size or nesting depth.
    mutating func limits() -> YAMLLimits {
        guard chance(15) else { return YAMLLimits() }
        return YAMLLimits(
            maxScalarBytes: chance(50) ? 1 + count(below: 12) : 64 << 10,
            maxDepth: chance(50) ? 1 + count(below: 5) : 64)
    }
}

/// A small deterministic generator, so that every run edits and generates the same inputs.
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
