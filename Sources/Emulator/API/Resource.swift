import NGCPCore

/// The caller's role: an administrator may use every object, a reseller only its own.
enum Role: Sendable, Equatable {
    case admin
    case reseller(Int)

    /// True when an object of `resellerID` is visible to this role.
    func sees(resellerID: Int?) -> Bool {
        switch self {
        case .admin: return true
        case .reseller(let own): return resellerID == own
        }
    }
}

/// One `ngcp:<name>` relation of an item, rendered as an array of hrefs.
struct Relation {
    var name: String
    var hrefs: [String]

    init(_ name: String, _ hrefs: String...) {
        self.name = name
        self.hrefs = hrefs
    }

    init(_ name: String, hrefs: [String]) {
        self.name = name
        self.hrefs = hrefs
    }
}

/// A collection query: the filters and ordering that the request asked for.
struct CollectionQuery {
    var parameters: [(name: String, value: String)]

    func value(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}

/// The request details a resource handler may need.
struct RequestContext {
    var role: Role
    var query: CollectionQuery
}

/// One API collection and its items.
///
/// The router does the protocol work (auth, methods, media types, paging, HAL envelopes,
/// JSON Patch); a resource implements only its own data and rules.
protocol Resource: Sendable {
    /// The collection name in the URL, e.g. "customers".
    var name: String { get }
    /// The singular used in "Entity '<name>' not found.".
    var entityName: String { get }
    /// Methods besides OPTIONS and HEAD, in the order OPTIONS lists them.
    var collectionMethods: [String] { get }
    var itemMethods: [String] { get }
    /// The JSON Patch operations PATCH accepts, in the order the error message lists them.
    var patchOperations: [String] { get }
    /// Generic NGCP handlers mark every relation in item Link headers with "item".
    var marksAllItemLinks: Bool { get }
    /// Whether items carry a `ngcp:<collection>` relation pointing at themselves.
    var hasSelfRelation: Bool { get }
    var hasJournal: Bool { get }
    /// Resources that reseller logins may not use at all (403).
    var isAdminOnly: Bool { get }
    /// Whether item responses repeat the links as HTTP Link headers.
    var sendsLinkHeaders: Bool { get }

    /// Ids visible to the role that pass the query's filters, in ascending order.
    func matchingIDs(in state: inout State, context: RequestContext) -> [Int]
    /// The item's fields without `_links`, or nil when it is not visible.
    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    /// The item's resource-specific relations.
    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation]

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError)
    /// The document a JSON Patch is applied to.
    func patchDocument(of id: Int, in state: State, context: RequestContext) -> [String: JSONValue]?
    func applyPatched(
        _ id: Int, document: [String: JSONValue], original: [String: JSONValue],
        in state: inout State, context: RequestContext) throws(APIError)
    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError)
}

extension Resource {
    var marksAllItemLinks: Bool { false }
    var hasSelfRelation: Bool { false }
    var hasJournal: Bool { true }
    var isAdminOnly: Bool { false }
    var sendsLinkHeaders: Bool { true }
    var patchOperations: [String] { ["replace", "copy"] }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        throw APIError.pathNotFound()
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        throw APIError.pathNotFound()
    }

    func patchDocument(of id: Int, in state: State, context: RequestContext) -> [String: JSONValue]?
    {
        representation(of: id, in: state, context: context)
    }

    func applyPatched(
        _ id: Int, document: [String: JSONValue], original: [String: JSONValue],
        in state: inout State, context: RequestContext
    ) throws(APIError) {
        try replace(id, with: document, in: &state, context: context)
    }

    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        throw APIError.pathNotFound()
    }
}
