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
        var hash = ScalarBytes.fingerprintBasis
        var nodes = 0
        guard tree.hashContent(of: id, into: &hash, nodes: &nodes, maxNodes: maxNodes) else {
            return nil
        }
        return hash
    }

    /// Returns whether `other` has the same content as this node.
    package func hasSameContent(as other: YAMLNode) -> Bool {
        YAMLTree.sameContent(tree, id, other.tree, other.id)
    }

    /// Returns a node with the same content whose tree holds only this node's subtree, so
    /// that keeping it does not keep the rest of its stream. Aliases are copied expanded.
    package func detached() -> YAMLNode {
        var copy = SubtreeCopy()
        copy.copy(id, from: tree)
        let detachedTree = YAMLTree(
            records: copy.records, scalarBytes: copy.scalarBytes, children: copy.children,
            mayContainControlCharacters: tree.mayContainControlCharacters)
        return YAMLNode(tree: detachedTree, id: 0)
    }
}

extension YAMLTree {
    fileprivate func hashContent(
        of id: Int, into hash: inout UInt64, nodes: inout Int, maxNodes: Int
    ) -> Bool {
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

    fileprivate static func sameContent(
        _ leftTree: YAMLTree, _ leftID: Int, _ rightTree: YAMLTree, _ rightID: Int
    ) -> Bool {
        let left = leftTree.records[leftID]
        let right = rightTree.records[rightID]
        guard left.shape == right.shape, left.bits == right.bits else { return false }
        switch left.kind {
        case .scalar:
            let leftStart = Int(left.start)
            let rightStart = Int(right.start)
            for offset in 0..<Int(left.count)
            where leftTree.scalarBytes[leftStart + offset]
                != rightTree.scalarBytes[rightStart + offset]
            {
                return false
            }
            return true
        case .sequence, .mapping:
            let count = left.kind == .mapping ? 2 * Int(left.count) : Int(left.count)
            for offset in 0..<count {
                let leftChild = Int(leftTree.children[Int(left.start) + offset])
                let rightChild = Int(rightTree.children[Int(right.start) + offset])
                guard sameContent(leftTree, leftChild, rightTree, rightChild) else {
                    return false
                }
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
private struct SubtreeCopy {
    var records: [NodeRecord] = []
    var scalarBytes: [UInt8] = []
    var children: [Int32] = []

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
            scalarBytes.append(contentsOf: tree.scalarBytes[start..<(start + Int(record.count))])
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
            children.append(contentsOf: copied)
        }
        return copyID
    }
}
