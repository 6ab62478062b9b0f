/// One member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    public let name: String
    public let value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }
}

/// The members of one JSON object in source order, without repeated names.
public struct JSONMembers: Sendable, Hashable {
    public private(set) var members: [JSONMember]
    /// True when the names are in ascending order.
    public let isSorted: Bool

    init(_ members: [JSONMember], sorted: Bool) {
        self.members = members
        isSorted = sorted
    }

    /// Creates the members of `object`, sorted by name.
    public init(_ object: [String: JSONValue]) {
        var members: [JSONMember] = []
        members.reserveCapacity(object.count)
        for (name, value) in object { members.append(JSONMember(name: name, value: value)) }
        members.sort { $0.name < $1.name }
        self.members = members
        isSorted = true
    }

    /// Returns the members sorted by name.
    public func sorted() -> JSONMembers {
        isSorted ? self : JSONMembers(members.sorted { $0.name < $1.name }, sorted: true)
    }

    public subscript(name: String) -> JSONValue? {
        members.first { $0.name == name }?.value
    }

    /// The members as a dictionary.
    public var object: [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: members.count)
        for member in members { object[member.name] = member.value }
        return object
    }

    /// Drops the members named in `names`. Names are compared one by one, which for the
    /// few names of a representation is cheaper than hashing every member's name.
    public mutating func remove(_ names: [String]) {
        members.removeAll { member in names.contains { $0 == member.name } }
    }
}

/// A HAL collection page as `JSONValue.parseCollectionPage` reads it.
public struct JSONCollectionPage: Sendable {
    /// The page's members (`total_count`, `_links`, and `_embedded` without the items).
    public var members: [String: JSONValue]
    /// The items, or nil when `_embedded` has no member for the relation. An empty page has
    /// no `_embedded` at all.
    public var items: [JSONMembers]?
}
