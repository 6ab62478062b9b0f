import NGCPCore

/// `/api/callforwards/<subscriber id>`: one simple forward per type, kept in `quickset_<type>`
/// sets. PUT replaces the whole configuration.
struct CallForwardsResource: Resource {
    let name = "callforwards"
    let entityName = "callforward"
    let collectionMethods = ["GET"]
    let itemMethods = ["GET", "PATCH", "PUT", "DELETE"]
    let marksAllItemLinks = true
    let hasSelfRelation = true

    private let subscribers = SubscribersResource()

    /// Every visible subscriber; the collection has no filters.
    func matchingIDs(in state: inout State, context: RequestContext) -> [Int] {
        let ids = state.subscribers.sortedIDs()
        if context.role == .admin { return ids }
        return ids.filter { subscribers.visible($0, state, context.role) != nil }
    }

    func representation(of id: Int, in state: State, context: RequestContext) -> [String:
        JSONValue]?
    {
        guard let subscriber = subscribers.visible(id, state, context.role) else { return nil }
        var fields: [String: JSONValue] = [:]
        let mappings = state.mappings.records(ownedBy: id).sorted {
            $0.id < $1.id
        }
        for type in callForwardTypes {
            guard let mapping = mappings.first(where: { $0.type == type }) else {
                fields[type] = [:]
                continue
            }
            fields[type] = render(mapping, subscriber: subscriber, state: state)
        }
        return fields
    }

    private func render(_ mapping: CFMapping, subscriber: Subscriber, state: State) -> JSONValue {
        let domain = state.domains[subscriber.domainID]?.domain ?? ""
        func reference(_ id: Int?, _ name: String?) -> JSONValue {
            guard let id, let name else { return .null }
            return [
                "id": .int(id), "name": .string(name), "own": 1,
                "subscriber_id": .int(subscriber.provisioningID),
            ]
        }
        let destinationSet = state.destinationSets[mapping.destinationSetID]
        let timeSet = mapping.timeSetID.flatMap { state.timeSets[$0] }
        let sourceSet = mapping.sourceSetID.flatMap { state.patternSets[$0] }
        let bnumberSet = mapping.bnumberSetID.flatMap { state.patternSets[$0] }
        var fields: [String: JSONValue] = [
            "destination_set": reference(destinationSet?.id, destinationSet?.name),
            "destinations": .array(
                (destinationSet?.destinations ?? []).map {
                    DestinationFormat.render($0, domain: domain, symbolic: true)
                }),
            "time_set": reference(timeSet?.id, timeSet?.name),
            "times": .array((timeSet?.times ?? []).map(CallForwardSets.render)),
            "sources": .array((sourceSet?.entries ?? []).map { ["source": .string($0)] }),
            "sources_mode": .string(sourceSet?.mode ?? "whitelist"),
            "sources_is_regex": .bool(sourceSet?.isRegex ?? false),
            "bnumbers": .array((bnumberSet?.entries ?? []).map { ["bnumber": .string($0)] }),
            "bnumbers_mode": .string(bnumberSet?.mode ?? "whitelist"),
            "bnumbers_is_regex": .bool(bnumberSet?.isRegex ?? false),
        ]
        for (key, set) in [("source_set", sourceSet), ("bnumber_set", bnumberSet)] {
            guard let set else {
                fields[key] = .null
                continue
            }
            fields[key] = [
                "id": .int(set.id), "name": .string(set.name), "own": 1,
                "subscriber_id": .int(subscriber.provisioningID), "mode": .string(set.mode),
                "is_regex": .int(set.isRegex ? 1 : 0),
            ]
        }
        if mapping.type == "cft" {
            fields["ringtimeout"] = subscriber.preferences.object["ringtimeout"] ?? .null
        }
        return .object(fields)
    }

    func relations(of id: Int, in state: State, context: RequestContext) -> [Relation] {
        [Relation("subscribers", "/api/subscribers/\(id)")]
    }

    func replace(
        _ id: Int, with body: [String: JSONValue], in state: inout State, context: RequestContext
    )
        throws(APIError)
    {
        guard let subscriber = state.subscribers[id] else {
            throw APIError.entityNotFound(entityName)
        }
        let mappings = state.mappings.records(ownedBy: id)
        for type in callForwardTypes where mappings.filter({ $0.type == type }).count > 1 {
            throw APIError.unprocessable("Not a simple cf. Multiple \(type)-s configured.")
        }

        // Everything is checked before the first change, so a failing type changes nothing.
        var plans: [(type: String, plan: ForwardPlan?)] = []
        for type in callForwardTypes {
            plans.append((type, try ForwardPlan.make(type, body[type], subscriber, state)))
        }
        var ringTimeout: Int?
        if let value = body["cft"]?.objectValue?["ringtimeout"], !Fields.isBlank(value) {
            guard let number = Fields.integer(value) else {
                throw APIError.validation(
                    field: "cft_ringtimeout", input: Fields.inputText(value),
                    errors: "Value must be an integer")
            }
            ringTimeout = number
        }

        for (type, plan) in plans {
            let existing = state.mappings.records(ownedBy: id).first { $0.type == type }
            if let plan {
                plan.apply(to: existing, subscriber: subscriber, in: &state)
            } else if let existing {
                ForwardPlan.clear(existing, in: &state)
            }
        }
        guard var updated = state.subscribers[id] else { return }
        let hasForward = state.mappings.records(ownedBy: id).contains {
            $0.type == "cft" && $0.enabled
        }
        if let ringTimeout, ringTimeout > 0 {
            updated.preferences.object["ringtimeout"] = .int(ringTimeout)
        } else if !hasForward {
            updated.preferences.object["ringtimeout"] = nil
        }
        state.putSubscriber(updated)
    }

    func delete(_ id: Int, in state: inout State, context: RequestContext) throws(APIError) {
        try replace(id, with: [:], in: &state, context: context)
    }
}

/// The changes a callforwards PUT makes for one forward type that has destinations.
struct ForwardPlan {
    var type: String
    var destinations: [Destination]
    var times: [TimePeriod]
    var sources: [String]
    var sourcesMode: String?
    var sourcesIsRegex: Bool
    var bnumbers: [String]
    var bnumbersMode: String?
    var bnumbersIsRegex: Bool

    /// Nil clears the type. The real server's failures on incomplete input are database
    /// errors after validation, so they come out as 500s here too.
    static func make(_ type: String, _ value: JSONValue?, _ subscriber: Subscriber, _ state: State)
        throws(APIError) -> ForwardPlan?
    {
        let failure = APIError(500, "CallForward '\(type)' could not be updated.")
        guard let object = value?.objectValue else { return nil }
        guard
            let destinations = try DestinationFormat.parse(
                object["destinations"], type: type, subscriber: subscriber, state: state),
            let sources = CallForwardSets.parseEntries(object["sources"], key: "source"),
            let bnumbers = CallForwardSets.parseEntries(object["bnumbers"], key: "bnumber")
        else { throw failure }
        let times = CallForwardSets.parseTimes(object["times"])
        if destinations.isEmpty {
            if !times.isEmpty || !sources.isEmpty || !bnumbers.isEmpty { throw failure }
            return nil
        }
        // The mode and regex columns of a new source or B-number set are NOT NULL.
        if !sources.isEmpty && (object["sources_mode"] == nil || object["sources_is_regex"] == nil)
        {
            throw failure
        }
        if !bnumbers.isEmpty
            && (object["bnumbers_mode"] == nil || object["bnumbers_is_regex"] == nil)
        {
            throw failure
        }
        return ForwardPlan(
            type: type, destinations: destinations, times: times, sources: sources,
            sourcesMode: Fields.text(object["sources_mode"]),
            sourcesIsRegex: Fields.flag(object["sources_is_regex"], default: false),
            bnumbers: bnumbers, bnumbersMode: Fields.text(object["bnumbers_mode"]),
            bnumbersIsRegex: Fields.flag(object["bnumbers_is_regex"], default: false))
    }

    private var quicksetName: String { "quickset_\(type)" }

    func apply(to existing: CFMapping?, subscriber: Subscriber, in state: inout State) {
        let owner = subscriber.id
        var mapping =
            existing
            ?? CFMapping(
                id: state.mappings.allocateID(), subscriberID: owner, type: type,
                destinationSetID: 0, timeSetID: nil, sourceSetID: nil, bnumberSetID: nil,
                enabled: true, useRedirection: false)

        var destinationSet =
            state.destinationSets[mapping.destinationSetID]
            ?? DestinationSet(
                id: state.destinationSets.allocateID(), subscriberID: owner, name: quicksetName,
                destinations: [])
        destinationSet.destinations = destinations
        state.destinationSets.put(destinationSet)
        mapping.destinationSetID = destinationSet.id

        if times.isEmpty {
            Self.dropQuickset(timeSet: mapping.timeSetID, in: &state)
            mapping.timeSetID = nil
        } else {
            var timeSet =
                mapping.timeSetID.flatMap { state.timeSets[$0] }
                ?? TimeSet(
                    id: state.timeSets.allocateID(), subscriberID: owner, name: quicksetName,
                    times: [])
            timeSet.times = times
            state.timeSets.put(timeSet)
            mapping.timeSetID = timeSet.id
        }
        mapping.sourceSetID = patternSet(
            mapping.sourceSetID, entries: sources, mode: sourcesMode, isRegex: sourcesIsRegex,
            isBNumberSet: false, owner: owner, in: &state)
        mapping.bnumberSetID = patternSet(
            mapping.bnumberSetID, entries: bnumbers, mode: bnumbersMode,
            isRegex: bnumbersIsRegex, isBNumberSet: true, owner: owner, in: &state)
        state.mappings.put(mapping)
    }

    private func patternSet(
        _ currentID: Int?, entries: [String], mode: String?, isRegex: Bool, isBNumberSet: Bool,
        owner: Int, in state: inout State
    ) -> Int? {
        if entries.isEmpty {
            Self.dropQuickset(patternSet: currentID, in: &state)
            return nil
        }
        var set =
            currentID.flatMap { state.patternSets[$0] }
            ?? NumberPatternSet(
                id: state.patternSets.allocateID(), subscriberID: owner, name: quicksetName,
                mode: "whitelist", isRegex: false, entries: [], isBNumberSet: isBNumberSet)
        set.entries = entries
        set.mode = mode ?? set.mode
        set.isRegex = isRegex
        state.patternSets.put(set)
        return set.id
    }

    /// Removes a forward: its mapping, its named destination set, and its quickset time,
    /// source and B-number sets. A quickset destination set stays, unused.
    static func clear(_ mapping: CFMapping, in state: inout State) {
        state.mappings.remove(mapping.id)
        if let set = state.destinationSets[mapping.destinationSetID],
            !set.name.hasPrefix("quickset_")
        {
            state.destinationSets.remove(set.id)
            for other in state.mappings.values where other.destinationSetID == set.id {
                state.mappings.remove(other.id)
            }
        }
        dropQuickset(timeSet: mapping.timeSetID, in: &state)
        dropQuickset(patternSet: mapping.sourceSetID, in: &state)
        dropQuickset(patternSet: mapping.bnumberSetID, in: &state)
    }

    static func dropQuickset(timeSet id: Int?, in state: inout State) {
        guard let id, let set = state.timeSets[id], set.name.hasPrefix("quickset_") else { return }
        state.timeSets.remove(id)
    }

    static func dropQuickset(patternSet id: Int?, in state: inout State) {
        guard let id, let set = state.patternSets[id], set.name.hasPrefix("quickset_") else {
            return
        }
        state.patternSets.remove(id)
    }
}
