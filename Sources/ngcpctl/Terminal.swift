import Foundation

/// Standard output for results, standard error for diagnostics and progress.
enum Terminal {
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Whether to colour output written to `descriptor`: `auto` colours a terminal unless
    /// `TERM` is `dumb` or `NO_COLOR` is set.
    static func useColor(_ mode: String, descriptor: Int32) -> Bool {
        switch mode {
        case "always": return true
        case "never": return false
        default:
            let environment = ProcessInfo.processInfo.environment
            if environment["NO_COLOR"] != nil || environment["TERM"] == "dumb" { return false }
            return isatty(descriptor) == 1
        }
    }

    /// Reads one line from standard input, or nil at end of input.
    static func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }
}
