import NGCPCore

/// One HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL, query string included.
    public var url: String
    /// Header lines in send order. `Authorization` is never set here: credentials travel in
    /// `credentials` so that they stay out of logs and error messages.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var credentials: BasicCredentials?
    /// False for a request that must not reach the server twice. libcurl silently sends a
    /// request again when a reused connection closes before any response byte, which would
    /// repeat a create that the server had carried out, so such requests get a new connection.
    public var idempotent: Bool
    /// Requests of `.low` priority wait while requests of `.normal` priority are queued.
    public var priority: RequestPriority = .normal

    public init(
        method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil, credentials: BasicCredentials? = nil, idempotent: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.credentials = credentials
        self.idempotent = idempotent ?? (method != .post && method != .patch)
    }
}

/// The order in which queued requests get a connection.
public enum RequestPriority: Sendable {
    case normal
    /// Reads ahead of need, which give way to the reads a caller waits for.
    case low
}

/// A user name and password for HTTP Basic authentication.
public struct BasicCredentials: Sendable, Hashable {
    public var user: String
    public var password: SecretValue

    public init(user: String, password: SecretValue) {
        self.user = user
        self.password = password
    }
}

/// One HTTP response: the final status line, its headers and the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header lines of the final response, in receive order, names as the server sent them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The negotiated protocol, for example 1.1 or 2.
    public var httpVersion: String

    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        httpVersion: String = "1.1"
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// A failure below HTTP: no response was received.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The connect or the total timeout expired.
        case timeout
        /// The host name did not resolve or the TCP connection could not be made.
        case connectionFailed
        /// The connection broke after it was made (reset, closed, nothing received).
        case connectionLost
        /// TLS handshake or certificate verification failed.
        case tls
        /// The URL or an option was rejected by the HTTP library.
        case invalidRequest
        /// The calling task was cancelled.
        case cancelled
        case other
    }

    public let kind: Kind
    /// The HTTP library's own message, which names the host and the cause.
    public let message: String
    /// The libcurl result code, for bug reports.
    public let code: Int
    /// False when the request certainly never reached the server (the connection was never
    /// made), so even a non-idempotent request may be sent again.
    public let requestSent: Bool

    public init(kind: Kind, message: String, code: Int, requestSent: Bool) {
        self.kind = kind
        self.message = message
        self.code = code
        self.requestSent = requestSent
    }

    public var description: String { message }
}

/// Connection settings for `CurlSession`.
public struct TransportOptions: Sendable {
    /// Seconds allowed for the TCP and TLS handshake.
    public var connectTimeout: Double
    /// Seconds allowed for a whole request, from connect to the last body byte.
    public var requestTimeout: Double
    /// A PEM file of CA certificates used instead of the system store.
    public var caFile: String?
    /// Skips certificate and host name verification. Only for test systems with self-signed
    /// certificates: it removes all protection against a man in the middle.
    public var insecure: Bool
    /// A PEM client certificate and its key, for servers that require TLS client
    /// authentication.
    public var clientCertificate: String?
    public var clientKey: String?
    /// The number of worker threads, each with one connection kept alive. This is also the
    /// maximum number of requests in flight at once.
    public var connections: Int

    public init(
        connectTimeout: Double = 10, requestTimeout: Double = 120, caFile: String? = nil,
        insecure: Bool = false, clientCertificate: String? = nil, clientKey: String? = nil,
        connections: Int = 4
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.caFile = caFile
        self.insecure = insecure
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.connections = connections
    }
}
