import Foundation
import NGCPCore
import Testing

/// What `{env:}` and `{file:}` secret sources may read.
@Suite struct SecretAccessTests {
    /// A temporary directory that holds an allowed secret and a file beside it.
    final class Files {
        let root: String
        let allowed: String
        let outside: String

        init() throws {
            root = FileManager.default.temporaryDirectory.path + "/secret-access-\(UUID())"
            allowed = root + "/repo"
            outside = root + "/elsewhere"
            for directory in [allowed, outside] {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true)
            }
            try "in-repo-pw\n".write(toFile: allowed + "/sip.pw", atomically: true, encoding: .utf8)
            try "outside-pw".write(toFile: outside + "/sip.pw", atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func resolver(directories: [String]? = nil) -> SecretResolver {
            SecretResolver(
                environment: [:], baseDirectory: allowed,
                access: SecretAccess(
                    environmentPatterns: SecretAccess.defaultEnvironmentPatterns,
                    fileDirectories: directories ?? [allowed],
                    configurationHint: "in ngcpctl.yaml"))
        }
    }

    static let strict = SecretAccess(
        deniedVariables: SecretAccess.credentialVariables.union(["NGCP_PRODUCTION_PASSWORD"]),
        environmentPatterns: SecretAccess.defaultEnvironmentPatterns,
        configurationHint: "in ngcpctl.yaml")

    @Test(
        "credential variables rejected",
        arguments: ["NGCP_PASSWORD", "NGCP_USER", "NGCP_URL", "NGCP_PRODUCTION_PASSWORD"])
    func credentialVariableRejected(_ name: String) {
        let resolver = SecretResolver(
            environment: [name: "administrator"], baseDirectory: "/", access: Self.strict)
        let error = #expect(throws: SecretResolutionError.self) {
            try resolver.resolve(.environment(name))
        }
        #expect(error?.isAccessDenied == true)
        #expect(error?.description.contains(name) == true)
        #expect(error?.description.contains("administrator") == false)
    }

    @Test("credential variable rejected without configuration")
    func credentialVariableRejectedByDefault() {
        let resolver = SecretResolver(environment: ["NGCP_PASSWORD": "x"], baseDirectory: "/")
        #expect(throws: SecretResolutionError.self) {
            try resolver.resolve(.environment("NGCP_PASSWORD"))
        }
    }

    @Test("name outside the patterns rejected with a hint")
    func unlistedVariableRejected() {
        let resolver = SecretResolver(
            environment: ["GITHUB_TOKEN": "ghp_x"], baseDirectory: "/", access: Self.strict)
        let error = #expect(throws: SecretResolutionError.self) {
            try resolver.resolve(.environment("GITHUB_TOKEN"))
        }
        #expect(error?.reason.contains("*_PASSWORD") == true)
        #expect(error?.reason.contains("secrets.env_names in ngcpctl.yaml") == true)
    }

    @Test("allowed names resolve", arguments: ["ALICE_PASSWORD", "NGCP_PW_EXAMPLE_ALICE", "X_PW"])
    func allowedVariableResolves(_ name: String) throws {
        let resolver = SecretResolver(
            environment: [name: "S3cret-pw"], baseDirectory: "/", access: Self.strict)
        #expect(try resolver.resolve(.environment(name)).value == "S3cret-pw")
    }

    @Test(
        "control characters in values rejected",
        arguments: ["a\u{0}b", "a\u{1B}[31mb", "a\rb", "line\nbreak", "tab\there"])
    func controlCharacterRejected(_ value: String) {
        let resolver = SecretResolver(
            environment: ["ALICE_PASSWORD": value], baseDirectory: "/", access: Self.strict)
        let error = #expect(throws: SecretResolutionError.self) {
            try resolver.resolve(.environment("ALICE_PASSWORD"))
        }
        #expect(error?.reason.contains("control characters") == true)
        #expect(throws: SecretResolutionError.self) { try resolver.resolve(.literal(value)) }
    }

    @Test(
        "kernel files rejected even when allowed",
        arguments: ["/proc/self/environ", "/sys/kernel", "/dev/null", "/dev/zero"])
    func kernelFileRejected(_ path: String) {
        let resolver = SecretResolver(
            environment: [:], baseDirectory: "/",
            access: SecretAccess(fileDirectories: ["/"]))
        let error = #expect(throws: SecretResolutionError.self) {
            try resolver.resolve(.file(path))
        }
        #expect(error?.isAccessDenied == true)
    }

    @Test("file inside the allowed directory resolves")
    func allowedFileResolves() throws {
        let files = try Files()
        #expect(try files.resolver().resolve(.file("sip.pw")).value == "in-repo-pw")
    }

    @Test("file outside the allowed directories rejected")
    func outsideFileRejected() throws {
        let files = try Files()
        let error = #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file(files.outside + "/sip.pw"))
        }
        #expect(error?.reason.contains("secrets.file_directories in ngcpctl.yaml") == true)
        #expect(error?.description.contains("outside-pw") == false)
        #expect(
            try files.resolver(directories: [files.allowed, files.outside])
                .resolve(.file(files.outside + "/sip.pw")).value == "outside-pw")
    }

    @Test("symlink out of the allowed directory rejected")
    func symlinkOutRejected() throws {
        let files = try Files()
        try FileManager.default.createSymbolicLink(
            atPath: files.allowed + "/link.pw", withDestinationPath: files.outside + "/sip.pw")
        try FileManager.default.createSymbolicLink(
            atPath: files.allowed + "/environ", withDestinationPath: "/proc/self/environ")
        #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file("link.pw"))
        }
        #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file("environ"))
        }
        #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file("../elsewhere/sip.pw"))
        }
    }

    @Test("git metadata and directories rejected")
    func gitAndDirectoryRejected() throws {
        let files = try Files()
        try FileManager.default.createDirectory(
            atPath: files.allowed + "/.git", withIntermediateDirectories: true)
        try "token".write(toFile: files.allowed + "/.git/config", atomically: true, encoding: .utf8)
        let git = #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file(".git/config"))
        }
        #expect(git?.reason.contains(".git") == true)
        let directory = #expect(throws: SecretResolutionError.self) {
            try files.resolver().resolve(.file("."))
        }
        #expect(directory?.reason.contains("is a directory") == true)
    }

    @Test("pattern matching")
    func patternMatching() {
        #expect(SecretAccess.matches("ALICE_PASSWORD", pattern: "*_PASSWORD"))
        #expect(SecretAccess.matches("NGCP_PW_A", pattern: "NGCP_PW_*"))
        #expect(SecretAccess.matches("A_B_C", pattern: "A*C"))
        #expect(!SecretAccess.matches("PASSWORD", pattern: "*_PASSWORD"))
        #expect(!SecretAccess.matches("ALICE_PASSWORDX", pattern: "*_PASSWORD"))
        #expect(!SecretAccess.matches("A", pattern: "A*A"))
        #expect(SecretAccess.matches("EXACT", pattern: "EXACT"))
    }
}
