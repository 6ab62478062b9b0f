import Manifests
import YAMLReader

/// libFuzzer entry point: every input is loaded as a manifest file and as ngcpctl.yaml, and
/// the diagnostics are rendered, so that a crash, a hang or a sanitizer report anywhere on
/// that path is found. Bytes that are no UTF-8 are repaired the way a lossy reader would.
///
/// An input that the subset reader accepts is also read with libyaml alone, and the two
/// outlines must be equal: a difference stops the run as a crash does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    if let parser = try? YAMLParser(text), let subset = parser.readWithSubsetReader(),
        let reference = try? YAMLParser(text).readWithLibyaml(),
        subset.outline != reference.outline
    {
        fatalError(
            "the subset reader and libyaml disagree:\n\(subset.outline)\n--\n\(reference.outline)")
    }

    let manifests = ManifestLoader().load(documents: [("fuzz.yaml", text)])
    let renderer = DiagnosticRenderer(
        sources: manifests.sources, sourceReplacements: manifests.sourceReplacements,
        colored: false)
    _ = renderer.render(manifests.diagnostics)

    let project = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
    _ = renderer.render(project.diagnostics)
    return 0
}
