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
        guard let index = index(of: name) else { return nil }
        return members[index].value
    }

    /// Returns the position of the member named `name`, found by binary search when the names
    /// are sorted and one by one otherwise.
    func index(of name: String) -> Int? {
        guard isSorted else { return members.firstIndex { $0.name == name } }
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            let found = members[middle].name
            if found == name { return middle }
            if found < name { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The members as a dictionary.
    public var object: [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: members.count)
        for member in members { object[member.name] = member.value }
        return object
    }

    /// Drops the members named in `names`, moving the others rather than copying them.
    public mutating func remove(_ names: [String]) {
        for name in names {
            if let index = index(of: name) { members.remove(at: index) }
        }
    }
}

/// One item of a collection page.
public struct JSONCollectionItem: Sendable {
    /// The item's members without `_links`.
    public var members: JSONMembers
    /// The `href` of the item's `self` link, such as `/api/callforwards/42`; nil when the item
    /// has none.
    public var selfLink: String?

    public init(members: JSONMembers, selfLink: String? = nil) {
        self.members = members
        self.selfLink = selfLink
    }
}

/// A HAL collection page as `JSONValue.parseCollectionPage` reads it.
public struct JSONCollectionPage: Sendable {
    /// The page's members (`total_count`, `_links`, and `_embedded` without the items).
    public var members: [String: JSONValue]
    /// The items, or nil when `_embedded` has no member for the relation. An empty page has
    /// no `_embedded` at all.
    public var items: [JSONCollectionItem]?
}
