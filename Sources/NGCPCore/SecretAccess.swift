import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rules on the environment variables and files that a secret source may read.
///
/// A secret's value is sent to NGCP as a SIP or web password, and NGCP returns SIP passwords in
/// clear text on GET. A manifest that could name any variable or file could therefore copy the
/// API password or a CI secret to a place where a subscriber can read it. These rules limit
/// what a manifest, or a hand-edited saved plan, can reach.
public struct SecretAccess: Sendable, Hashable {
    /// The variables ngcpctl reads its own API credentials from.
    public static let credentialVariables: Set<String> = ["NGCP_PASSWORD", "NGCP_USER", "NGCP_URL"]

    /// The variable names allowed when ngcpctl.yaml sets no `secrets.env_names`.
    public static let defaultEnvironmentPatterns = [
        "*_PASSWORD", "*_WEBPASSWORD", "*_PW", "NGCP_PW_*",
    ]

    /// Kernel and device file systems: reading them can return process environments, memory
    /// or endless streams, so no configuration can allow them.
    public static let forbiddenDirectories = ["/proc", "/sys", "/dev"]

    /// The largest secret file read, in bytes. Passwords are short, and the limit keeps a
    /// mistaken path from reading a large file.
    public static let maxFileBytes = 4096

    /// Variable names that are never read, whatever the patterns allow.
    public var deniedVariables: Set<String>
    /// Glob patterns (`*` matches any run of characters) that a variable name must match;
    /// nil allows every name outside `deniedVariables`.
    public var environmentPatterns: [String]?
    /// Directories a `{file:}` source must lie in after symlinks are resolved; nil allows any
    /// directory outside `forbiddenDirectories`.
    public var fileDirectories: [String]?
    /// Text added to errors about a rejected source, naming where to allow it.
    public var configurationHint: String

    public init(
        deniedVariables: Set<String> = SecretAccess.credentialVariables,
        environmentPatterns: [String]? = nil, fileDirectories: [String]? = nil,
        configurationHint: String = ""
    ) {
        self.deniedVariables = deniedVariables
        self.environmentPatterns = environmentPatterns
        self.fileDirectories = fileDirectories
        self.configurationHint = configurationHint
    }

    /// Checks that the variable `name` may be read; returns the reason when it may not.
    public func rejection(ofVariable name: String) -> String? {
        if deniedVariables.contains(name) {
            return "'\(name)' holds ngcpctl's own API credentials and is never sent as a secret"
        }
        guard let patterns = environmentPatterns else { return nil }
        if patterns.contains(where: { Self.matches(name, pattern: $0) }) { return nil }
        let list = patterns.isEmpty ? "(none)" : patterns.joined(separator: ", ")
        return "environment variable '\(name)' does not match the allowed names \(list)"
            + suffix("add a pattern to secrets.env_names")
    }

    /// Resolves `path` (absolute) to its real path and checks that it may be read as a secret
    /// file; throws the reason when it may not.
    public func checkedFilePath(_ path: String) throws(SecretAccessDenial) -> String {
        let real: String
        switch Self.resolvedPath(path) {
        case .success(let resolved):
            real = resolved
        case .failure(let failure):
            if Self.isDanglingLink(path) {
                throw SecretAccessDenial("'\(path)' is a symbolic link to a missing file")
            }
            throw Self.unresolvedFileDenial(path, errorNumber: failure.errorNumber)
        }
        if let forbidden = Self.forbiddenDirectories.first(where: { Self.isInside(real, $0) }) {
            throw SecretAccessDenial(
                "'\(path)' resolves to '\(real)' under \(forbidden), which secrets may never read")
        }
        // A CI checkout can keep its access token in .git/config.
        if real.split(separator: "/").contains(".git") {
            throw SecretAccessDenial(
                "'\(path)' is inside a .git directory, which secrets may never read")
        }
        var info = stat()
        guard stat(real, &info) == 0 else {
            throw Self.unresolvedFileDenial(path, errorNumber: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw SecretAccessDenial(
                "'\(path)' is \(kind)", isMissing: true,
                hint: "name a regular file that contains the password")
        }
        guard Int(info.st_size) <= Self.maxFileBytes else {
            throw SecretAccessDenial(
                "file '\(path)' is \(info.st_size) bytes, more than the limit of "
                    + "\(Self.maxFileBytes) bytes for a secret")
        }
        if let directories = fileDirectories {
            let allowed = directories.compactMap { Self.realPath($0) ?? $0 }
            guard allowed.contains(where: { Self.isInside(real, $0) }) else {
                let list = directories.isEmpty ? "(none)" : directories.joined(separator: ", ")
                let resolved = real == path ? "" : " (resolved to '\(real)')"
                throw SecretAccessDenial(
                    "file '\(path)'\(resolved) is outside the directories secrets may read: "
                        + list + suffix("add its directory to secrets.file_directories"))
            }
        }
        return real
    }

    /// Checks a secret's value and returns the reason when it contains control characters.
    /// No password needs them, but binary files and process state contain them.
    public static func rejection(ofValue value: String) -> String? {
        guard value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        return "the value contains control characters (such as NUL, tab or a line break), "
            + "which a password may not contain"
    }

    /// Whether `name` matches `pattern`, where `*` matches any run of characters.
    public static func matches(_ name: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return name == pattern }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        guard let last = parts.last else { return true }
        return rest.count >= last.count && rest.hasSuffix(last)
    }

    private func suffix(_ action: String) -> String {
        configurationHint.isEmpty ? "" : "; to allow it, \(action) \(configurationHint)"
    }

    /// Whether `path` is `directory` or inside it; both must be real paths.
    public static func isInside(_ path: String, _ directory: String) -> Bool {
        let trimmed =
            directory.count > 1 && directory.hasSuffix("/")
            ? String(directory.dropLast()) : directory
        return path == trimmed || path.hasPrefix(trimmed == "/" ? "/" : trimmed + "/")
    }

    /// The path with symbolic links, `.` and `..` resolved; nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        try? resolvedPath(path).get()
    }

    /// The `errno` of a failed `realpath(3)` call.
    private struct ResolutionFailure: Error {
        let errorNumber: Int32
    }

    /// Resolves `path` like `realPath(_:)`, and keeps the reason when that fails.
    private static func resolvedPath(_ path: String) -> Result<String, ResolutionFailure> {
        guard let resolved = realpath(path, nil) else {
            return .failure(ResolutionFailure(errorNumber: errno))
        }
        defer { free(resolved) }
        return .success(String(cString: resolved))
    }

    /// Builds the denial for a secret file that `realpath(3)` or `stat(2)` failed on with
    /// `errorNumber`: the file is missing, or a directory on its path may not be searched.
    private static func unresolvedFileDenial(_ path: String, errorNumber: Int32)
        -> SecretAccessDenial
    {
        switch errorNumber {
        case ENOENT, ENOTDIR:
            return SecretAccessDenial(
                "file '\(path)' does not exist", isMissing: true,
                hint: "create the file, or correct the path, before running ngcpctl")
        case EACCES:
            return SecretAccessDenial(
                "file '\(path)' is not readable: a directory on its path may not be searched",
                isMissing: true,
                hint: "give the user that runs ngcpctl access to the file's directories")
        default:
            let reason = String(cString: strerror(errorNumber))
            return SecretAccessDenial(
                "file '\(path)' is not readable: \(reason)", isMissing: true,
                hint: "check the file and the directories above it")
        }
    }

    private static func isDanglingLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}

/// The reason a secret source may not be read.
public struct SecretAccessDenial: Error, Sendable {
    public let reason: String
    /// Whether the file is missing, cannot be read or is not a regular file: an unreadable
    /// secret rather than a broken rule, so `validate` reports it as a warning.
    public let isMissing: Bool
    /// A hint on what to do about an unreadable file, or nil for a broken rule, whose reason
    /// names the setting that allows it.
    public let hint: String?

    public init(_ reason: String, isMissing: Bool = false, hint: String? = nil) {
        self.reason = reason
        self.isMissing = isMissing
        self.hint = hint
    }
}
