import Foundation

/// One copy of each of the names that many documents repeat, such as domains and environment
/// variable names, so that tens of thousands of subscribers do not each keep their own.
///
/// A string longer than 15 UTF-8 bytes is an allocation of its own. Shared, the domain and
/// the password variable of a subscriber cost no memory beyond the reference.
///
/// The strings sit in a table of `slotCount` slots, each found by a hash of the bytes, and a
/// new string takes the place of the one in its slot. So any number of distinct names costs a
/// bounded table, and a lookup compares bytes with one string at most. Two names that
/// alternate in one slot are stored again each time, and are then not shared.
final class SharedStrings {
    static let slotCount = 256

    /// Only the methods of this class reach the table, and none calls another while it uses
    /// it, so the run-time exclusivity check on each access is left out.
    @exclusivity(unchecked) private var slots = [String?](repeating: nil, count: slotCount)

    /// Returns a string of the UTF-8 `bytes`, which must be valid UTF-8: the stored one when
    /// it has these bytes, or a new one that is stored in its place.
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let slot = Self.slot(of: bytes)
        if let stored = slots[slot], Self.has(stored, bytes) { return stored }
        let text = String(decoding: bytes, as: UTF8.self)
        slots[slot] = text
        return text
    }

    /// Returns the stored string with the bytes of `text`, or stores `text`.
    func string(_ text: String) -> String {
        // Text of up to 15 bytes is stored in the String value itself, with nothing to share.
        guard text.utf8.count > 15 else { return text }
        var bytesOfText = text
        // Bytes, not `==`: canonically equivalent strings with other bytes are not shared.
        let (slot, isStored) = bytesOfText.withUTF8 { bytes in
            let slot = Self.slot(of: bytes)
            return (slot, slots[slot].map { Self.has($0, bytes) } ?? false)
        }
        if isStored, let stored = slots[slot] { return stored }
        slots[slot] = text
        return text
    }

    /// Returns the slot of `bytes`, from their FNV-1a hash.
    static func slot(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (slotCount - 1)
    }

    /// Returns whether `text` has exactly the UTF-8 `bytes`.
    private static func has(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.utf8.count == bytes.count else { return false }
        guard let address = bytes.baseAddress else { return true }
        let equal = text.utf8.withContiguousStorageIfAvailable { stored in
            memcmp(stored.baseAddress!, address, bytes.count) == 0
        }
        return equal ?? text.utf8.elementsEqual(bytes)
    }
}
