import Foundation
import Manifests
import NGCPCore
import Testing

/// The invalid manifests under Corpus/, each with its expected diagnostics in a sidecar
/// `.expected` file: one `Diagnostic.description` line each, followed by an indented
/// `hint:` line when the diagnostic has a hint.
///
/// Running the tests with `NGCPCTL_RECORD_CORPUS=1` rewrites the `.expected` files from the
/// loader's output; review the diff before committing it.
private let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Corpus")

private let corpusFiles: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted()
}()

private func render(_ diagnostics: [Diagnostic]) -> String {
    var lines: [String] = []
    for diagnostic in diagnostics {
        lines.append(diagnostic.description)
        if let hint = diagnostic.hint { lines.append("    hint: \(hint)") }
    }
    return lines.joined(separator: "\n") + "\n"
}

@Suite struct CorpusTests {
    @Test func corpusHasAtLeastOneHundredFiles() {
        #expect(corpusFiles.count >= 100)
    }

    @Test(arguments: corpusFiles)
    func invalidManifestReportsExactDiagnostics(_ file: String) throws {
        let options = ManifestLoadOptions(baseDirectory: corpusDirectory.path)
        let result = ManifestLoader(options: options).load(paths: [file])
        #expect(result.hasErrors, "\(file) must be invalid")

        let actual = render(result.diagnostics)
        let expectedURL = corpusDirectory.appendingPathComponent(
            String(file.dropLast(".yaml".count)) + ".expected")
        if ProcessInfo.processInfo.environment["NGCPCTL_RECORD_CORPUS"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(file)")
    }
}
