/// The process exit codes, documented in docs/cli.md.
enum ExitCode: Int32 {
    /// Success; with `--detailed-exitcode`, also "no changes".
    case success = 0
    /// Invalid input, an API error, or a failed operation.
    case failure = 1
    /// `plan --detailed-exitcode` found changes.
    case changesPresent = 2
    /// A guard or policy blocked the plan, or a saved plan is stale.
    case blocked = 3
    /// `apply` stopped part way: some operations ran, others failed or were not started.
    case partialApply = 4
    /// A transient failure, such as a timeout or an unavailable server: running again may pass.
    case transient = 5
    /// The command line itself is wrong.
    case usage = 64
}

/// An error that ends the command with a message on standard error and an exit code.
struct CommandFailure: Error {
    let message: String
    let exitCode: ExitCode
    /// A suggested fix, printed on a `hint:` line below the message.
    let hint: String?

    init(_ message: String, exitCode: ExitCode = .failure, hint: String? = nil) {
        self.message = message
        self.exitCode = exitCode
        self.hint = hint
    }
}
