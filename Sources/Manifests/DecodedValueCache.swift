import NGCPCore
import YAMLReader

/// Values decoded from YAML subtrees, by the subtree's content, so that a block repeated in
/// many documents (the same call forwards, the same preferences, the same business hours) is
/// decoded once and its value shared by every subscriber that declares it.
///
/// A value is reused only for a subtree with the same content (see
/// `YAMLNode.hasSameContent(as:)`), and only when decoding it reported nothing and recorded
/// no literal secret. Decoding depends on the content alone, so the same content decodes to
/// the same value. Only diagnostics and the secrets that a file records depend on where the
/// subtree is. Each cache serves one decoder.
final class DecodedValueCache<Value> {
    /// Larger subtrees are decoded every time: hashing them costs more, and they repeat less.
    static var maxNodes: Int { 256 }
    /// The maximum number of values kept, so that many distinct blocks cannot grow the cache
    /// without bound.
    static var maxValues: Int { 1024 }
    /// The maximum number of values kept for one hash. Blocks crafted to share a hash are then
    /// compared with a few values at most, instead of with every value kept.
    static var maxValuesPerHash: Int { 4 }

    // Only `value(of:reader:decode:)` reaches these, and no decoder uses the cache that it is
    // passed to (call forwards use the cache of their times, another instance). So no
    // access overlaps another, and the run-time exclusivity check on each is left out.
    @exclusivity(unchecked) private var values: [UInt64: [(node: YAMLNode, value: Value)]] = [:]
    @exclusivity(unchecked) private var count = 0
    /// The entry that the last lookup found, tried before hashing: documents that follow each
    /// other often declare the same block, and comparing with one entry costs less than
    /// hashing the node. A lookup that finds nothing clears it, so that a run of distinct
    /// blocks pays for no comparison.
    @exclusivity(unchecked) private var lastFound: (node: YAMLNode, value: Value)?

    /// Returns the value of a subtree with the same content as `node`, or the result of
    /// `decode`, which reports its problems through `reader`.
    func value(
        of node: YAMLNode, reader: NodeReader, decode: () -> Value?
    ) -> Value? {
        // The entry has at most `maxNodes` nodes, so the comparison stops after as many.
        if let lastFound, lastFound.node.hasSameContent(as: node) { return lastFound.value }
        guard let hash = node.contentHash(maxNodes: Self.maxNodes) else { return decode() }
        if let entry = values[hash]?.first(where: { $0.node.hasSameContent(as: node) }) {
            lastFound = entry
            return entry.value
        }
        lastFound = nil

        let diagnosticsBefore = reader.diagnosticCount
        let secretsBefore = reader.literalSecrets.count
        let value = decode()
        if let value, reader.diagnosticCount == diagnosticsBefore,
            reader.literalSecrets.count == secretsBefore, count < Self.maxValues,
            values[hash, default: []].count < Self.maxValuesPerHash
        {
            // The detached copy keeps only the subtree, not the tree of the whole file.
            values[hash, default: []].append((node.detached(), value))
            count += 1
        }
        return value
    }
}
