import Foundation
import NGCPCore

/// The result of a DELETE.
public enum DeleteResult: Sendable, Hashable {
    case deleted
    /// The server returned 404 and the caller accepted that as done.
    case alreadyAbsent
}

/// A client for the NGCP REST API (`/api/`, HAL+JSON) with Basic authentication.
///
/// Every request authenticates again, and the real server checks the password with bcrypt on
/// each one (about half a second on a small installation). So the client keeps requests few:
/// it reads collections in pages with server-side filters, and fetches the pages after the
/// first in parallel, up to `pageConcurrency` at a time.
public final class NGCPAPIClient: Sendable {
    /// The server root, such as `https://ngcp.example.com:1443`, without `/api`.
    public let baseURL: String
    public let user: String
    private let password: SecretValue
    private let session: CurlSession
    public let retryPolicy: RetryPolicy
    /// The maximum number of collection pages read at the same time by one `list` call.
    public let pageConcurrency: Int
    /// Seconds that one collection page should take at most. The real server renders each item
    /// (about 45 ms), and its gateway cuts a request off after 60 s, holding table locks until
    /// then; when the first page of a collection is slower than this, the remaining pages are
    /// read with fewer rows. See `rowsForRemainingPages`.
    public let pageTimeBudget: Double
    /// Called after every collection page, for progress displays.
    public let progress: (@Sendable (ReadProgress) -> Void)?
    public let logger: Logger
    /// Whether the server has responded yet in this run, shared with the run's other clients.
    public let contact: ServerContact
    private let counter = RequestCounter()

    /// The priority of the requests that the current task and its child tasks send, such as
    /// `.low` for reading ahead: `NGCPAPIClient.$priority.withValue(.low) { ... }`.
    @TaskLocal public static var priority = RequestPriority.normal

    /// Creates a client with its own `CurlSession`.
    public convenience init(
        baseURL: String, user: String, password: SecretValue,
        transport: TransportOptions = TransportOptions(), retryPolicy: RetryPolicy = RetryPolicy(),
        pageConcurrency: Int = 3, pageTimeBudget: Double = 15,
        progress: (@Sendable (ReadProgress) -> Void)? = nil, logger: Logger = .disabled,
        contact: ServerContact = ServerContact()
    ) {
        self.init(
            baseURL: baseURL, user: user, password: password,
            session: CurlSession(options: transport), retryPolicy: retryPolicy,
            pageConcurrency: pageConcurrency, pageTimeBudget: pageTimeBudget,
            progress: progress, logger: logger, contact: contact)
    }

    /// Creates a client that shares `session`, and so its connections and request limit.
    public init(
        baseURL: String, user: String, password: SecretValue, session: CurlSession,
        retryPolicy: RetryPolicy = RetryPolicy(), pageConcurrency: Int = 3,
        pageTimeBudget: Double = 15, progress: (@Sendable (ReadProgress) -> Void)? = nil,
        logger: Logger = .disabled, contact: ServerContact = ServerContact()
    ) {
        self.baseURL = Self.normalisedBase(baseURL)
        self.user = user
        self.password = password
        self.session = session
        self.retryPolicy = retryPolicy
        self.pageConcurrency = max(1, pageConcurrency)
        self.pageTimeBudget = max(0.001, pageTimeBudget)
        self.progress = progress
        self.logger = logger
        self.contact = contact
    }

    /// The requests sent so far by this client, retries included.
    public var statistics: RequestStatistics { counter.snapshot() }

    // MARK: Reads

    /// Reads one resource, such as `/api/customers/17`, and returns its JSON body.
    public func get(_ path: String, query: [String: String] = [:]) async throws(NGCPAPIError)
        -> JSONValue
    {
        let response = try await send(.get, path, query: query, retry: .always)
        return try decode(response, method: .get, path: path)
    }

    /// Reads every item of `collection` (such as `customers`) that matches `filters`.
    ///
    /// Pages of `rows` items are read in `id` order: the first page alone, to learn
    /// `total_count`, and then the others in parallel. When the total changes between pages, or
    /// the pages do not add up to it, the whole collection is read again, up to three times,
    /// because an object created or deleted during the read shifts items between pages.
    /// Items keep only their `self` link.
    public func list(
        _ collection: String, filters: [String: String] = [:], rows: Int = 25
    ) async throws(NGCPAPIError) -> [JSONValue] {
        try await list(collection, filters: filters, rows: rows) { item in
            var object = item.members.object
            if let link = item.selfLink { object["_links"] = ["self": ["href": .string(link)]] }
            return .object(object)
        }
    }

    /// Reads like `list(_:filters:rows:)` and turns each item into `transform(item)` as its
    /// page arrives, so that a large collection is never held twice, raw and converted.
    public func list<Item: Sendable>(
        _ collection: String, filters: [String: String] = [:], rows: Int = 25,
        transform: @escaping @Sendable (consuming JSONCollectionItem) -> Item
    ) async throws(NGCPAPIError) -> [Item] {
        let rows = max(1, rows)
        let maxReads = 3
        var read = 1
        while true {
            let pages = try await readAllPages(
                collection, filters: filters, rows: rows, transform: transform)
            if let problem = pages.inconsistency {
                guard read < maxReads else {
                    throw NGCPAPIError.invalidResponse(
                        "the collection kept changing during \(maxReads) reads (\(problem)); "
                            + "run the command again when no one else writes to the API",
                        method: .get, path: Self.collectionPath(collection), status: 200)
                }
                logger.info(
                    "collection changed while reading, reading again",
                    ["collection": collection, "reason": problem, "read": "\(read)"])
                read += 1
                continue
            }
            return pages.items
        }
    }

    /// The `total_count` of `collection` for `filters`, read with a one-item page.
    public func count(_ collection: String, filters: [String: String] = [:])
        async throws(NGCPAPIError) -> Int
    {
        let page = try await readPage(
            collection, filters: filters, page: 1, rows: 1, transform: { _ in () })
        return page.totalCount ?? page.items.count
    }

    // MARK: Writes

    /// Creates an object and returns its id, taken from the `Location` header.
    public func post(_ path: String, body: JSONValue) async throws(NGCPAPIError) -> Int {
        let response = try await send(
            .post, path, body: body.serializedBytes(), contentType: "application/json",
            retry: .onlyUnsent)
        guard let location = response.header("Location") else {
            throw NGCPAPIError.invalidResponse(
                "the server returned \(response.status) without a Location header, so the new "
                    + "object's id is unknown",
                method: .post, path: path, status: response.status, outcomeUnknown: true)
        }
        guard let id = Self.id(fromLocation: location) else {
            throw NGCPAPIError.invalidResponse(
                "the Location header '\(location)' does not end in a numeric id",
                method: .post, path: path, status: response.status, outcomeUnknown: true)
        }
        return id
    }

    /// Replaces an object. Returns the new representation when `returnRepresentation` is set
    /// (`Prefer: return=representation`), otherwise nil.
    @discardableResult
    public func put(_ path: String, body: JSONValue, returnRepresentation: Bool = false)
        async throws(NGCPAPIError) -> JSONValue?
    {
        let response = try await send(
            .put, path, body: body.serializedBytes(), contentType: "application/json",
            prefer: returnRepresentation, retry: .always)
        return try representation(response, method: .put, path: path)
    }

    /// Applies a JSON Patch (`application/json-patch+json`). A patch is retried only when the
    /// caller marks it `idempotent`, as a patch of `replace` operations is; an `add` with
    /// `mode: append` is not.
    @discardableResult
    public func patch(
        _ path: String, operations: [JSONValue], returnRepresentation: Bool = false,
        idempotent: Bool = false
    ) async throws(NGCPAPIError) -> JSONValue? {
        let response = try await send(
            .patch, path, body: JSONValue.array(operations).serializedBytes(),
            contentType: "application/json-patch+json", prefer: returnRepresentation,
            retry: idempotent ? .always : .onlyUnsent)
        return try representation(response, method: .patch, path: path)
    }

    /// Deletes an object. A 404 counts as done only when `notFoundIsDone` is set; otherwise
    /// it is an error, as for any other request.
    @discardableResult
    public func delete(_ path: String, notFoundIsDone: Bool = false) async throws(NGCPAPIError)
        -> DeleteResult
    {
        do {
            _ = try await send(.delete, path, retry: .always)
            return .deleted
        } catch let error where error.isNotFound && notFoundIsDone {
            // A 404 that follows an attempt of unknown outcome is most likely that attempt's
            // own deletion.
            return error.outcomeUnknown ? .deleted : .alreadyAbsent
        }
    }

    // MARK: Paging

    private struct Page<Item: Sendable>: Sendable {
        var items: [Item]
        /// `identity(of:)` of each raw item, for finding an item read twice.
        var identities: [ItemIdentity?]
        var totalCount: Int?
    }

    private struct PagedRead<Item> {
        var items: [Item]
        /// The reason the pages do not form one consistent snapshot, or nil when they do.
        var inconsistency: String?
    }

    private func readAllPages<Item: Sendable>(
        _ collection: String, filters: [String: String], rows: Int,
        transform: @escaping @Sendable (consuming JSONCollectionItem) -> Item
    ) async throws(NGCPAPIError) -> PagedRead<Item> {
        let started = ContinuousClock.now
        let first = try await readPage(
            collection, filters: filters, page: 1, rows: rows, transform: transform)
        let firstSeconds = Self.seconds(ContinuousClock.now - started)
        guard let total = first.totalCount else {
            return try await readPagesWithoutTotal(
                collection, filters: filters, rows: rows, first: first, transform: transform)
        }

        // The first page covers items [0, rows). The others use `laterRows`, which divides
        // `rows`, so that page `rows / laterRows + 1` starts exactly where the first ended.
        let laterRows =
            total > rows
            ? Self.rowsForRemainingPages(
                rows: rows, firstPageSeconds: firstSeconds, budget: pageTimeBudget)
            : rows
        if laterRows < rows {
            logger.info(
                "first page was slow, reading the rest in smaller pages",
                [
                    "collection": collection, "rows": "\(laterRows)",
                    "first_page_s": String(format: "%.2f", firstSeconds),
                ])
        }
        let firstLater = rows / laterRows + 1
        let lastLater = max(firstLater - 1, (total + laterRows - 1) / laterRows)
        let numbers = firstLater <= lastLater ? Array(firstLater...lastLater) : []
        let pageCount = 1 + numbers.count
        let progress = PageProgress(
            collection: collection, total: total, pages: pageCount, callback: self.progress)
        progress.add(items: first.items.count)

        var pages: [Int: Page<Item>] = [1: first]
        if !numbers.isEmpty {
            let results: [Page<Item>]
            do {
                results = try await concurrentMap(numbers, maxConcurrent: pageConcurrency) {
                    number in
                    let page = try await self.readPage(
                        collection, filters: filters, page: number, rows: laterRows,
                        transform: transform)
                    progress.add(items: page.items.count)
                    return page
                }
            } catch let error as NGCPAPIError {
                throw error
            } catch {
                throw NGCPAPIError.invalidResponse(
                    "\(error)", method: .get, path: Self.collectionPath(collection), status: nil)
            }
            for (number, page) in zip(numbers, results) { pages[number] = page }
        }

        let inconsistency = Self.inconsistency(of: pages, total: total)
        var items: [Item] = []
        items.reserveCapacity(total)
        items.append(contentsOf: first.items)
        for number in numbers {
            items.append(contentsOf: pages.removeValue(forKey: number)?.items ?? [])
        }
        return PagedRead(items: items, inconsistency: inconsistency)
    }

    /// The rows for the pages after the first: `rows` when the first page took at most
    /// `budget` seconds, otherwise the largest divisor of `rows` whose predicted time is at
    /// most half the budget. The prediction charges the whole first page time per item, so it
    /// errs on the side of small pages.
    public static func rowsForRemainingPages(
        rows: Int, firstPageSeconds: Double, budget: Double
    ) -> Int {
        guard rows > 1, firstPageSeconds > budget else { return rows }
        let secondsPerItem = firstPageSeconds / Double(rows)
        let wanted = max(1, Int((budget / 2) / secondsPerItem))
        var best = 1
        for divisor in 1...rows where rows % divisor == 0 && divisor <= wanted {
            best = divisor
        }
        return best
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds)
            + Double(duration.components.attoseconds) / 1_000_000_000_000_000_000
    }

    /// Reads page after page until one is short, for a response without `total_count` (as
    /// with `no_count=1`), where the page count is unknown in advance.
    private func readPagesWithoutTotal<Item: Sendable>(
        _ collection: String, filters: [String: String], rows: Int, first: Page<Item>,
        transform: @escaping @Sendable (consuming JSONCollectionItem) -> Item
    ) async throws(NGCPAPIError) -> PagedRead<Item> {
        var items = first.items
        var last = first
        var number = 1
        let progress = PageProgress(
            collection: collection, total: nil, pages: nil, callback: self.progress)
        progress.add(items: first.items.count)
        while last.items.count >= rows {
            number += 1
            last = try await readPage(
                collection, filters: filters, page: number, rows: rows, transform: transform)
            items.append(contentsOf: last.items)
            progress.add(items: last.items.count)
        }
        return PagedRead(items: items, inconsistency: nil)
    }

    private static func inconsistency<Item>(of pages: [Int: Page<Item>], total: Int)
        -> String?
    {
        let count = pages.values.reduce(0) { $0 + $1.items.count }
        for (number, page) in pages.sorted(by: { $0.key < $1.key })
        where page.totalCount != total {
            return
                "total_count was \(total) on page 1 and \(page.totalCount ?? -1) on page \(number)"
        }
        if count != total {
            return "total_count is \(total) but the pages held \(count) items"
        }
        var seen = Set<ItemIdentity>()
        for page in pages.values {
            for case let key? in page.identities where !seen.insert(key).inserted {
                return "item \(key) appeared on two pages"
            }
        }
        return nil
    }

    /// The identity of a collection item: its id, or its self link for collections whose
    /// items have no id (call forwards).
    enum ItemIdentity: Hashable, CustomStringConvertible {
        case id(Int)
        case link(String)

        var description: String {
            switch self {
            case .id(let id): "id \(id)"
            case .link(let link): link
            }
        }
    }

    private static func identity(of item: JSONCollectionItem) -> ItemIdentity? {
        if let id = item.members["id"]?.intValue { return .id(id) }
        return item.selfLink.map(ItemIdentity.link)
    }

    private func readPage<Item: Sendable>(
        _ collection: String, filters: [String: String], page: Int, rows: Int,
        transform: @Sendable (consuming JSONCollectionItem) -> Item
    ) async throws(NGCPAPIError) -> Page<Item> {
        var query = filters
        query["page"] = "\(page)"
        query["rows"] = "\(rows)"
        query["order_by"] = "id"
        let path = Self.collectionPath(collection)
        let response = try await send(.get, path, query: query, retry: .always)
        let relation = "ngcp:\(collection)"
        let page: JSONCollectionPage
        do {
            page = try JSONValue.parseCollectionPage(response.body, relation: relation)
        } catch {
            // Name the shape of a body that is valid JSON but not an object. An object that
            // is valid JSON but not a valid page keeps the page parser's own message.
            if let value = try? JSONValue.parse(response.body) {
                let problem =
                    value.objectValue == nil
                    ? "expected a JSON object for a collection page, got \(value.typeName)"
                    : "the response body is not a valid collection page: \(error)"
                throw NGCPAPIError.invalidResponse(
                    problem, method: .get, path: path, status: 200)
            }
            throw NGCPAPIError.invalidResponse(
                "the response body is not valid JSON: \(error)", method: .get, path: path,
                status: response.status)
        }

        // An empty page has no `_embedded` at all. A page with one item still has a list,
        // but a HAL server may give a lone item as an object, which the parser accepts.
        guard var items = page.items ?? (page.members["_embedded"] == nil ? [] : nil) else {
            throw NGCPAPIError.invalidResponse(
                "the page has _embedded but no '\(relation)' array",
                method: .get, path: path, status: 200)
        }

        // Items are moved out of the page, so that a transform that drops members changes
        // each item in place instead of copying it.
        var identities: [ItemIdentity?] = []
        var converted: [Item] = []
        identities.reserveCapacity(items.count)
        converted.reserveCapacity(items.count)
        items.reverse()
        while let item = items.popLast() {
            identities.append(Self.identity(of: item))
            converted.append(transform(item))
        }
        return Page(
            items: converted, identities: identities,
            totalCount: page.members["total_count"]?.intValue)
    }

    // MARK: Requests

    private enum RetryMode {
        /// The request may be repeated after any retryable failure.
        case always
        /// The request is repeated only when it never reached the server, or on 429.
        case onlyUnsent
    }

    private func send(
        _ method: HTTPMethod, _ path: String, query: [String: String] = [:],
        body: [UInt8]? = nil, contentType: String? = nil, prefer: Bool = false,
        retry: RetryMode
    ) async throws(NGCPAPIError) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if prefer { headers.append(("Prefer", "return=representation")) }
        var request = HTTPRequest(
            method: method, url: url(path, query: query), headers: headers, body: body,
            credentials: BasicCredentials(user: user, password: password),
            idempotent: retry == .always)
        request.priority = Self.priority

        // The query shows the page in the request log; credentials never appear in it.
        let shown =
            query.isEmpty
            ? path
            : path + "?"
                + query.keys.sorted().map { "\($0)=\(query[$0] ?? "")" }
                .joined(separator: "&")
        var attempt = 1
        // Set once an attempt may have taken effect: a later definite error (say 422, because
        // the first attempt already removed the member) then leaves the outcome unknown.
        var earlierOutcomeUnknown = false
        while true {
            counter.record(method, path: path)
            let started = ContinuousClock.now
            let failure: NGCPAPIError
            do {
                let response = try await session.send(request)
                contact.recordResponse()
                logRequest(method, shown, status: response.status, since: started)
                if (200..<300).contains(response.status) { return response }
                failure = httpError(response, method: method, path: path)
            } catch {
                logRequest(method, shown, status: nil, since: started)
                let apiError = NGCPAPIError.transport(error, method: method, path: path)
                guard Self.mayRetry(transport: error, mode: retry) else { throw apiError }
                failure = apiError
            }

            // A connection that fails before the server has ever responded gets fewer
            // attempts and a message that names what to check.
            let beforeContact = failure.kind == .connectionFailed && !contact.established
            let maxAttempts =
                beforeContact ? retryPolicy.maxAttemptsBeforeContact : retryPolicy.maxAttempts
            guard attempt < maxAttempts, Self.mayRetry(failure, mode: retry) else {
                let thrown = earlierOutcomeUnknown ? failure.withUnknownOutcome() : failure
                throw beforeContact ? .unreachable(thrown, baseURL: baseURL) : thrown
            }
            if failure.outcomeUnknown { earlierOutcomeUnknown = true }
            let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter)
            // A warning, because a retry can stall the command for up to `maxRetryAfter`.
            logger.warning(
                "request failed, retrying",
                [
                    "method": method.rawValue, "path": shown, "attempt": "\(attempt)",
                    "delay_s": String(format: "%.2f", delay), "error": failure.message,
                ])
            do {
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            } catch {
                throw NGCPAPIError(
                    kind: .cancelled, status: nil, message: "the request was cancelled",
                    method: method, path: path)
            }
            attempt += 1
        }
    }

    private static func mayRetry(transport error: TransportError, mode: RetryMode) -> Bool {
        switch error.kind {
        case .timeout, .connectionFailed, .connectionLost:
            return mode == .always || !error.requestSent
        case .tls, .invalidRequest, .cancelled, .other:
            return false
        }
    }

    private static func mayRetry(_ error: NGCPAPIError, mode: RetryMode) -> Bool {
        switch error.kind {
        case .timeout, .connectionFailed, .connectionLost:
            // Transport failures were filtered already by `mayRetry(transport:mode:)`.
            return true
        case .http:
            guard let status = error.status else { return false }
            if status == 429 { return true }
            // A request that is safe to repeat is repeated after a 500 too, because a 500 can
            // come from a passing failure such as a lost database connection. A 500 that is
            // a bug in the server repeats, and the last response is thrown.
            return mode == .always && [500, 502, 503, 504].contains(status)
        case .authentication, .tls, .cancelled, .transport, .invalidResponse:
            return false
        }
    }

    private func httpError(_ response: HTTPResponse, method: HTTPMethod, path: String)
        -> NGCPAPIError
    {
        if response.status == 401 {
            return .authenticationFailed(
                user: user, baseURL: baseURL, method: method, path: path)
        }

        var message = Self.serverMessage(response)
        if (300..<400).contains(response.status), let location = response.header("Location") {
            message = "redirected to '\(location)'; collection paths must end with '/'"
        }
        return NGCPAPIError(
            kind: .http, status: response.status, message: message, method: method, path: path,
            outcomeUnknown: method != .get && response.status >= 500,
            retryAfter: response.header("Retry-After").flatMap { Self.retryAfterSeconds($0) })
    }

    /// The `message` member of an NGCP error body, or the body's text when it is not JSON
    /// (such as the plain-text 401 or an HTML page from a proxy).
    private static func serverMessage(_ response: HTTPResponse) -> String {
        if let body = try? JSONValue.parse(response.body), let message = body["message"] {
            return message.stringValue ?? message.serialized()
        }
        var text = String(decoding: response.body.prefix(2000), as: UTF8.self)
        let isMarkup =
            response.header("Content-Type")?.lowercased().contains("html") == true
            || text.drop { $0.isWhitespace }.hasPrefix("<")
        if isMarkup { text = plainText(ofMarkup: text) }
        text = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if text.count > 300 { text = text.prefix(300) + "..." }
        return text.isEmpty ? "no error message in the response" : text
    }

    /// Returns the text of an HTML page without its tags, such as the error page of a proxy in
    /// front of the API, so that a message shows "502 Bad Gateway" rather than markup.
    static func plainText(ofMarkup markup: String) -> String {
        var text = ""
        var inTag = false
        for character in markup {
            switch character {
            case "<":
                inTag = true
                text.append(" ")
            case ">" where inTag:
                inTag = false
            default:
                if !inTag { text.append(character) }
            }
        }
        return text
    }

    /// Seconds from a `Retry-After` value: delta-seconds, or an HTTP date (RFC 9110 IMF-fixdate)
    /// measured from `now`. Nil for anything else, so the policy's own backoff applies.
    static func retryAfterSeconds(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) { return max(0, seconds) }

        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    private func decode(_ response: HTTPResponse, method: HTTPMethod, path: String)
        throws(NGCPAPIError) -> JSONValue
    {
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw NGCPAPIError.invalidResponse(
                "the response body is not valid JSON: \(error)", method: method, path: path,
                status: response.status)
        }
    }

    private func representation(_ response: HTTPResponse, method: HTTPMethod, path: String)
        throws(NGCPAPIError) -> JSONValue?
    {
        guard !response.body.isEmpty else { return nil }
        return try decode(response, method: method, path: path)
    }

    private func logRequest(
        _ method: HTTPMethod, _ path: String, status: Int?, since start: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - start
        let milliseconds =
            elapsed.components.seconds * 1000 + elapsed.components.attoseconds
            / 1_000_000_000_000_000
        logger.debug(
            "request finished",
            [
                "method": method.rawValue, "path": path,
                "status": status.map { "\($0)" } ?? "none", "ms": "\(milliseconds)",
            ])
    }

    // MARK: URLs

    private func url(_ path: String, query: [String: String]) -> String {
        var text = baseURL + (path.hasPrefix("/") ? path : "/" + path)
        guard !query.isEmpty else { return text }
        let pairs = query.keys.sorted().map { key in
            "\(Self.percentEncoded(key))=\(Self.percentEncoded(query[key] ?? ""))"
        }
        text += (text.contains("?") ? "&" : "?") + pairs.joined(separator: "&")
        return text
    }

    /// Percent-encodes a query component. `*` stays literal because NGCP filters use it as the
    /// wildcard and it is legal in a query.
    private static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func collectionPath(_ collection: String) -> String { "/api/\(collection)/" }

    /// The trailing numeric id of a relative (`/api/customers/17`) or absolute Location.
    static func id(fromLocation location: String) -> Int? {
        var text = Substring(location.trimmingCharacters(in: .whitespaces))
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = text[..<query]
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        guard let last = text.split(separator: "/").last, let id = Int(last), id > 0 else {
            return nil
        }
        return id
    }

    /// Strips trailing slashes and a trailing `/api`, so that both `https://host:1443` and
    /// `https://host:1443/api/` work as the base URL.
    private static func normalisedBase(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/api") { text.removeLast(4) }
        return text
    }
}
