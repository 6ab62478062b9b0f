import CCurl
import Foundation
import NGCPCore
import Synchronization

/// Initialises libcurl once per process, before the first worker thread starts. A global `let`
/// is initialised lazily and exactly once, even when several sessions start at the same time.
private let curlGlobalInitialization: Int = Int(curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue)

/// The owner of all libcurl state: a fixed set of worker threads, each with one easy handle
/// that it reuses so that its connection stays open between requests.
///
/// `curl_easy_perform` blocks, so it runs only on these threads and never on the cooperative
/// thread pool; `send` suspends until a worker has finished the request. The number of workers
/// is the maximum number of requests in flight; further requests wait in a queue.
public final class CurlSession: Sendable {
    public let options: TransportOptions
    private let queue: TransferQueue

    public init(options: TransportOptions = TransportOptions()) {
        _ = curlGlobalInitialization
        self.options = options
        self.queue = TransferQueue()

        let workerCount = max(1, options.connections)
        for index in 0..<workerCount {
            let queue = self.queue
            let thread = Thread {
                let worker = CurlWorker(options: options)
                worker.run(queue)
            }
            thread.name = "ngcp-curl-\(index)"
            thread.start()
        }
    }

    deinit {
        queue.close(workers: max(1, options.connections))
    }

    /// Sends one request and returns the final response, whatever its status. Throws only when
    /// no response arrived. Cancelling the calling task aborts the transfer.
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>)
                in
                let transfer = PendingTransfer(
                    request: request, cancellation: cancellation, continuation: continuation)
                if !queue.enqueue(transfer) {
                    continuation.resume(returning: .failure(Self.closedError))
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    private static let closedError = TransportError(
        kind: .other, message: "the HTTP session is closed", code: 0, requestSent: false)
}

/// A request waiting for a worker, with the continuation that receives its result.
private struct PendingTransfer: Sendable {
    let request: HTTPRequest
    let cancellation: CancellationFlag
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
}

private final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() { flag.store(true, ordering: .relaxed) }

    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// A queue of transfers, first in first out within each priority, `.normal` before `.low`.
/// The semaphore counts queued entries plus one wake-up per worker when the queue closes.
private final class TransferQueue: Sendable {
    /// Transfers of one priority, taken from `head` on.
    private struct Line {
        var pending: [PendingTransfer] = []
        var head = 0

        mutating func take() -> PendingTransfer? {
            guard head < pending.count else { return nil }
            let transfer = pending[head]
            head += 1
            if head > 64, head * 2 > pending.count {
                pending.removeFirst(head)
                head = 0
            }
            return transfer
        }
    }

    private struct State {
        var normal = Line()
        var low = Line()
        var closed = false
    }

    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Adds a transfer; false when the queue is closed.
    func enqueue(_ transfer: PendingTransfer) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            switch transfer.request.priority {
            case .normal: state.normal.pending.append(transfer)
            case .low: state.low.pending.append(transfer)
            }
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Blocks until a transfer is queued; nil once the queue is closed and drained.
    func next() -> PendingTransfer? {
        while true {
            available.wait()
            let entry = state.withLock { state -> (PendingTransfer?, Bool) in
                if let transfer = state.normal.take() ?? state.low.take() {
                    return (transfer, false)
                }
                return (nil, state.closed)
            }
            if let transfer = entry.0 { return transfer }
            if entry.1 { return nil }
        }
    }

    func close(workers: Int) {
        state.withLock { $0.closed = true }
        for _ in 0..<workers { available.signal() }
    }
}

/// The buffers that the libcurl callbacks of one transfer write into.
private final class TransferSink {
    /// The largest body buffer reserved ahead from a Content-Length header.
    static let maxReservedBytes = 32 << 20
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    let cancellation: CancellationFlag

    init(cancellation: CancellationFlag) {
        self.cancellation = cancellation
    }
}

private let writeBody: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if let data, length > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            sink.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
        }
    }
    return length
}

private let writeHeader: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }

    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    // A status line starts a new response (after a 100 Continue or an interim reply), so
    // only the headers of the final response are kept.
    if line.hasPrefix("HTTP/") {
        sink.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(
            in: .whitespacesAndNewlines)
        sink.headers.append((name: name, value: value))
        // The body buffer is sized once from the announced length instead of doubling while
        // the body arrives, which copies a large page several times. A bogus length costs at
        // most the cap.
        if name.lowercased() == "content-length", let announced = Int(value), announced > 0 {
            sink.body.reserveCapacity(min(announced, TransferSink.maxReservedBytes))
        }
    }
    return length
}

/// Aborts the transfer when the calling task was cancelled: a non-zero return stops it.
private let reportProgress: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
    return sink.cancellation.isCancelled ? 1 : 0
}

/// One worker thread's easy handle. It lives only on that thread.
private final class CurlWorker {
    private let options: TransportOptions
    private let handle: UnsafeMutableRawPointer?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(options: TransportOptions) {
        self.options = options
        self.handle = curl_easy_init()
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    func run(_ queue: TransferQueue) {
        while let transfer = queue.next() {
            let result: Result<HTTPResponse, TransportError>
            if transfer.cancellation.isCancelled {
                result = .failure(Self.cancelledError)
            } else {
                result = perform(transfer.request, cancellation: transfer.cancellation)
            }
            transfer.continuation.resume(returning: result)
        }
    }

    private static let cancelledError = TransportError(
        kind: .cancelled, message: "the request was cancelled", code: 42, requestSent: false)

    private func perform(_ request: HTTPRequest, cancellation: CancellationFlag) -> Result<
        HTTPResponse, TransportError
    > {
        guard let handle else {
            return .failure(
                TransportError(
                    kind: .other, message: "curl_easy_init failed", code: 0, requestSent: false))
        }

        // Reset clears the options of the previous request but keeps its open connection.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = TransferSink(cancellation: cancellation)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        configureConnection(handle)
        if !request.idempotent {
            _ = ccurl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)
        }
        _ = ccurl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = request.url.withCString { ccurl_setopt_str(handle, CURLOPT_URL, $0) }
        if let credentials = request.credentials {
            _ = credentials.user.withCString { ccurl_setopt_str(handle, CURLOPT_USERNAME, $0) }
            _ = credentials.password.value.withCString {
                ccurl_setopt_str(handle, CURLOPT_PASSWORD, $0)
            }
        }

        // "Expect:" with no value stops libcurl from waiting for a 100 Continue before larger
        // bodies, which costs a round trip on servers that never send one.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = line.withCString { curl_slist_append(headerList, $0) }
        }
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let context = Unmanaged.passUnretained(sink).toOpaque()
        _ = ccurl_setopt_write_cb(handle, CURLOPT_WRITEFUNCTION, writeBody)
        _ = ccurl_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_write_cb(handle, CURLOPT_HEADERFUNCTION, writeHeader)
        _ = ccurl_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
        _ = ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_xferinfo_cb(handle, CURLOPT_XFERINFOFUNCTION, reportProgress)
        _ = ccurl_setopt_ptr(handle, CURLOPT_XFERINFODATA, context)

        // POSTFIELDS is not copied by libcurl, so the body stays pinned until perform returns.
        // A POST without a body still gets an empty POSTFIELDS: with none set, libcurl reads
        // the body from its read callback, which defaults to standard input. One spare byte
        // keeps the pointer valid for an empty body.
        let bodyLength = request.body?.count ?? 0
        let storage = (request.body ?? []) + [0]
        let sendsBody = request.body != nil || request.method == .post
        let code: CURLcode = withExtendedLifetime(sink) {
            storage.withUnsafeBytes { bytes -> CURLcode in
                setMethod(
                    handle, request.method, bodyLength: sendsBody ? bodyLength : nil,
                    bytes: bytes.baseAddress)
                return curl_easy_perform(handle)
            }
        }

        guard code == CURLE_OK else {
            return .failure(transportError(handle, code: code))
        }

        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        return .success(
            HTTPResponse(
                status: status, headers: sink.headers, body: sink.body,
                httpVersion: Self.versionName(version)))
    }

    private func configureConnection(_ handle: UnsafeMutableRawPointer) {
        // Worker threads must not let libcurl use signals for DNS timeouts.
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // A collection page is a few hundred KiB: a larger receive buffer takes it in a few
        // reads and body callbacks instead of one per 16 KiB.
        _ = ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 256 << 10)
        _ = ccurl_setopt_long(
            handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        _ = ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.requestTimeout * 1000))
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0 : 1)
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0 : 2)
        if let caFile = options.caFile {
            _ = caFile.withCString { ccurl_setopt_str(handle, CURLOPT_CAINFO, $0) }
        }
        if let certificate = options.clientCertificate {
            _ = certificate.withCString { ccurl_setopt_str(handle, CURLOPT_SSLCERT, $0) }
        }
        if let key = options.clientKey {
            _ = key.withCString { ccurl_setopt_str(handle, CURLOPT_SSLKEY, $0) }
        }
    }

    /// Sets the method and, when `bodyLength` is not nil, the body of that length at `bytes`.
    private func setMethod(
        _ handle: UnsafeMutableRawPointer, _ method: HTTPMethod, bodyLength: Int?,
        bytes: UnsafeRawPointer?
    ) {
        switch method {
        case .get:
            _ = ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case .post:
            _ = ccurl_setopt_long(handle, CURLOPT_POST, 1)
        case .put, .patch, .delete:
            _ = method.rawValue.withCString {
                ccurl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, $0)
            }
        }
        if let bodyLength {
            _ = ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, bodyLength)
            _ = ccurl_setopt_ptr(
                handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes))
        }
    }

    private func transportError(_ handle: UnsafeMutableRawPointer, code: CURLcode)
        -> TransportError
    {
        var requestSize = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        var message = String(cString: errorBuffer)
        if message.isEmpty {
            message = String(cString: curl_easy_strerror(code))
        }
        return TransportError(
            kind: Self.kind(of: code), message: message, code: Int(code.rawValue),
            requestSent: requestSize > 0)
    }

    private static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connectionFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_SSL_CRL_BADFILE:
            return .tls
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionLost
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .other
        }
    }

    private static func versionName(_ version: Int) -> String {
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): return "1.0"
        case Int(CURL_HTTP_VERSION_2_0): return "2"
        case Int(CURL_HTTP_VERSION_3): return "3"
        default: return "1.1"
        }
    }
}
