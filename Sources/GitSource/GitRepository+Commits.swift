import CGit2

/// Creating repositories and commits, for fixtures and tools that build a repository from
/// scratch. ngcpctl itself never commits to the manifest repository.
extension GitRepository {
    /// Creates an empty non-bare repository at `path` whose unborn HEAD names `branch`.
    public static func create(at path: String, branch: String = "main") throws(GitError)
        -> GitRepository
    {
        _ = initialisation
        var options = git_repository_init_options()
        git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        var repository: OpaquePointer?
        let code = branch.withCString { name in
            options.initial_head = name
            return git_repository_init_ext(&repository, path, &options)
        }
        guard code == 0, let repository else {
            throw GitError.last("git_repository_init_ext", code: code)
        }
        return GitRepository(handle: repository)
    }

    /// Stages every change in the working tree (additions, modifications and deletions) and
    /// commits it on HEAD. Returns the new commit id.
    @discardableResult
    public func commitAll(message: String, time: Int64? = nil) throws(GitError) -> String {
        try withHandle { handle throws(GitError) in
            var index: OpaquePointer?
            var code = git_repository_index(&index, handle)
            guard code == 0, let index else {
                throw GitError.last("git_repository_index", code: code)
            }
            defer { git_index_free(index) }
            var everything = git_strarray()
            code = git_index_add_all(index, &everything, 0, nil, nil)
            guard code == 0 else { throw GitError.last("git_index_add_all", code: code) }
            code = git_index_update_all(index, &everything, nil, nil)
            guard code == 0 else { throw GitError.last("git_index_update_all", code: code) }
            code = git_index_write(index)
            guard code == 0 else { throw GitError.last("git_index_write", code: code) }

            var treeID = git_oid()
            code = git_index_write_tree(&treeID, index)
            guard code == 0 else { throw GitError.last("git_index_write_tree", code: code) }
            var tree: OpaquePointer?
            code = git_tree_lookup(&tree, handle, &treeID)
            guard code == 0, let tree else { throw GitError.last("git_tree_lookup", code: code) }
            defer { git_tree_free(tree) }

            var signature: UnsafeMutablePointer<git_signature>?
            if let time {
                code = git_signature_new(&signature, "ngcpctl", "ngcpctl@localhost", time, 0)
            } else {
                code = git_signature_now(&signature, "ngcpctl", "ngcpctl@localhost")
            }
            guard code == 0, let signature else {
                throw GitError.last("git_signature_new", code: code)
            }
            defer { git_signature_free(signature) }

            // The first commit has no parent; later ones continue HEAD.
            var parent: OpaquePointer?
            if git_repository_head_unborn(handle) != 1 {
                var headID = git_oid()
                code = git_reference_name_to_id(&headID, handle, "HEAD")
                guard code == 0 else {
                    throw GitError.last("git_reference_name_to_id", code: code)
                }
                code = git_commit_lookup(&parent, handle, &headID)
                guard code == 0 else { throw GitError.last("git_commit_lookup", code: code) }
            }
            defer { if let parent { git_commit_free(parent) } }

            var commitID = git_oid()
            var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
            code = parents.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &commitID, handle, "HEAD", signature, signature, nil, message, tree,
                    buffer.count, buffer.baseAddress)
            }
            guard code == 0 else { throw GitError.last("git_commit_create", code: code) }
            return String(cString: git_oid_tostr_s(&commitID))
        }
    }

    /// Adds a linked working tree at `path` on a new branch `name` that starts at HEAD, like
    /// `git worktree add -b NAME PATH`.
    public func addWorktree(named name: String, at path: String) throws(GitError) {
        try withHandle { handle throws(GitError) in
            var worktree: OpaquePointer?
            let code = git_worktree_add(&worktree, handle, name, path, nil)
            guard code == 0, let worktree else {
                throw GitError.last("git_worktree_add", code: code)
            }
            git_worktree_free(worktree)
        }
    }

    /// Whether the object database contains `commit`. A shallow clone lacks the commits before
    /// its boundary, and a clone that did not fetch a reference lacks what only it reaches.
    public func containsCommit(_ commit: String) -> Bool {
        (try? withHandle { handle throws(GitError) in
            var oid = git_oid()
            guard git_oid_fromstr(&oid, commit) == 0 else { return false }
            var object: OpaquePointer?
            guard git_commit_lookup(&object, handle, &oid) == 0, let object else { return false }
            git_commit_free(object)
            return true
        }) ?? false
    }

    /// Whether this working tree was added with `git worktree add`. References and notes are
    /// shared with the main working tree.
    public var isLinkedWorktree: Bool {
        (try? withHandle { handle throws(GitError) in git_repository_is_worktree(handle) == 1 })
            ?? false
    }
}
