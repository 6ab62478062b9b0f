import Foundation

/// Wall and CPU time of one planning step, for the debug log and the benchmark.
struct StageTimer {
    /// Whether the CPU time is the calling thread's rather than the process's: a step that
    /// runs while the live state is read shares the process with the read.
    private let threadOnly: Bool
    private let wallStart = ContinuousClock.now
    private let cpuStart: Double

    init(threadOnly: Bool = false) {
        self.threadOnly = threadOnly
        cpuStart = Self.cpuSeconds(threadOnly ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID)
    }

    /// `["wall_s": "1.234", "cpu_s": "0.987"]` since the timer started.
    var fields: [String: String] {
        let wall = ContinuousClock.now - wallStart
        let wallSeconds =
            Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return [
            "wall_s": String(format: "%.3f", wallSeconds),
            "cpu_s": String(format: "%.3f", cpuSeconds - cpuStart),
        ]
    }

    private var cpuSeconds: Double {
        Self.cpuSeconds(threadOnly ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID)
    }

    /// CPU time of `clock`'s thread or process so far.
    private static func cpuSeconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
