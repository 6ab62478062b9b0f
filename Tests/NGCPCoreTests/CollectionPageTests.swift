import NGCPCore
import Testing

@Suite struct CollectionPageTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONCollectionPage {
        try JSONValue.parseCollectionPage(Array(text.utf8), relation: "ngcp:things")
    }

    @Test("items keep order and self link")
    func items() throws {
        let page = try Self.parse(
            #"""
            {"_embedded": {"ngcp:things": [
                {"_links": {"self": {"href": "/api/things/1"}, "other": [{"href": "x"}]},
                 "id": 1, "nested": {"b": [1, 2], "a": null}, "zeta": "z"},
                {"id": 2, "name": "second", "alpha": true}]},
             "_links": {"self": {"href": "/api/things/"}}, "total_count": 2}
            """#)
        let items = try #require(page.items)
        #expect(items.count == 2)
        #expect(items[0].members["id"] == 1)
        #expect(items[0].members["nested"] == ["a": nil, "b": [1, 2]])
        #expect(items[0].members["_links"] == nil)
        #expect(items[0].selfLink == "/api/things/1")
        #expect(items[0].members.isSorted)
        #expect(items[1].members.members.map(\.name) == ["id", "name", "alpha"])
        #expect(items[1].members["alpha"] == true)
        #expect(!items[1].members.isSorted)
        #expect(items[1].selfLink == nil)
        #expect(page.members["total_count"] == 2)
        #expect(page.members["_embedded"] == [:])
        #expect(page.members["_embedded"] != nil)
    }

    @Test("empty, lone and unrelated pages")
    func shapes() throws {
        let empty = try Self.parse(#"{"total_count": 0}"#)
        #expect(empty.items == nil)
        #expect(empty.members["_embedded"] == nil)

        let lone = try Self.parse(#"{"_embedded": {"ngcp:things": {"id": 7}}}"#)
        #expect(lone.items?.map { $0.members["id"] } == [7])

        let other = try Self.parse(#"{"_embedded": {"ngcp:others": [{"id": 7}]}}"#)
        #expect(other.items == nil)
        #expect(other.members["_embedded"] != nil)
        #expect(other.members["_embedded"]?["ngcp:others"] == [["id": 7]])
    }

    @Test(
        "invalid pages rejected",
        arguments: [
            (#"{"_embedded": {"ngcp:things": [{"a": 1, "a": 2}]}}"#, "duplicate key 'a'"),
            (#"{"_embedded": {"ngcp:things": [{"b": 1, "a": 2, "b": 3}]}}"#, "duplicate key 'b'"),
            (
                #"{"_embedded": {"ngcp:things": [], "ngcp:things": []}}"#,
                "duplicate key 'ngcp:things'"
            ),
            (#"{"_embedded": {"ngcp:things": [1]}}"#, "expected an object as a page item"),
            (
                #"{"_embedded": {"ngcp:things": "x"}}"#,
                "expected a list of objects as the page's items"
            ),
            (#"[{"id": 1}]"#, "expected a JSON object for a collection page"),
            (
                #"{"_embedded": {"ngcp:things": [{"id": 1}]}, "_embedded": {"ngcp:things": []}}"#,
                "duplicate key '_embedded'"
            ),
            (
                #"{"_embedded": {"ngcp:things": [{"id": 1}]}} x"#,
                "unexpected content after the JSON value"
            ),
        ])
    func invalid(_ text: String, _ message: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test(
        "self link shapes",
        arguments: [
            (#"{"self": {"href": "/api/things/1", "title": "t"}}"#, "/api/things/1"),
            (#"{"selfish": {"href": "/x"}, "self": {"title": "t"}}"#, nil),
            (#"{"self": [{"href": "/api/things/1"}]}"#, nil),
            (#"{"self": {"href": 1}}"#, nil),
            (#"{"sel\u0066": {"h\u0072ef": "/x"}}"#, "/x"),
            (#"{"sel\u0066x": {"href": "/x"}}"#, nil),
            (#"{}"#, nil),
        ] as [(String, String?)])
    func selfLinks(_ links: String, _ expected: String?) throws {
        let page = try Self.parse(#"{"_embedded": {"ngcp:things": [{"_links": \#(links)}]}}"#)
        let item = try #require(page.items?.first)
        #expect(item.selfLink == expected)
        #expect(item.members.members.isEmpty)
    }

    @Test(
        "repeated link keys rejected",
        arguments: [
            (#"{"_links": {"a": 1}, "id": 1, "_links": "x"}"#, "duplicate key '_links'", 61),
            (#"{"_links": "x", "_links": {"self": {"href": "/a"}}}"#, "duplicate key '_links'", 47),
            (
                #"{"_links": {"self": {"href": "/a"}, "self": {"href": "/b"}}}"#,
                "duplicate key 'self'", 67
            ),
            (#"{"_links": {"self": {"href": "/a", "href": "/b"}}}"#, "duplicate key 'href'", 66),
        ])
    func repeatedLinkKeys(_ item: String, _ message: String, _ offset: Int) {
        let text = #"{"_embedded": {"ngcp:things": ["# + item + "]}}"
        let error = #expect(throws: JSONParseError.self) { try Self.parse(text) }
        #expect(error?.message == message)
        #expect(error?.offset == offset)
    }

    @Test("links that are no object skipped")
    func linksNotAnObject() throws {
        let page = try Self.parse(#"{"_embedded": {"ngcp:things": [{"_links": "x", "id": 3}]}}"#)
        let item = try #require(page.items?.first)
        #expect(item.selfLink == nil)
        #expect(item.members.members.map(\.name) == ["id"])
    }

    @Test("repeated item links rejected")
    func repeatedLinks() {
        let text = #"{"_embedded": {"ngcp:things": [{"_links": {}, "id": 1, "_links": {}}]}}"#
        let error = #expect(throws: JSONParseError.self) { try Self.parse(text) }
        #expect(error?.message == "duplicate key '_links'")
        #expect(error?.offset == 55)
    }

    @Test("truncated page rejected")
    func truncated() {
        let bytes = Array(
            #"""
            {"_embedded": {"ngcp:things": [{"id": 1, "s": "a\"b"}, {"_links": {"x": [{"href": \
            "y"}], "self": {"name": "n", "href": "/api/things/2"}}, "id": 2}]}, "total_count": 2}
            """#.utf8)
        for length in 0..<bytes.count {
            #expect(throws: JSONParseError.self, "length \(length)") {
                try JSONValue.parseCollectionPage(
                    Array(bytes[..<length]), relation: "ngcp:things")
            }
        }
    }
}
