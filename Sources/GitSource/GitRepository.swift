import CGit2
import Synchronization

/// A failed libgit2 call: the function, its return code and libgit2's own message.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public let function: String
    public let code: Int32
    public let message: String

    public var description: String { "git: \(message) (\(function) returned \(code))" }

    /// Reads libgit2's last error right away, because it is stored per thread.
    static func last(_ function: String, code: Int32) -> GitError {
        let message: String
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        } else {
            message = "unknown error"
        }
        return GitError(function: function, code: code, message: message)
    }
}

/// The commit a working tree is on and whether its files differ from it.
public struct GitHead: Sendable, Hashable {
    /// The full commit id, or nil in a repository without commits.
    public let commit: String?
    /// The branch's short name, or nil when HEAD is detached.
    public let branch: String?
}

/// A file read from a git tree.
public struct GitFile: Sendable, Hashable {
    /// The path relative to the repository root, with `/` separators.
    public let path: String
    public let contents: [UInt8]
}

/// The one owner of libgit2 in ngcpctl: a repository handle, freed on deinit.
///
/// libgit2 handles are not safe for concurrent use, so every call holds the instance's lock.
public final class GitRepository: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = Mutex<Void>(())
    /// The working tree's root with a trailing `/`, or nil for a bare repository.
    public let workdir: String?

    static let initialisation: Void = {
        git_libgit2_init()
        // Repositories checked out by another user (CI runners, shared clones) must still
        // open; ngcpctl only reads them and writes refs and notes under its own namespace.
        _ = cgit2_set_owner_validation(0)
    }()

    init(handle: OpaquePointer) {
        self.handle = handle
        if let path = git_repository_workdir(handle) {
            workdir = String(cString: path)
        } else {
            workdir = nil
        }
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository that contains `path`, searching upwards; nil when there is none.
    public static func discover(containing path: String) throws(GitError) -> GitRepository? {
        _ = initialisation
        var repository: OpaquePointer?
        let code = git_repository_open_ext(&repository, path, 0, nil)
        if code == GIT_ENOTFOUND.rawValue {
            return nil
        }
        guard code == 0, let repository else {
            throw GitError.last("git_repository_open_ext", code: code)
        }
        return GitRepository(handle: repository)
    }

    /// Whether the repository is a shallow clone, whose history stops early.
    public var isShallow: Bool {
        lock.withLock { _ in git_repository_is_shallow(handle) == 1 }
    }

    public func head() throws(GitError) -> GitHead {
        try lock.withLock { _ throws(GitError) in
            if git_repository_head_unborn(handle) == 1 {
                return GitHead(commit: nil, branch: nil)
            }
            var reference: OpaquePointer?
            let code = git_repository_head(&reference, handle)
            guard code == 0, let reference else {
                throw GitError.last("git_repository_head", code: code)
            }
            defer { git_reference_free(reference) }
            let commit = git_reference_target(reference).map { Self.text(of: $0) }
            let detached = git_repository_head_detached(handle) == 1
            let branch =
                detached ? nil : git_reference_shorthand(reference).map { String(cString: $0) }
            return GitHead(commit: commit, branch: branch)
        }
    }

    /// Resolves a revision expression (`HEAD`, `main~1`, a tag, an id) to a full commit id.
    public func resolveCommit(_ revision: String) throws(GitError) -> String {
        try lock.withLock { _ throws(GitError) in
            let commit = try peeledCommit(revision)
            defer { git_object_free(commit) }
            return Self.text(of: git_object_id(commit))
        }
    }

    /// Files in the working tree that differ from HEAD (modified, staged, added, deleted,
    /// untracked or ignored), limited to paths under `prefixes` relative to the repository
    /// root. An ignored file counts because a manifest loader reads it all the same.
    /// NOTE: an ignored directory is listed as the directory alone (`local/`), not its files,
    /// so that a large ignored tree such as build output is not walked on every plan.
    public func changedFiles(under prefixes: [String]) throws(GitError) -> [String] {
        try lock.withLock { _ throws(GitError) in
            var options = git_status_options()
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
            options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
            options.flags =
                GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue
                | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue
            var list: OpaquePointer?
            let code = git_status_list_new(&list, handle, &options)
            guard code == 0, let list else {
                throw GitError.last("git_status_list_new", code: code)
            }
            defer { git_status_list_free(list) }
            var paths: [String] = []
            for index in 0..<git_status_list_entrycount(list) {
                guard let entry = git_status_byindex(list, index) else { continue }
                let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
                guard let delta else { continue }
                let file = delta.pointee.new_file.path ?? delta.pointee.old_file.path
                guard let file else { continue }
                let path = String(cString: file)
                if Self.isUnder(path, prefixes) { paths.append(path) }
            }
            return paths.sorted()
        }
    }

    /// Reads the files of `revision` under `prefixes` whose names end with one of `extensions`,
    /// straight from git objects, without touching the working tree.
    public func files(
        at revision: String, under prefixes: [String], extensions: [String]
    ) throws(GitError) -> [GitFile] {
        try lock.withLock { _ throws(GitError) in
            let commit = try peeledCommit(revision)
            defer { git_object_free(commit) }
            var tree: OpaquePointer?
            let code = git_commit_tree(&tree, commit)
            guard code == 0, let tree else { throw GitError.last("git_commit_tree", code: code) }
            defer { git_tree_free(tree) }
            var files: [GitFile] = []
            try collect(tree: tree, prefix: "", into: &files) { path in
                Self.isUnder(path, prefixes) && extensions.contains { path.hasSuffix($0) }
            }
            return files.sorted { $0.path < $1.path }
        }
    }

    private func collect(
        tree: OpaquePointer, prefix: String, into files: inout [GitFile],
        include: (String) -> Bool
    ) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index),
                let rawName = git_tree_entry_name(entry)
            else { continue }
            let path = prefix + String(cString: rawName)
            let type = git_tree_entry_type(entry)
            if type == GIT_OBJECT_TREE {
                var subtree: OpaquePointer?
                let code = git_tree_lookup(&subtree, handle, git_tree_entry_id(entry))
                guard code == 0, let subtree else {
                    throw GitError.last("git_tree_lookup", code: code)
                }
                defer { git_tree_free(subtree) }
                try collect(tree: subtree, prefix: path + "/", into: &files, include: include)
            } else if type == GIT_OBJECT_BLOB, include(path) {
                var blob: OpaquePointer?
                let code = git_blob_lookup(&blob, handle, git_tree_entry_id(entry))
                guard code == 0, let blob else {
                    throw GitError.last("git_blob_lookup", code: code)
                }
                defer { git_blob_free(blob) }
                let size = Int(git_blob_rawsize(blob))
                var contents = [UInt8](repeating: 0, count: size)
                if size > 0, let raw = git_blob_rawcontent(blob) {
                    contents.withUnsafeMutableBytes { buffer in
                        buffer.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: size))
                    }
                }
                files.append(GitFile(path: path, contents: contents))
            }
        }
    }

    /// Runs `body` with the repository handle while holding the lock.
    func withHandle<T>(_ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        try lock.withLock { _ throws(GitError) in try body(handle) }
    }

    /// Must be called with the lock held. The caller frees the returned object.
    private func peeledCommit(_ revision: String) throws(GitError) -> OpaquePointer {
        var object: OpaquePointer?
        var code = git_revparse_single(&object, handle, revision)
        guard code == 0, let object else { throw GitError.last("git_revparse_single", code: code) }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        code = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard code == 0, let commit else { throw GitError.last("git_object_peel", code: code) }
        return commit
    }

    private static func text(of oid: UnsafePointer<git_oid>) -> String {
        // git_oid_tostr_s returns a per-thread buffer, so copy it at once.
        String(cString: git_oid_tostr_s(oid))
    }

    private static func isUnder(_ path: String, _ prefixes: [String]) -> Bool {
        prefixes.isEmpty
            || prefixes.contains { prefix in
                prefix.isEmpty || prefix == "." || path == prefix
                    || path.hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/")
            }
    }
}
