import NGCPCore

/// A login the emulator accepts with HTTP Basic auth.
public struct EmulatorAccount: Sendable, Equatable {
    public var username: String
    public var password: String
    /// Nil for an administrator; otherwise the reseller whose objects this login may use.
    public var resellerID: Int?

    public init(username: String, password: String, resellerID: Int? = nil) {
        self.username = username
        self.password = password
        self.resellerID = resellerID
    }

    public static let defaultAdministrator = EmulatorAccount(
        username: "administrator", password: "administrator")
}

/// Failures the emulator injects on purpose, to test how clients cope with a flaky server.
///
/// Rates are probabilities between 0 and 1, drawn from a generator seeded with `seed`, so a
/// run with the same seed and the same request order fails the same requests.
public struct FaultSettings: Sendable, Equatable {
    /// Added to every response, in milliseconds.
    public var latencyMilliseconds: Int = 0
    /// Share of requests that get 500 Internal Server Error without being carried out.
    public var serverErrorRate: Double = 0
    /// Share that gets 502 Bad Gateway.
    public var badGatewayRate: Double = 0
    /// Share that gets 503 Service Unavailable.
    public var unavailableRate: Double = 0
    /// Share that gets 429 Too Many Requests with a `Retry-After` header.
    public var tooManyRequestsRate: Double = 0
    /// The `Retry-After` value sent with 429, in seconds.
    public var retryAfterSeconds: Int = 1
    /// Share of requests that are carried out but whose connection is closed half-way
    /// through the response (right after the request when the response has no body).
    public var dropConnectionRate: Double = 0
    /// Share of writes (POST, PUT, PATCH, DELETE) that are carried out and committed but then
    /// get 500, as when a server fails after its commit.
    public var commitThenFailRate: Double = 0
    public var seed: UInt64 = 1

    public init() {}

    public var isActive: Bool {
        latencyMilliseconds > 0 || serverErrorRate > 0 || badGatewayRate > 0
            || unavailableRate > 0 || tooManyRequestsRate > 0 || dropConnectionRate > 0
            || commitThenFailRate > 0
    }
}

/// How to run an emulator.
public struct EmulatorConfiguration: Sendable {
    /// An IPv4 address to listen on.
    public var host: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one (read it back from `EmulatorServer.port`).
    public var port: Int = 0
    /// An SQLite file, created when missing, or ":memory:" for a throw-away database.
    public var databasePath: String = ":memory:"
    public var accounts: [EmulatorAccount] = [.defaultAdministrator]
    /// A JSON seed file loaded into an empty database (see `SeedLoader`).
    public var seedPath: String? = nil
    /// Generated bulk data loaded into an empty database.
    public var generation: GenerationSettings? = nil
    public var faults = FaultSettings()
    /// MHD worker threads.
    public var threads: Int = 4
    /// The messages written to standard error: `.info` shows start-up notes and unexpected
    /// connection problems, `.debug` also each connection closed by an injected fault.
    public var logLevel: EmulatorLogLevel = .info

    public init() {}
}

/// Sizes for generated test data.
public struct GenerationSettings: Sendable, Equatable {
    public var customers: Int
    public var subscribers: Int
    /// Share of subscribers that get a call forward and a few preferences.
    public var featuredShare: Double

    public init(customers: Int, subscribers: Int, featuredShare: Double = 0.2) {
        self.customers = customers
        self.subscribers = subscribers
        self.featuredShare = featuredShare
    }
}

/// A problem that prevents the emulator from starting.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A running NGCP REST API emulator on 127.0.0.1 (or the configured address).
///
/// Serving starts in `init` and continues on background threads until `stop()`.
public final class EmulatorServer: Sendable {
    private let server: HTTPServer
    private let store: Store
    public let port: Int
    public let baseURL: String

    public init(configuration: EmulatorConfiguration) throws {
        let store: Store
        do {
            store = try Store(path: configuration.databasePath)
        } catch {
            throw EmulatorError(
                "cannot open the database '\(configuration.databasePath)': \(error)")
        }
        // Seeds and generated data go into new databases only, so restarting with the same
        // options keeps the data instead of doubling it.
        if store.isFresh {
            if let seedPath = configuration.seedPath {
                try SeedLoader.load(path: seedPath, into: store)
            }
            if let generation = configuration.generation {
                try DataGenerator.generate(generation, into: store)
            }
        } else if configuration.seedPath != nil || configuration.generation != nil {
            Log.write(
                .info,
                "the database '\(configuration.databasePath)' already holds data, so the seed "
                    + "and generation options are ignored", threshold: configuration.logLevel)
        }
        let router = APIRouter(
            store: store, accounts: configuration.accounts, faults: configuration.faults)
        do {
            server = try HTTPServer(
                host: configuration.host, port: configuration.port,
                threads: configuration.threads, logLevel: configuration.logLevel,
                handler: router)
        } catch {
            throw EmulatorError("\(error)")
        }
        self.store = store
        port = server.port
        baseURL = "http://\(configuration.host):\(server.port)"
    }

    /// Stops serving; requests in progress finish first. Calling it again does nothing, and
    /// releasing the server stops it too.
    public func stop() {
        server.stop()
    }
}
