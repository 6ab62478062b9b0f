import Foundation

/// Resolves secret sources against an environment and the file system.
public struct SecretResolver: Sendable {
    public let environment: [String: String]
    /// Relative `{file: PATH}` sources are read relative to this directory.
    public let baseDirectory: String

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        baseDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    public func resolve(_ source: SecretSource) throws(SecretResolutionError) -> SecretValue {
        switch source {
        case .literal(let value):
            return SecretValue(value)
        case .environment(let name):
            guard let value = environment[name] else {
                throw SecretResolutionError(
                    source: source, reason: "environment variable '\(name)' is not set")
            }
            guard !value.isEmpty else {
                throw SecretResolutionError(
                    source: source, reason: "environment variable '\(name)' is empty")
            }
            return SecretValue(value)
        case .file(let path):
            let fullPath = path.hasPrefix("/") ? path : baseDirectory + "/" + path
            guard let data = FileManager.default.contents(atPath: fullPath) else {
                throw SecretResolutionError(
                    source: source, reason: "file '\(fullPath)' is not readable")
            }
            guard var text = String(data: data, encoding: .utf8) else {
                throw SecretResolutionError(
                    source: source, reason: "file '\(fullPath)' is not UTF-8 text")
            }
            if text.hasSuffix("\r\n") {
                text.removeLast(1)
            } else if text.hasSuffix("\n") {
                text.removeLast()
            }
            guard !text.isEmpty else {
                throw SecretResolutionError(source: source, reason: "file '\(fullPath)' is empty")
            }
            return SecretValue(text)
        }
    }
}
