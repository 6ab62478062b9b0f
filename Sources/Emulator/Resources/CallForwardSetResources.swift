import NGCPCore

/// Visibility and filters shared by the four call forward set collections.
private func visibleOwner(_ subscriberID: Int, _ state: State, _ role: Role) -> Subscriber? {
    SubscribersResource().visible(subscriberID, state, role)
}

private func filterSets(
    _ ids: [Int], subscriberOf: (Int) -> Int?, nameOf: (Int) -> String?, state: State,
    context: RequestContext
) -> [Int] {
    var result = ids.filter { id in
        subscriberOf(id).flatMap { visibleOwner($0, state, context.role) } != nil
    }
    result = context.query.filter(result, by: "subscriber_id") { id, value in
        subscriberOf(id) == Int(value)
    }
    result = context.query.filter(result, by: "name") { id, value in
        WildcardPattern(value).matches(nameOf(id))
    }
    return result
}

/// `/api/cfdestinationsets/`.
struct DestinationSetsResource: Resource {
    let name = "cfdestinationsets"
    let entityName = "cfdestinationset"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let marksAllItemLinks = true
    let hasSelfRelation = true

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let ids = state.destinationSets.sortedIDs()
        let snapshot = state
        return filterSets(
            ids,
            subscriberOf: { snapshot.destinationSets[$0]?.subscriberID },
            nameOf: { snapshot.destinationSets[$0]?.name }, state: snapshot, context: context)
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let set = state.destinationSets[id],
            let owner = visibleOwner(set.subscriberID, state, context.role)
        else { return nil }
        let domain = state.domains[owner.domainID]?.domain ?? ""
        return [
            "id": .int(id), "name": .string(set.name), "subscriber_id": .int(set.subscriberID),
            "destinations": .array(
                set.destinations.map {
                    DestinationFormat.render($0, domain: domain, symbolic: false)
                }
            ),
            "usage_count": .int(CallForwardSets.usageCount(destinationSet: id, in: state)),
        ]
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [
            Relation(
                "subscribers", "/api/subscribers/\(state.destinationSets[id]?.subscriberID ?? 0)")
        ]
    }

    private func build(
        _ body: [String: JSONValue], id: Int, in state: State, context: RequestContext
    ) throws(APIError) -> DestinationSet {
        let owner = try CallForwardSets.owner(body, state: state, role: context.role)
        let name = try CallForwardSets.requireName(body)
        if state.destinationSets.values.contains(where: {
            $0.subscriberID == owner.id && $0.name == name && $0.id != id
        }) {
            throw APIError.unprocessable("a destination set with this name already exists")
        }
        let keywordNumber = state.primaryNumber(of: owner)?.e164 ?? ""
        guard
            let destinations = try DestinationFormat.parse(
                body["destinations"], type: nil, subscriber: owner, state: state,
                numberForKeywords: keywordNumber)
        else {
            throw APIError.validation(
                field: "destination", input: "", errors: "Destination field is required")
        }
        return DestinationSet(
            id: id, subscriberID: owner.id, name: name, destinations: destinations)
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        let set = try build(body, id: state.destinationSets.nextID, in: state, context: context)
        state.destinationSets.put(set)
        return set.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        state.destinationSets.put(try build(body, id: id, in: state, context: context))
    }

    /// Deleting a set deletes the mappings that use it.
    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        state.destinationSets.remove(id)
        for mapping in state.mappings.values where mapping.destinationSetID == id {
            state.mappings.remove(mapping.id)
        }
    }
}

/// `/api/cftimesets/`.
struct TimeSetsResource: Resource {
    let name = "cftimesets"
    let entityName = "cftimeset"
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let patchOperations = ["add", "replace", "remove", "copy"]
    let marksAllItemLinks = true
    let hasSelfRelation = true

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let ids = state.timeSets.sortedIDs()
        let snapshot = state
        return filterSets(
            ids, subscriberOf: { snapshot.timeSets[$0]?.subscriberID },
            nameOf: { snapshot.timeSets[$0]?.name }, state: snapshot, context: context)
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let set = state.timeSets[id],
            visibleOwner(set.subscriberID, state, context.role) != nil
        else { return nil }
        return [
            "id": .int(id), "name": .string(set.name), "subscriber_id": .int(set.subscriberID),
            "times": .array(set.times.map(CallForwardSets.render)),
            "usage_count": .int(CallForwardSets.usageCount(timeSet: id, in: state)),
        ]
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("subscribers", "/api/subscribers/\(state.timeSets[id]?.subscriberID ?? 0)")]
    }

    private func build(
        _ body: [String: JSONValue], id: Int, in state: State, context: RequestContext
    ) throws(APIError) -> TimeSet {
        let owner = try CallForwardSets.owner(body, state: state, role: context.role)
        let name = try CallForwardSets.requireName(body)
        if state.timeSets.values.contains(where: {
            $0.subscriberID == owner.id && $0.name == name && $0.id != id
        }) {
            throw APIError.unprocessable("a time set with this name already exists")
        }
        return TimeSet(
            id: id, subscriberID: owner.id, name: name,
            times: CallForwardSets.parseTimes(body["times"]))
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        let set = try build(body, id: state.timeSets.nextID, in: state, context: context)
        state.timeSets.put(set)
        return set.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        state.timeSets.put(try build(body, id: id, in: state, context: context))
    }

    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        state.timeSets.remove(id)
        let unassign = context.query.value("unassign_first") == "1"
        for var mapping in state.mappings.values where mapping.timeSetID == id {
            if unassign {
                mapping.timeSetID = nil
                state.mappings.put(mapping)
            } else {
                state.mappings.remove(mapping.id)
            }
        }
    }
}

/// `/api/cfsourcesets/` and `/api/cfbnumbersets/`, which differ only in their entry name.
struct PatternSetsResource: Resource {
    let isBNumberSet: Bool
    let collectionMethods = ["GET", "POST"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let patchOperations = ["add", "replace", "remove", "copy"]

    var name: String { isBNumberSet ? "cfbnumbersets" : "cfsourcesets" }
    var entityName: String { isBNumberSet ? "cfbnumberset" : "cfsourceset" }
    private var listKey: String { isBNumberSet ? "bnumbers" : "sources" }
    private var entryKey: String { isBNumberSet ? "bnumber" : "source" }
    var marksAllItemLinks: Bool { isBNumberSet }
    /// Source set items have neither a self relation nor a journal link.
    var hasSelfRelation: Bool { isBNumberSet }
    var hasJournal: Bool { isBNumberSet }

    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let sorted = state.patternSets.sortedIDs()
        let snapshot = state
        let ids = sorted.filter {
            snapshot.patternSets[$0]?.isBNumberSet == isBNumberSet
        }
        return filterSets(
            ids, subscriberOf: { snapshot.patternSets[$0]?.subscriberID },
            nameOf: { snapshot.patternSets[$0]?.name }, state: snapshot, context: context)
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let set = state.patternSets[id], set.isBNumberSet == isBNumberSet,
            visibleOwner(set.subscriberID, state, context.role) != nil
        else { return nil }
        return [
            "id": .int(id), "name": .string(set.name), "subscriber_id": .int(set.subscriberID),
            "mode": .string(set.mode), "is_regex": .bool(set.isRegex),
            listKey: .array(set.entries.map { [entryKey: .string($0)] }),
            "usage_count": .int(CallForwardSets.usageCount(patternSet: id, in: state)),
        ]
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("subscribers", "/api/subscribers/\(state.patternSets[id]?.subscriberID ?? 0)")]
    }

    private func build(
        _ body: [String: JSONValue], id: Int, in state: State, context: RequestContext
    ) throws(APIError) -> NumberPatternSet {
        let owner = try CallForwardSets.owner(body, state: state, role: context.role)
        let name = try CallForwardSets.requireName(body)
        let mode = Fields.text(body["mode"]) ?? ""
        guard mode == "whitelist" || mode == "blacklist" else {
            throw APIError.validation(
                field: "mode", input: mode,
                errors: mode.isEmpty ? "Mode field is required" : "'\(mode)' is not a valid value")
        }
        if state.patternSets.values.contains(where: {
            $0.subscriberID == owner.id && $0.name == name && $0.id != id
                && $0.isBNumberSet == isBNumberSet
        }) {
            let kind = isBNumberSet ? "bnumber set" : "source set"
            throw APIError.unprocessable("a \(kind) with this name already exists")
        }
        guard let entries = CallForwardSets.parseEntries(body[listKey], key: entryKey) else {
            throw APIError.validation(
                field: entryKey, input: "", errors: "\(entryKey.capitalized) field is required")
        }
        return NumberPatternSet(
            id: id, subscriberID: owner.id, name: name, mode: mode,
            isRegex: Fields.flag(body["is_regex"], default: false), entries: entries,
            isBNumberSet: isBNumberSet)
    }

    func create(_ body: [String: JSONValue], in state: inout State, context: RequestContext)
        throws(APIError) -> Int
    {
        let set = try build(body, id: state.patternSets.nextID, in: state, context: context)
        state.patternSets.put(set)
        return set.id
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        state.patternSets.put(try build(body, id: id, in: state, context: context))
    }

    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        state.patternSets.remove(id)
        let unassign = context.query.value("unassign_first") == "1"
        for var mapping in state.mappings.values
        where mapping.sourceSetID == id || mapping.bnumberSetID == id {
            if unassign {
                if mapping.sourceSetID == id { mapping.sourceSetID = nil }
                if mapping.bnumberSetID == id { mapping.bnumberSetID = nil }
                state.mappings.put(mapping)
            } else {
                state.mappings.remove(mapping.id)
            }
        }
    }
}
