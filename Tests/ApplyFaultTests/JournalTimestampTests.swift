import Foundation
import Testing

@testable import Apply

/// The journal's `at` member: ISO 8601 UTC with milliseconds, as Foundation formats it.
@Suite struct JournalTimestampTests {
    @Test(arguments: [0.0, 1_764_869_838.123, 951_782_400.999, 4_102_444_799.5, 86_399.0405, -1.25])
    func timestampMatchesFoundation(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(ApplyJournal.timestamp(date) == formatter.string(from: date))
    }
}
