import Foundation
import NGCPCore
import Synchronization
import Testing

@testable import NGCPClient

/// libcurl transport behaviour against a scripted loopback server.
@Suite struct TransportTests {
    private static let password = SecretValue("s3cret-Pa55")

    private func client(
        _ server: ScriptedHTTPServer, retry: RetryPolicy = RetryPolicy(initialDelay: 0.05),
        transport: TransportOptions = TransportOptions(connections: 2),
        logger: Logger = .disabled
    ) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: server.baseURL, user: "administrator", password: Self.password,
            transport: transport, retryPolicy: retry, pageTimeBudget: testPageTimeBudget,
            logger: logger)
    }

    private static func json(_ status: Int, _ body: String) -> ScriptedHTTPServer.Reply {
        .respond(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// With one connection busy, a queued normal request goes before a low-priority one that
    /// was queued earlier.
    @Test func lowPriorityRequestWaitsForNormalOnes() async throws {
        let gate = DispatchSemaphore(value: 0)
        let server = try ScriptedHTTPServer { _, number in
            if number == 1 { gate.wait() }
            return Self.json(200, #"{"id":1}"#)
        }
        defer { server.stop() }
        let client = client(server, transport: TransportOptions(connections: 1))

        async let first = client.get("/api/domains/1")
        try await waitForReads(client, 1)
        async let readAhead = NGCPAPIClient.$priority.withValue(.low) {
            try await client.get("/api/domains/2")
        }
        try await waitForReads(client, 2)
        async let normal = client.get("/api/domains/3")
        try await waitForReads(client, 3)
        // The count is taken just before a request is queued.
        try await Task.sleep(for: .milliseconds(100))
        gate.signal()
        _ = try await (first, readAhead, normal)

        #expect(
            server.requests.map(\.target) == ["/api/domains/1", "/api/domains/3", "/api/domains/2"])
    }

    private func waitForReads(_ client: NGCPAPIClient, _ count: Int) async throws {
        while client.statistics.reads < count {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// A proxy's HTML error page reads as its text, not as markup.
    @Test func htmlErrorPageShownAsText() async throws {
        let page =
            "<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad"
            + " Gateway</h1><p>The upstream   server\nfailed.</p></body></html>"
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 502, headers: ["Content-Type": "text/html"], body: page)
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server, retry: RetryPolicy(maxAttempts: 1)).get("/api/domains/7")
        }
        #expect(
            error?.message
                == "502 Bad Gateway 502 Bad Gateway The upstream server failed.")
    }

    @Test func getRetriesAfter503WithRetryAfter() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1
                ? .respond(
                    status: 503, headers: ["Retry-After": "1"],
                    body: #"{"code":503,"message":"busy"}"#)
                : Self.json(200, #"{"id":7}"#)
        }
        defer { server.stop() }

        let start = ContinuousClock.now
        let body = try await client(server).get("/api/domains/7")
        let elapsed = ContinuousClock.now - start

        #expect(body["id"] == 7)
        #expect(server.requests.count == 2)
        #expect(elapsed >= .milliseconds(950))
    }

    @Test func getGivesUpAfterMaxAttempts() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            Self.json(503, #"{"code":503,"message":"busy"}"#)
        }
        defer { server.stop() }

        let retry = RetryPolicy(maxAttempts: 3, initialDelay: 0.01)
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server, retry: retry).get("/api/domains/7")
        }
        #expect(error?.status == 503)
        #expect(error?.message == "busy")
        #expect(server.requests.count == 3)
    }

    @Test func postIsNotRetriedAfter503() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 503, headers: ["Retry-After": "0"], body: "")
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).post("/api/domains/", body: ["domain": "a.example"])
        }
        #expect(error?.status == 503)
        #expect(error?.outcomeUnknown == true)
        #expect(server.requests.count == 1)
    }

    @Test func postRetriedAfter429() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1
                ? .respond(status: 429, headers: ["Retry-After": "0"], body: "")
                : .respond(status: 201, headers: ["Location": "/api/domains/12"], body: "")
        }
        defer { server.stop() }

        let id = try await client(server).post("/api/domains/", body: ["domain": "a.example"])
        #expect(id == 12)
        #expect(server.requests.count == 2)
    }

    @Test func droppedPostHasUnknownOutcome() async throws {
        let server = try ScriptedHTTPServer { _, _ in .drop }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).post("/api/domains/", body: ["domain": "a.example"])
        }
        #expect(error?.kind == .connectionLost)
        #expect(error?.outcomeUnknown == true)
        #expect(error?.isTransportFailure == true)
        #expect(server.requests.count == 1)
    }

    @Test func droppedGetIsRetried() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1 ? .drop : Self.json(200, #"{"id":3}"#)
        }
        defer { server.stop() }

        let body = try await client(server).get("/api/customers/3")
        #expect(body["id"] == 3)
        #expect(server.requests.count == 2)
    }

    @Test func slowAnswerTimesOut() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .delayed(seconds: 2, status: 200, body: "{}")
        }
        defer { server.stop() }

        let transport = TransportOptions(requestTimeout: 0.3, connections: 1)
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server, retry: .disabled, transport: transport)
                .put("/api/customers/3", body: ["status": "active"])
        }
        #expect(error?.kind == .timeout)
        #expect(error?.outcomeUnknown == true)
    }

    @Test func refusedConnectionIsNotUnknown() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.json(200, "{}") }
        let port = server.port
        server.stop()

        let client = NGCPAPIClient(
            baseURL: "http://127.0.0.1:\(port)", user: "administrator", password: Self.password,
            retryPolicy: .disabled)
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client.post("/api/domains/", body: ["domain": "a.example"])
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.outcomeUnknown == false)
    }

    /// With the default policy, a refused connection before the server has ever responded is
    /// tried twice, and the error names the URL and what to check.
    @Test func refusedFirstContactFailsFast() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.json(200, "{}") }
        let baseURL = server.baseURL
        server.stop()

        let client = NGCPAPIClient(
            baseURL: baseURL, user: "administrator", password: Self.password,
            retryPolicy: RetryPolicy(initialDelay: 0.01))
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client.get("/api/domains/")
        }
        #expect(client.statistics.reads == 2)
        #expect(client.contact.established == false)
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("cannot connect to \(baseURL)") == true)
        #expect(error?.message.contains("check that the NGCP API is running there") == true)
    }

    /// Once the server has responded, a refused connection is a passing fault (a restart,
    /// say) and gets every attempt of the policy.
    @Test func refusedAfterContactRetriesFully() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            // The closed connection makes the next request connect again, to a stopped port.
            .respond(
                status: 200, headers: ["Content-Type": "application/json", "Connection": "close"],
                body: #"{"id":1}"#)
        }
        let retry = RetryPolicy(maxAttempts: 4, initialDelay: 0.01, maxDelay: 0.02)
        let client = client(server, retry: retry)
        _ = try await client.get("/api/domains/1")
        #expect(client.contact.established)
        server.stop()

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client.get("/api/domains/1")
        }
        #expect(client.statistics.reads == 1 + 4)
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("cannot connect to") == false)
    }

    /// The clients of one run share their contact, so a client created after another one
    /// reached the server keeps the full retries.
    @Test func sharedContactKeepsFullRetries() async throws {
        let reached = try ScriptedHTTPServer { _, _ in Self.json(200, #"{"id":1}"#) }
        defer { reached.stop() }
        let stopped = try ScriptedHTTPServer { _, _ in Self.json(200, "{}") }
        let stoppedURL = stopped.baseURL
        stopped.stop()

        let contact = ServerContact()
        let retry = RetryPolicy(maxAttempts: 3, initialDelay: 0.01, maxDelay: 0.02)
        let first = NGCPAPIClient(
            baseURL: reached.baseURL, user: "administrator", password: Self.password,
            retryPolicy: retry, contact: contact)
        _ = try await first.get("/api/domains/1")

        let second = NGCPAPIClient(
            baseURL: stoppedURL, user: "administrator", password: Self.password,
            retryPolicy: retry, contact: contact)
        await #expect(throws: NGCPAPIError.self) {
            try await second.get("/api/domains/1")
        }
        #expect(second.statistics.reads == 3)
    }

    @Test func policyCapsAttemptsBeforeContact() {
        #expect(RetryPolicy().maxAttemptsBeforeContact == 2)
        #expect(RetryPolicy.disabled.maxAttemptsBeforeContact == 1)
        #expect(
            RetryPolicy(maxAttempts: 6, maxAttemptsBeforeContact: 9).maxAttemptsBeforeContact == 6)
        #expect(RetryPolicy(maxAttemptsBeforeContact: 0).maxAttemptsBeforeContact == 1)
    }

    @Test func unauthorisedNamesUserAndURL() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(
                status: 401,
                headers: [
                    "Content-Type": "text/plain",
                    "WWW-Authenticate": #"Basic realm="api_admin_http""#,
                ], body: "Authorization required.")
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).get("/api/domains/")
        }
        #expect(error?.kind == .authentication)
        #expect(error?.status == 401)
        #expect(error?.message.contains("'administrator'") == true)
        #expect(error?.message.contains(server.baseURL) == true)
        #expect(error?.message.contains("NGCP_PASSWORD") == true)
        #expect(error?.description.contains(Self.password.value) == false)
        #expect(server.requests.count == 1)
    }

    @Test func basicAuthSentAndNeverLogged() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.json(200, #"{"id":1}"#) }
        defer { server.stop() }

        let sink = LogSink.memory()
        let logger = Logger(label: "test", minimumLevel: .trace, sink: sink)
        _ = try await client(server, logger: logger).get("/api/domains/1")

        let expected = Data("administrator:\(Self.password.value)".utf8).base64EncodedString()
        #expect(server.requests.first?.header("Authorization") == "Basic \(expected)")
        #expect(!sink.lines.isEmpty)
        for line in sink.lines {
            #expect(!line.contains(Self.password.value))
            #expect(!line.contains(expected))
            #expect(!line.lowercased().contains("authorization"))
        }
    }

    /// The retry warning names the page, so that retries of parallel page reads differ.
    @Test func retryWarningShowsQuery() async throws {
        let server = try ScriptedHTTPServer { request, number in
            number == 1
                ? Self.json(503, #"{"code":503,"message":"busy"}"#)
                : Self.json(200, #"{"total_count":0}"#)
        }
        defer { server.stop() }

        let sink = LogSink.memory()
        let logger = Logger(label: "test", minimumLevel: .warning, sink: sink)
        _ = try await client(server, logger: logger).list("domains", rows: 10)

        let retries = sink.lines.filter { $0.contains("retrying") }
        #expect(retries.count == 1)
        #expect(retries.first?.contains("page=1") == true, "\(retries)")
    }

    @Test func patchSendsJSONPatchContentType() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 204, headers: ["Preference-Applied": "return=minimal"], body: "")
        }
        defer { server.stop() }

        let result = try await client(server).patch(
            "/api/customers/5",
            operations: [["op": "replace", "path": "/status", "value": "locked"]])

        let request = try #require(server.requests.first)
        #expect(result == nil)
        #expect(request.method == "PATCH")
        #expect(request.header("Content-Type") == "application/json-patch+json")
        #expect(request.header("Prefer") == nil)
        let body = try JSONValue.parse(request.body)
        #expect(body == [["op": "replace", "path": "/status", "value": "locked"]])
    }

    @Test func putWithRepresentationReturnsBody() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            request.header("Prefer") == "return=representation"
                ? Self.json(200, #"{"id":5,"status":"active"}"#)
                : .respond(status: 204, headers: [:], body: "")
        }
        defer { server.stop() }

        let body = try await client(server).put(
            "/api/customers/5", body: ["status": "active"], returnRepresentation: true)

        #expect(body?["status"] == "active")
        #expect(server.requests.first?.header("Content-Type") == "application/json")
    }

    @Test func absoluteLocationGivesID() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(
                status: 201, headers: ["Location": "https://ngcp.example:1443/api/customers/981"],
                body: "")
        }
        defer { server.stop() }

        let id = try await client(server).post("/api/customers/", body: ["status": "active"])
        #expect(id == 981)
    }

    @Test func missingLocationIsUnknownOutcome() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 201, headers: [:], body: "")
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).post("/api/customers/", body: ["status": "active"])
        }
        #expect(error?.kind == .invalidResponse)
        #expect(error?.outcomeUnknown == true)
    }

    @Test func connectionIsKeptAlive() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.json(200, #"{"id":1}"#) }
        defer { server.stop() }

        let client = client(server, transport: TransportOptions(connections: 1))
        for _ in 0..<5 {
            _ = try await client.get("/api/domains/1")
        }
        #expect(server.requests.count == 5)
        #expect(server.connectionCount == 1)
    }

    @Test func workersRunRequestsInParallel() async throws {
        // Each request waits until all four are in flight (or gives up after five seconds),
        // so the highest count seen is 4 only when the workers really overlap.
        let inFlight = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let server = try ScriptedHTTPServer { _, _ in
            inFlight.add(1, ordering: .relaxed)
            let deadline = Date().addingTimeInterval(5)
            while inFlight.load(ordering: .relaxed) < 4, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            highest.max(inFlight.load(ordering: .relaxed), ordering: .relaxed)
            return Self.json(200, "{}")
        }
        defer { server.stop() }

        let client = client(server, transport: TransportOptions(connections: 4))
        async let first = client.get("/api/domains/1")
        async let second = client.get("/api/domains/2")
        async let third = client.get("/api/domains/3")
        async let fourth = client.get("/api/domains/4")
        _ = try await [first, second, third, fourth]

        #expect(highest.load(ordering: .relaxed) == 4)
        #expect(server.requests.count == 4)
    }

    @Test func cancellationAbortsTransfer() async throws {
        // The response would come after 20 s and succeed, so an error of kind `cancelled`
        // shows that the transfer was aborted.
        let server = try ScriptedHTTPServer { _, _ in
            .delayed(seconds: 20, status: 200, body: "{}")
        }
        defer { server.stop() }

        let client = client(server, retry: .disabled)
        let task = Task { try await client.get("/api/domains/1") }
        for _ in 0..<500 where server.requests.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        let result = await task.result

        #expect(server.requests.count == 1)
        let error = #expect(throws: NGCPAPIError.self) { try result.get() }
        #expect(error?.kind == .cancelled)
    }
}

@Suite struct ClientHelperTests {
    @Test(arguments: [
        ("/api/customers/17", 17),
        ("https://host:1443/api/subscribers/5", 5),
        ("/api/domains/9/", 9),
        ("/api/domains/9?x=1", 9),
    ])
    func locationParsing(location: String, id: Int) {
        #expect(NGCPAPIClient.id(fromLocation: location) == id)
    }

    @Test func locationWithoutIDIsRejected() {
        #expect(NGCPAPIClient.id(fromLocation: "/api/domains/") == nil)
        #expect(NGCPAPIClient.id(fromLocation: "/api/domains/abc") == nil)
    }

    @Test func retryAfterForms() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(NGCPAPIClient.retryAfterSeconds("7", now: now) == 7)
        #expect(NGCPAPIClient.retryAfterSeconds(" 2 ", now: now) == 2)
        // 1_700_000_030 is Tue, 14 Nov 2023 22:13:50 GMT.
        #expect(
            NGCPAPIClient.retryAfterSeconds("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == 30)
        #expect(NGCPAPIClient.retryAfterSeconds("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
        #expect(NGCPAPIClient.retryAfterSeconds("soon", now: now) == nil)
    }

    @Test func retryAfterIsCapped() {
        let policy = RetryPolicy(maxRetryAfter: 30)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 120) == 30)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 2) == 2)
    }

    @Test func backoffGrowsWithJitter() {
        let policy = RetryPolicy(initialDelay: 1, maxDelay: 5)
        for attempt in 1...6 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            let base = min(5.0, Double(1 << (attempt - 1)))
            #expect(delay >= base * 0.5)
            #expect(delay <= base)
        }
    }

    @Test func concurrentMapKeepsOrderAndBound() async throws {
        let running = RunningCounter()
        let output = try await concurrentMap(Array(0..<20), maxConcurrent: 3) { value in
            running.enter()
            try await Task.sleep(for: .milliseconds(10))
            running.leave()
            return value * 2
        }
        #expect(output == (0..<20).map { $0 * 2 })
        #expect(running.peak <= 3)
        #expect(running.peak >= 2)
    }
}

/// Counts calls in flight and remembers the highest count.
final class RunningCounter: Sendable {
    private let state = Mutex((current: 0, peak: 0))

    func enter() {
        state.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
    }

    func leave() { state.withLock { $0.current -= 1 } }

    var peak: Int { state.withLock { $0.peak } }
}

/// Collection paging against scripted pages, for cases a consistent server never produces.
@Suite struct PagingConsistencyTests {
    private static func page(_ ids: [Int], total: Int) -> ScriptedHTTPServer.Reply {
        let items = ids.map { #"{"id":\#($0),"domain":"d\#($0)"}"# }.joined(separator: ",")
        let embedded = ids.isEmpty ? "" : #""_embedded":{"ngcp:domains":[\#(items)]},"#
        return .respond(
            status: 200, headers: ["Content-Type": "application/hal+json"],
            body: "{\(embedded)\"total_count\":\(total)}")
    }

    private static func pageNumber(_ request: ScriptedHTTPServer.Request) -> Int {
        let query = request.target.split(separator: "?").last ?? ""
        for pair in query.split(separator: "&") where pair.hasPrefix("page=") {
            return Int(pair.dropFirst(5)) ?? 0
        }
        return 0
    }

    private func client(_ server: ScriptedHTTPServer) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: server.baseURL, user: "administrator", password: SecretValue("pw"),
            retryPolicy: .disabled, pageConcurrency: 1, pageTimeBudget: testPageTimeBudget)
    }

    @Test func changedTotalTriggersSecondRead() async throws {
        // The first read gets a total of 3 on page 1 and 4 on page 2, as when an object is
        // created in between; the second read is consistent.
        let server = try ScriptedHTTPServer { request, number in
            switch (number, Self.pageNumber(request)) {
            case (1, _): return Self.page([1, 2], total: 3)
            case (2, _): return Self.page([3, 4], total: 4)
            case (_, 1): return Self.page([1, 2], total: 4)
            default: return Self.page([3, 4], total: 4)
            }
        }
        defer { server.stop() }

        let items = try await client(server).list("domains", rows: 2)
        #expect(items.compactMap { $0["id"]?.intValue } == [1, 2, 3, 4])
        #expect(server.requests.count == 4)
    }

    @Test func pagesWithoutTotalAreFollowed() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            let ids: [Int]
            switch Self.pageNumber(request) {
            case 1: ids = [1, 2]
            case 2: ids = [3, 4]
            case 3: ids = [5]
            default: ids = []
            }
            let items = ids.map { #"{"id":\#($0)}"# }.joined(separator: ",")
            return .respond(
                status: 200, headers: [:],
                body: #"{"_embedded":{"ngcp:domains":[\#(items)]},"total_count":null}"#)
        }
        defer { server.stop() }

        let items = try await client(server).list("domains", rows: 2)
        #expect(items.compactMap { $0["id"]?.intValue } == [1, 2, 3, 4, 5])
        #expect(server.requests.count == 3)
    }

    @Test func duplicateAcrossPagesIsRejected() async throws {
        // A deletion between page reads shifts an item onto the next page twice over.
        let server = try ScriptedHTTPServer { request, _ in
            Self.pageNumber(request) == 1
                ? Self.page([1, 2], total: 4) : Self.page([2, 3], total: 4)
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).list("domains", rows: 2)
        }
        #expect(error?.message.contains("appeared on two pages") == true)
        #expect(server.requests.count == 6)
    }

    @Test func queryCarriesOrderAndFilters() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.page([], total: 0) }
        defer { server.stop() }

        let items = try await client(server).list(
            "domains", filters: ["domain": "a b*.example.org"], rows: 7)
        #expect(items.isEmpty)
        #expect(
            server.requests.first?.target
                == "/api/domains/?domain=a%20b*.example.org&order_by=id&page=1&rows=7")
    }

    @Test func missingRelationIsInvalidResponse() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(
                status: 200, headers: [:],
                body: #"{"_embedded":{"ngcp:other":[]},"total_count":1}"#)
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).list("domains")
        }
        #expect(error?.kind == .invalidResponse)
    }

    @Test func tlsToPlainServerIsTLSError() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.page([], total: 0) }
        defer { server.stop() }

        let client = NGCPAPIClient(
            baseURL: "https://127.0.0.1:\(server.port)", user: "administrator",
            password: SecretValue("pw"), retryPolicy: .disabled)
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client.post("/api/domains/", body: ["domain": "x"])
        }
        #expect(error?.kind == .tls)
        #expect(error?.outcomeUnknown == false)
    }
}

@Suite struct ReusedConnectionTests {
    @Test func postOnReusedConnectionIsSentOnce() async throws {
        // The server reads the POST and then closes the kept-alive connection without a
        // response, as a server that fails after its commit would.
        let server = try ScriptedHTTPServer { request, _ in
            request.method == "POST"
                ? .drop
                : .respond(status: 200, headers: [:], body: #"{"id":1}"#)
        }
        defer { server.stop() }

        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: "administrator", password: SecretValue("pw"),
            transport: TransportOptions(connections: 1), retryPolicy: .disabled)
        _ = try await client.get("/api/domains/1")
        let error = await #expect(throws: NGCPAPIError.self) {
            try await client.post("/api/domains/", body: ["domain": "x"])
        }

        #expect(error?.outcomeUnknown == true)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }
}

@Suite struct RequestBodyTests {
    @Test func emptyPostSendsZeroLength() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 201, headers: ["Location": "/api/things/4"], body: "")
        }
        defer { server.stop() }

        let session = CurlSession()
        let response = try await session.send(
            HTTPRequest(method: .post, url: server.baseURL + "/api/things/"))

        #expect(response.status == 201)
        #expect(response.header("location") == "/api/things/4")
        #expect(server.requests.first?.header("Content-Length") == "0")
        #expect(server.requests.first?.body.isEmpty == true)
    }

    @Test func deleteSendsNoBody() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            .respond(status: 204, headers: [:], body: "")
        }
        defer { server.stop() }

        let response = try await CurlSession().send(
            HTTPRequest(method: .delete, url: server.baseURL + "/api/things/4"))

        #expect(response.status == 204)
        #expect(server.requests.first?.method == "DELETE")
        #expect(server.requests.first?.header("Content-Length") == nil)
    }
}
