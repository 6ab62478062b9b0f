import Apply
import Foundation
import NGCPCore
import Synchronization

/// Progress lines during an apply, written to standard error as operations finish.
final class ApplyProgress: Sendable {
    private let total: Int
    private let finished = Mutex(0)

    init(total: Int) {
        self.total = total
    }

    func report(_ event: ApplyEvent) {
        guard case .finished(let operation, let result) = event else { return }
        let count = finished.withLock { count in
            count += 1
            return count
        }
        let seconds =
            Double(result.duration.components.attoseconds) / 1e18
            + Double(result.duration.components.seconds)
        var line =
            "[\(count)/\(total)] \(result.outcome.rawValue) \(operation.resourceID) "
            + "(\(operation.method.rawValue) \(operation.path)) "
            + String(format: "%.2fs", seconds)
        if let error = result.error { line += ": \(error)" }
        if let note = result.note { line += " (\(note))" }
        Terminal.error(line + "\n")
    }
}

/// The end of an apply: the summary line, the JSON result and the exit code.
enum ApplyReport {
    static func summary(_ result: ApplyResult) -> String {
        var text = ""
        if let error = result.error { text += "error: \(error)\n" }
        let counts = result.summary
        let parts = Outcome.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let verdict = result.succeeded ? "Apply complete" : "Apply incomplete"
        text += "\(verdict): \(parts.joined(separator: ", ")).\n"
        if !result.succeeded, result.operations.contains(where: { $0.outcome == .failed }) {
            text +=
                "Fix the failure and run the same command again: it plans from the live "
                + "state, so operations that succeeded are not repeated.\n"
        }
        return text
    }

    /// 0 when everything succeeded, 4 when something changed before the apply stopped, 1 when
    /// it stopped before any change.
    static func exitCode(_ result: ApplyResult) -> ExitCode {
        if result.succeeded { return .success }
        let changed = result.operations.contains {
            [.created, .updated, .deleted].contains($0.outcome)
        }
        return changed ? .partialApply : .failure
    }

    /// The plan JSON with the outcome fields added to each operation.
    static func json(plan: Plan, result: ApplyResult?) -> String {
        var document = plan.jsonValue
        if let result, case .object(var members) = document,
            case .array(let operations) = members["operations"]
        {
            let byID = Dictionary(
                uniqueKeysWithValues: result.operations.map { ($0.operationID, $0) })
            members["operations"] = .array(
                operations.map { operation in
                    guard let id = operation["id"]?.intValue, let outcome = byID[id] else {
                        return operation
                    }
                    return outcome.merged(into: operation)
                })
            var counts: [String: JSONValue] = [:]
            for (outcome, count) in result.summary { counts[outcome.rawValue] = .int(count) }
            members["outcome_summary"] = .object(counts)
            members["error"] = result.error.map { .string($0) } ?? .null
            document = .object(members)
        }
        return document.serialized(pretty: true) + "\n"
    }
}
