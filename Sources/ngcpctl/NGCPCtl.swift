import ArgumentParsing
import Foundation

/// The `ngcpctl` command: dispatches to a subcommand and maps failures to exit codes.
enum NGCPCtl {
    static let version = "0.1.0"

    static let overview = """
        Usage: ngcpctl <command> [options] [arguments]

        Declarative provisioning for Sipwise NGCP: manifests in git describe domains,
        customers and subscribers; ngcpctl plans and applies the API calls that make the
        live platform match them.

        Commands:
          validate PATH...   Check manifests without contacting NGCP.
          plan PATH...       Read the live state and print the operations that would run.
          apply PATH...      Plan, confirm, and execute the operations.
          apply --plan FILE  Execute a plan saved with 'plan --out FILE'.
          policy test PLAN...  Check saved plans against the policies.
          export --out DIR   Write the live platform out as manifests.
          unlock --force     Break a stale apply lock kept on the target.
          changes PATH...    Show desired-state changes between two git revisions.
          drift PATH...      Compare live state with the revision last applied to a target.
          history            List the revisions applied to each target.
          schema             Print the JSON Schema of manifests (or of ngcpctl.yaml).
          version            Print the version.

        Run 'ngcpctl <command> --help' for a command's options. See docs/cli.md.
        """

    static func run(_ arguments: [String]) async -> ExitCode {
        guard let command = arguments.first else {
            Terminal.error(overview + "\n")
            return .usage
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "validate":
                return try ValidateCommand.run(rest)
            case "plan":
                return try await PlanCommand.run(rest)
            case "apply":
                return try await ApplyCommand.run(rest)
            case "policy":
                return try PolicyCommand.run(rest)
            case "export":
                return try await ExportCommand.run(rest)
            case "unlock":
                return try await UnlockCommand.run(rest)
            case "changes":
                return try ChangesCommand.run(rest)
            case "drift":
                return try await DriftCommand.run(rest)
            case "history":
                return try HistoryCommand.run(rest)
            case "schema":
                return try SchemaCommand.run(rest)
            case "version", "--version":
                if rest == ["--help"] {
                    Terminal.output("Usage: ngcpctl version\n\nPrint the version.\n")
                    return .success
                }
                guard rest.isEmpty else {
                    throw UsageError("'version' takes no arguments; usage: ngcpctl version")
                }
                Terminal.output("ngcpctl \(version)\n")
                return .success
            case "help", "--help", "-h":
                Terminal.output(overview + "\n")
                return .success
            default:
                var message = "error: unknown command '\(command)'"
                let commands = [
                    "validate", "plan", "apply", "changes", "drift", "history", "policy", "export",
                    "unlock", "schema", "version", "help",
                ]
                if let suggestion = nearestName(to: command, in: commands) {
                    message += "; did you mean '\(suggestion)'?"
                }
                Terminal.error(message + "\nRun 'ngcpctl help' for the list of commands.\n")
                return .usage
            }
        } catch let error as UsageError {
            Terminal.error("error: \(error.message)\n")
            return .usage
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty {
                Terminal.error("error: \(failure.message)\n")
            }
            if let hint = failure.hint {
                Terminal.error("  hint: \(hint)\n")
            }
            return failure.exitCode
        } catch {
            Terminal.error("error: \(error)\n")
            return .failure
        }
    }

    /// Parses a subcommand's arguments, printing its help and returning nil for `--help`.
    static func parse(_ spec: CommandSpec, _ arguments: [String]) throws(UsageError)
        -> ParsedArguments?
    {
        let parsed = try spec.parse(arguments)
        if parsed.flag("help") {
            Terminal.output(spec.helpText)
            return nil
        }
        return parsed
    }
}
