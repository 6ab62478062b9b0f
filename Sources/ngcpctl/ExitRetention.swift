import Synchronization

/// Large values kept until the process exits instead of being freed.
///
/// Freeing the live and desired state of a large plan walks tens of thousands of objects. For
/// 50,000 subscribers that took about a tenth of a second, just before the process ends and
/// the system takes all of its memory back at once.
enum ExitRetention {
    private static let retained = Mutex<[any Sendable]>([])

    /// Keeps `value` alive until the process exits.
    static func keep(_ value: any Sendable) {
        retained.withLock { $0.append(value) }
    }
}
