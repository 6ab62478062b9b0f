import Foundation
import GitSource
import Manifests
import NGCPCore

/// The git repository that contains the manifests, with errors that name the fix for a clone
/// that lacks history or references.
struct RevisionRepository {
    let repository: GitRepository
    /// The working tree's root without a trailing `/`.
    let root: String

    /// Opens the repository containing `path` (a file or directory); fails when there is none.
    static func open(containing path: String, purpose: String) throws -> RevisionRepository {
        guard let found = try find(containing: path) else {
            throw CommandFailure(
                "'\(path)' is not inside a git working tree, but \(purpose) needs one; "
                    + "run ngcpctl inside a clone of the manifest repository")
        }
        return found
    }

    /// Returns the repository containing `path`, or nil when it is not inside a git working tree.
    static func find(containing path: String) throws -> RevisionRepository? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let directory =
            exists && isDirectory.boolValue ? url.path : url.deletingLastPathComponent().path
        let found: GitRepository?
        do {
            found = try GitRepository.discover(containing: directory)
        } catch {
            throw CommandFailure("cannot open the git repository of '\(path)': \(error)")
        }
        guard let found, let workdir = found.workdir else { return nil }
        let root = workdir.hasSuffix("/") ? String(workdir.dropLast()) : workdir
        return RevisionRepository(repository: found, root: root)
    }

    /// Resolves `revision` to a full commit id whose objects are present.
    func commit(_ revision: String, purpose: String) throws -> String {
        let commit: String
        do {
            commit = try repository.resolveCommit(revision)
        } catch {
            throw CommandFailure(
                "cannot find revision '\(revision)' (\(error.message)), which \(purpose) needs; "
                    + missingHistoryHint)
        }
        guard repository.containsCommit(commit) else {
            throw CommandFailure(
                "commit \(commit) ('\(revision)') is not in this clone, which \(purpose) needs; "
                    + missingHistoryHint)
        }
        return commit
    }

    /// The advice for a missing commit or reference. Shallow clones (the default in most CI
    /// checkouts) stop at their boundary, and single-branch clones skip other references.
    var missingHistoryHint: String {
        if repository.isShallow {
            return
                "this is a shallow clone, so older commits are missing: run 'git fetch "
                + "--unshallow' (or fetch with a larger --depth) and fetch the branch or "
                + "reference that holds it"
        }
        return "check the revision's spelling ('git log --oneline' lists commits), or fetch "
            + "the branch or reference that holds it, for example 'git fetch origin main' or "
            + "'git fetch origin \(AppliedRecords.fetchRefspecs)'"
    }

    /// Returns the path of `path` relative to the working tree root, with `/` separators; "" is the
    /// root itself.
    func relativePath(of path: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if absolute == root { return "" }
        guard absolute.hasPrefix(root + "/") else {
            throw CommandFailure(
                "'\(path)' is outside the git working tree at \(root); pass paths inside it")
        }
        return String(absolute.dropFirst(root.count + 1))
    }

    /// Loads the manifests under `paths` as they are in `commit`, read from git objects. Each
    /// file is named as it would be in a checkout of `commit` in this working tree, so that
    /// diagnostics and relative `{file: PATH}` secrets behave the same as with files on disk.
    func loadManifests(
        _ paths: [String], at commit: String, revision: String, options: ManifestLoadOptions
    ) throws -> ManifestLoadResult {
        try loadManifestsWithProject(paths, at: commit, revision: revision, options: options)
            .result
    }

    /// Loads the manifests as `loadManifests` does, and returns with them the revision's own
    /// ngcpctl.yaml and target, so that a problem with one of its settings is reported at
    /// that file's line. Without an ngcpctl.yaml in the revision the selection is empty.
    func loadManifestsWithProject(
        _ paths: [String], at commit: String, revision: String, options: ManifestLoadOptions
    ) throws -> (result: ManifestLoadResult, project: ProjectSelection) {
        var documents: [(path: String, text: String)] = []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            let prefix = try relativePath(of: path)
            let files: [GitFile]
            do {
                files = try repository.files(
                    at: commit, under: [prefix], extensions: [".yaml", ".yml"])
            } catch {
                throw CommandFailure("cannot read '\(path)' at \(revision): \(error)")
            }
            // A directory skips what a directory on disk skips: names starting with a dot,
            // the project's ngcpctl.yaml and the policy files in `policies/`.
            let manifests = files.filter { file in
                if file.path == prefix { return true }
                let components = file.path.dropFirst(prefix.count).split(separator: "/")
                return ManifestLoader.isManifestFile(at: components)
            }
            if manifests.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        .error, "no manifests under '\(path)' at revision \(revision)",
                        hint: "check the path, or whether the revision already had these files"))
            }
            for file in manifests {
                let remainder = String(file.path.dropFirst(prefix.count))
                let displayed = Self.join(path, remainder)
                switch decodedText(file.contents, file: displayed) {
                case .success(let text):
                    documents.append((displayed, text))
                case .failure(let error):
                    diagnostics.append(error.diagnostic)
                }
            }
        }
        let project = try projectSettings(paths, at: commit, revision: revision)
        var selection = ProjectSelection.none
        var loadOptions = options
        if let configuration = project?.configuration, let project {
            loadOptions.apply(configuration)
            selection = ProjectSelection(
                configuration: configuration,
                target: options.selectedTarget(in: configuration), directory: nil,
                file: (project.path, project.text))
        } else if project == nil {
            // The revision had no ngcpctl.yaml, so its documents loaded without defaults.
            loadOptions.apply(nil)
        }
        var result = ManifestLoader(options: loadOptions).load(documents: documents)
        if let project, !project.diagnostics.isEmpty {
            diagnostics.insert(contentsOf: project.diagnostics, at: 0)
            result.sources[project.path] = project.text
        }
        result.diagnostics.insert(contentsOf: diagnostics, at: 0)
        return (result, selection)
    }

    /// Reads the ngcpctl.yaml that `commit` has in the first path's directory or the nearest
    /// one above it, as the working tree's is found. Returns nil when the revision has none.
    /// Manifests of a revision load with that revision's defaults, so that a default billing
    /// profile changed between two revisions shows as a change.
    private func projectSettings(_ paths: [String], at commit: String, revision: String) throws
        -> (
            configuration: ProjectConfiguration?, diagnostics: [Diagnostic], path: String,
            text: String
        )?
    {
        var directory = try relativePath(of: paths[0])
        var candidates: [String] = []
        while true {
            let name = ProjectConfigurationLoader.fileName
            candidates.append(directory.isEmpty ? name : Self.join(directory, name))
            guard !directory.isEmpty else { break }
            directory = directory.split(separator: "/").dropLast().joined(separator: "/")
        }

        let files: [GitFile]
        do {
            files = try repository.files(
                at: commit, under: candidates, extensions: [ProjectConfigurationLoader.fileName])
        } catch {
            throw CommandFailure(
                "cannot read \(ProjectConfigurationLoader.fileName) at \(revision): \(error)")
        }
        // The candidates run from the nearest directory up to the root.
        guard
            let file = candidates.lazy.compactMap({ candidate in
                files.first { $0.path == candidate }
            }).first
        else { return nil }

        let displayed = displayedPath(of: file.path)
        switch decodedText(file.contents, file: displayed) {
        case .success(let text):
            let parsed = ProjectConfigurationLoader.parse(text, path: displayed)
            return (parsed.configuration, parsed.diagnostics, displayed, parsed.source)
        case .failure(let error):
            return (nil, [error.diagnostic], displayed, "")
        }
    }

    /// Returns a path of the repository as the working tree's file would be named: relative to
    /// the current directory when it is inside it, else absolute.
    private func displayedPath(of path: String) -> String {
        let absolute = root + "/" + path
        let current = FileManager.default.currentDirectoryPath
        let base = current.hasSuffix("/") ? current : current + "/"
        return absolute.hasPrefix(base) ? String(absolute.dropFirst(base.count)) : absolute
    }

    private static func join(_ path: String, _ remainder: String) -> String {
        if remainder.isEmpty { return path }
        let trimmed = remainder.hasPrefix("/") ? String(remainder.dropFirst()) : remainder
        if path == "." { return trimmed }
        return path.hasSuffix("/") ? path + trimmed : path + "/" + trimmed
    }
}

/// Loads the manifests of a revision and prints their diagnostics like a load from disk.
enum RevisionManifests {
    /// Loads the manifests at `revision`; `check` works as in `ManifestStage.load`.
    static func load(
        _ paths: [String], revision: String, purpose: String, colorMode: String,
        options: ManifestLoadOptions = ManifestLoadOptions(), quietUnlessErrors: Bool = false,
        check: (ManifestLoadResult) -> [Diagnostic] = { _ in [] }
    ) throws -> (
        result: ManifestLoadResult, commit: String, repository: RevisionRepository,
        project: ProjectSelection
    ) {
        let repository = try RevisionRepository.open(containing: paths[0], purpose: purpose)
        let commit = try repository.commit(revision, purpose: purpose)
        let loaded = try repository.loadManifestsWithProject(
            paths, at: commit, revision: revision, options: options)
        let result = try ManifestStage.checked(
            loaded.result, check: check, colorMode: colorMode,
            quietUnlessErrors: quietUnlessErrors,
            failure: "the manifests at \(revision) are invalid, as the errors above show")
        return (result, commit, repository, loaded.project)
    }

    /// Returns the objects a desired state declares, as prune's inventory: domains, customers
    /// with their contacts, and subscribers. A customer that subscribers only name is not in it.
    static func inventory(of desired: DesiredState) -> Set<ResourceID> {
        var ids = Set(desired.domains.map(\.id))
        ids.formUnion(desired.customers.map(\.id))
        ids.formUnion(desired.customers.map(\.contactID))
        ids.formUnion(desired.subscribers.map(\.id))
        return ids
    }
}

extension RevisionRepository {
    /// `revision` when it names a local branch, for the plan's source; otherwise nil.
    func branchName(_ revision: String) -> String? {
        let target = try? repository.referenceTarget("refs/heads/" + revision)
        return target == nil ? nil : revision
    }
}

/// The revision last applied to a target, for a plan without `--prune` that lists what prune
/// would remove.
struct AppliedRevision: Sendable {
    let target: String
    let commit: String
}

/// Prune's inventory: what the target's last applied revision declared.
enum PruneInventory {
    /// Returns the inventory for `target`, or nil (with a note on standard error) when no apply to it
    /// is recorded or the manifests are not in git.
    static func load(
        paths: [String], target: String, colorMode: String, options: ManifestLoadOptions
    ) throws -> Set<ResourceID>? {
        guard let repository = try RevisionRepository.find(containing: paths[0]) else {
            return nil
        }
        guard
            let commit = try AppliedRecords.appliedCommit(
                target: target, in: repository.repository)
        else {
            Terminal.error(
                "note: no applied revision is recorded for target '\(target)' "
                    + "(\(AppliedRecords.reference(for: target))), so --prune removes what "
                    + "the planner's default scope covers; fetch the records with 'git fetch "
                    + "origin \(AppliedRecords.fetchRefspecs)' when they exist elsewhere\n")
            return nil
        }
        let loaded = try RevisionManifests.load(
            paths, revision: commit,
            purpose: "--prune (the inventory of the revision last applied to '\(target)')",
            colorMode: colorMode, options: options)
        return RevisionManifests.inventory(of: loaded.result.desired)
    }

    /// Returns the revision last applied to `target`, or nil when the manifests are not in git,
    /// no apply to the target is recorded, or the record cannot be read. It reads one git
    /// reference and prints nothing, because a plan without `--prune` works without it.
    static func appliedRevision(paths: [String], target: String) -> AppliedRevision? {
        guard let repository = try? RevisionRepository.find(containing: paths[0]),
            let commit = try? AppliedRecords.appliedCommit(
                target: target, in: repository.repository)
        else { return nil }
        return AppliedRevision(target: target, commit: commit)
    }

    /// Returns the inventory of `applied`, as `load` does for `--prune`. When the plan reads
    /// the manifests of that very commit, unchanged, they are the inventory and nothing is
    /// loaded again. Returns nil, with a note, when the revision cannot be read: the plan
    /// then counts what prune would remove in the scope prune has without an inventory.
    static func inventory(
        of applied: AppliedRevision, plannedFrom source: PlanSource, declared: DesiredState,
        paths: [String], options: ManifestLoadOptions
    ) -> Set<ResourceID>? {
        if source.revision == applied.commit && !source.dirty {
            return RevisionManifests.inventory(of: declared)
        }
        let problem: String
        do {
            let repository = try RevisionRepository.open(
                containing: paths[0], purpose: "the inventory of the last applied revision")
            let commit = try repository.commit(
                applied.commit, purpose: "the inventory of the last applied revision")
            let loaded = try repository.loadManifests(
                paths, at: commit, revision: commit, options: options)
            if !loaded.hasErrors { return RevisionManifests.inventory(of: loaded.desired) }
            problem = "its manifests have errors, which 'plan --prune' shows"
        } catch {
            problem = (error as? CommandFailure)?.message ?? "\(error)"
        }
        Terminal.error(
            "note: cannot read commit \(applied.commit.prefix(12)), last applied to "
                + "'\(applied.target)' (\(problem)), so the objects left alone without --prune "
                + "are counted as prune counts them without a record\n")
        return nil
    }
}
