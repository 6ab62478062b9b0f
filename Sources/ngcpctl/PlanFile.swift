import Foundation
import Manifests
import NGCPCore
import Planning

/// Saved plans: JSON files written by `plan --out` and read by `apply --plan`.
enum PlanFile {
    /// Writes `plan` to `path` atomically. A plan that needs a literal password from a manifest
    /// cannot be saved, because the file would have to hold the value.
    static func write(_ plan: Plan, to path: String) throws {
        let literalOwners = Set(
            SecretDigest.references(in: plan).filter { $0.source == "literal" }.map(\.owner))
        if !literalOwners.isEmpty {
            throw CommandFailure(
                "cannot save the plan to '\(path)': the password of "
                    + "\(literalOwners.sorted().joined(separator: ", ")) is written literally in "
                    + "its manifest, and a saved plan never holds secret values; use "
                    + "{env: NAME} or {file: PATH} for it")
        }
        let text = plan.jsonValue.serialized(pretty: true) + "\n"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(
                "cannot write the plan to '\(path)': \(error.localizedDescription)")
        }
    }

    /// Writes the JSON document of `plan --out-json`. It may name literal secrets by
    /// placeholder, but like every plan document it contains no secret values.
    static func writeDocument(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure(
                "cannot write the plan to '\(path)': \(error.localizedDescription)")
        }
    }

    static func read(_ path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the plan file '\(path)'")
        }
        let plan: Plan
        do {
            plan = try Plan(jsonText: String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure(
                "invalid plan file '\(path)': "
                    + (error.path.isEmpty ? "" : "\(error.path): ") + "\(error.message); "
                    + "create it again with 'ngcpctl plan --out'")
        }

        // Both are printed and name a server and a git reference, so an edited plan gets
        // the checks that ngcpctl.yaml gets.
        var problem: String?
        if let target = plan.target, APIURL.hasUserInfo(target) || APIURL.problem(target) != nil {
            problem = "target: not a valid API URL"
        }
        if let name = plan.targetName, !ProjectConfigurationLoader.isValidTargetName(name) {
            problem = "target_name: not a valid target name"
        }
        if let problem {
            throw CommandFailure(
                "invalid plan file '\(path)': \(problem); create it again with 'ngcpctl plan --out'"
            )
        }
        return plan
    }
}
