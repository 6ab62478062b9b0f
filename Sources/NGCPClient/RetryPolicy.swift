/// When and how long to wait before sending a failed request again.
///
/// Only requests that are safe to repeat are retried: GET, PUT, DELETE and PATCH marked
/// idempotent by the caller, after 500, 502, 503, 504, 429 and lost connections. A POST is
/// sent again by the client only when it certainly never reached the server (the connection
/// was never made) or the server returned 429. A connection that fails before the server has
/// ever responded is tried only `maxAttemptsBeforeContact` times.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first one included; 1 disables retries. With the default of 6,
    /// a server that fails one request in five defeats a request once in about 15,000
    /// (0.2^6), and without `Retry-After` the waits add up to at most 15.5 s.
    public var maxAttempts: Int
    /// Attempts in total, the first one included, of a request whose connection fails before
    /// any request of the run got a response (`ServerContact`). A refused connection or an
    /// unknown host at the start of a run usually means a wrong URL or a stopped server, so
    /// the run fails fast instead of waiting through every retry. At most `maxAttempts`.
    public var maxAttemptsBeforeContact: Int
    /// Seconds before the second attempt; each later wait doubles, up to `maxDelay`.
    public var initialDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` that is honoured, in seconds. A longer one is cut to this.
    public var maxRetryAfter: Double

    public init(
        maxAttempts: Int = 6, maxAttemptsBeforeContact: Int = 2, initialDelay: Double = 0.5,
        maxDelay: Double = 10, maxRetryAfter: Double = 60
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxAttemptsBeforeContact = min(self.maxAttempts, max(1, maxAttemptsBeforeContact))
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public static let disabled = RetryPolicy(maxAttempts: 1)

    /// Seconds to wait after failed attempt number `attempt` (from 1). The exponential delay
    /// is scaled by a random factor between 0.5 and 1 so that parallel clients spread out.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter {
            return min(max(0, retryAfter), maxRetryAfter)
        }
        let exponent = Double(max(0, attempt - 1))
        let base = min(maxDelay, initialDelay * pow2(exponent))
        return base * Double.random(in: 0.5...1.0)
    }

    private func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var remaining = exponent
        while remaining >= 1 {
            result *= 2
            remaining -= 1
        }
        return result
    }
}
