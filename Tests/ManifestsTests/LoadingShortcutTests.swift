import Foundation
import NGCPCore
import Testing
import YAMLReader

@testable import Manifests

/// The shortcuts that loading takes for speed give the same results as the general code.
@Suite struct LoadingShortcutTests {
    @Test(arguments: [
        "/tmp/manifests/customer-0001.yaml", "/a.yaml", "/srv/git/repo@2/sub_dir/x-y+z.yml",
        "/home/ops/platform/customers/acme,eu=1~/subscribers.yaml",
    ])
    func plainParentMatchesURL(path: String) throws {
        let expected = URL(fileURLWithPath: path).standardizedFileURL
            .deletingLastPathComponent().path
        #expect(plainParent(of: path) == expected)
    }

    @Test(arguments: [
        "relative/a.yaml", "/tmp/./a.yaml", "/tmp/../a.yaml", "/tmp//a.yaml", "/tmp/dir/",
        "/tmp/.hidden/a.yaml", "/tmp/with space/a.yaml", "/tmp/ünïcode/a.yaml", "/",
        "/tmp/%41/a.yaml",
    ])
    func plainParentLeavesOtherPathsToURL(path: String) {
        #expect(plainParent(of: path) == nil)
    }

    @Test(arguments: [
        ("a b", true), ("a\tb", true), ("a\u{00A0}b", true), ("ünï\u{2003}", true), ("abc", false),
        ("ünïcode", false), ("", false),
    ])
    func whitespaceCheckMatchesUnicode(text: String, expected: Bool) {
        #expect(containsWhitespace(text) == expected)
        #expect(text.contains(where: \.isWhitespace) == expected)
    }

    @Test(arguments: ["alice", "Alice", "ALICE@SIP.example.org", "Ärger.example", "", "a1-_."])
    func lowercasedMatchesFoundation(text: String) {
        #expect(lowercased(text) == text.lowercased())
    }

    @Test func controlCharacterFlagFollowsBytes() throws {
        let clean = try YAMLParser.parse("a: plain\nb: [1, 2]\n")[0].root
        #expect(!clean.mayContainControlCharacters)
        #expect(clean["a"]?.mayContainControlCharacters == false)

        let tab = try YAMLParser.parse("a: \"x\\ty\"\nb: ok\n")[0].root
        #expect(tab.mayContainControlCharacters)
        #expect(tab["a"]?.mayContainControlCharacters == true)
        #expect(tab["b"]?.mayContainControlCharacters == false)

        let c1 = try YAMLParser.parse("a: \"x\\u0085\"\n")[0].root
        #expect(c1["a"]?.mayContainControlCharacters == true)

        // DEL in ASCII text and in other text; other text without control characters.
        let delete = try YAMLParser.parse("a: \"x\\x7Fy\"\nb: \"ü\\x7F\"\nc: grüß\n")[0].root
        #expect(delete["a"]?.mayContainControlCharacters == true)
        #expect(delete["b"]?.mayContainControlCharacters == true)
        #expect(delete["c"]?.mayContainControlCharacters == false)
    }

    @Test func firstDuplicateKeepsMetadata() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: twice.example
              annotations: {order: first}
            ---
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: TWICE.example
              annotations: {order: second}
            """
        let result = ManifestLoader().load(documents: [("domains.yaml", text)])
        #expect(result.errors.count == 1)
        #expect(result.desired.domains.map(\.domain) == ["twice.example"])
        let metadata = result.metadata[ResourceID(.domains, "twice.example")]
        #expect(metadata?.annotations == ["order": "first"])
        #expect(result.metadata.count == 1)
    }

    @Test func controlCharacterInOneDocumentIsReported() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: ok.example
            ---
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata:
              name: "bad\\u0007.example"
            """
        let result = ManifestLoader().load(documents: [("domains.yaml", text)])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.location?.line == 9)
        #expect(result.desired.domains.map(\.domain) == ["ok.example"])
    }
}

/// The `%YAML` search finds the directive wherever a `%` leads to it.
@Suite struct YAMLDirectiveSearchTests {
    @Test(arguments: [
        ("%YAML 1.1\n---\na: 1\n", 1),
        ("# 100% sure\n%YAML 1.1\n---\na: 1\n", 2),
        ("# %YA\n%%\n%YAML 1.0\n---\n", 3),
    ])
    func directiveIsFound(text: String, line: Int) throws {
        let found = try #require(DesiredStateCollector.unsupportedYAMLVersion(in: text))
        #expect(found.1 == YAMLMark(line: line, column: 1))
    }

    @Test(arguments: ["a: 1\n", "a: 100%\n", "a: '%YAM'\n", "%", ""])
    func textWithoutDirectiveIsAccepted(text: String) {
        #expect(DesiredStateCollector.unsupportedYAMLVersion(in: text) == nil)
    }
}

/// Duplicate keys and merge keys behave the same in small mappings, which are scanned, and
/// in large ones, which are indexed.
@Suite struct LargeMappingTests {
    private func keys(_ count: Int) -> String {
        (0..<count).map { "k\($0): \($0)\n" }.joined()
    }

    @Test func duplicateInLargeMappingNamesFirstKey() {
        let text = keys(20) + "k2: again\n"
        do {
            _ = try YAMLParser.parse(text)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.message == "duplicate key 'k2'; first defined at line 3, column 1")
            #expect(error.mark == YAMLMark(line: 21, column: 1))
        }
    }

    @Test func numericKeysCollideByValueInLargeMapping() {
        let text = keys(20) + "1: one\n0x1: hex\n"
        do {
            _ = try YAMLParser.parse(text)
            Issue.record("keys 1 and 0x1 were both accepted")
        } catch {
            #expect(error.message == "duplicate key '0x1'; first defined at line 21, column 1")
        }
    }

    @Test func mergeIntoLargeMappingKeepsExplicitKeys() throws {
        let text =
            "base: &b {k3: merged, extra: merged}\nitem:\n  <<: *b\n"
            + keys(20).split(separator: "\n").map { "  \($0)\n" }.joined()
        let item = try #require(try YAMLParser.parse(text).first?.root["item"])
        #expect(item["k3"]?.scalar?.value == .int(3))
        #expect(item["extra"]?.scalar?.text == "merged")
        #expect(item.mapping?.count == 21)
        #expect(item.mapping?.last?.key.scalar?.text == "extra")
    }
}
