import Apply
import Dispatch
import Foundation
import NGCPClient
import NGCPCore
import Synchronization

/// The lock modes of `apply --lock`.
enum LockMode: String, CaseIterable {
    case none
    case local
    case server

    static let defaultMode = LockMode.local
}

/// The locks an apply holds, released in reverse order.
struct HeldLocks: Sendable {
    var local: LocalTargetLock?
    var server: ServerTargetLock?

    /// Takes the locks for `mode`: `local` takes the file lock, `server` takes the file
    /// lock and the lock on the target.
    static func acquire(_ mode: LockMode, target: String, client: NGCPAPIClient) async throws
        -> HeldLocks
    {
        var held = HeldLocks()
        guard mode != .none else { return held }
        do {
            held.local = try LocalTargetLock(path: LocalTargetLock.defaultPath(target: target))
            if mode == .server {
                let lock = ServerTargetLock(client: client, target: target)
                try await lock.acquire()
                held.server = lock
            }
        } catch let error as LockHeldError {
            await held.release()
            throw CommandFailure(error.description, exitCode: .blocked)
        } catch {
            await held.release()
            throw CommandFailure("could not take the apply lock: \(error)")
        }
        return held
    }

    func release() async {
        if let server {
            do {
                try await server.release()
            } catch {
                Terminal.error(
                    "warning: could not release the lock on the target (\(error)); run "
                        + "'ngcpctl unlock' against it before the next apply\n")
            }
        }
        local?.release()
    }
}

/// Where the apply journal lives: `--journal FILE`, or `.ngcpctl/journal/<target-hash>.jsonl`
/// in the git repository that holds the first manifest path (else that path's directory, or
/// the working directory for a saved plan).
enum JournalLocation {
    static func path(option: String?, manifestPaths: [String], target: String) -> String {
        if let option { return option }
        let start = manifestPaths.first ?? FileManager.default.currentDirectoryPath
        return ApplyJournal.defaultPath(root: repositoryRoot(from: start), target: target)
    }

    static func repositoryRoot(from path: String) -> String {
        var isDirectory: ObjCBool = false
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var directory = absolute
        if !FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
            || !isDirectory.boolValue
        {
            directory = (absolute as NSString).deletingLastPathComponent
        }
        var candidate = directory
        while true {
            let marker = (candidate as NSString).appendingPathComponent(".git")
            if FileManager.default.fileExists(atPath: marker) { return candidate }
            let parent = (candidate as NSString).deletingLastPathComponent
            if parent == candidate || parent.isEmpty { return directory }
            candidate = parent
        }
    }
}

/// The location of a target's web password records: `.ngcpctl/webpasswords/<target-hash>.json`
/// in the repository of the default journal. `--journal` does not move them.
enum WebPasswordRecordLocation {
    static func path(manifestPaths: [String], target: String) -> String {
        let start = manifestPaths.first ?? FileManager.default.currentDirectoryPath
        return WebPasswordRecordFile.defaultPath(
            root: JournalLocation.repositoryRoot(from: start), target: target)
    }
}

/// What a signal does at each stage of an apply. Before execution nothing has been sent, so
/// the locks are released and the process exits with 1; this also ends a pending
/// confirmation prompt. During execution the first signal asks the executor to start
/// nothing new and to let the requests in flight finish; the second abandons them by
/// cancelling the executor's task. Either way the journal already holds every operation
/// that was sent.
final class Interruption: Sendable {
    private struct State {
        var task: Task<ApplyResult, Never>?
        var signals = 0
        var exiting = false
    }

    let stop = StopRequest()
    private let locks: HeldLocks
    private let state = Mutex(State())

    init(locks: HeldLocks) {
        self.locks = locks
    }

    /// Marks the start of execution by `makeTask`, or waits for the exit when a signal
    /// arrived before, so that no write is sent after it.
    func execute(_ makeTask: () -> Task<ApplyResult, Never>) async -> ApplyResult {
        let task = state.withLock { state -> Task<ApplyResult, Never>? in
            guard !state.exiting else { return nil }
            let task = makeTask()
            state.task = task
            return task
        }
        guard let task else {
            // The signal handler releases the locks and exits the process.
            while true { try? await Task.sleep(for: .seconds(60)) }
        }
        return await task.value
    }

    func handleSignal() {
        let (task, count) = state.withLock { state in
            state.signals += 1
            if state.task == nil { state.exiting = true }
            return (state.task, state.signals)
        }
        guard let task else {
            guard count == 1 else { return }
            Terminal.error("\ninterrupted before any change; nothing was sent\n")
            let locks = self.locks
            Task.detached {
                await locks.release()
                exit(ExitCode.failure.rawValue)
            }
            return
        }
        if count == 1 {
            Terminal.error(
                "\ninterrupted: waiting for the requests in flight to finish "
                    + "(interrupt again to abandon them)\n")
            stop.request()
        } else {
            Terminal.error("\nsecond interrupt: abandoning the requests in flight\n")
            task.cancel()
        }
    }
}

/// Routes SIGINT and SIGTERM to an `Interruption` through dispatch sources, with the default
/// actions ignored while it is installed.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(_ interruption: Interruption) {
        let queue = DispatchQueue(label: "ngcpctl.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { interruption.handleSignal() }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func remove() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
