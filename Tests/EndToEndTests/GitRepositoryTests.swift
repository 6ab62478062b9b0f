import Foundation
import GitSource
import Testing

/// A throwaway repository built with the git command line, which the tests use only to set up
/// fixtures; the product reads repositories through libgit2.
struct ScratchRepository {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/ngcpctl-git-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
    }

    func write(_ relativePath: String, _ text: String) throws {
        let full = path + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func commit(_ message: String) throws {
        try git("add", "-A")
        try git(
            "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "-q",
            "-m", message)
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown)
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Suite struct GitRepositoryTests {
    @Test func outsideRepositoryIsNil() throws {
        let directory =
            FileManager.default.temporaryDirectory.path + "/ngcpctl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The temporary directory is not inside a repository on any sane machine.
        #expect(try GitRepository.discover(containing: directory) == nil)
    }

    @Test func readsHeadAndBranch() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("manifests/a.yaml", "a: 1\n")
        try scratch.commit("first")
        let expected = try scratch.git("rev-parse", "HEAD")

        let repository = try #require(
            try GitRepository.discover(containing: scratch.path + "/manifests"))
        let head = try repository.head()
        #expect(head.commit == expected)
        #expect(head.branch == "main")
        #expect(try repository.changedFiles(under: ["manifests"]).isEmpty)
    }

    @Test func unbornHeadHasNoCommit() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        let repository = try #require(try GitRepository.discover(containing: scratch.path))
        let head = try repository.head()
        #expect(head.commit == nil)
        #expect(head.branch == nil)
    }

    @Test func listsChangedFilesUnderPrefix() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("manifests/a.yaml", "a: 1\n")
        try scratch.write("other/b.txt", "b\n")
        try scratch.commit("first")
        try scratch.write("manifests/a.yaml", "a: 2\n")
        try scratch.write("manifests/new/c.yaml", "c: 1\n")
        try scratch.write("other/b.txt", "changed\n")

        let repository = try #require(try GitRepository.discover(containing: scratch.path))
        #expect(
            try repository.changedFiles(under: ["manifests"])
                == ["manifests/a.yaml", "manifests/new/c.yaml"])
        #expect(try repository.changedFiles(under: []).count == 3)
    }

    @Test func readsFilesAtRevisionWithoutCheckout() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("manifests/a.yaml", "version: 1\n")
        try scratch.write("manifests/sub/b.yml", "b: 1\n")
        try scratch.write("manifests/notes.txt", "ignored\n")
        try scratch.commit("first")
        try scratch.write("manifests/a.yaml", "version: 2\n")
        try scratch.commit("second")

        let repository = try #require(try GitRepository.discover(containing: scratch.path))
        let files = try repository.files(
            at: "HEAD~1", under: ["manifests"], extensions: [".yaml", ".yml"])
        #expect(files.map(\.path) == ["manifests/a.yaml", "manifests/sub/b.yml"])
        #expect(String(decoding: files[0].contents, as: UTF8.self) == "version: 1\n")
    }

    @Test func unknownRevisionIsAnError() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("a.yaml", "a: 1\n")
        try scratch.commit("first")
        let repository = try #require(try GitRepository.discover(containing: scratch.path))
        #expect(throws: GitError.self) { try repository.resolveCommit("no-such-branch") }
    }

    @Test func writesAndReadsNotesAndReferences() throws {
        let scratch = try ScratchRepository()
        defer { scratch.remove() }
        try scratch.write("a.yaml", "a: 1\n")
        try scratch.commit("first")
        let commit = try scratch.git("rev-parse", "HEAD")
        let repository = try #require(try GitRepository.discover(containing: scratch.path))

        #expect(try repository.note(on: commit, notesRef: "refs/notes/ngcpctl") == nil)
        try repository.setNote("applied\n", on: commit, notesRef: "refs/notes/ngcpctl")
        #expect(try repository.note(on: commit, notesRef: "refs/notes/ngcpctl") == "applied\n")
        #expect(try scratch.git("notes", "--ref=ngcpctl", "show", commit) == "applied")
        let notes = try repository.notes(notesRef: "refs/notes/ngcpctl")
        #expect(notes.map(\.commit) == [commit])

        #expect(try repository.referenceTarget("refs/ngcpctl/applied/lab") == nil)
        try repository.setReference("refs/ngcpctl/applied/lab", to: commit, message: "apply")
        #expect(try repository.referenceTarget("refs/ngcpctl/applied/lab") == commit)
        #expect(
            try repository.references(withPrefix: "refs/ngcpctl/") == [
                "refs/ngcpctl/applied/lab"
            ])
    }
}
