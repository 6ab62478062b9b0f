import Foundation
import NGCPClient
import NGCPCore
import Synchronization

/// One status line on standard error while collections are read, such as
/// "reading subscribers 12,000 / 50,000, page 12 of 50". It is redrawn at most ten times a second and
/// cleared when the read ends.
final class ReadProgressDisplay: Sendable {
    private struct State {
        var latest: [String: ReadProgress] = [:]
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let state = Mutex(State())

    func report(_ progress: ReadProgress) {
        let line: String? = state.withLock { state in
            state.latest[progress.collection] = progress
            let now = ContinuousClock.now
            let finished = progress.pages.map { progress.page >= $0 } ?? false
            guard now - state.lastDraw >= .milliseconds(100) || finished else { return nil }
            state.lastDraw = now
            return Self.describe(progress)
        }
        if let line { StatusLine.draw(line) }
    }

    /// Removes the status line.
    func finish() {
        StatusLine.clear()
    }

    static func describe(_ progress: ReadProgress) -> String {
        var text = "reading \(progress.collection) \(grouped(progress.items))"
        if let total = progress.total { text += " / \(grouped(total))" }
        text += ", page \(progress.page)"
        if let pages = progress.pages { text += " of \(pages)" }
        return text
    }

    /// 12000 as "12,000".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
