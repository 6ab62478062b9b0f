import Foundation

/// The `ngcp-emulator` executable, started on 127.0.0.1 with a free port for one test.
final class EmulatorProcess {
    let process = Process()
    let url: String

    /// Starts the emulator with `arguments` added to its command line, such as
    /// `--latency-ms 100`.
    init(database: String = ":memory:", arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("ngcp-emulator"))
        process.arguments = ["--listen", "127.0.0.1:0", "--db", database] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()

        // The emulator prints one line with its URL once it accepts connections.
        var received = Data()
        let deadline = Date().addingTimeInterval(20)
        var found: String?
        while found == nil, Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
            let text = String(decoding: received, as: UTF8.self)
            if let range = text.range(
                of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression)
            {
                found = String(text[range])
            }
        }
        guard let found else {
            process.terminate()
            throw EmulatorStartError(output: String(decoding: received, as: UTF8.self))
        }
        url = found
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

struct EmulatorStartError: Error, CustomStringConvertible {
    let output: String
    var description: String { "ngcp-emulator did not print its URL; output: '\(output)'" }
}
