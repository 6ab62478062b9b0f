import Foundation
import GitSource
import Manifests
import NGCPCore
import Policies

/// Loads the policy files and checks a plan against them and the built-in pack.
struct PolicyStage {
    /// Paths given with `--policies`; empty means the default location.
    let explicitPaths: [String]
    let includeBuiltIn: Bool
    let manifestPaths: [String]
    let colorMode: String

    func check(
        plan: Plan, manifests: ManifestLoadResult, live: LiveState?, target: String?,
        secret: @escaping (ResourceID, String) -> SecretValue?
    ) throws -> PolicyResult {
        let paths = explicitPaths.isEmpty ? defaultPaths() : explicitPaths
        let loaded = PolicyLoader().load(paths: paths, includeBuiltIn: includeBuiltIn)
        ManifestStage.report(loaded.diagnostics, sources: loaded.sources, colorMode: colorMode)
        if loaded.hasErrors {
            throw CommandFailure(
                "the policy files are invalid and nothing was sent to NGCP. "
                    + ManifestStage.fixAndRunAgain)
        }
        var annotations: [ResourceID: [String: String]] = [:]
        for (id, metadata) in manifests.metadata where !metadata.annotations.isEmpty {
            annotations[id] = metadata.annotations
        }
        let context = PolicyContext(
            plan: plan, desired: manifests.desired, live: live, annotations: annotations,
            target: target, secret: secret)
        return loaded.policies.check(plan: plan, context: context)
    }

    /// The `policies` directory at the root of the manifests' git repository, or else beside
    /// the first manifest path; nothing when neither exists.
    private func defaultPaths() -> [String] {
        let first = URL(fileURLWithPath: manifestPaths.first ?? ".").standardizedFileURL
        var candidates: [String] = []
        if let repository = try? GitRepository.discover(containing: first.path),
            let workdir = repository.workdir
        {
            candidates.append(URL(fileURLWithPath: workdir).appendingPathComponent("policies").path)
        }
        candidates.append(first.deletingLastPathComponent().appendingPathComponent("policies").path)
        candidates.append(first.appendingPathComponent("policies").path)
        var isDirectory: ObjCBool = false
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory)
            && isDirectory.boolValue
        {
            return [candidate]
        }
        return []
    }
}

/// How policy results appear in each output format.
enum PolicyReport {
    static func human(_ result: PolicyResult) -> String {
        guard !result.violations.isEmpty || !result.waivers.isEmpty else { return "" }
        var text = "\nPolicy checks:\n"
        for violation in result.violations {
            text += "  \(violation)\n"
        }
        for waiver in result.waivers {
            text += "  \(waiver)\n"
        }
        return text
    }

    static func markdown(_ result: PolicyResult) -> String {
        guard !result.violations.isEmpty || !result.waivers.isEmpty else { return "" }
        var text =
            "\n### Policy checks\n\n| severity | rule | object | message |\n|---|---|---|---|\n"
        for violation in result.violations {
            let object = violation.resource?.description ?? "plan"
            text +=
                "| \(violation.severity.rawValue) | \(violation.rule) | \(object) | "
                + "\(violation.message.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        for waiver in result.waivers {
            text +=
                "| waived | \(waiver.violation.rule) | "
                + "\(waiver.violation.resource?.description ?? "plan") | \(waiver.reason) |\n"
        }
        return text
    }
}
