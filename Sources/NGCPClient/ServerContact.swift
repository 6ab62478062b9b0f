import Synchronization

/// A record of whether any request of a run has received a response, shared by the run's
/// clients. Until one has, a failed connection most likely means that nothing listens at the
/// URL, so `NGCPAPIClient` stops after `RetryPolicy.maxAttemptsBeforeContact` attempts.
public final class ServerContact: Sendable {
    private let state = Mutex(false)

    public init() {}

    /// True once a response, of any status, has arrived.
    public var established: Bool { state.withLock { $0 } }

    func recordResponse() {
        state.withLock { $0 = true }
    }
}
