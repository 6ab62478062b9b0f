import Foundation
import Glibc
import Testing

/// Runs the ngcp-emulator binary that `swift test` builds next to the test bundle.
@Suite struct ExecutableTests {
    private static func binary() -> URL {
        Bundle.main.bundleURL.appendingPathComponent("ngcp-emulator")
    }

    private static func run(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary()
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    @Test func announcesAddressAndStopsOnSigterm() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary().path),
            "ngcp-emulator was not built at \(Self.binary().path)")
        let (process, output, _) = try Self.run(["--listen", "127.0.0.1:0"])
        let line = output.fileHandleForReading.readLine()
        let match = line?.firstMatch(of: /^ngcp-emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/)
        #expect(match != nil, "unexpected first line: \(line ?? "nothing")")
        if let port = match.flatMap({ Int($0.1) }) {
            let response = TestClient(port: port).get("/api/domains/")
            #expect(response?.status == 200)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.fileHandleForReading.readDataToEndOfFile().isEmpty)
    }

    /// Runs the emulator with every response cut off, sends a request with a body in its
    /// response and one without, and returns what it wrote to standard error.
    private static func standardErrorWithDrops(_ extra: [String]) throws -> String {
        let (process, output, errors) = try Self.run(
            ["--listen", "127.0.0.1:0", "--drop-rate", "1"] + extra)
        let line = output.fileHandleForReading.readLine()
        let port = try #require(line?.firstMatch(of: /:(\d+)$/).flatMap { Int($0.1) })
        let client = TestClient(port: port)
        // A cut body reads as a short response, a cut empty one as no response.
        let cut = client.get("/api/domains/")
        #expect(cut?.body.count ?? 0 < Int(cut?.header("Content-Length") ?? "") ?? 1)
        #expect(
            client.post("/api/domains/", ["domain": "cut.example.org", "reseller_id": 1]) == nil)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func injectedDropsLogOnlyAtDebugLevel() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary().path))

        // libmicrohttpd reports each close that the fault requests, but by default nothing shows.
        let quiet = try Self.standardErrorWithDrops([])
        #expect(quiet.isEmpty, "unexpected messages: \(quiet)")

        let debug = try Self.standardErrorWithDrops(["--log-level", "debug"])
        let lines = debug.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2, "\(debug)")
        #expect(
            lines.allSatisfy { $0.hasPrefix("ngcp-emulator debug: libmicrohttpd: ") }, "\(debug)")
    }

    @Test func rejectsUnknownLogLevel() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary().path))
        let (process, _, errors) = try Self.run(["--log-level", "loud"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        let message = String(
            decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("invalid --log-level 'loud'"))
    }

    @Test func rejectsUnknownOption() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary().path))
        let (process, _, errors) = try Self.run(["--no-such-option"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
        let message = String(
            decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("unknown option '--no-such-option'"))
    }
}

extension FileHandle {
    /// Reads up to the next newline (without it); nil at end of file.
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = readData(ofLength: 1)
            guard let byte = chunk.first else {
                return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
