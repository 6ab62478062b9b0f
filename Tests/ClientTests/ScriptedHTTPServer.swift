import Foundation
import Glibc
import Synchronization

/// A loopback HTTP/1.1 server whose every response comes from a test's script, for transport
/// behaviour the NGCP emulator does not produce: 503 with Retry-After, dropped connections and
/// slow responses. It speaks just enough HTTP for libcurl: Content-Length bodies and keep-alive.
final class ScriptedHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    enum Reply: Sendable {
        case respond(status: Int, headers: [String: String], body: String)
        /// Close the connection without a response.
        case drop
        /// Wait, then respond.
        case delayed(seconds: Double, status: Int, body: String)
    }

    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Request, Int) -> Reply
    private let log = Mutex<[Request]>([])
    private let stopped = Atomic<Bool>(false)
    private let acceptedConnections = Atomic<Int>(0)

    /// Starts listening on 127.0.0.1 with a free port. `handler` receives each request and
    /// its 1-based number.
    init(handler: @escaping @Sendable (Request, Int) -> Reply) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EIO) }
        var reuse: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else {
            close(socketFD)
            throw POSIXError(.EADDRINUSE)
        }

        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(socketFD, $0, &length)
            }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = socketFD
        self.handler = handler

        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The number of TCP connections accepted so far.
    var connectionCount: Int { acceptedConnections.load(ordering: .relaxed) }

    /// Every request received so far, in arrival order.
    var requests: [Request] { log.withLock { $0 } }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            acceptedConnections.add(1, ordering: .relaxed)
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, buffer: &buffer) {
            let number = log.withLock { log -> Int in
                log.append(request)
                return log.count
            }
            switch handler(request, number) {
            case .drop:
                return
            case .respond(let status, let headers, let body):
                write(connection, status: status, headers: headers, body: body)
            case .delayed(let seconds, let status, let body):
                Thread.sleep(forTimeInterval: seconds)
                write(connection, status: status, headers: [:], body: body)
            }
        }
    }

    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int? = nil
        while headerEnd == nil {
            // A TLS handshake record starts with 0x16: respond in plain HTTP, as a plain
            // server does, so that the client's handshake fails at once.
            if buffer.first == 0x16 {
                write(connection, status: 400, headers: [:], body: "plain HTTP only")
                return nil
            }
            if let range = buffer.firstRange(of: separator) {
                headerEnd = range.upperBound
                break
            }
            guard receive(connection, into: &buffer) else { return nil }
        }
        guard let end = headerEnd else { return nil }

        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }

        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        let bodyLength = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + bodyLength {
            guard receive(connection, into: &buffer) else { return nil }
        }
        let body = Array(buffer[end..<(end + bodyLength)])
        buffer.removeFirst(end + bodyLength)
        return Request(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
            body: body)
    }

    private func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(connection, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func write(_ connection: Int32, status: Int, headers: [String: String], body: String) {
        var text = "HTTP/1.1 \(status) Scripted\r\n"
        var allHeaders = headers
        allHeaders["Content-Length"] = "\(body.utf8.count)"
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) {
            text += "\(name): \(value)\r\n"
        }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return }
            sent += count
        }
    }
}
