import Manifests
import NGCPCore

/// Loads manifests for a command and prints their diagnostics to standard error.
enum ManifestStage {
    /// Loads `paths`; throws after printing when any error was found.
    static func load(_ paths: [String], colorMode: String) throws -> ManifestLoadResult {
        let result = ManifestLoader().load(paths: paths)
        report(result.diagnostics, sources: result.sources, colorMode: colorMode)
        if result.hasErrors {
            throw CommandFailure(
                "the manifests are invalid (\(DiagnosticRenderer.summary(of: result.diagnostics)))"
                    + "; nothing was sent to NGCP")
        }
        return result
    }

    /// Prints `diagnostics` to standard error, followed by a summary line unless `summary` is
    /// false.
    static func report(
        _ diagnostics: [Diagnostic], sources: [String: String], colorMode: String,
        summary: Bool = true
    ) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(
            sources: sources,
            colored: Terminal.useColor(colorMode, descriptor: 2))
        if summary {
            Terminal.error(renderer.render(diagnostics))
        } else {
            Terminal.error(diagnostics.map(renderer.render).joined())
        }
    }
}
