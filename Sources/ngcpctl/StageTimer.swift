import Foundation

/// Wall and process CPU time of one planning step, for the debug log and the benchmark.
struct StageTimer {
    private let wallStart = ContinuousClock.now
    private let cpuStart = StageTimer.processCPUSeconds()

    /// `["wall_s": "1.234", "cpu_s": "0.987"]` since the timer started.
    var fields: [String: String] {
        let wall = ContinuousClock.now - wallStart
        let wallSeconds =
            Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return [
            "wall_s": String(format: "%.3f", wallSeconds),
            "cpu_s": String(format: "%.3f", Self.processCPUSeconds() - cpuStart),
        ]
    }

    /// CPU time of every thread of the process so far.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
