import Apply
import Dispatch
import Foundation
import NGCPClient
import NGCPCore

/// The lock modes of `apply --lock`.
enum LockMode: String, CaseIterable {
    case none
    case local
    case server

    static let defaultMode = LockMode.local
}

/// The locks an apply holds, released in reverse order.
struct HeldLocks {
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

/// SIGINT and SIGTERM during an apply. The first asks the executor to start nothing new and
/// to let the requests in flight finish; the second abandons them by cancelling the task.
/// Either way the journal already holds every operation that was sent.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopRequest, task: Task<ApplyResult, Never>) {
        let queue = DispatchQueue(label: "ngcpctl.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if stop.isRequested {
                    Terminal.error(
                        "\nsecond interrupt: abandoning the requests in flight\n")
                    task.cancel()
                } else {
                    Terminal.error(
                        "\ninterrupted: waiting for the requests in flight to finish "
                            + "(interrupt again to abandon them)\n")
                    stop.request()
                }
            }
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
