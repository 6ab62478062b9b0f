import Glibc
import Synchronization

/// A small seedable generator (SplitMix64), so fault runs can be repeated.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Decides per request which configured fault, if any, hits it.
final class FaultInjector: Sendable {
    struct Decision {
        /// A response sent instead of running the request.
        var earlyResponse: HTTPResponse?
        /// Run the request (and commit it), then answer 500 anyway.
        var failAfterCommit = false
        /// Run the request, then close the connection half-way through the response.
        var truncateResponse = false
    }

    private let settings: FaultSettings
    private let generator: Mutex<SeededGenerator>

    init(settings: FaultSettings) {
        self.settings = settings
        generator = Mutex(SeededGenerator(seed: settings.seed))
    }

    func decide(isWrite: Bool) -> Decision {
        guard settings.isActive else { return Decision() }
        if settings.latencyMilliseconds > 0 {
            usleep(UInt32(min(settings.latencyMilliseconds, 600_000)) * 1000)
        }

        // One draw per request keeps the sequence independent of which faults are enabled.
        let draw = generator.withLock { Double.random(in: 0..<1, using: &$0) }
        var threshold = 0.0
        func hit(_ rate: Double) -> Bool {
            threshold += rate
            return rate > 0 && draw < threshold
        }
        if hit(settings.dropConnectionRate) {
            return Decision(truncateResponse: true)
        }
        if hit(settings.tooManyRequestsRate) {
            var response = HAL.error(APIError(429, "Too many requests, retry later."))
            response.headers.append(("Retry-After", String(settings.retryAfterSeconds)))
            return Decision(earlyResponse: response)
        }
        if hit(settings.serverErrorRate) {
            return Decision(earlyResponse: HAL.error(.internalServerError()))
        }
        if hit(settings.badGatewayRate) {
            return Decision(
                earlyResponse: HAL.html(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"))
        }
        if hit(settings.unavailableRate) {
            return Decision(
                earlyResponse: HAL.html(
                    503, "<html><body><h1>503 Service Unavailable</h1></body></html>"))
        }
        if isWrite, hit(settings.commitThenFailRate) {
            return Decision(failAfterCommit: true)
        }
        return Decision()
    }
}
