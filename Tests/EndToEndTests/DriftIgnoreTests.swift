import Foundation
import NGCPCore
import Testing

/// `drift` with the ignore rules of the selected ngcpctl.yaml target.
@Suite(.serialized) struct DriftIgnoreTests {
    static func configuration(url: String, ignore: [String]) -> String {
        var text = """
            default_target: lab
            targets:
              lab:
                url: \(url)
                user: administrator

            """
        if !ignore.isEmpty {
            text += "    ignore:\n" + ignore.map { "      - \"\($0)\"\n" }.joined()
        }
        return text
    }

    @Test func ignoredFieldIsNotDrift() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.write("ngcpctl.yaml", Self.configuration(url: emulator.url, ignore: []))
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // The server drifts: bob gets another concurrent_max outside the applied revision.
        var serverSide = ManifestTexts.first
        serverSide["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001"),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002", concurrentMax: 5))
        try repo.setManifests(serverSide)
        let dirty = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--allow-dirty"], environment: environment)
        #expect(dirty.exitCode == 0, "\(dirty.standardError)")
        try repo.setManifests(ManifestTexts.first)

        let drifted = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        #expect(drifted.exitCode == 2, "\(drifted.standardOutput)\(drifted.standardError)")
        #expect(drifted.standardOutput.contains("subscribers/bob@voice.test"))

        try repo.write(
            "ngcpctl.yaml",
            Self.configuration(
                url: emulator.url, ignore: ["subscribers/*:preferences.concurrent_max"]))
        let ignored = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        #expect(ignored.exitCode == 0, "\(ignored.standardOutput)\(ignored.standardError)")
        #expect(ignored.standardOutput.contains("In sync"))
    }

    @Test func configurationInsideManifestsIsNotAManifest() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.write("manifests/ngcpctl.yaml", Self.configuration(url: emulator.url, ignore: []))
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // Prune, drift and changes read the applied revision from git objects, where the
        // configuration file must be skipped as it is on disk.
        let prune = try repo.ngcpctl(
            ["plan", "manifests", "--prune", "--detailed-exitcode"], environment: environment)
        #expect(prune.exitCode == 0, "\(prune.standardOutput)\(prune.standardError)")
        let drift = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        #expect(drift.exitCode == 0, "\(drift.standardOutput)\(drift.standardError)")
        let changes = try repo.ngcpctl(
            ["changes", "--from", "HEAD", "manifests"], environment: environment)
        #expect(changes.exitCode == 0, "\(changes.standardOutput)\(changes.standardError)")
    }
}
