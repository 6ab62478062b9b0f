import Testing
import YAMLReader

/// Positions of the aliases in a tree. The node that an alias places is shared, so its own
/// mark is the anchor's position.
@Suite struct YAMLAliasPositionTests {
    private func parseOne(_ text: String) throws -> YAMLNode {
        let documents = try YAMLParser.parse(text)
        #expect(documents.count == 1)
        return try #require(documents.first).root
    }

    private func mark(_ line: Int, _ column: Int) -> YAMLMark {
        YAMLMark(line: line, column: column)
    }

    /// Returns the position of `key` in the mapping `pairs`.
    private func position(of key: String, in pairs: YAMLNode.Pairs) throws -> Int {
        try #require(pairs.firstIndex { $0.key.scalar?.text == key }, "no key '\(key)'")
    }

    @Test func streamWithoutAliasHasNoPositions() throws {
        let root = try parseOne("a: &x 1\nb: [2, 3]\nc: {d: 4}\n")
        #expect(!root.streamHasAliases)
        let pairs = try #require(root.mapping)
        for position in pairs.indices {
            #expect(pairs.aliasMark(ofKeyAt: position) == nil)
            #expect(pairs.aliasMark(ofValueAt: position) == nil)
        }
    }

    @Test func aliasValueItemAndKeyKeepTheirPositions() throws {
        let text = """
            a: &x one
            b: *x
            c: [two, *x]
            d: {*x : three}
            """
        let root = try parseOne(text)
        #expect(root.streamHasAliases)
        let pairs = try #require(root.mapping)

        let a = try position(of: "a", in: pairs)
        #expect(pairs.aliasMark(ofValueAt: a) == nil)
        #expect(pairs.value(at: a).mark == mark(1, 4))

        let b = try position(of: "b", in: pairs)
        #expect(pairs.aliasMark(ofKeyAt: b) == nil)
        #expect(pairs.aliasMark(ofValueAt: b) == mark(2, 4))
        // The shared node keeps the anchor's position.
        #expect(pairs.value(at: b).mark == mark(1, 4))

        let items = try #require(pairs.value(at: try position(of: "c", in: pairs)).sequence)
        #expect(items.aliasMark(at: 0) == nil)
        #expect(items.aliasMark(at: 1) == mark(3, 10))

        let inner = try #require(pairs.value(at: try position(of: "d", in: pairs)).mapping)
        #expect(inner.aliasMark(ofKeyAt: 0) == mark(4, 5))
        #expect(inner.aliasMark(ofValueAt: 0) == nil)
    }

    @Test func mergedPairsKeepTheAliasOfTheirSource() throws {
        let text = """
            base: &base {x: 1, y: 2}
            fromAlias:
              <<: *base
              y: 3
            fromList:
              <<: [{p: 4}, *base]
            inPlace:
              <<: {q: *base}
            """
        let root = try parseOne(text)

        // The merged pair `x` came with the alias of its source, the explicit `y` did not.
        let fromAlias = try #require(root["fromAlias"]?.mapping)
        let x = try position(of: "x", in: fromAlias)
        #expect(fromAlias.aliasMark(ofKeyAt: x) == mark(3, 7))
        #expect(fromAlias.aliasMark(ofValueAt: x) == mark(3, 7))
        let y = try position(of: "y", in: fromAlias)
        #expect(fromAlias.aliasMark(ofValueAt: y) == nil)
        #expect(fromAlias.value(at: y).scalar?.text == "3")

        // In a list of sources, each merged pair has the position of its own item.
        let fromList = try #require(root["fromList"]?.mapping)
        #expect(fromList.aliasMark(ofValueAt: try position(of: "p", in: fromList)) == nil)
        #expect(fromList.aliasMark(ofValueAt: try position(of: "x", in: fromList)) == mark(6, 16))

        // A source written in place passes on the positions of the aliases inside it.
        let inPlace = try #require(root["inPlace"]?.mapping)
        let q = try position(of: "q", in: inPlace)
        #expect(inPlace.aliasMark(ofKeyAt: q) == nil)
        #expect(inPlace.aliasMark(ofValueAt: q) == mark(8, 11))
    }

    @Test func nodeKnowsTheAliasThatPlacedIt() throws {
        let text = """
            a: &x one
            b: *x
            c: [two, *x]
            d: &list [three]
            e: *list
            f: {<<: {g: four}}
            """
        let root = try parseOne(text)
        #expect(root.aliasMark == nil)
        let pairs = try #require(root.mapping)

        // Written in place: no alias, by any way of reaching the node.
        #expect(pairs.value(at: try position(of: "a", in: pairs)).aliasMark == nil)
        #expect(root["a"]?.aliasMark == nil)

        // Placed by an alias: the alias's position, by any way of reaching the node.
        #expect(pairs.value(at: try position(of: "b", in: pairs)).aliasMark == mark(2, 4))
        #expect(root["b"]?.aliasMark == mark(2, 4))
        #expect(pairs[try position(of: "b", in: pairs)].value.aliasMark == mark(2, 4))
        #expect(root["b"]?.mark == mark(1, 4))

        let items = try #require(root["c"]?.sequence)
        #expect(items[0].aliasMark == nil)
        #expect(items[1].aliasMark == mark(3, 10))

        // An item of a collection that an alias placed is written in the anchored one.
        let aliased = try #require(root["e"])
        #expect(aliased.aliasMark == mark(5, 4))
        #expect(try #require(aliased.sequence).first?.aliasMark == nil)

        // Keys and values of a merge written in place are not placed by an alias.
        let merged = try #require(root["f"]?.mapping)
        #expect(merged.key(at: 0).aliasMark == nil)
        #expect(merged.value(at: 0).aliasMark == nil)
    }

    @Test func positionsStayInTheirDocument() throws {
        let text = "a: &x 1\nb: *x\n---\nc: [*y]\n---\nd: &z 2\ne: [*z]\n"
        let stream = try YAMLParser(text).read()
        #expect(stream.errors.count == 1)
        let roots = stream.documents.map(\.root)
        #expect(roots.count == 2)

        let first = try #require(roots.first?.mapping)
        #expect(first.aliasMark(ofValueAt: 1) == mark(2, 4))
        let last = try #require(roots.last?["e"]?.sequence)
        #expect(last.aliasMark(at: 0) == mark(7, 5))
    }
}
