import Foundation
import NGCPCore
import Testing

@Suite struct SecretResolverTests {
    @Test func readsEnvironmentVariable() throws {
        let resolver = SecretResolver(environment: ["SIP_PW": "s3cret"], baseDirectory: "/")
        #expect(try resolver.resolve(.environment("SIP_PW")).value == "s3cret")
    }

    @Test func missingVariableNamesIt() {
        let resolver = SecretResolver(environment: [:], baseDirectory: "/")
        do {
            _ = try resolver.resolve(.environment("SIP_PW"))
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description == "cannot read secret {env: SIP_PW}: "
                    + "environment variable 'SIP_PW' is not set")
        }
    }

    @Test func readsFileWithoutTrailingNewline() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let name = "secret-\(UUID().uuidString)"
        try "hunter2\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
        let resolver = SecretResolver(environment: [:], baseDirectory: directory)
        #expect(try resolver.resolve(.file(name)).value == "hunter2")
    }

    @Test func unreadableFileIsAnError() {
        let resolver = SecretResolver(environment: [:], baseDirectory: "/nonexistent")
        #expect(throws: SecretResolutionError.self) { try resolver.resolve(.file("pw")) }
    }

    /// A missing file, or a path through a regular file, is reported as missing, with what
    /// to do, and not as a permission problem.
    @Test(arguments: ["missing", "file/pw"])
    func missingFileSaysItDoesNotExist(_ name: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "hunter2".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
        let resolver = SecretResolver(environment: [:], baseDirectory: directory)

        let error = try #require(throws: SecretResolutionError.self) {
            try resolver.resolve(.file(name))
        }
        #expect(error.reason == "file '\(directory)/\(name)' does not exist")
        #expect(error.hint == "create the file, or correct the path, before running ngcpctl")
        #expect(!error.isAccessDenied)
    }

    /// Permissions bind every user except root, so these cases run only for other users.
    @Test(.enabled(if: geteuid() != 0, "root may read every file"))
    func fileWithoutPermissionIsNotReadable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pw"
        try "hunter2".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        let resolver = SecretResolver(environment: [:], baseDirectory: directory)

        let error = try #require(throws: SecretResolutionError.self) {
            try resolver.resolve(.file("pw"))
        }
        #expect(error.reason == "file '\(path)' is not readable")
        #expect(error.hint == "give the user that runs ngcpctl read permission on the file")
    }

    @Test(.enabled(if: geteuid() != 0, "root may search every directory"))
    func closedDirectoryIsNotReadable() throws {
        let directory = try temporaryDirectory()
        let closed = directory + "/closed"
        try FileManager.default.createDirectory(
            atPath: closed, withIntermediateDirectories: false)
        try "hunter2".write(toFile: closed + "/pw", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: closed)
        defer {
            try? FileManager.default.setAttributes(
                [.posixPermissions: 0o700], ofItemAtPath: closed)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let resolver = SecretResolver(environment: [:], baseDirectory: directory)

        let error = try #require(throws: SecretResolutionError.self) {
            try resolver.resolve(.file("closed/pw"))
        }
        #expect(
            error.reason
                == "file '\(closed)/pw' is not readable: a directory on its path may not be"
                + " searched")
        #expect(error.hint == "give the user that runs ngcpctl access to the file's directories")
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false)
        return path
    }

    @Test func secretValueNeverPrintsItself() {
        let secret = SecretValue("topsecret")
        #expect("\(secret)" == "(sensitive value)")
        #expect(String(reflecting: secret) == "(sensitive value)")
        #expect(!SecretSource.literal("topsecret").description.contains("topsecret"))
    }
}
