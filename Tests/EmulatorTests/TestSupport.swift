import Foundation
import Glibc
import NGCPCore
import Testing

@testable import Emulator

/// One response as the test client received it.
struct TestResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headers(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var json: JSONValue? { try? JSONValue.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal blocking HTTP/1.1 client over a plain socket, so redirects, odd methods and
/// dropped connections stay visible to the tests.
struct TestClient {
    let port: Int
    var username = "administrator"
    var password = "administrator"

    init(port: Int) {
        self.port = port
    }

    /// Sends one request; returns nil when the server closed the connection without a reply.
    func send(
        _ method: String, _ path: String, body: String? = nil,
        contentType: String? = "application/json", headers: [String: String] = [:],
        authenticate: Bool = true
    ) -> TestResponse? {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return nil }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }

        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"]
        if authenticate {
            let token = Data("\(username):\(password)".utf8).base64EncodedString()
            lines.append("Authorization: Basic \(token)")
        }
        let payload = Array((body ?? "").utf8)
        if body != nil {
            if let contentType { lines.append("Content-Type: \(contentType)") }
            lines.append("Content-Length: \(payload.count)")
        }
        for (name, value) in headers { lines.append("\(name): \(value)") }
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + payload
        var sent = 0
        while sent < request.count {
            let result = request[sent...].withUnsafeBytes {
                Glibc.send(socketDescriptor, $0.baseAddress, $0.count, 0)
            }
            guard result > 0 else { return nil }
            sent += Int(result)
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketDescriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<Int(count)])
        }
        return Self.parse(received)
    }

    private static func parse(_ bytes: [UInt8]) -> TestResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard
            let end = (0..<max(bytes.count - 3, 0)).first(where: {
                Array(bytes[$0..<$0 + 4]) == separator
            })
        else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (
                    String(line[..<colon]),
                    String(line[line.index(after: colon)...]).trimmingWhitespace()
                ))
        }
        return TestResponse(status: status, headers: headers, body: Array(bytes[(end + 4)...]))
    }

    // MARK: Conveniences

    func get(_ path: String) -> TestResponse? { send("GET", path) }

    func post(_ path: String, _ body: JSONValue) -> TestResponse? {
        send("POST", path, body: body.serialized())
    }

    func put(_ path: String, _ body: JSONValue, prefer: String? = nil) -> TestResponse? {
        send("PUT", path, body: body.serialized(), headers: prefer.map { ["Prefer": $0] } ?? [:])
    }

    func patch(_ path: String, _ operations: JSONValue) -> TestResponse? {
        send(
            "PATCH", path, body: operations.serialized(),
            contentType: "application/json-patch+json")
    }

    /// Creates an object and returns its id from the Location header.
    func create(
        _ collection: String, _ body: JSONValue,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    )
        -> Int?
    {
        let response = post("/api/\(collection)/", body)
        #expect(
            response?.status == 201, "POST /api/\(collection)/: \(response?.text ?? "no response")",
            sourceLocation: sourceLocation)
        guard let location = response?.header("Location") else { return nil }
        return Int(location.split(separator: "/").last ?? "")
    }
}

/// An emulator on a free port with its own in-memory database, stopped when released.
final class RunningEmulator {
    let server: EmulatorServer
    let client: TestClient

    init(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) throws {
        var configuration = EmulatorConfiguration()
        configure(&configuration)
        server = try EmulatorServer(configuration: configuration)
        client = TestClient(port: server.port)
    }

    deinit {
        server.stop()
    }

    /// Creates a contact, a domain and an active customer, ready for subscribers.
    func makeCustomer(tag: String, type: String = "sipaccount", maxSubscribers: Int? = nil)
        -> (domainID: Int, customerID: Int)
    {
        let contactID =
            client.create(
                "customercontacts", ["reseller_id": 1, "email": .string("\(tag)@example.invalid")])
            ?? 0
        let domainID =
            client.create(
                "domains", ["reseller_id": 1, "domain": .string("\(tag).example.org")]) ?? 0
        var body: [String: JSONValue] = [
            "contact_id": .int(contactID), "billing_profile_id": 1, "status": "active",
            "type": .string(type),
        ]
        if let maxSubscribers { body["max_subscribers"] = .int(maxSubscribers) }
        let customerID = client.create("customers", .object(body)) ?? 0
        return (domainID, customerID)
    }

    func makeSubscriber(
        customerID: Int, domainID: Int, username: String, sn: String, aliases: [String] = []
    ) -> Int? {
        client.create(
            "subscribers",
            [
                "customer_id": .int(customerID), "domain_id": .int(domainID),
                "username": .string(username), "password": "secret-pass",
                "primary_number": ["cc": "43", "ac": "1", "sn": .string(sn)],
                "alias_numbers": .array(
                    aliases.map { ["cc": "43", "ac": "1", "sn": .string($0)] }),
            ])
    }
}

extension JSONValue {
    /// The embedded items of a collection response (empty when `_embedded` is absent).
    func embedded(_ collection: String) -> [JSONValue] {
        self["_embedded"]?["ngcp:\(collection)"]?.arrayValue ?? []
    }
}
