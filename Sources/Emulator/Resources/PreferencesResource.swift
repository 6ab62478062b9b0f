import NGCPCore

/// `/api/subscriberpreferences/<subscriber id>`: the set preferences of one subscriber as a
/// flat object. PUT replaces the whole set.
struct PreferencesResource: Resource {
    let name = "subscriberpreferences"
    let entityName = "subscriberpreference"
    let collectionMethods = ["GET"]
    let itemMethods = ["GET", "PATCH", "PUT"]
    /// add, remove and replace are the operations observed to work on a real server here.
    let patchOperations = ["add", "remove", "replace"]

    private let subscribers = SubscribersResource()

    /// One entry per subscriber; subscriber and customer filters do not apply here.
    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        var ids = state.subscribers.sortedIDs()
        if context.role != .admin {
            ids = ids.filter { subscribers.visible($0, state, context.role) != nil }
        }
        ids = context.query.filter(ids, by: "reseller_id") { id, value in
            state.subscribers[id].flatMap { state.resellerID(ofSubscriber: $0) } == Int(value)
        }
        ids = context.query.filter(ids, by: "contact_id") { id, value in
            state.subscribers[id].flatMap { state.customers[$0.customerID]?.contactID }
                == Int(value)
        }
        return ids
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let subscriber = subscribers.visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = [:]
        for (key, value) in subscriber.preferences.object
        where PreferenceCatalog.definitions[key]?.isVisible == true {
            fields[key] = value
        }
        fields["id"] = .int(id)
        fields["subscriber_id"] = .int(id)
        return fields
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("subscribers", "/api/subscribers/\(id)")]
    }

    /// Validates every given preference before anything is written.
    private func normalized(_ body: [String: JSONValue]) throws(APIError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for key in body.keys.sorted() where key != "id" && key != "subscriber_id" {
            if let value = try PreferenceCatalog.normalize(key, body[key] ?? .null) {
                result[key] = value
            }
        }
        return result
    }

    /// Keeps the hidden (internal) preferences, which the API never deletes.
    private func hiddenPreferences(of subscriber: Subscriber) -> [String: JSONValue] {
        subscriber.preferences.object.filter {
            PreferenceCatalog.definitions[$0.key]?.isVisible != true
        }
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        guard var subscriber = state.subscribers[id] else {
            throw APIError.entityNotFound(entityName)
        }
        let written = try normalized(body)
        var preferences = hiddenPreferences(of: subscriber)
        preferences.merge(written) { _, new in new }
        subscriber.preferences = StoredJSON(.object(preferences))
        state.putSubscriber(subscriber)
    }

    /// Keys the patch removed are deleted, keys it set are written; a null leaves the old
    /// value in place, except for `lock`, where null unlocks.
    func applyPatched(
        _ id: Int, document: [String: JSONValue], original: [String: JSONValue],
        in state: inout State, context: RequestContext
    ) throws(APIError) {
        guard var subscriber = state.subscribers[id] else {
            throw APIError.entityNotFound(entityName)
        }
        var preferences = subscriber.preferences.object
        for key in original.keys where document[key] == nil {
            preferences[key] = nil
        }
        for (key, value) in document where key != "id" && key != "subscriber_id" {
            if case .null = value {
                if key == "lock" { preferences[key] = nil }
                continue
            }
            if let stored = try PreferenceCatalog.normalize(key, value) {
                preferences[key] = stored
            }
        }
        subscriber.preferences = StoredJSON(.object(preferences))
        state.putSubscriber(subscriber)
    }
}

/// `/api/subscriberpreferencedefs/`: one object keyed by preference name, never paged.
struct PreferenceDefsResource: SingleDocumentResource {
    let name = "subscriberpreferencedefs"
    let entityName = "subscriberpreferencedef"
    let collectionMethods = ["GET"]
    let itemMethods: [String] = []

    func document(in state: State, context: RequestContext) -> JSONValue {
        var document = PreferenceCatalog.definitionsDocument()
        document["_links"] = [
            "self": ["href": .string("/api/\(name)/")],
            "profile": ["href": .string(HAL.profile)],
            "curies": HAL.curies,
        ]
        return .object(document)
    }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] { [] }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        nil
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] { [] }
}
