/// The facts one pass over a scalar's bytes finds.
struct ScalarBytes {
    /// Whether a byte may start a control character (below 0x20, 0x7F, or the lead byte
    /// 0xC2 of U+0080-U+009F) or an invisible formatting character (lead bytes 0xD8, 0xE2 and
    /// 0xEF).
    let mayContainControlCharacters: Bool
    /// A hash of ASCII bytes with the top bit set, or 0 for other text. Equal ASCII strings
    /// have equal bytes, so two different nonzero fingerprints mean different strings.
    /// Non-ASCII text gets 0, because strings compare by canonical equivalence, which
    /// different bytes can share. The hash depends on the byte order of the machine, so it
    /// is never stored.
    let fingerprint: UInt64

    /// The FNV-1a offset basis and prime, which content hashes mix with.
    static let fingerprintBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fingerprintPrime: UInt64 = 0x100_0000_01b3
    static let asciiFingerprintFlag: UInt64 = 1 << 63

    /// Returns the summary of a scalar's bytes, or nil for invalid UTF-8. Most scalars are
    /// ASCII, which needs no validation, and the generic validator costs more per scalar
    /// than the rest of building its node.
    @inline(__always)
    static func summary(of bytes: UnsafeBufferPointer<UInt8>) -> ScalarBytes? {
        let scan = scan(bytes)
        guard scan.isASCII else {
            guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
            // Lead bytes of U+0080-U+009F (C2), of the Arabic letter mark (D8), of the
            // zero-width and direction marks and controls (E2), and of U+FEFF (EF).
            let mayContainControlCharacters = bytes.contains { byte in
                byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xD8 || byte == 0xE2
                    || byte == 0xEF
            }
            return ScalarBytes(
                mayContainControlCharacters: mayContainControlCharacters, fingerprint: 0)
        }
        return ScalarBytes(
            mayContainControlCharacters: scan.hasControlByte,
            fingerprint: scan.hash | asciiFingerprintFlag)
    }

    /// Returns the fingerprint of ASCII text.
    static func fingerprint(of text: String) -> UInt64 {
        // Reading the contiguous bytes costs much less than iterating `String.UTF8View`.
        text.utf8.withContiguousStorageIfAvailable(fingerprint(of:))
            ?? fingerprint(of: Array(text.utf8))
    }

    /// Returns the fingerprint of ASCII bytes.
    static func fingerprint(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        scan(bytes).hash | asciiFingerprintFlag
    }

    static func fingerprint(of bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer(fingerprint(of:))
    }

    /// Reads `bytes` eight at a time. Returns whether all of them are ASCII, whether one of
    /// them is below 0x20 or 0x7F (meaningful only for ASCII), and a hash of them.
    ///
    /// Most scalars are a few bytes long, so the bytes are read as one to three words that
    /// together hold every byte, some twice, instead of one byte at a time. The length is
    /// hashed too, because the same words can come from texts of different lengths.
    @inline(__always)
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>)
        -> (isASCII: Bool, hasControlByte: Bool, hash: UInt64)
    {
        let count = bytes.count
        var hash = mix(fingerprintBasis, UInt64(count))
        guard let start = bytes.baseAddress, count > 0 else {
            return (true, false, hash)
        }

        let raw = UnsafeRawPointer(start)
        var union: UInt64 = 0
        var control: UInt64 = 0
        func add(_ word: UInt64) {
            union |= word
            control |= controlBytes(in: word)
            hash = mix(hash, word)
        }

        // Every load below lies inside the `count` bytes.
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                add(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            // The last eight bytes, which may overlap the word before.
            add(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        } else if count >= 4 {
            // Two four-byte halves that overlap when there are fewer than eight bytes.
            let low = UInt64(raw.loadUnaligned(as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            add(low | high << 32)
        } else {
            // One to three bytes, padded with spaces, which are ASCII and no control bytes.
            let first = UInt64(bytes[0])
            let middle = UInt64(bytes[count / 2]) << 8
            let last = UInt64(bytes[count - 1]) << 16
            add(first | middle | last | 0x2020_2020_2000_0000)
        }
        return (union & highBits == 0, control != 0, hash)
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Returns a word whose high bit is set in some byte when a byte of `word` is below 0x20
    /// or is 0x7F, and zero otherwise. Exact when every byte is below 0x80: the subtractions
    /// borrow across bytes only from a byte that matches, so a borrow never flags a word
    /// without a match.
    private static func controlBytes(in word: UInt64) -> UInt64 {
        let belowSpace = (word &- 0x20 &* lowBits) & ~word & highBits
        let delete = word ^ (0x7F &* lowBits)
        let isDelete = (delete &- lowBits) & ~delete & highBits
        return belowSpace | isDelete
    }

    /// Mixes one word into a hash. Multiplying by an odd constant and folding the high half
    /// down are both invertible, so two different words mixed into the same hash give
    /// different results, and the low bits depend on every bit of the word.
    private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        return product ^ (product >> 32)
    }
}

extension ScalarBytes {
    /// Returns whether the `count` bytes at `left` and at `right` are equal. Compares eight
    /// bytes at a time, which costs less than a call to `memcmp` for the few bytes of a key.
    @inline(__always)
    static func equal(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, count: Int)
        -> Bool
    {
        let leftRaw = UnsafeRawPointer(left)
        let rightRaw = UnsafeRawPointer(right)
        // As in `scan`, every load lies inside the `count` bytes, and the last one may
        // overlap the one before.
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                guard
                    leftRaw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == rightRaw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                else { return false }
                offset += 8
            }
            return leftRaw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == rightRaw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return leftRaw.loadUnaligned(as: UInt32.self) == rightRaw.loadUnaligned(as: UInt32.self)
                && leftRaw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == rightRaw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for offset in 0..<count where left[offset] != right[offset] {
            return false
        }
        return true
    }
}
