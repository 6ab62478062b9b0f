import NGCPCore
import Testing

@Suite struct JSONValueTests {
    @Test func parsesNestedDocument() throws {
        let value = try JSONValue.parse(#"{"a": [1, 2.5, "x", true, null], "b": {"c": -3}}"#)
        #expect(value["a"] == [1, 2.5, "x", true, nil])
        #expect(value["b"]?["c"] == .int(-3))
    }

    @Test func keepsIntegersApartFromDoubles() throws {
        #expect(try JSONValue.parse("43") == .int(43))
        #expect(try JSONValue.parse("43.0") == .double(43))
        #expect(try JSONValue.parse("1e2") == .double(100))
    }

    @Test(arguments: [
        ("duplicate key", #"{"a": 1, "a": 2}"#, "duplicate key 'a'"),
        (
            "duplicate long key in a nested item",
            #"[{"create_timestamp": 1}, {"x": {"create_timestamp": 1, "create_timestamp": 2}}]"#,
            "duplicate key 'create_timestamp'"
        ),
        ("duplicate key written with an escape", #"{"ab": 1, "a\u0062": 2}"#, "duplicate key 'ab'"),
        ("trailing comma", "[1, 2,]", "unexpected character ']'"),
        ("trailing content", "{} x", "unexpected content after the JSON value"),
        ("unterminated string", #""abc"#, "unterminated string"),
        ("leading zero", "01", "unexpected content after the JSON value"),
        ("bare word", "nope", "invalid literal, expected 'null'"),
        ("empty input", "", "unexpected end of input"),
    ])
    func rejectsInvalidText(_ name: String, _ text: String, _ message: String) {
        #expect(throws: JSONParseError.self, "\(name)") { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.message == message, "\(name)")
        }
    }

    @Test("repeated items with odd keys")
    func parsesRepeatedItems() throws {
        let item = #"""
            {"create_timestamp": "t", "billing_profile_definition": "id",
             "escaped_long_key\u005fx": 1, "non_ascii_lång_key_": [2, {"in": []}],
             "nested": [[], [{"create_timestamp": null}], {}], "short": "s"}
            """#
        let text = "[" + Array(repeating: item, count: 3).joined(separator: ",") + "]"
        let expected: JSONValue = [
            "create_timestamp": "t", "billing_profile_definition": "id",
            "escaped_long_key_x": 1, "non_ascii_lång_key_": [2, ["in": []]],
            "nested": [[], [["create_timestamp": nil]], [:]], "short": "s",
        ]
        #expect(try JSONValue.parse(text) == [expected, expected, expected])
    }

    @Test("truncated input rejected")
    func truncatedInput() throws {
        let text = #"""
            {"_links": {"self": {"href": "/api/x/"}, "ngcp:x": [{"href": "/a\"b"}]},
             "_embedded": {"ngcp:x": [{"_links": {"self": {"href": "/api/x/1"}, "n": [1e3]},
             "id": 1, "long_key_name_here": "caf\u00e9 \ud83d\ude00", "n": -0.5e-2,
             "t": true, "f": false, "z": null, "a": []}]}, "total_count": 1}
            """#
        let bytes = Array(text.utf8)
        let full = try JSONValue.parseCollectionPage(bytes, relation: "ngcp:x")
        #expect(full.members["total_count"] == 1)
        #expect(full.items?.first?.selfLink == "/api/x/1")
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(throws: JSONParseError.self, "length \(length)") {
                try JSONValue.parseCollectionPage(prefix, relation: "ngcp:x")
            }
            #expect(throws: JSONParseError.self, "length \(length)") {
                try JSONValue.parse(prefix)
            }
        }
    }

    @Test func rejectsExcessiveNesting() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#""a\n\"b\" \u00e9 \ud83d\ude00""#)
        #expect(value == .string("a\n\"b\" é 😀"))
    }

    @Test func serialisesWithSortedKeys() {
        let value: JSONValue = ["z": 1, "a": ["y": true, "b": nil], "m": [1, "two"]]
        #expect(value.serialized() == #"{"a":{"b":null,"y":true},"m":[1,"two"],"z":1}"#)
    }

    @Test func serialisationRoundTrips() throws {
        let value: JSONValue = [
            "text": "line\nbreak \"quoted\" \u{01}", "number": 2.5, "whole": 3.0, "list": [],
            "object": [:],
        ]
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    }
}

@Suite struct ResourceIDTests {
    @Test func textFormIsCollectionSlashName() {
        #expect(
            ResourceID(.subscribers, "alice@example.org").description
                == "subscribers/alice@example.org")
    }

    @Test func ordersByApplyRankThenName() {
        let ids = [
            ResourceID(.subscribers, "a@x"), ResourceID(.domains, "z.example"),
            ResourceID(.customers, "b"), ResourceID(.customercontacts, "b"),
            ResourceID(.domains, "a.example"),
        ]
        #expect(
            ids.sorted().map(\.description) == [
                "domains/a.example", "domains/z.example", "customercontacts/b", "customers/b",
                "subscribers/a@x",
            ])
    }
}
