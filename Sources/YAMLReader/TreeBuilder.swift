/// Folds parser events into node trees.
///
/// Open collections live on a stack of frames that are mutated in place (`frames[last]`),
/// because popping a frame, appending and pushing it back would copy its array each time and
/// make a long list quadratic to read.
struct TreeBuilder {
    private struct Frame {
        let isMapping: Bool
        let anchor: String?
        let mark: YAMLMark
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// First position of each scalar key, for duplicate detection. Filled only once the
        /// mapping has `indexThreshold` pairs; smaller mappings are scanned linearly, which
        /// is cheaper than hashing for the handful of keys a manifest mapping has.
        var keyMarks: [YAMLScalarValue: YAMLMark] = [:]
        /// Values of `<<` keys, applied when the mapping ends.
        var merges: [YAMLNode] = []
        /// Nodes in this subtree, aliases counted at their expanded size.
        var size = 1
        /// Levels of nesting below this collection, aliases counted expanded.
        var height = 1

        mutating func attach(_ node: consuming YAMLNode, size: Int, height: Int)
            throws(YAMLError)
        {
            self.size = self.size.addingReportingOverflow(size).partialValue
            self.height = max(self.height, height + 1)
            guard isMapping else {
                items.append(node)
                return
            }
            guard let key = pendingKey.take() else {
                pendingKey = node
                return
            }

            guard case .scalar(let scalar) = key.content else {
                pairs.append(YAMLPair(key: key, value: node))
                return
            }
            if scalar.style == .plain, scalar.tag == nil, scalar.text == "<<" {
                merges.append(node)
                return
            }
            if let first = firstMark(of: scalar.value) {
                throw .duplicateKey(scalar.text, first: first, at: key.mark)
            }
            record(scalar.value, at: key.mark)
            pairs.append(YAMLPair(key: key, value: node))
        }

        /// Returns where a scalar key with this resolved value first appears in the mapping,
        /// so that `1` and `0x1` collide. Collection keys are not checked for duplicates.
        func firstMark(of identity: YAMLScalarValue) -> YAMLMark? {
            if pairs.count >= TreeBuilder.indexThreshold { return keyMarks[identity] }
            for pair in pairs {
                if case .scalar(let key) = pair.key.content, key.value == identity {
                    return pair.key.mark
                }
            }
            return nil
        }

        mutating func record(_ identity: YAMLScalarValue, at mark: YAMLMark) {
            let count = pairs.count + 1
            if count == TreeBuilder.indexThreshold {
                // Switch to the index: add the keys seen so far, then this one.
                for pair in pairs {
                    if let value = pair.key.scalar?.value, keyMarks[value] == nil {
                        keyMarks[value] = pair.key.mark
                    }
                }
            }
            if count >= TreeBuilder.indexThreshold { keyMarks[identity] = mark }
        }
    }

    fileprivate static let indexThreshold = 16

    private struct Anchored {
        let node: YAMLNode
        let size: Int
        let height: Int
    }

    let limits: YAMLLimits
    private(set) var documents: [YAMLDocument] = []
    private var frames: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var documentMark = YAMLMark(line: 1, column: 1)
    private var root: YAMLNode?
    private var expandedByAliases = 0

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func startDocument(at mark: YAMLMark) {
        documentMark = mark
        root = nil
        anchors = [:]
    }

    mutating func endDocument() throws(YAMLError) {
        let node = root ?? YAMLNode(.scalar(nullScalar), mark: documentMark)
        documents.append(YAMLDocument(root: node, mark: documentMark))
        root = nil
    }

    mutating func scalar(
        _ text: String, style: YAMLScalarStyle, anchor: String?, tag: String?, at mark: YAMLMark
    ) throws(YAMLError) {
        let value = try ScalarResolver.resolve(text: text, style: style, tag: tag, mark: mark)
        let scalar = YAMLScalar(text: text, style: style, tag: tag, value: value)
        let node = YAMLNode(.scalar(scalar), mark: mark)
        if let anchor { anchors[anchor] = Anchored(node: node, size: 1, height: 0) }
        try add(node, size: 1, height: 0)
    }

    mutating func alias(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        guard let anchored = anchors[name] else { throw .undefinedAlias(name, at: mark) }

        // Each use counts the whole expanded subtree, so nested aliases grow the count as
        // fast as they would grow a fully expanded document.
        let (total, overflow) = expandedByAliases.addingReportingOverflow(anchored.size)
        guard !overflow, total <= limits.maxAliasExpansion else {
            throw .aliasBudgetExceeded(name, limit: limits.maxAliasExpansion, at: mark)
        }
        expandedByAliases = total
        // An alias to a collection nests it again, so the expanded depth counts against the
        // limit too. Chained aliases could otherwise build a tree deep enough to exhaust the
        // stack of code that walks it recursively.
        guard frames.count + anchored.height <= limits.maxDepth else {
            throw .tooDeep(limit: limits.maxDepth, at: mark)
        }
        try add(anchored.node, size: anchored.size, height: anchored.height)
    }

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
        guard frames.count < limits.maxDepth else {
            throw .tooDeep(limit: limits.maxDepth, at: mark)
        }
        frames.append(Frame(isMapping: isMapping, anchor: anchor, mark: mark))
    }

    mutating func endCollection() throws(YAMLError) {
        guard var frame = frames.popLast() else { return }

        let node: YAMLNode
        if frame.isMapping {
            try applyMerges(&frame)
            node = YAMLNode(.mapping(frame.pairs), mark: frame.mark)
        } else {
            node = YAMLNode(.sequence(frame.items), mark: frame.mark)
        }
        if let anchor = frame.anchor {
            anchors[anchor] = Anchored(node: node, size: frame.size, height: frame.height)
        }
        try add(node, size: frame.size, height: frame.height)
    }

    /// Attaches a finished node to the open collection, or makes it the document root.
    private mutating func add(_ node: consuming YAMLNode, size: Int, height: Int)
        throws(YAMLError)
    {
        guard !frames.isEmpty else {
            root = node
            return
        }
        // Mutated through the subscript in place: binding the frame to a local would copy it.
        try frames[frames.count - 1].attach(node, size: size, height: height)
    }

    /// Adds the pairs of every `<<` value whose keys the mapping does not already have.
    /// Explicit keys win over merged ones, and an earlier merged mapping wins over a later one.
    private func applyMerges(_ frame: inout Frame) throws(YAMLError) {
        for merge in frame.merges {
            let sources: [YAMLNode]
            switch merge.content {
            case .mapping: sources = [merge]
            case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }):
                sources = items
            default: throw .invalidMerge(at: merge.mark)
            }

            for source in sources {
                for pair in source.mapping ?? [] {
                    guard let identity = pair.key.scalar?.value else {
                        frame.pairs.append(pair)
                        continue
                    }
                    if frame.firstMark(of: identity) != nil { continue }
                    frame.record(identity, at: pair.key.mark)
                    frame.pairs.append(pair)
                }
            }
        }
    }

    private var nullScalar: YAMLScalar {
        YAMLScalar(text: "", style: .plain, tag: nil, value: .null)
    }
}
