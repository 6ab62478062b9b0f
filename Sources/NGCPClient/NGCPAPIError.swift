import NGCPCore

/// A failed API request: an error status from the server, a transport failure or a response
/// that could not be read.
public struct NGCPAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The server responded with an error status other than 401.
        case http
        /// The server rejected the credentials (401).
        case authentication
        case timeout
        case connectionFailed
        case connectionLost
        case tls
        case cancelled
        /// The request could not be built or sent for a reason below HTTP.
        case transport
        /// The response was not what the API documents (bad JSON, no Location header).
        case invalidResponse
    }

    public let kind: Kind
    /// The HTTP status, or nil when no response arrived.
    public let status: Int?
    /// The server's `message` member, or the transport's message.
    public let message: String
    public let method: HTTPMethod
    /// The request path, without the base URL.
    public let path: String
    /// True when a write may or may not have taken effect: the request was sent, but the
    /// response was lost or was a 5xx. Such a write must not be repeated blindly.
    public let outcomeUnknown: Bool
    /// Seconds from a `Retry-After` header, when the server sent one.
    public let retryAfter: Double?

    public init(
        kind: Kind, status: Int?, message: String, method: HTTPMethod, path: String,
        outcomeUnknown: Bool = false, retryAfter: Double? = nil
    ) {
        self.kind = kind
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.outcomeUnknown = outcomeUnknown
        self.retryAfter = retryAfter
    }

    public var isNotFound: Bool { status == 404 }

    /// This error with `outcomeUnknown` set, for a failure that follows an attempt of the
    /// same request whose outcome is unknown.
    func withUnknownOutcome() -> NGCPAPIError {
        guard !outcomeUnknown, method != .get else { return self }
        return NGCPAPIError(
            kind: kind, status: status, message: message, method: method, path: path,
            outcomeUnknown: true, retryAfter: retryAfter)
    }

    /// True for failures below HTTP, where no response was received.
    public var isTransportFailure: Bool {
        switch kind {
        case .timeout, .connectionFailed, .connectionLost, .tls, .transport: return true
        case .http, .authentication, .cancelled, .invalidResponse: return false
        }
    }

    public var description: String {
        var text = "\(method.rawValue) \(path) failed: "
        if let status, kind == .http {
            text += "HTTP \(status): "
        }
        text += message
        if outcomeUnknown {
            text += " (the change may or may not have been made)"
        }
        return text
    }

    // MARK: Constructors

    static func authenticationFailed(
        user: String, baseURL: String, method: HTTPMethod, path: String
    )
        -> NGCPAPIError
    {
        NGCPAPIError(
            kind: .authentication, status: 401,
            message: "authentication failed for user '\(user)' at \(baseURL): "
                + "check NGCP_USER/NGCP_PASSWORD",
            method: method, path: path)
    }

    static func transport(_ error: TransportError, method: HTTPMethod, path: String)
        -> NGCPAPIError
    {
        let kind: Kind
        switch error.kind {
        case .timeout: kind = .timeout
        case .connectionFailed: kind = .connectionFailed
        case .connectionLost: kind = .connectionLost
        case .tls: kind = .tls
        case .cancelled: kind = .cancelled
        case .invalidRequest, .other: kind = .transport
        }
        return NGCPAPIError(
            kind: kind, status: nil, message: error.message, method: method, path: path,
            outcomeUnknown: method != .get && error.requestSent)
    }

    /// Returns the error of a connection that failed before the server ever responded in
    /// this run: `failure` with a message that names the URL and what to check.
    static func unreachable(_ failure: NGCPAPIError, baseURL: String) -> NGCPAPIError {
        NGCPAPIError(
            kind: failure.kind, status: nil,
            message: "cannot connect to \(baseURL) (\(failure.message)). No request of this "
                + "run has reached it, so check that the NGCP API is running there and that "
                + "the URL's host name and port are right",
            method: failure.method, path: failure.path, outcomeUnknown: failure.outcomeUnknown)
    }

    static func invalidResponse(
        _ reason: String, method: HTTPMethod, path: String, status: Int?,
        outcomeUnknown: Bool = false
    ) -> NGCPAPIError {
        NGCPAPIError(
            kind: .invalidResponse, status: status, message: reason, method: method, path: path,
            outcomeUnknown: outcomeUnknown)
    }
}
