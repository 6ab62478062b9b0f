import NGCPCore

/// `/api/cfmappings/<subscriber id>`: every forward rule of a subscriber, referencing sets by
/// id or name. PUT replaces all rules.
struct CFMappingsResource: Resource {
    let name = "cfmappings"
    let entityName = "cfmapping"
    let collectionMethods = ["GET"]
    let itemMethods = ["GET", "PATCH", "PUT"]
    let patchOperations = ["add", "replace", "remove", "copy"]

    private let subscribers = SubscribersResource()

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let ids = state.subscribers.sortedIDs()
        if context.role == .admin { return ids }
        return ids.filter { subscribers.visible($0, state, context.role) != nil }
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let subscriber = subscribers.visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = [
            "id": .int(id),
            "cft_ringtimeout": subscriber.preferences.object["ringtimeout"] ?? .null,
        ]
        let mappings = state.mappings.records(ownedBy: id).sorted {
            $0.id < $1.id
        }
        for type in callForwardTypes {
            fields[type] = .array(
                mappings.filter { $0.type == type }.map { render($0, in: state) })
        }
        return fields
    }

    private func render(_ mapping: CFMapping, in state: State) -> JSONValue {
        let timeSet = mapping.timeSetID.flatMap { state.timeSets[$0] }
        let sourceSet = mapping.sourceSetID.flatMap { state.patternSets[$0] }
        let bnumberSet = mapping.bnumberSetID.flatMap { state.patternSets[$0] }
        return [
            "cfm_id": .int(mapping.id),
            "destinationset": Fields.optional(
                state.destinationSets[mapping.destinationSetID]?.name),
            "destinationset_id": .int(mapping.destinationSetID),
            "timeset": Fields.optional(timeSet?.name),
            "timeset_id": Fields.optional(timeSet?.id),
            "sourceset": Fields.optional(sourceSet?.name),
            "sourceset_id": Fields.optional(sourceSet?.id),
            "bnumberset": Fields.optional(bnumberSet?.name),
            "bnumberset_id": Fields.optional(bnumberSet?.id),
            "enabled": .bool(mapping.enabled),
            "use_redirection": .bool(mapping.useRedirection),
        ]
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("subscribers", "/api/subscribers/\(id)")]
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        guard var subscriber = state.subscribers[id] else {
            throw APIError.entityNotFound(entityName)
        }
        var planned: [CFMapping] = []
        for type in callForwardTypes {
            guard let rules = body[type]?.arrayValue else {
                throw APIError.unprocessable("Invalid field '\(type)'. Must be an array.")
            }
            for rule in rules {
                planned.append(try mapping(type, rule.objectValue ?? [:], owner: id, state: state))
            }
        }
        var ringTimeout: Int?
        if let value = body["cft_ringtimeout"], !Fields.isBlank(value) {
            guard let number = Fields.integer(value) else {
                throw APIError.validation(
                    field: "cft_ringtimeout", input: Fields.inputText(value),
                    errors: "Value must be an integer")
            }
            ringTimeout = number
        }

        for existing in state.mappings.records(ownedBy: id) {
            state.mappings.remove(existing.id)
        }
        for var mapping in planned {
            mapping.id = state.mappings.allocateID()
            state.mappings.put(mapping)
        }
        if context.query.value("delete_unused_sets") == "1" {
            deleteUnusedSets(of: id, in: &state)
        }
        if let ringTimeout, ringTimeout > 0 {
            subscriber.preferences.object["ringtimeout"] = .int(ringTimeout)
        } else if !planned.contains(where: { $0.type == "cft" && $0.enabled }) {
            subscriber.preferences.object["ringtimeout"] = nil
        }
        state.putSubscriber(subscriber)
    }

    /// Resolves one rule's set references, which must belong to the same subscriber.
    private func mapping(
        _ type: String, _ rule: [String: JSONValue], owner: Int, state: State
    ) throws(APIError) -> CFMapping {
        func resolve(_ key: String, ids: [Int], name: (Int) -> String?) throws(APIError) -> Int? {
            if let id = Fields.integer(rule["\(key)_id"]) {
                guard ids.contains(id) else {
                    throw APIError.unprocessable("Invalid '\(key)'. Could not be found.")
                }
                return id
            }
            if let text = Fields.text(rule[key]), !text.isEmpty {
                guard let id = ids.first(where: { name($0) == text }) else {
                    throw APIError.unprocessable("Invalid '\(key)'. Could not be found.")
                }
                return id
            }
            return nil
        }
        let destinationIDs = state.destinationSets.records(ownedBy: owner)
            .map(\.id).sorted()
        guard
            let destinationSetID = try resolve(
                "destinationset", ids: destinationIDs, name: { state.destinationSets[$0]?.name })
        else {
            throw APIError.unprocessable(
                "Missing field 'destinationset' or 'destinationset_id' in '\(type)'.")
        }
        let timeIDs = state.timeSets.ids(ownedBy: owner)
        let sourceIDs = state.patternSets.records(ownedBy: owner).filter {
            !$0.isBNumberSet
        }.map(\.id).sorted()
        let bnumberIDs = state.patternSets.records(ownedBy: owner).filter {
            $0.isBNumberSet
        }.map(\.id).sorted()
        return CFMapping(
            id: 0, subscriberID: owner, type: type, destinationSetID: destinationSetID,
            timeSetID: try resolve("timeset", ids: timeIDs, name: { state.timeSets[$0]?.name }),
            sourceSetID: try resolve(
                "sourceset", ids: sourceIDs, name: { state.patternSets[$0]?.name }),
            bnumberSetID: try resolve(
                "bnumberset", ids: bnumberIDs, name: { state.patternSets[$0]?.name }),
            enabled: Fields.flag(rule["enabled"], default: true),
            useRedirection: Fields.flag(rule["use_redirection"], default: false))
    }

    private func deleteUnusedSets(of owner: Int, in state: inout State) {
        let used = state.mappings.records(ownedBy: owner)
        for set in state.destinationSets.records(ownedBy: owner)
        where !used.contains(where: { $0.destinationSetID == set.id }) {
            state.destinationSets.remove(set.id)
        }
        for set in state.timeSets.records(ownedBy: owner)
        where !used.contains(where: { $0.timeSetID == set.id }) {
            state.timeSets.remove(set.id)
        }
        for set in state.patternSets.records(ownedBy: owner)
        where !used.contains(where: { $0.sourceSetID == set.id || $0.bnumberSetID == set.id }) {
            state.patternSets.remove(set.id)
        }
    }
}

/// Every resource the emulator serves.
enum ResourceCatalog {
    static let all: [any Resource] = [
        ResellersResource(), BillingProfilesResource(), DomainsResource(), ContactsResource(),
        CustomersResource(), SubscribersResource(), CallForwardsResource(),
        DestinationSetsResource(), TimeSetsResource(), PatternSetsResource(isBNumberSet: false),
        PatternSetsResource(isBNumberSet: true), CFMappingsResource(), PreferencesResource(),
        PreferenceDefsResource(),
    ]
}
