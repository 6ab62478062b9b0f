import Foundation

/// Resolves secret sources against an environment and the file system, within the limits of
/// a `SecretAccess`.
public struct SecretResolver: Sendable {
    public let environment: [String: String]
    /// Relative `{file: PATH}` sources are read relative to this directory.
    public let baseDirectory: String
    /// The rules on the variables and files that may be read.
    public let access: SecretAccess

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        baseDirectory: String = FileManager.default.currentDirectoryPath,
        access: SecretAccess = SecretAccess()
    ) {
        self.environment = environment
        self.baseDirectory = baseDirectory
        self.access = access
    }

    public func resolve(_ source: SecretSource) throws(SecretResolutionError) -> SecretValue {
        let value: String
        switch source {
        case .literal(let literal):
            value = literal
        case .environment(let name):
            value = try readVariable(name, source: source)
        case .file(let path):
            value = try readFile(path, source: source)
        }
        if let reason = SecretAccess.rejection(ofValue: value) {
            throw SecretResolutionError(
                source: source, reason: reason,
                hint: "store the password without control characters")
        }
        return SecretValue(value)
    }

    private func readVariable(_ name: String, source: SecretSource)
        throws(SecretResolutionError) -> String
    {
        // The access check comes first, so that a rejected name is reported the same way
        // whether or not the variable is set.
        if let reason = access.rejection(ofVariable: name) {
            throw SecretResolutionError(source: source, reason: reason, isAccessDenied: true)
        }
        guard let value = environment[name] else {
            throw SecretResolutionError(
                source: source, reason: "environment variable '\(name)' is not set",
                hint: "set the variable before running ngcpctl")
        }
        guard !value.isEmpty else {
            throw SecretResolutionError(
                source: source, reason: "environment variable '\(name)' is empty",
                hint: "set the variable to the password before running ngcpctl")
        }
        return value
    }

    private func readFile(_ path: String, source: SecretSource)
        throws(SecretResolutionError) -> String
    {
        let fullPath = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        let realPath: String
        do {
            realPath = try access.checkedFilePath(fullPath)
        } catch {
            throw SecretResolutionError(
                source: source, reason: error.reason, isAccessDenied: !error.isMissing,
                hint: error.hint)
        }
        // The file exists and is a regular file, so the usual reason is its permissions.
        guard let data = FileManager.default.contents(atPath: realPath) else {
            throw SecretResolutionError(
                source: source, reason: "file '\(fullPath)' is not readable",
                hint: "give the user that runs ngcpctl read permission on the file")
        }
        guard data.count <= SecretAccess.maxFileBytes else {
            throw SecretResolutionError(
                source: source,
                reason: "file '\(fullPath)' is larger than \(SecretAccess.maxFileBytes) bytes",
                hint: "write only the password to the file")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw SecretResolutionError(
                source: source, reason: "file '\(fullPath)' is not UTF-8 text",
                hint: "write the password to the file as UTF-8 text")
        }
        if text.hasSuffix("\r\n") {
            text.removeLast(1)
        } else if text.hasSuffix("\n") {
            text.removeLast()
        }
        guard !text.isEmpty else {
            throw SecretResolutionError(
                source: source, reason: "file '\(fullPath)' is empty",
                hint: "write the password to the file")
        }
        return text
    }
}
