import Foundation
import GitSource
import NGCPCore
import Testing

/// A throwaway manifest repository built with libgit2 through `GitRepository`: manifests under
/// `manifests/`, secret files under `secrets/` (never committed).
final class ManifestRepository {
    let path: String
    let repository: GitRepository

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/ngcpctl-rev-\(UUID().uuidString)"
        repository = try GitRepository.create(at: path)
        try write(".gitignore", "secrets/\n")
        try write("secrets/alice", "Sekr3tAlice-2026\n")
        try write("secrets/bob", "Sekr3tBob-2026\n")
        try write("secrets/carol", "Sekr3tCarol-2026\n")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ relativePath: String, _ text: String) throws {
        let full = path + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + relativePath)
    }

    /// Replaces the whole manifests directory with `files` (name to text).
    func setManifests(_ files: [String: String]) throws {
        try? FileManager.default.removeItem(atPath: path + "/manifests")
        for (name, text) in files { try write("manifests/" + name, text) }
    }

    @discardableResult
    func commit(_ message: String) throws -> String {
        try repository.commitAll(message: message)
    }

    /// Runs the built ngcpctl in the repository's root.
    func ngcpctl(_ arguments: [String], environment: [String: String] = [:]) throws
        -> ProcessResult
    {
        try BuiltProducts.run(
            "ngcpctl", arguments, environment: environment,
            currentDirectory: URL(fileURLWithPath: path))
    }

    /// The JSON standard output of a run that must have exited with `exitCode`.
    func json(
        _ arguments: [String], environment: [String: String] = [:], exitCode: Int32 = 0
    ) throws -> JSONValue {
        let result = try ngcpctl(arguments, environment: environment)
        #expect(result.exitCode == exitCode, "\(arguments): \(result.standardError)")
        return try JSONValue.parse(result.standardOutput)
    }
}

/// Manifest texts for the revision tests.
enum ManifestTexts {
    static let domain = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata:
          name: voice.test
        spec: {}

        """

    static func customer(_ name: String, email: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata:
          name: \(name)
        spec:
          billing_profile: default
          contact:
            email: \(email)

        """
    }

    /// Returns a subscriber whose password comes from `secrets/<user>` through a relative path.
    static func subscriber(
        _ user: String, customer: String, number: String, concurrentMax: Int = 1,
        password: String? = nil
    ) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: \(user)@voice.test
        spec:
          customer: \(customer)
          password: \(password ?? "{file: ../secrets/\(user)}")
          primary_number: {cc: 43, ac: "1", sn: "\(number)"}
          preferences:
            concurrent_max: \(concurrentMax)

        """
    }

    static func documents(_ parts: String...) -> String {
        parts.joined(separator: "---\n")
    }

    /// The first revision: one domain, customer acme with alice and bob, customer beta with
    /// carol.
    static var first: [String: String] {
        [
            "domain.yaml": domain,
            "acme.yaml": documents(
                customer("acme", email: "office@acme.test"),
                subscriber("alice", customer: "acme", number: "1001"),
                subscriber("bob", customer: "acme", number: "1002")),
            "beta.yaml": documents(
                customer("beta", email: "office@beta.test"),
                subscriber("carol", customer: "beta", number: "2001")),
        ]
    }

    static func environment(_ emulator: EmulatorProcess) -> [String: String] {
        [
            "NGCP_URL": emulator.url, "NGCP_USER": "administrator",
            "NGCP_PASSWORD": "administrator", "CAROL_PASSWORD": "Sekr3tCarolEnv",
        ]
    }

    /// Returns the target name that ngcpctl derives from an emulator's URL.
    static func targetName(_ emulator: EmulatorProcess) -> String {
        let components = URLComponents(string: emulator.url)
        return "\(components?.host ?? "")-\(components?.port ?? 0)"
    }
}

extension JSONValue {
    /// The `(action, id)` pairs of a plan document's operations, in plan order.
    var operationSummary: [String] {
        (self["operations"]?.arrayValue ?? []).map { operation in
            let action = operation["action"]?.stringValue ?? "?"
            let resource = operation["resource"]?.stringValue ?? "?"
            let name = operation["name"]?.stringValue ?? "?"
            return "\(action) \(resource)/\(name)"
        }
    }
}
