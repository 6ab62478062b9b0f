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

    @Test func secretValueNeverPrintsItself() {
        let secret = SecretValue("topsecret")
        #expect("\(secret)" == "(sensitive value)")
        #expect(String(reflecting: secret) == "(sensitive value)")
        #expect(!SecretSource.literal("topsecret").description.contains("topsecret"))
    }
}
