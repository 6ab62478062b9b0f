import Foundation
import Testing

@testable import Emulator

/// Replays the recorded ngcp-panel scenarios against an in-process emulator.
@Suite struct ReplayTests {
    /// NGCP_TRANSCRIPTS, or the transcripts directory next to the package checkout.
    static func transcriptsDirectory() -> (URL?, [String]) {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["NGCP_TRANSCRIPTS"] {
            candidates.append(fromEnvironment)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(
            packageRoot.deletingLastPathComponent().appendingPathComponent(
                "shared/ngcp-transcripts"
            )
            .path)
        for candidate in candidates {
            let replay = URL(fileURLWithPath: candidate).appendingPathComponent("replay.py")
            if FileManager.default.fileExists(atPath: replay.path) {
                return (URL(fileURLWithPath: candidate), candidates)
            }
        }
        return (nil, candidates)
    }

    @Test func recordedScenariosPass() throws {
        let (directory, searched) = Self.transcriptsDirectory()
        guard let directory else {
            let places = searched.joined(separator: ", ")
            Issue.record(
                "no transcripts found (looked for replay.py in: \(places)); set NGCP_TRANSCRIPTS")
            return
        }
        let emulator = try RunningEmulator()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", directory.appendingPathComponent("replay.py").path,
            "--base-url", emulator.server.baseURL,
            directory.appendingPathComponent("scenarios").path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)

        #expect(process.terminationStatus == 0, "replay failed:\n\(text)")
        let summary = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            summary.range(of: #"^[1-9][0-9]* passed, 0 failed$"#, options: .regularExpression)
                != nil, "unexpected summary: \(summary)")
    }
}
