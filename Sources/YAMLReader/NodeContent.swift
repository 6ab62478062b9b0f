/// Comparing nodes by content: everything a reader of the node can observe except marks.
///
/// Content is the structure, each node's kind and each scalar's style, tag, resolved value
/// and text. Two nodes with the same content read the same wherever they are written, so a
/// value decoded from one can be reused for the other as long as decoding reported nothing
/// at a mark.
extension YAMLNode {
    /// Returns a hash of the node's content, or nil when the node has more than `maxNodes`
    /// nodes. Aliases count at their expanded size.
    package func contentHash(maxNodes: Int) -> UInt64? {
        tree.withBuffers { tree in
            var hash = ScalarBytes.fingerprintBasis
            var nodes = 0
            guard tree.hashContent(of: id, into: &hash, nodes: &nodes, maxNodes: maxNodes) else {
                return nil
            }
            return hash
        }
    }

    /// Returns whether `other` has the same content as this node.
    package func hasSameContent(as other: YAMLNode) -> Bool {
        tree.withBuffers { left in
            other.tree.withBuffers { right in
                TreeBuffers.sameContent(left, id, right, other.id)
            }
        }
    }

    /// Returns a node with the same content whose tree holds only this node's subtree, so
    /// that keeping it does not keep the rest of its stream. Aliases are copied expanded.
    package func detached() -> YAMLNode {
        var copy = SubtreeCopy()
        copy.copy(id, from: tree)
        return copy.node(mayContainControlCharacters: tree.mayContainControlCharacters)
    }
}

extension YAMLTree {
    /// Calls `body` with the tree's arrays as buffers, which recursive walks read without
    /// reference counting on each step.
    fileprivate func withBuffers<Result>(_ body: (TreeBuffers) -> Result) -> Result {
        records.withUnsafeBufferPointer { records in
            children.withUnsafeBufferPointer { children in
                scalarBytes.withUnsafeBufferPointer { scalarBytes in
                    body(
                        TreeBuffers(records: records, children: children, scalarBytes: scalarBytes))
                }
            }
        }
    }
}

/// The arrays of one tree, valid during `YAMLTree.withBuffers`. Every position that a record or
/// the child list contains is inside them, because the tree builder wrote both.
private struct TreeBuffers {
    let records: UnsafeBufferPointer<NodeRecord>
    let children: UnsafeBufferPointer<Int32>
    let scalarBytes: UnsafeBufferPointer<UInt8>

    func hashContent(of id: Int, into hash: inout UInt64, nodes: inout Int, maxNodes: Int)
        -> Bool
    {
        nodes += 1
        guard nodes <= maxNodes else { return false }
        let record = records[id]
        mix(&hash, record.shape)
        switch record.kind {
        case .scalar:
            // An ASCII string's bits are the fingerprint of its text. Other scalars hash their
            // text too, because it can differ where the value does not (`0720` and `720`).
            mix(&hash, record.bits)
            if record.valueKind != .string || record.bits == 0 {
                let start = Int(record.start)
                for offset in start..<(start + Int(record.count)) {
                    mix(&hash, UInt64(scalarBytes[offset]))
                }
            }
        case .sequence, .mapping:
            let count = record.kind == .mapping ? 2 * Int(record.count) : Int(record.count)
            for position in Int(record.start)..<(Int(record.start) + count) {
                let child = Int(children[position])
                guard hashContent(of: child, into: &hash, nodes: &nodes, maxNodes: maxNodes)
                else { return false }
            }
        }
        return true
    }

    private func mix(_ hash: inout UInt64, _ value: UInt64) {
        hash = (hash ^ value) &* ScalarBytes.fingerprintPrime
    }

    static func sameContent(
        _ left: TreeBuffers, _ leftID: Int, _ right: TreeBuffers, _ rightID: Int
    )
        -> Bool
    {
        let leftRecord = left.records[leftID]
        let rightRecord = right.records[rightID]
        guard leftRecord.shape == rightRecord.shape, leftRecord.bits == rightRecord.bits else {
            return false
        }
        switch leftRecord.kind {
        case .scalar:
            // The shapes are equal, so both scalars have `count` bytes.
            let count = Int(leftRecord.count)
            guard count > 0, let leftBytes = left.scalarBytes.baseAddress,
                let rightBytes = right.scalarBytes.baseAddress
            else { return true }
            return ScalarBytes.equal(
                leftBytes + Int(leftRecord.start), rightBytes + Int(rightRecord.start),
                count: count)
        case .sequence, .mapping:
            let count =
                leftRecord.kind == .mapping ? 2 * Int(leftRecord.count) : Int(leftRecord.count)
            for offset in 0..<count {
                let leftChild = Int(left.children[Int(leftRecord.start) + offset])
                let rightChild = Int(right.children[Int(rightRecord.start) + offset])
                guard sameContent(left, leftChild, right, rightChild) else { return false }
            }
            return true
        }
    }
}

extension NodeRecord {
    /// The kind, style, tag, value kind and count in one integer, for comparing content.
    fileprivate var shape: UInt64 {
        UInt64(kind.rawValue) | UInt64(style.rawValue) << 8 | UInt64(tag.rawValue) << 16
            | UInt64(valueKind.rawValue) << 24 | UInt64(UInt32(bitPattern: count)) << 32
    }
}

/// The flat arrays of a copied subtree, filled in the order that `YAMLTree` expects.
private struct SubtreeCopy: ~Copyable {
    var records = GrowableBuffer<NodeRecord>(capacity: 16)
    var scalarBytes = GrowableBuffer<UInt8>(capacity: 64)
    var children = GrowableBuffer<Int32>(capacity: 16)

    /// Returns the root of the copy, in a tree that takes over the buffers.
    consuming func node(mayContainControlCharacters: Bool) -> YAMLNode {
        let tree = YAMLTree(
            records: records, scalarBytes: scalarBytes, children: children,
            mayContainControlCharacters: mayContainControlCharacters)
        return YAMLNode(tree: tree, id: 0)
    }

    /// Copies the node `id` of `tree` and everything below it; returns the copy's id.
    @discardableResult
    mutating func copy(_ id: Int, from tree: YAMLTree) -> Int32 {
        let record = tree.records[id]
        let copyID = Int32(records.count)
        records.append(record)
        switch record.kind {
        case .scalar:
            let start = Int(record.start)
            records[Int(copyID)].start = Int32(scalarBytes.count)
            tree.scalarBytes.withUnsafeBufferPointer { bytes in
                scalarBytes.append(
                    contentsOf: UnsafeBufferPointer(
                        rebasing: bytes[start..<(start + Int(record.count))]))
            }
        case .sequence, .mapping:
            let count = record.kind == .mapping ? 2 * Int(record.count) : Int(record.count)
            // The children are copied first, so their ids are known before this node's
            // entries of the child list are written in one piece.
            var copied: [Int32] = []
            copied.reserveCapacity(count)
            for position in Int(record.start)..<(Int(record.start) + count) {
                copied.append(copy(Int(tree.children[position]), from: tree))
            }
            records[Int(copyID)].start = Int32(children.count)
            copied.withUnsafeBufferPointer { children.append(contentsOf: $0) }
        }
        return copyID
    }
}
