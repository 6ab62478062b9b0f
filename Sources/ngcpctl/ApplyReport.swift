import Apply
import Foundation
import NGCPCore
import Synchronization

/// Progress during an apply, on standard error: one line per finished operation, and on a
/// terminal also a status line with done/total, elapsed time and the operations in flight,
/// rewritten in place.
final class ApplyProgress: Sendable {
    private struct State {
        var finished = 0
        var running: [Int: String] = [:]
    }

    private let total: Int
    private let live: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(total: Int, live: Bool) {
        self.total = total
        self.live = live
    }

    func report(_ event: ApplyEvent) {
        state.withLock { state in
            switch event {
            case .started(let operation):
                state.running[operation.id] = operation.resourceID.description
            case .finished(let operation, let result):
                state.running[operation.id] = nil
                state.finished += 1
                Terminal.error((live ? "\r\u{1B}[K" : "") + line(operation, result, state))
            }
            if live { Terminal.error(statusLine(state)) }
        }
    }

    /// Removes the status line before the summary is written.
    func clear() {
        if live { Terminal.error("\r\u{1B}[K") }
    }

    private func line(_ operation: PlannedOperation, _ result: OperationResult, _ state: State)
        -> String
    {
        let seconds = Self.seconds(result.duration)
        var line =
            "[\(state.finished)/\(total)] \(result.outcome.rawValue) \(operation.resourceID) "
            + "(\(operation.method.rawValue) \(operation.path)) "
            + String(format: "%.2fs", seconds)
        if let error = result.error { line += ": \(error)" }
        if let note = result.note { line += " (\(note))" }
        for warning in result.warnings { line += "\n    warning: \(warning)" }
        return line + "\n"
    }

    private func statusLine(_ state: State) -> String {
        let elapsed = Self.seconds(ContinuousClock.now - started)
        let current = state.running.sorted { $0.key < $1.key }.map(\.value)
        var text = "\r\u{1B}[K\(state.finished)/\(total) done, " + String(format: "%.1fs", elapsed)
        if let first = current.first {
            text += ", now: \(first)"
            if current.count > 1 { text += " and \(current.count - 1) more" }
        }
        return text
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.attoseconds) / 1e18 + Double(duration.components.seconds)
    }
}

/// The end of an apply: the summary line, the JSON result and the exit code.
enum ApplyReport {
    static func summary(_ result: ApplyResult, journal: String) -> String {
        var text = ""
        if let error = result.error { text += "error: \(error)\n" }
        // A failed read-back adds a warning but shows no field to differ.
        let unread = result.operations.filter(\.readBackFailed).count
        let differences = result.operations.reduce(0) { $0 + $1.warnings.count } - unread
        if differences > 0 {
            text +=
                "\(differences) field(s) were stored differently from what was sent; see the "
                + "warnings above.\n"
        }
        if unread > 0 {
            text +=
                "\(unread) written object(s) could not be read back to check them; see the "
                + "warnings above.\n"
        }
        let counts = result.summary
        let parts = Outcome.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        let verdict = result.succeeded ? "Apply complete" : "Apply incomplete"
        let seconds =
            Double(result.duration.components.seconds)
            + Double(result.duration.components.attoseconds) / 1e18
        text +=
            "\(verdict): \(parts.joined(separator: ", ")) in "
            + String(format: "%.1fs", seconds) + ".\n"
        let unknown = result.unknownOutcomes
        if !unknown.isEmpty {
            text +=
                "The outcome of \(unknown.map(\.resourceID.description).joined(separator: ", ")) "
                + "is unknown: the change may have been made. Run the same command again: it "
                + "reads the live state and checks.\n"
        }
        if result.interrupted {
            text +=
                "Interrupted. The journal \(journal) records what was sent; run the same "
                + "command again to continue from where it stopped.\n"
        } else if !result.succeeded,
            result.operations.contains(where: { $0.outcome == .failed })
        {
            text +=
                "Fix the failure and run the same command again: it plans from the live "
                + "state, so operations that succeeded are not repeated.\n"
        }
        return text
    }

    /// 0 when everything succeeded, 4 when something changed or may have changed before the
    /// apply stopped, 1 when it certainly stopped before any change.
    static func exitCode(_ result: ApplyResult) -> ExitCode {
        if result.succeeded { return .success }
        if result.interrupted { return .partialApply }
        return result.mayHaveChangedTarget ? .partialApply : .failure
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
