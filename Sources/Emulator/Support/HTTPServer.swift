import CMicroHTTPD
import Glibc
import Synchronization

/// One complete HTTP request as the handlers see it.
struct HTTPRequest: Sendable {
    var method: String
    /// The path without the query string, as sent (not decoded).
    var path: String
    /// Query parameters in request order, already decoded.
    var query: [(name: String, value: String)]
    /// Header names are lower-cased.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// One HTTP response. `dropConnection` closes the socket without sending it, and
/// `truncated` sends the headers and half of the body before closing it.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var dropConnection = false
    var truncated = false

    static func dropped() -> HTTPResponse {
        HTTPResponse(status: 0, dropConnection: true)
    }
}

/// The handler the server calls for every complete request, on its worker threads.
protocol HTTPRequestHandler: AnyObject, Sendable {
    func handle(_ request: HTTPRequest) -> HTTPResponse
}

/// A failure to start the HTTP server.
struct HTTPServerError: Error, CustomStringConvertible {
    let description: String
}

/// The owner of one libmicrohttpd daemon.
///
/// MHD runs an epoll listener with a small thread pool; the handler must be thread-safe.
/// MHD's own messages go to the emulator's log at `logLevel`, not straight to stderr.
final class HTTPServer: @unchecked Sendable {
    private let daemon: OpaquePointer
    private let context: ServerContext
    /// The logger that MHD calls; it must outlive the daemon, so it is freed in `deinit`.
    private let logger: UnsafeMutablePointer<cmhd_logger>
    private let stopped = Atomic<Bool>(false)
    let port: Int

    /// Binds `host:port` (port 0 picks a free port) and starts serving at once.
    init(
        host: String, port: Int, threads: Int, logLevel: EmulatorLogLevel,
        handler: any HTTPRequestHandler
    ) throws {
        guard (0...65535).contains(port) else {
            throw HTTPServerError(description: "invalid port \(port): expected 0 to 65535")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw HTTPServerError(
                description: "invalid listen address '\(host)': expected an IPv4 address")
        }
        let context = ServerContext(handler: handler, logLevel: logLevel)
        let flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_ERROR_LOG.rawValue
        let opaqueContext = Unmanaged.passUnretained(context).toOpaque()
        let logger = UnsafeMutablePointer<cmhd_logger>.allocate(capacity: 1)
        logger.initialize(to: cmhd_logger(callback: forwardMessage, context: opaqueContext))
        let started = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                cmhd_start(
                    flags, UInt16(port), accessHandler, opaqueContext, completionHandler, nil,
                    UInt32(max(threads, 1)), 60, socketAddress, logger)
            }
        }
        guard let started else {
            logger.deallocate()
            throw HTTPServerError(
                description: "cannot listen on \(host):\(port): the port may be in use")
        }
        self.daemon = started
        self.context = context
        self.logger = logger
        self.port = Int(cmhd_bound_port(started))
    }

    /// Stops accepting and waits for the worker threads to finish. Only the first call
    /// does anything; the daemon is also stopped when the server is released.
    func stop() {
        if !stopped.exchange(true, ordering: .acquiringAndReleasing) {
            MHD_stop_daemon(daemon)
        }
    }

    deinit {
        stop()
        logger.deallocate()
    }
}

/// The handler reference handed to C as the access-handler and logger context.
private final class ServerContext: @unchecked Sendable {
    let handler: any HTTPRequestHandler
    let logLevel: EmulatorLogLevel

    init(handler: any HTTPRequestHandler, logLevel: EmulatorLogLevel) {
        self.handler = handler
        self.logLevel = logLevel
    }
}

/// A mark, on the thread that serves a connection, that the emulator is closing it on
/// purpose (an injected fault). MHD reports such a close on the same thread right after the
/// callback returns, so the logger can tell it from a close that MHD decided on its own.
private enum DeliberateClose {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static func mark() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    /// Returns whether this thread has a mark, and removes it.
    static func take() -> Bool {
        let marked = pthread_getspecific(key) != nil
        if marked { pthread_setspecific(key, nil) }
        return marked
    }
}

/// Writes one MHD message to the emulator's log: at debug level when it reports a close
/// that the emulator asked for, as a warning otherwise.
private let forwardMessage: cmhd_message_callback = { context, message in
    guard let context, let message else { return }
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
    var text = String(cString: message)
    while text.last?.isNewline == true { text.removeLast() }
    let level: EmulatorLogLevel = DeliberateClose.take() ? .debug : .warning
    Log.write(level, "libmicrohttpd: \(text)", threshold: server.logLevel)
}

/// Per-request state kept in MHD's `con_cls` while the body arrives in pieces.
private final class PendingRequest {
    var body: [UInt8] = []
}

/// Collects header or query pairs through MHD's iterator callback.
private final class PairCollector {
    var pairs: [(name: String, value: String)] = []
}

private let collectPair: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return .YES }
    let collector = Unmanaged<PairCollector>.fromOpaque(context).takeUnretainedValue()
    collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
    return .YES
}

private func connectionValues(_ connection: OpaquePointer?, kind: MHD_ValueKind) -> [(
    name: String, value: String
)] {
    let collector = PairCollector()
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(
            connection, kind, collectPair, Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.pairs
}

private let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, _, uploadData, uploadSize, state in
    guard let context, let state, let uploadSize else { return .NO }

    // The first call only announces the request; the body follows in later calls.
    guard let existing = state.pointee else {
        state.pointee = Unmanaged.passRetained(PendingRequest()).toOpaque()
        return .YES
    }
    let pending = Unmanaged<PendingRequest>.fromOpaque(existing).takeUnretainedValue()
    if uploadSize.pointee > 0 {
        if let uploadData {
            let bytes = UnsafeRawBufferPointer(start: uploadData, count: uploadSize.pointee)
            pending.body.append(contentsOf: bytes)
        }
        uploadSize.pointee = 0
        return .YES
    }

    var headers: [String: String] = [:]
    for (name, value) in connectionValues(connection, kind: .HEADER_KIND) {
        headers[name.lowercased()] = value
    }
    let request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/",
        query: connectionValues(connection, kind: .GET_ARGUMENT_KIND),
        headers: headers,
        body: pending.body)
    let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
    let response = server.handler.handle(request)
    return queue(response, on: connection)
}

private let completionHandler: MHD_RequestCompletedCallback = { _, _, state, _ in
    guard let state, let pending = state.pointee else { return }
    Unmanaged<PendingRequest>.fromOpaque(pending).release()
    state.pointee = nil
}

/// The body of a response that is cut off half-way, owned by MHD until it frees it.
private final class TruncatedBody {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// Hands out the first half of the body, then reports an error so that MHD closes the
/// connection in the middle of the response.
private let readTruncatedBody: MHD_ContentReaderCallback = { context, position, buffer, maximum in
    guard let context, let buffer else { return MHD_CONTENT_READER_END_WITH_ERROR }
    let body = Unmanaged<TruncatedBody>.fromOpaque(context).takeUnretainedValue()
    let half = body.bytes.count / 2
    let start = Int(position)
    guard start < half else {
        DeliberateClose.mark()
        return MHD_CONTENT_READER_END_WITH_ERROR
    }
    let count = min(maximum, half - start)
    body.bytes.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer).copyMemory(
            from: source.baseAddress! + start, byteCount: count)
    }
    return count
}

private let releaseTruncatedBody: MHD_ContentReaderFreeCallback = { context in
    guard let context else { return }
    Unmanaged<TruncatedBody>.fromOpaque(context).release()
}

private func queue(_ response: HTTPResponse, on connection: OpaquePointer?) -> MHD_Result {
    // Answering NO makes MHD close the socket without a response.
    if response.dropConnection || (response.truncated && response.body.count < 2) {
        DeliberateClose.mark()
        return .NO
    }
    var body = response.body
    let mhdResponse: OpaquePointer?
    if response.truncated {
        let owner = Unmanaged.passRetained(TruncatedBody(body)).toOpaque()
        mhdResponse = MHD_create_response_from_callback(
            UInt64(body.count), 4096, readTruncatedBody, owner, releaseTruncatedBody)
    } else {
        mhdResponse = body.withUnsafeMutableBytes { buffer in
            MHD_create_response_from_buffer(buffer.count, buffer.baseAddress, .RESPMEM_MUST_COPY)
        }
    }
    guard let mhdResponse else { return .NO }
    defer { MHD_destroy_response(mhdResponse) }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(mhdResponse, name, value)
    }
    return MHD_queue_response(connection, UInt32(response.status), mhdResponse)
}
