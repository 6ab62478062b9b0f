import NGCPCore
import Synchronization

/// How many requests a client sent, for the plan output and the benchmark.
public struct RequestStatistics: Sendable, Hashable {
    /// GET requests, retries included.
    public var reads: Int
    /// POST, PUT, PATCH and DELETE requests, retries included.
    public var writes: Int
    /// GET requests by collection name (`customers`, `subscribers`, ...).
    public var readsByCollection: [String: Int]

    public init(reads: Int = 0, writes: Int = 0, readsByCollection: [String: Int] = [:]) {
        self.reads = reads
        self.writes = writes
        self.readsByCollection = readsByCollection
    }

    /// `{"reads": N, "writes": N, "by_collection": {...}}`.
    public var json: JSONValue {
        .object([
            "reads": .int(reads), "writes": .int(writes),
            "by_collection": .object(readsByCollection.mapValues { .int($0) }),
        ])
    }
}

/// Counts requests as they are sent; shared by every task of one client.
final class RequestCounter: Sendable {
    private let state = Mutex(RequestStatistics())

    func record(_ method: HTTPMethod, path: String) {
        let collection = Self.collection(of: path)
        state.withLock { statistics in
            if method == .get {
                statistics.reads += 1
                statistics.readsByCollection[collection, default: 0] += 1
            } else {
                statistics.writes += 1
            }
        }
    }

    func snapshot() -> RequestStatistics { state.withLock { $0 } }

    /// `subscribers` for `/api/subscribers/`, `/api/subscribers/7` and `subscribers/`.
    static func collection(of path: String) -> String {
        var parts = path.split(separator: "/")
        if parts.first == "api" { parts.removeFirst() }
        return parts.first.map(String.init) ?? ""
    }
}

/// The state of one collection read, reported after every page.
public struct ReadProgress: Sendable, Hashable {
    public var collection: String
    /// Items received so far.
    public var items: Int
    /// The collection's `total_count`, when the server gave one.
    public var total: Int?
    /// Pages received so far.
    public var page: Int
    /// The number of pages, when known.
    public var pages: Int?

    public init(collection: String, items: Int, total: Int?, page: Int, pages: Int?) {
        self.collection = collection
        self.items = items
        self.total = total
        self.page = page
        self.pages = pages
    }
}

/// Adds up pages that arrive in any order and reports the running totals.
final class PageProgress: Sendable {
    private let collection: String
    private let total: Int?
    private let pages: Int?
    private let callback: (@Sendable (ReadProgress) -> Void)?
    private let received = Mutex((items: 0, pages: 0))

    init(
        collection: String, total: Int?, pages: Int?,
        callback: (@Sendable (ReadProgress) -> Void)?
    ) {
        self.collection = collection
        self.total = total
        self.pages = pages
        self.callback = callback
    }

    func add(items: Int) {
        guard let callback else { return }
        let now = received.withLock { received in
            received.items += items
            received.pages += 1
            return received
        }
        callback(
            ReadProgress(
                collection: collection, items: now.items, total: total, page: now.pages,
                pages: pages))
    }
}
