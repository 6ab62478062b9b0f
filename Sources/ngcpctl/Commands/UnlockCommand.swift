import Apply
import ArgumentParsing
import Foundation
import NGCPCore

/// `ngcpctl unlock`: removes the lock that `apply --lock server` keeps on the target, after
/// its holder died without releasing it.
enum UnlockCommand {
    static let spec = CommandSpec(
        name: "ngcpctl unlock",
        summary: "Break the apply lock kept on the target by 'apply --lock server'.",
        positionalUsage: "",
        options: CommonOptions.connection + [
            .flag("force", help: "Required: confirms that the holder is no longer running.")
        ] + CommonOptions.output,
        discussion: """
            Shows the holder and deletes the lock domain and its holder contact. Check first
            that the holder named by the refused apply is really gone: breaking a live lock
            lets two applies run at once. The local file lock needs no unlocking; it ends
            with its process.
            """)

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard parsed.positionals.isEmpty else {
            throw UsageError("unlock takes no arguments; usage: ngcpctl unlock --force")
        }
        let connection = try Connection(
            parsed, environment: ProcessInfo.processInfo.environment)
        let lock = ServerTargetLock(client: connection.makeClient(), target: connection.url)
        guard try await lock.domainID() != nil else {
            Terminal.output("No apply lock is held on \(connection.url).\n")
            return .success
        }
        let holder = try await lock.currentHolder()
        let who = holder.map { "held by \($0)" } ?? "holder record missing"
        guard parsed.flag("force") else {
            throw CommandFailure(
                "the apply lock on \(connection.url) is \(who); if that apply is no longer "
                    + "running, run 'ngcpctl unlock --force'",
                exitCode: .blocked)
        }
        try await lock.release()
        Terminal.output("Removed the apply lock on \(connection.url) (\(who)).\n")
        return .success
    }
}
