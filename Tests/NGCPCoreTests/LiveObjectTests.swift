import NGCPCore
import Testing

@Suite struct LiveObjectTests {
    static let fields: [String: JSONValue] = [
        "username": "alice", "domain_id": 3, "alias_numbers": [], "lock": nil,
        "primary_number": ["cc": 43, "ac": "0720", "sn": "100"], "create_timestamp": "t",
        "a": true, "zz": 1.5, "Émile": "non-ASCII name",
    ]

    @Test("lookup by field name")
    func lookup() {
        let object = LiveObject(id: 7, fields: Self.fields)
        for (name, value) in Self.fields {
            #expect(object[name] == value, "\(name)")
        }
        for missing in ["", "b", "username2", "user", "zzz", "Émil"] {
            #expect(object[missing] == nil, "\(missing)")
        }
        #expect(LiveObject(id: 1, fields: [:])["x"] == nil)
    }

    @Test("fields round trip and setter")
    func fieldsRoundTrip() {
        var object = LiveObject(id: 7, fields: Self.fields)
        #expect(object.fields == Self.fields)
        #expect(object.fieldNames == Self.fields.keys.sorted())

        object.fields["username"] = "bob"
        object.fields["new_field"] = 2
        #expect(object["username"] == "bob")
        #expect(object["new_field"] == 2)
        #expect(object.fields.count == Self.fields.count + 1)
    }

    @Test("equality ignores field order")
    func equality() {
        var reversed: [String: JSONValue] = [:]
        for (name, value) in Self.fields.sorted(by: { $0.key > $1.key }) {
            reversed[name] = value
        }
        let first = LiveObject(id: 7, fields: Self.fields)
        let second = LiveObject(id: 7, fields: reversed)
        #expect(first == second)
        #expect(Set([first, second]).count == 1)
        #expect(first != LiveObject(id: 8, fields: Self.fields))
        var changed = Self.fields
        changed["lock"] = 1
        #expect(first != LiveObject(id: 7, fields: changed))
    }

    @Test("object from page members")
    func fromPageMembers() throws {
        let page = try JSONValue.parseCollectionPage(
            Array(#"{"_embedded": {"ngcp:x": [{"b": 2, "a": 1, "c": 3}, {"a": 1, "b": 2}]}}"#.utf8),
            relation: "ngcp:x")
        let items = try #require(page.items?.map(\.members))
        let unsorted = LiveObject(id: 1, members: items[0])
        #expect(unsorted.fieldNames == ["a", "b", "c"])
        #expect(unsorted["a"] == 1)
        #expect(unsorted["c"] == 3)
        #expect(unsorted == LiveObject(id: 1, fields: ["a": 1, "b": 2, "c": 3]))
        #expect(
            LiveObject(id: 2, members: items[1]) == LiveObject(id: 2, fields: ["a": 1, "b": 2]))
    }
}
