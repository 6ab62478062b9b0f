import Manifests
import NGCPCore

/// Loads manifests for a command and prints their diagnostics to standard error.
enum ManifestStage {
    /// The advice that closes a run stopped by the errors printed above it. The summary line
    /// above gives their counts, so the closing line does not repeat them.
    static let fixAndRunAgain = "Fix the errors above and run again."

    /// Prints `diagnostics` to standard error in file and line order, followed by a summary
    /// line unless `summary` is false. `sourceReplacements` are those that masked `sources`
    /// (see `ManifestLoadResult.sourceReplacements`).
    static func report(
        _ diagnostics: [Diagnostic], sources: [String: String],
        sourceReplacements: [String: [Int: [SourceRedaction.Replacement]]] = [:],
        colorMode: String, summary: Bool = true, files: [String] = []
    ) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(
            sources: sources, sourceReplacements: sourceReplacements,
            colored: Terminal.useColor(colorMode, descriptor: 2))
        let diagnostics = inSourceOrder(diagnostics, files: files)
        if summary {
            Terminal.error(renderer.render(diagnostics))
        } else {
            Terminal.error(diagnostics.map(renderer.render).joined())
        }
    }

    /// Returns `diagnostics` sorted by file, then line and column, as a compiler lists them.
    /// Files come in the order of `files` (the order they were read), then in the order in
    /// which they first appear. Diagnostics without a position come first, and equal
    /// positions keep their order, so a warning that explains an error stays in front of it. The checks across documents and against the target find problems in
    /// another order than the files are read.
    static func inSourceOrder(_ diagnostics: [Diagnostic], files: [String] = [])
        -> [Diagnostic]
    {
        var fileOrder: [String: Int] = [:]
        for file in files where fileOrder[file] == nil { fileOrder[file] = fileOrder.count }
        for diagnostic in diagnostics {
            if let file = diagnostic.location?.file, fileOrder[file] == nil {
                fileOrder[file] = fileOrder.count
            }
        }
        return diagnostics.enumerated().sorted { left, right in
            func key(_ item: (offset: Int, element: Diagnostic)) -> [Int] {
                guard let location = item.element.location else { return [-1, 0, 0, item.offset] }
                return [fileOrder[location.file] ?? 0, location.line, location.column, item.offset]
            }
            return key(left).lexicographicallyPrecedes(key(right))
        }.map(\.element)
    }
}
