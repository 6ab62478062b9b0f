import Glibc

/// Timestamps in the formats the API emits, always in UTC.
enum Clock {
    /// "YYYY-MM-DD HH:MM:SS", as customers show them.
    static func databaseTimestamp() -> String {
        format("%Y-%m-%d %H:%M:%S")
    }

    /// "YYYY-MM-DDTHH:MM:SS+00:00", as subscribers show them.
    static func rfc3339Timestamp() -> String {
        format("%Y-%m-%dT%H:%M:%S+00:00")
    }

    private static func format(_ pattern: String) -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Random version-4 UUID text for subscribers.
enum UUIDText {
    static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte -> String in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]]
            .map { $0.joined() }
            .joined(separator: "-")
    }

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}
