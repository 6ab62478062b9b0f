/// Folds parser events into the flat node arrays of one stream.
///
/// Each node gets a record when it starts. The children of open collections wait on one
/// shared stack and move to the child list in one piece when their collection ends, so a
/// collection costs no array of its own and a long list grows no per-frame storage.
///
/// The builder cannot be copied, because it owns its buffers until `documents()` hands them
/// to the tree.
struct TreeBuilder: ~Copyable {
    /// An open collection. It holds no reference, so saving and restoring it for each
    /// nested collection costs no reference counting.
    ///
    /// Internal rather than private, because Swift 6.3.1 crashes compiling a debug build in
    /// which a `GrowableBuffer` of a private type is a stored property.
    struct Frame {
        let isMapping: Bool
        /// Set when the collection has an anchor, which is the last of `openAnchors`.
        let hasAnchor: Bool
        /// The collection's record.
        let id: Int
        /// Position of the collection's first child on `pending`. A mapping's keys and values
        /// alternate there.
        let firstChild: Int
        /// Set when the key just read is `<<`: its value is a merge source, not a pair.
        var awaitsMergeValue = false
        /// Nodes in this subtree, aliases counted at their expanded size.
        var size = 1
        /// Levels of nesting below this collection, aliases counted expanded.
        var height = 1
        /// The filter bits of the mapping's scalar keys so far (see `filterBit(of:)`). A key
        /// whose bit is not set equals none of them, which spares most duplicate checks a
        /// search.
        var keyFilter: UInt64 = 0
        /// Set once a key without a filter bit was recorded: then every check searches.
        var hasUnfilteredKey = false
    }

    /// State that few mappings need, kept out of `Frame` so that opening and closing a
    /// collection copies no dictionary or array.
    private struct LargeMappingState {
        /// First position of each scalar key, for duplicate detection. Filled only once the
        /// mapping has `indexThreshold` pairs. Smaller mappings are scanned linearly, which
        /// costs less than hashing the handful of keys a manifest mapping has.
        var keyMarks: [YAMLScalarValue: YAMLMark] = [:]
        /// Values of `<<` keys, applied when the mapping ends, each with the position of the
        /// alias that wrote it, if an alias did.
        var merges: [(id: Int32, aliasMark: YAMLMark?)] = []
        /// Position of the mapping's first `<<` key. Merge keys are not kept as pairs, so a
        /// repeated one is found here rather than among the keys.
        var firstMergeKey: YAMLMark?
    }

    fileprivate static let indexThreshold = 16

    private struct Anchored {
        let id: Int32
        let size: Int
        let height: Int
    }

    let limits: YAMLLimits
    private var records: GrowableBuffer<NodeRecord>
    /// The UTF-8 bytes of every scalar, one after another. A scalar's record gives its
    /// offset and length, so that reading a stream creates no string per scalar.
    private var scalarBytes: GrowableBuffer<UInt8>
    private var children: GrowableBuffer<Int32>
    /// Children of the open collections, innermost last. Popping a collection's children
    /// keeps the storage for the next one.
    private var pending = GrowableBuffer<Int32>(capacity: 256)
    /// The innermost open collection, kept outside `parents` so that attaching a node
    /// changes plain fields instead of a buffer element.
    private var top = Frame(isMapping: false, hasAnchor: false, id: -1, firstChild: 0)
    /// The open collections around `top`, outermost first.
    private var parents = GrowableBuffer<Frame>(capacity: 16)
    /// The number of open collections: `top` and `parents`, or none.
    private var depth = 0
    /// Key index and merge sources of open mappings that have them, by their depth.
    private var largeMappings: [Int: LargeMappingState] = [:]
    private var roots: [(id: Int32, mark: YAMLMark)] = []
    private var anchors: [String: Anchored] = [:]
    /// The anchor names of the open collections that have one, outermost first. A
    /// collection's anchor is defined when the collection ends.
    private var openAnchors: [String] = []
    private var documentMark = YAMLMark(line: 1, column: 1)
    private var root: Int32?
    /// Nodes that aliases added to the current document, and to the whole stream.
    private var expandedInDocument = 0
    private var expandedByAliases = 0
    /// Problems of documents that are left out of the result, in the order found.
    private(set) var errors: [YAMLError] = []
    /// Set when the current document has a problem that does not stop the reading of it.
    private var documentFailed = false
    /// Set once any scalar of the stream may contain a control character.
    private var mayContainControlCharacters = false
    /// The children on `pending` that an alias placed, by their position there, in
    /// ascending order, with the position of the alias.
    private var pendingAliasMarks: [(position: Int, mark: YAMLMark)] = []
    /// The children that an alias placed, by their position in `children`, with the position
    /// of the alias.
    private var aliasMarks: [Int32: YAMLMark] = [:]

    /// `expectedNodes` and `expectedScalarBytes` reserve room for that many nodes and
    /// scalar bytes up front.
    init(limits: YAMLLimits, expectedNodes: Int = 0, expectedScalarBytes: Int = 0) {
        self.limits = limits
        records = GrowableBuffer(capacity: expectedNodes)
        scalarBytes = GrowableBuffer(capacity: expectedScalarBytes)
        children = GrowableBuffer(capacity: expectedNodes)
    }

    /// Returns the documents read so far, which share one tree that takes over the buffers.
    consuming func documents() -> [YAMLDocument] {
        let tree = YAMLTree(
            records: records, scalarBytes: scalarBytes, children: children,
            mayContainControlCharacters: mayContainControlCharacters, aliasMarks: aliasMarks)
        return roots.map { YAMLDocument(root: YAMLNode(tree: tree, id: Int($0.id)), mark: $0.mark) }
    }

    /// Leaves the current document out after `error`, which stops the reading of it. The
    /// nodes already added stay in the buffers, unused.
    mutating func abandonDocument(after error: YAMLError) {
        errors.append(error)
        documentFailed = false
        root = nil
        depth = 0
        top = Frame(isMapping: false, hasAnchor: false, id: -1, firstChild: 0)
        parents.removeSuffix(from: 0)
        pending.removeSuffix(from: 0)
        largeMappings = [:]
        openAnchors = []
        pendingAliasMarks = []
    }

    mutating func startDocument(at mark: YAMLMark) {
        documentMark = mark
        root = nil
        expandedInDocument = 0
        if !anchors.isEmpty { anchors = [:] }
    }

    mutating func endDocument() throws(YAMLError) {
        guard !documentFailed else {
            documentFailed = false
            root = nil
            return
        }
        let id =
            root
            ?? appendScalar(
                UnsafeBufferPointer(start: nil, count: 0), style: .plain, tag: .none,
                value: ResolvedValue(kind: .null), at: documentMark)
        roots.append((id, documentMark))
        root = nil
    }

    /// Adds a scalar from its UTF-8 bytes, which must be valid UTF-8.
    mutating func scalar(
        bytes: UnsafeBufferPointer<UInt8>, summary: ScalarBytes, style: YAMLScalarStyle.Code,
        anchor: String?, tag: String?, at mark: YAMLMark
    ) throws(YAMLError) {
        var value: ResolvedValue
        if tag == nil {
            // Quoted and block scalars without a tag are strings.
            value =
                style == .plain
                ? ScalarResolver.resolvePlain(
                    bytes: bytes, text: String(decoding: bytes, as: UTF8.self))
                : ResolvedValue(kind: .string)
        } else {
            value = try ScalarResolver.resolve(
                text: String(decoding: bytes, as: UTF8.self), style: YAMLScalarStyle(style),
                tag: tag, mark: mark)
        }
        // A string's value bits are unused, so they keep a fingerprint of its bytes that
        // rules out most unequal keys without comparing strings.
        if value.kind == .string {
            value = ResolvedValue(kind: .string, bits: summary.fingerprint)
        }
        // Every tag that resolving accepts has a code.
        let tagCode = tag == nil ? TagCode.none : TagCode(tag) ?? .none
        let id = appendScalar(
            bytes, style: style, tag: tagCode, value: value,
            mayContainControlCharacters: summary.mayContainControlCharacters, at: mark)
        if let anchor { anchors[anchor] = Anchored(id: id, size: 1, height: 0) }
        try add(id, size: 1, height: 0)
    }

    private mutating func appendScalar(
        _ bytes: UnsafeBufferPointer<UInt8>, style: YAMLScalarStyle.Code, tag: TagCode,
        value: ResolvedValue, mayContainControlCharacters: Bool = false, at mark: YAMLMark
    ) -> Int32 {
        if mayContainControlCharacters { self.mayContainControlCharacters = true }
        let id = Int32(records.count)
        records.append(
            NodeRecord(
                line: Int32(clamping: mark.line), column: Int32(clamping: mark.column),
                start: Int32(scalarBytes.count), count: Int32(bytes.count), bits: value.bits,
                kind: .scalar, style: style, tag: tag, valueKind: value.kind,
                mayContainControlCharacters: mayContainControlCharacters))
        scalarBytes.append(contentsOf: bytes)
        return id
    }

    private func text(of record: NodeRecord) -> String {
        scalarBytes.withUnsafeBufferPointer { bytes in record.text(in: bytes) }
    }

    /// Returns whether two scalar records have the same bytes.
    private func sameBytes(_ left: NodeRecord, _ right: NodeRecord) -> Bool {
        guard left.count == right.count else { return false }
        guard left.count > 0 else { return true }
        return scalarBytes.withUnsafeBufferPointer { bytes in
            ScalarBytes.equal(
                bytes.baseAddress! + Int(left.start), bytes.baseAddress! + Int(right.start),
                count: Int(left.count))
        }
    }

    mutating func alias(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        guard let anchored = anchors[name] else {
            // An anchor on a collection is defined when the collection ends.
            if openAnchors.contains(name) { throw .aliasInsideOwnAnchor(name, at: mark) }
            throw .undefinedAlias(name, at: mark)
        }

        // Each use counts the whole expanded subtree, so nested aliases grow the count as
        // fast as they would grow a fully expanded document. Anchors belong to one document,
        // so the limit does too.
        let (total, overflow) = expandedInDocument.addingReportingOverflow(anchored.size)
        guard !overflow, total <= limits.maxAliasExpansion else {
            throw .aliasBudgetExceeded(name, limit: limits.maxAliasExpansion, at: mark)
        }
        // Many documents of one stream, each below the limit, are bounded as a whole. What
        // aliases add may exceed the limit only by a fixed multiple of the nodes written, so
        // the work of reading the expanded trees stays proportional to the file's size.
        let streamTotal = expandedByAliases + anchored.size
        let streamLimit =
            limits.maxAliasExpansion + TreeBuilder.aliasExpansionPerNode * records.count
        guard streamTotal <= streamLimit else {
            throw .streamAliasBudgetExceeded(
                name, factor: TreeBuilder.aliasExpansionPerNode, at: mark)
        }
        expandedInDocument = total
        expandedByAliases = streamTotal
        // An alias to a collection nests it again, so the expanded depth counts against the
        // limit too. Chained aliases could otherwise build a tree deep enough to exhaust the
        // stack of code that walks it recursively.
        guard depth + anchored.height <= limits.maxDepth else {
            throw .tooDeep(limit: limits.maxDepth, at: mark)
        }

        // The tree shares the anchored node, whose mark is the anchor's, so the position of
        // the alias is kept beside the child it becomes. A merge source keeps it until its
        // pairs are merged. An alias as the root, or as a `<<` key, keeps none.
        let pendingCount = pending.count
        let isMergeSource = depth > 0 && top.isMapping && top.awaitsMergeValue
        try add(anchored.id, size: anchored.size, height: anchored.height)
        if isMergeSource {
            noteMergeSourceAlias(at: mark)
        } else if pending.count > pendingCount {
            pendingAliasMarks.append((pending.count - 1, mark))
        }
    }

    /// How many nodes aliases may add to a stream per node written, beyond one document's
    /// limit.
    static let aliasExpansionPerNode = 16

    mutating func startCollection(isMapping: Bool, anchor: String?, tag: String?, at mark: YAMLMark)
        throws(YAMLError)
    {
        if let tag, tag != "!" {
            let expected = ScalarResolver.corePrefix + (isMapping ? "map" : "seq")
            guard tag == expected else {
                if tag.hasPrefix(ScalarResolver.corePrefix),
                    ["str", "int", "bool", "null", "float", "map", "seq"].contains(
                        String(tag.dropFirst(ScalarResolver.corePrefix.count)))
                {
                    throw .tagMismatch(tag, at: mark)
                }
                throw .unsupportedTag(tag, at: mark)
            }
        }
        guard depth < limits.maxDepth else {
            throw .tooDeep(limit: limits.maxDepth, at: mark)
        }

        let id = records.count
        records.append(
            NodeRecord(
                line: Int32(clamping: mark.line), column: Int32(clamping: mark.column),
                start: 0, count: 0, bits: 0, kind: isMapping ? .mapping : .sequence,
                style: .plain, tag: TagCode(tag) ?? .none, valueKind: .null,
                mayContainControlCharacters: false))
        if depth > 0 { parents.append(top) }
        if let anchor { openAnchors.append(anchor) }
        top = Frame(
            isMapping: isMapping, hasAnchor: anchor != nil, id: id, firstChild: pending.count)
        depth += 1
    }

    mutating func endCollection() throws(YAMLError) {
        guard depth > 0 else { return }
        if !largeMappings.isEmpty, largeMappings[depth] != nil {
            try applyMerges()
            largeMappings[depth] = nil
        }

        let entries = pending.count - top.firstChild
        if let last = pendingAliasMarks.last, last.position >= top.firstChild {
            moveAliasMarks(toChildrenFrom: children.count)
        }
        records[top.id].start = Int32(children.count)
        records[top.id].count = Int32(top.isMapping ? entries / 2 : entries)
        children.append(contentsOf: pending, from: top.firstChild)
        pending.removeSuffix(from: top.firstChild)

        let id = Int32(top.id)
        let (size, height) = (top.size, top.height)
        if top.hasAnchor {
            anchors[openAnchors.removeLast()] = Anchored(id: id, size: size, height: height)
        }
        depth -= 1
        if depth > 0 { top = parents.removeLast() }
        try add(id, size: size, height: height)
    }

    /// Attaches a finished node to the open collection, or makes it the document root.
    private mutating func add(_ id: Int32, size: Int, height: Int) throws(YAMLError) {
        guard depth > 0 else {
            root = id
            return
        }
        top.size = top.size.addingReportingOverflow(size).partialValue
        top.height = max(top.height, height + 1)
        guard top.isMapping else {
            pending.append(id)
            return
        }

        if top.awaitsMergeValue {
            top.awaitsMergeValue = false
            addMergeSource(id)
            return
        }
        let isKey = (pending.count - top.firstChild) % 2 == 0
        if isKey {
            if isMergeKey(id) {
                top.awaitsMergeValue = true
                recordMergeKey(id)
            } else {
                pending.append(id)
            }
            return
        }

        // This node is the value of the key on top of `pending`. Collection keys are not
        // checked for duplicates.
        let key = Int(pending[pending.count - 1])
        let keyRecord = records[key]
        if keyRecord.kind == .scalar {
            let bit = TreeBuilder.filterBit(of: keyRecord)
            if let first = firstMark(ofKey: key, filterBit: bit) {
                // The document is left out, but the rest of it is read, so that every
                // repeated key is reported in one run.
                errors.append(.duplicateKey(text(of: keyRecord), first: first, at: keyRecord.mark))
                documentFailed = true
            }
            recordKey(key, filterBit: bit)
        }
        pending.append(id)
    }

    // The functions marked `@inline(never)` handle merges and mappings of 16 pairs or more,
    // which few manifests have. Kept out of `add`, their dictionary code does not make every
    // call of `add` save registers and reserve stack for it.

    @inline(never)
    private mutating func addMergeSource(_ id: Int32) {
        largeMappings[depth, default: LargeMappingState()].merges.append((id, nil))
    }

    /// Notes that an alias at `mark` wrote the merge source just added.
    @inline(never)
    private mutating func noteMergeSourceAlias(at mark: YAMLMark) {
        guard let last = largeMappings[depth]?.merges.indices.last else { return }
        largeMappings[depth]?.merges[last].aliasMark = mark
    }

    /// Moves the alias positions of the innermost collection's children from `pending` to
    /// `aliasMarks`, where its children start at position `start` of `children`.
    @inline(never)
    private mutating func moveAliasMarks(toChildrenFrom start: Int) {
        while let last = pendingAliasMarks.last, last.position >= top.firstChild {
            pendingAliasMarks.removeLast()
            aliasMarks[Int32(start + last.position - top.firstChild)] = last.mark
        }
    }

    /// Notes the position of a `<<` key, and reports a second one in the same mapping as a
    /// repeated key, which leaves the document out as any other repeated key does.
    @inline(never)
    private mutating func recordMergeKey(_ id: Int32) {
        let mark = records[Int(id)].mark
        guard let first = largeMappings[depth]?.firstMergeKey else {
            largeMappings[depth, default: LargeMappingState()].firstMergeKey = mark
            return
        }
        errors.append(.duplicateKey("<<", first: first, at: mark))
        documentFailed = true
    }

    private func isMergeKey(_ id: Int32) -> Bool {
        let record = records[Int(id)]
        guard record.kind == .scalar, record.style == .plain, record.tag == .none else {
            return false
        }
        guard record.count == 2 else { return false }
        let start = Int(record.start)
        return scalarBytes[start] == UInt8(ascii: "<")
            && scalarBytes[start + 1] == UInt8(ascii: "<")
    }

    /// The number of complete pairs of the innermost mapping. A key waiting for its value
    /// is not counted.
    private var pairCount: Int {
        (pending.count - top.firstChild) / 2
    }

    /// Returns where a scalar key with the same resolved value as `key` first appears in the
    /// innermost mapping, so that `1` and `0x1` collide. `filterBit` is the key's filter bit.
    ///
    /// It changes nothing, but it is `mutating` so that `self` is passed by reference: a
    /// non-mutating call from `add` copied the whole builder for each pair.
    private mutating func firstMark(ofKey key: Int, filterBit bit: UInt64?) -> YAMLMark? {
        let pairs = pairCount
        if pairs >= TreeBuilder.indexThreshold {
            return indexedMark(ofKey: key)
        }
        if !top.hasUnfilteredKey, let bit, top.keyFilter & bit == 0 {
            return nil
        }
        let first = top.firstChild
        for position in 0..<pairs {
            let other = Int(pending[first + 2 * position])
            if sameScalarValue(key, other) { return records[other].mark }
        }
        return nil
    }

    @inline(never)
    private func indexedMark(ofKey key: Int) -> YAMLMark? {
        largeMappings[depth]?.keyMarks[value(of: key)]
    }

    /// Records a scalar key before its pair is counted. `filterBit` is the key's filter bit.
    private mutating func recordKey(_ key: Int, filterBit bit: UInt64?) {
        if let bit {
            top.keyFilter |= bit
        } else {
            top.hasUnfilteredKey = true
        }

        let count = pairCount + 1
        if count >= TreeBuilder.indexThreshold { indexKey(key, pairCount: count) }
    }

    /// Adds a key to the index of the innermost mapping, which has `count` pairs with it.
    @inline(never)
    private mutating func indexKey(_ key: Int, pairCount count: Int) {
        if count == TreeBuilder.indexThreshold {
            // Switch to the index: add the keys seen so far, then this one.
            let first = top.firstChild
            for position in 0..<(count - 1) {
                let other = Int(pending[first + 2 * position])
                guard records[other].kind == .scalar else { continue }
                let identity = value(of: other)
                if largeMappings[depth, default: LargeMappingState()].keyMarks[identity] == nil {
                    largeMappings[depth, default: LargeMappingState()].keyMarks[identity] =
                        records[other].mark
                }
            }
        }
        largeMappings[depth, default: LargeMappingState()].keyMarks[value(of: key)] =
            records[key].mark
    }

    /// Returns one of 64 bits for a scalar key, the same for every key with an equal value,
    /// or nil when equal values can differ in their record. Floats can (`0.0` and `-0.0`), and
    /// so can text that is not ASCII, which compares by canonical equivalence.
    private static func filterBit(of record: NodeRecord) -> UInt64? {
        switch record.valueKind {
        case .float: return nil
        case .string where record.bits == 0: return nil
        case .null, .bool, .int, .string:
            let mixed = (record.bits ^ UInt64(record.valueKind.rawValue)) &* 0x9E37_79B9_7F4A_7C15
            return 1 << (mixed >> 58)
        }
    }

    private func value(of id: Int) -> YAMLScalarValue {
        let record = records[id]
        return ResolvedValue(kind: record.valueKind, bits: record.bits)
            .value(text: text(of: record))
    }

    /// True when both nodes are scalars whose resolved values are equal, as
    /// `YAMLScalarValue` compares them.
    private func sameScalarValue(_ lhs: Int, _ rhs: Int) -> Bool {
        let left = records[lhs]
        let right = records[rhs]
        guard left.kind == .scalar, right.kind == .scalar, left.valueKind == right.valueKind
        else { return false }
        switch left.valueKind {
        case .null: return true
        case .bool, .int: return left.bits == right.bits
        case .float: return Double(bitPattern: left.bits) == Double(bitPattern: right.bits)
        case .string:
            // Equal ASCII strings have equal bytes. Other text compares as strings, by
            // canonical equivalence.
            if left.bits != 0, right.bits != 0 {
                return left.bits == right.bits && sameBytes(left, right)
            }
            return text(of: left) == text(of: right)
        }
    }

    /// Adds the pairs of every `<<` value whose keys the mapping does not already have.
    /// Explicit keys win over merged ones, and an earlier merged mapping wins over a later one.
    private mutating func applyMerges() throws(YAMLError) {
        for merge in largeMappings[depth]?.merges ?? [] {
            let record = records[Int(merge.id)]
            // A value that an alias wrote is reported at the alias, where it is used.
            let mark = merge.aliasMark ?? record.mark
            // Each source mapping with the position of the alias that wrote it, if any.
            var sources: [(id: Int, aliasMark: YAMLMark?)] = []
            switch record.kind {
            case .mapping:
                sources = [(Int(merge.id), merge.aliasMark)]
            case .sequence:
                for position in 0..<Int(record.count) {
                    let slot = Int(record.start) + position
                    let item = Int(children[slot])
                    guard records[item].kind == .mapping else {
                        throw .invalidMerge(at: mark)
                    }
                    sources.append((item, merge.aliasMark ?? aliasMarks[Int32(slot)]))
                }
            case .scalar:
                throw .invalidMerge(at: mark)
            }

            for source in sources {
                let start = Int(records[source.id].start)
                for position in 0..<Int(records[source.id].count) {
                    let keySlot = start + 2 * position
                    let key = children[keySlot]
                    let value = children[keySlot + 1]
                    let keyRecord = records[Int(key)]
                    if keyRecord.kind == .scalar {
                        let bit = TreeBuilder.filterBit(of: keyRecord)
                        if firstMark(ofKey: Int(key), filterBit: bit) != nil { continue }
                        recordKey(Int(key), filterBit: bit)
                    }
                    // A merged pair was written by the alias of its source, or else by the
                    // aliases inside the source, if any.
                    let marks = [
                        source.aliasMark ?? aliasMarks[Int32(keySlot)],
                        source.aliasMark ?? aliasMarks[Int32(keySlot + 1)],
                    ]
                    for (child, mark) in zip([key, value], marks) {
                        pending.append(child)
                        if let mark { pendingAliasMarks.append((pending.count - 1, mark)) }
                    }
                }
            }
        }
    }
}
