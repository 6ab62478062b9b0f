import Foundation
import NGCPCore
import Testing

@testable import Policies

/// The repository's root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

@Suite struct BuiltInPackTests {
    @Test func compiledCopyMatchesFiles() throws {
        let directory = packageRoot.appendingPathComponent("policies")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        var files: [(path: String, text: String)] = []
        for name in names {
            let text = try String(
                contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            files.append(("builtin:\(name)", text))
        }

        if ProcessInfo.processInfo.environment["NGCPCTL_RECORD_BUILTIN_POLICIES"] == "1" {
            try Self.generatedSource(files).write(
                to: packageRoot.appendingPathComponent(
                    "Sources/Policies/Policy/BuiltInPolicies.swift"),
                atomically: true, encoding: .utf8)
        }

        #expect(
            BuiltInPolicies.documents.map(\.path) == files.map(\.path),
            "run NGCPCTL_RECORD_BUILTIN_POLICIES=1 swift test --filter BuiltInPackTests")
        for (compiled, file) in zip(BuiltInPolicies.documents, files) {
            #expect(
                compiled.text == file.text,
                "\(file.path) differs from its compiled copy; regenerate it")
        }
    }

    @Test func packLoadsWithoutDiagnostics() {
        let result = PolicyLoader().load(paths: [], includeBuiltIn: true)
        #expect(result.diagnostics.map(\.description) == [])
        #expect(
            result.policies.rules.map(\.name).sorted() == [
                "block-in-clir-removal", "block-in-list-removal", "callforward-international",
                "callforward-premium-rate", "concurrent-max-limit", "literal-password",
                "subscriber-without-number", "too-many-removals", "weak-password",
            ])
    }

    @Test func everyRuleIsDocumented() throws {
        let docs = try String(
            contentsOf: packageRoot.appendingPathComponent("docs/policies.md"), encoding: .utf8)
        for rule in PolicySet.builtIn.rules {
            #expect(docs.contains("`\(rule.name)`"), "docs/policies.md lacks \(rule.name)")
            #expect(rule.description != nil, "\(rule.name) has no description")
        }
    }

    /// A reader pastes an example rule into `policies/` next to the built-in pack, so every
    /// example in the docs must load with the pack: no name may repeat a built-in rule.
    @Test func docExamplesLoadWithPack() throws {
        let directory = packageRoot.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".md") }.sorted()
        var checked = 0
        for name in names {
            let text = try String(
                contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for (index, block) in Self.policyExamples(in: text).enumerated() {
                let path = "docs/\(name) example \(index + 1)"
                let result = PolicyLoader().load(
                    documents: BuiltInPolicies.documents + [(path, block)])
                #expect(result.diagnostics.map(\.description) == [], "\(path):\n\(block)")
                checked += 1
            }
        }

        // The rule example, the overrides and the bare rule in docs/policies.md.
        #expect(checked >= 3)
    }

    /// Returns the YAML code blocks of a Markdown text that are policy files (a top-level
    /// `rules:` or `overrides:` key) or a bare rule (`- name:`), the latter put under `rules:`.
    static func policyExamples(in markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil {
                if line == "```yaml" { current = [] }
                continue
            }
            guard line != "```" else {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
                continue
            }
            current!.append(line)
        }

        return blocks.compactMap { block in
            let lines = block.split(separator: "\n")
            if lines.contains(where: { $0.hasPrefix("rules:") || $0.hasPrefix("overrides:") }) {
                return block
            }
            guard lines.first?.hasPrefix("- name:") == true else { return nil }
            return "rules:\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
    }

    static func generatedSource(_ files: [(path: String, text: String)]) -> String {
        var lines = [
            "// Generated from the files in policies/ by BuiltInPackTests; regenerate with",
            "// NGCPCTL_RECORD_BUILTIN_POLICIES=1 swift test --filter BuiltInPackTests",
            "// after changing one of them.",
            "",
            "/// The built-in policy pack, compiled in so that it needs no installed files.",
            "enum BuiltInPolicies {",
            "    static let documents: [(path: String, text: String)] = [",
        ]
        for file in files {
            lines += ["        (", "            \"\(file.path)\",", "            #\"\"\""]
            for line in file.text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(line.isEmpty ? "" : "            " + line)
            }
            lines += ["            \"\"\"#", "        ),"]
        }
        lines += ["    ]", "}", ""]
        return lines.joined(separator: "\n")
    }
}
