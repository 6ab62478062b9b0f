/// ASCII key names with their fingerprints, so that the keys of a mapping are found by
/// comparing integers, without creating a string per key.
///
/// The parser gives every ASCII string scalar the fingerprint of its bytes, and other text
/// none. An ASCII name equals a key exactly when their bytes are equal: text that is
/// canonically equivalent to ASCII but not ASCII itself has a different length in UTF-8.
package struct KeyNames: Sendable {
    package let names: [String]
    package let fingerprints: [UInt64]
    /// The UTF-8 bytes of all names, one after another. Name `i` is the bytes from
    /// `nameStarts[i]` to `nameStarts[i + 1]`.
    private let nameBytes: [UInt8]
    private let nameStarts: [Int]
    /// A hash table with linear probing, indexed by the low bits of a fingerprint. An entry
    /// is 1 + the last index of a name in `names`, or 0 for an empty slot. At least half of
    /// the slots are empty, so a search ends after a few slots.
    private let slots: [Int32]

    /// `names` must be ASCII.
    package init(_ names: [String]) {
        self.names = names
        fingerprints = names.map { name in
            precondition(name.utf8.allSatisfy { $0 < 0x80 }, "key name '\(name)' is not ASCII")
            return ScalarBytes.fingerprint(of: name)
        }

        var bytes: [UInt8] = []
        var starts = [0]
        for name in names {
            bytes.append(contentsOf: name.utf8)
            starts.append(bytes.count)
        }
        nameBytes = bytes
        nameStarts = starts

        var capacity = 4
        while capacity < 2 * names.count { capacity *= 2 }
        var table = [Int32](repeating: 0, count: capacity)
        // Inserted from the last name on, and a name already in the table is skipped, so
        // that each name keeps its last index.
        for index in names.indices.reversed() {
            var slot = Int(truncatingIfNeeded: fingerprints[index]) & (capacity - 1)
            var isRepeated = false
            while table[slot] != 0 {
                if names[Int(table[slot]) - 1] == names[index] {
                    isRepeated = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if !isRepeated { table[slot] = Int32(index + 1) }
        }
        slots = table
    }

    /// Returns the fingerprint of an ASCII name.
    package static func fingerprint(of name: String) -> UInt64 {
        ScalarBytes.fingerprint(of: name)
    }

    /// Returns the last index of the name whose bytes are `bytes` with fingerprint
    /// `fingerprint`, or nil when no name has them.
    fileprivate func lastIndex(of bytes: UnsafeBufferPointer<UInt8>, fingerprint: UInt64)
        -> Int?
    {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: fingerprint) & mask
        while true {
            let entry = Int(slots[slot])
            guard entry != 0 else { return nil }
            let index = entry - 1
            if fingerprints[index] == fingerprint, hasBytes(bytes, at: index) { return index }
            slot = (slot + 1) & mask
        }
    }

    private func hasBytes(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let start = nameStarts[index]
        guard nameStarts[index + 1] - start == bytes.count else { return false }
        guard let address = bytes.baseAddress else { return true }
        return nameBytes.withUnsafeBufferPointer { names in
            ScalarBytes.equal(names.baseAddress! + start, address, count: bytes.count)
        }
    }
}

extension YAMLNode.Pairs {
    /// Returns the last index in `names` of the key at `position`, or nil when the key is no
    /// string or none of `names`.
    package func lastIndex(ofKeyAt position: Int, in names: KeyNames) -> Int? {
        precondition(position >= 0 && position < count, "index out of range")
        let record = tree.records[Int(tree.children[start + 2 * position])]
        // A key without a fingerprint is not ASCII, so it equals no name.
        guard record.kind == .scalar, record.valueKind == .string, record.bits != 0 else {
            return nil
        }
        return tree.scalarBytes.withUnsafeBufferPointer { bytes in
            let first = Int(record.start)
            let key = UnsafeBufferPointer(rebasing: bytes[first..<(first + Int(record.count))])
            return names.lastIndex(of: key, fingerprint: record.bits)
        }
    }

    /// Returns the position of the last pair whose key is the string `name`, which must be
    /// ASCII and have the fingerprint `fingerprint`.
    package func lastPosition(ofKey name: String, fingerprint: UInt64) -> Int? {
        var position = count
        while position > 0 {
            position -= 1
            let record = tree.records[Int(tree.children[start + 2 * position])]
            // A number's value bits may equal the fingerprint, so the kind is checked too.
            if record.bits == fingerprint, record.kind == .scalar, record.valueKind == .string,
                tree.hasBytes(record, of: name)
            {
                return position
            }
        }
        return nil
    }
}

extension YAMLTree {
    /// Returns whether the text of a scalar record has the UTF-8 bytes of `text`.
    func hasBytes(_ record: NodeRecord, of text: String) -> Bool {
        let count = Int(record.count)
        guard count == text.utf8.count else { return false }
        guard count > 0 else { return true }
        let start = Int(record.start)
        // Comparing two buffers costs several times less than `elementsEqual` on an array
        // slice for the few bytes of a key.
        let equal = text.utf8.withContiguousStorageIfAvailable { textBytes in
            scalarBytes.withUnsafeBufferPointer { bytes in
                ScalarBytes.equal(bytes.baseAddress! + start, textBytes.baseAddress!, count: count)
            }
        }
        return equal
            ?? scalarBytes.withUnsafeBufferPointer { bytes in
                bytes[start..<(start + count)].elementsEqual(text.utf8)
            }
    }
}
