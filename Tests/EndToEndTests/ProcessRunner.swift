import Foundation
import Testing

/// The result of running one of the built executables.
struct ProcessResult {
    let exitCode: Int32
    let standardOutput: String
    let standardError: String

    /// The summary lines of diagnostics on standard error, such as `1 error, 2 warnings`.
    var diagnosticSummaries: [Substring] {
        standardError.split(separator: "\n").filter {
            $0.hasSuffix(" warning") || $0.hasSuffix(" warnings")
        }
    }
}

/// Runs the executables that `swift build` placed beside the test bundle.
enum BuiltProducts {
    static var directory: URL {
        // The test runner lives in the build products directory (for example
        // .build/debug/ngcpctlPackageTests.xctest), beside the executables.
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("ngcpctl").path) {
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        return url
    }

    static func path(_ product: String) -> String {
        directory.appendingPathComponent(product).path
    }

    /// The package root, derived from this file's location.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func run(
        _ product: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, standardInput: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(product))
        process.arguments = arguments
        var fullEnvironment = ProcessInfo.processInfo.environment
        for (key, value) in environment { fullEnvironment[key] = value }
        fullEnvironment["NO_COLOR"] = "1"
        process.environment = fullEnvironment
        process.currentDirectoryURL = currentDirectory ?? packageRoot
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
        }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so that a full pipe buffer cannot block the child.
        let errorData = LockedData()
        let errorReader = Thread {
            errorData.set(error.fileHandleForReading.readDataToEndOfFile())
        }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ProcessResult(
            exitCode: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.value, as: UTF8.self))
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ newValue: Data) {
        lock.lock()
        data = newValue
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return data != nil
    }

    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data ?? Data()
    }
}
