/// ASCII key names with their fingerprints, so that the keys of a mapping are found by
/// comparing integers, without creating a string per key.
///
/// The parser gives every ASCII string scalar the fingerprint of its bytes, and other text
/// none. An ASCII name equals a key exactly when their bytes are equal: text that is
/// canonically equivalent to ASCII but not ASCII itself has a different length in UTF-8.
package struct KeyNames: Sendable {
    package let names: [String]
    package let fingerprints: [UInt64]

    /// `names` must be ASCII.
    package init(_ names: [String]) {
        self.names = names
        fingerprints = names.map { name in
            precondition(name.utf8.allSatisfy { $0 < 0x80 }, "key name '\(name)' is not ASCII")
            return ScalarBytes.fingerprint(of: name)
        }
    }

    /// Returns the fingerprint of an ASCII name.
    package static func fingerprint(of name: String) -> UInt64 {
        ScalarBytes.fingerprint(of: name)
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
        var index = names.fingerprints.count
        while index > 0 {
            index -= 1
            if names.fingerprints[index] == record.bits,
                tree.hasBytes(record, of: names.names[index])
            {
                return index
            }
        }
        return nil
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
        guard Int(record.count) == text.utf8.count else { return false }
        let first = Int(record.start)
        // A loop over two buffers: `elementsEqual` on an array slice costs several times
        // more for the few bytes of a key.
        let equal = text.utf8.withContiguousStorageIfAvailable { textBytes in
            scalarBytes.withUnsafeBufferPointer { bytes in
                for offset in textBytes.indices where bytes[first + offset] != textBytes[offset] {
                    return false
                }
                return true
            }
        }
        return equal ?? scalarBytes[first..<(first + Int(record.count))].elementsEqual(text.utf8)
    }
}
