import Foundation
import NGCPCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Lists the manifest files under a directory, following symbolic links.
///
/// A symlinked directory is searched like any other, so that its manifests are never left
/// out in silence (with `--prune`, a missing manifest means a delete). A link that points to
/// nothing, or a directory link that leads back to one of its own ancestors, is an error
/// that names the link.
struct ManifestDirectoryWalk {
    /// The directory of policy files, which a walk skips.
    static let policyDirectoryName = "policies"

    /// Converts a path as given to the absolute path to read.
    let absolute: (String) -> String
    private(set) var files: [String] = []
    private(set) var diagnostics: [Diagnostic] = []
    /// Files already listed, by device and inode, so that a file reached through two links
    /// is loaded once.
    private var seenFiles: Set<FileIdentity> = []
    /// The real path of the directory walked, to catch links to a directory above it.
    private var rootRealPath = ""

    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    init(absolute: @escaping (String) -> String) {
        self.absolute = absolute
    }

    /// Walks `directory` (as given by the user, used to name files in diagnostics).
    mutating func walk(_ directory: String) {
        guard let identity = Self.identity(absolute(directory), following: true) else { return }
        rootRealPath = SecretAccess.realPath(absolute(directory)) ?? absolute(directory)
        visit(directory, ancestors: [identity])
    }

    private mutating func visit(_ directory: String, ancestors: Set<FileIdentity>) {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: absolute(directory))
        } catch {
            diagnostics.append(
                Diagnostic(
                    .error,
                    Message.unreadable(directory, reason: "the directory cannot be listed")))
            return
        }

        for name in entries.sorted() where !name.hasPrefix(".") {
            let full = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let path = absolute(full)
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let isLink = (info.st_mode & S_IFMT) == S_IFLNK
            if isLink, stat(path, &info) != 0 {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path))
                diagnostics.append(
                    Diagnostic(
                        .error, Message.danglingLink(full, target: target ?? "?"),
                        hint: "remove the link or restore what it points to"))
                continue
            }

            let identity = FileIdentity(
                device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                // Policy files live in `policies/` beside or among the manifests, and they are
                // no manifests.
                guard name != Self.policyDirectoryName else { continue }
                // A link to a directory above the root (such as `..` or `/`) would search
                // everything beside the manifests as well.
                let leadsAbove =
                    isLink
                    && SecretAccess.realPath(path).map {
                        SecretAccess.isInside(rootRealPath, $0)
                    } ?? false
                guard !ancestors.contains(identity), !leadsAbove else {
                    diagnostics.append(
                        Diagnostic(
                            .error, Message.directoryLoop(full),
                            hint: "remove the link, which leads back to a directory above it"))
                    continue
                }
                visit(full, ancestors: ancestors.union([identity]))
            case S_IFREG:
                guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") else { continue }
                // The project configuration sits among the manifests but is no manifest.
                guard name != ProjectConfigurationLoader.fileName else { continue }
                guard seenFiles.insert(identity).inserted else { continue }
                files.append(full)
            default:
                continue
            }
        }
    }

    private static func identity(_ path: String, following: Bool) -> FileIdentity? {
        var info = stat()
        guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
