import Foundation
import NGCPCore

/// Saved plans: JSON files written by `plan --out` and read by `apply --plan`.
enum PlanFile {
    /// Writes `plan` to `path` atomically. A plan that needs a literal password from a manifest
    /// cannot be saved, because the file would have to hold the value.
    static func write(_ plan: Plan, to path: String) throws {
        let literalOwners = plan.operations.filter { Self.containsLiteralSecret($0.body) }
            .map { "\($0.resource.rawValue)/\($0.name)" }
        if !literalOwners.isEmpty {
            throw CommandFailure(
                "cannot save the plan to '\(path)': "
                    + "\(Set(literalOwners).sorted().joined(separator: ", ")) "
                    + "use a password written literally in the manifest, and a saved plan never "
                    + "holds secret values; use {env: NAME} or {file: PATH} for it")
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
        do {
            return try Plan(jsonText: String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure(
                "invalid plan file '\(path)': "
                    + (error.path.isEmpty ? "" : "\(error.path): ") + "\(error.message); "
                    + "create it again with 'ngcpctl plan --out'")
        }
    }

    private static func containsLiteralSecret(_ value: JSONValue?) -> Bool {
        switch value {
        case .object(let members):
            if members[PlanPlaceholder.marker] == "secret", members["source"] == "literal" {
                return true
            }
            return members.values.contains { containsLiteralSecret($0) }
        case .array(let items):
            return items.contains { containsLiteralSecret($0) }
        default:
            return false
        }
    }
}
