import NGCPCore

/// A PBX group that the manifests declare, as its members see it.
struct DeclaredPBXGroup {
    /// The external_id of the group's customer.
    var customer: String
    /// The live group or the operation that creates it. Nil while the group is being planned,
    /// and when its planning failed with a problem of its own.
    var reference: Reference?
}

/// A member's reference to a live PBX group, kept to check that the plan does not delete the
/// group.
struct LivePBXGroupUse {
    var member: DesiredSubscriber
    /// The group's natural key, `username@domain`.
    var groupName: String
    /// The manifest field of the reference: `pbx_groups`, or `pbx_group_ids` for a raw id.
    var field: String
    var position: Int
    /// The position of the entry in the manifest, when known.
    var location: SourceLocation?
    var liveID: Int
}

extension PlanBuilder {
    /// Returns whether `subscriber` declares itself a PBX group.
    static func isPBXGroup(_ subscriber: DesiredSubscriber) -> Bool {
        subscriber.fields["is_pbx_group"]?.boolValue == true
    }

    /// Resolves the `pbx_groups` of `subscriber`, a subscriber of `customer`, to the live
    /// groups and the creates of declared groups, in manifest order. Declared groups must be
    /// planned already. Returns nil after reporting each name that is no group of the same
    /// customer.
    mutating func resolvePBXGroups(
        _ subscriber: DesiredSubscriber, customer: Reference, customerType: String
    ) -> [Reference]? {
        guard let groups = subscriber.pbxGroups else { return nil }
        guard customerType == "pbxaccount" || groups.isEmpty else {
            problems.append(.pbxGroupsWithoutPBX(subscriber, customerType: customerType))
            return nil
        }

        var references: [Reference] = []
        var resolved = true
        for (position, group) in groups.enumerated() {
            let key = LiveIndex.subscriberKey(username: group.username, domain: group.domain)
            if let declared = declaredPBXGroups[key] {
                guard declared.customer == subscriber.customer else {
                    problems.append(
                        .pbxGroupOfOtherCustomer(
                            subscriber, group: group, position: position,
                            customer: declared.customer))
                    resolved = false
                    continue
                }
                // A group whose own planning failed has its problem reported already.
                guard let reference = declared.reference else {
                    resolved = false
                    continue
                }
                references.append(reference)
                continue
            }

            guard let liveGroup = index.subscribersByKey[key] else {
                problems.append(.unknownPBXGroup(subscriber, group: group, position: position))
                resolved = false
                continue
            }
            guard liveGroup["is_pbx_group"]?.boolValue == true else {
                problems.append(.pbxGroupNotGroup(subscriber, group: group, position: position))
                resolved = false
                continue
            }
            let groupCustomer = liveGroup["customer_id"]?.intValue
            guard let groupCustomer, customer == .live(groupCustomer) else {
                let owner = groupCustomer.flatMap { index.customersByID[$0] }
                problems.append(
                    .pbxGroupOfOtherCustomer(
                        subscriber, group: group, position: position,
                        customer: owner?["external_id"]?.stringValue ?? "id \(groupCustomer ?? 0)"))
                resolved = false
                continue
            }
            livePBXGroupUses.append(
                LivePBXGroupUse(
                    member: subscriber, groupName: group.name, field: "pbx_groups",
                    position: position, location: group.location, liveID: liveGroup.id))
            references.append(.live(liveGroup.id))
        }
        return resolved ? references : nil
    }

    /// Checks the raw `pbx_group_ids` of `subscriber`, a subscriber of the PBX customer
    /// `customer`. NGCP rejects a member's whole write when one id is not a group of the
    /// member's customer (422 `Invalid id '<id>' in pbx_group_ids, does not exist for this
    /// customer.`), so each such id is reported.
    mutating func checkPBXGroupIDs(_ subscriber: DesiredSubscriber, customer: Reference) {
        guard let ids = subscriber.fields["pbx_group_ids"]?.arrayValue else { return }
        for (position, value) in ids.enumerated() {
            guard let id = value.intValue else { continue }
            // Only the customers in scope are read, and the member's customer is among them,
            // so an id that was not read is no subscriber of that customer.
            guard let live = index.subscribersByID[id] else {
                problems.append(.unknownPBXGroupID(subscriber, id: id, position: position))
                continue
            }
            let name = index.subscriberName(live)
            guard live["is_pbx_group"]?.boolValue == true else {
                problems.append(
                    .pbxGroupIDNotGroup(subscriber, id: id, position: position, name: name))
                continue
            }
            let groupCustomer = live["customer_id"]?.intValue
            guard let groupCustomer, customer == .live(groupCustomer) else {
                let owner = groupCustomer.flatMap { index.customersByID[$0] }
                problems.append(
                    .pbxGroupIDOfOtherCustomer(
                        subscriber, id: id, position: position, name: name,
                        customer: owner?["external_id"]?.stringValue ?? "id \(groupCustomer ?? 0)"))
                continue
            }
            livePBXGroupUses.append(
                LivePBXGroupUse(
                    member: subscriber, groupName: name, field: "pbx_group_ids",
                    position: position,
                    location: subscriber.fieldLocations["spec.pbx_group_ids[\(position)]"],
                    liveID: id))
        }
    }

    /// Returns the `pbx_group_ids` to send for `groups`, with the live ids that stay first, in
    /// their live order, and the new groups after them in manifest order. NGCP keeps the order
    /// of the groups that stay, so sending that order lets the read-after-write check find
    /// what was sent.
    static func pbxGroupIDs(_ groups: [Reference], live: JSONValue?) -> JSONValue {
        let liveIDs = live?.arrayValue?.compactMap(\.intValue) ?? []
        let desiredIDs = Set(groups.compactMap(\.liveID))
        let staying = liveIDs.filter { desiredIDs.contains($0) }
        let stayingIDs = Set(staying)
        let added = groups.filter { group in
            group.liveID.map { !stayingIDs.contains($0) } ?? true
        }
        return .array(staying.map { .int($0) } + added.map(\.jsonValue))
    }

    /// Reports each live group that a member names and the plan deletes, such as an
    /// undeclared group that prune removes, because NGCP would reject the member's list after
    /// the delete.
    mutating func checkDeletedPBXGroups() {
        for use in livePBXGroupUses where removedSubscribers.contains(use.liveID) {
            problems.append(.pbxGroupDeleted(use))
        }
    }
}

/// The problems of PBX group references.
extension PlanningProblem {
    /// Returns a problem of `subscriber` at its `pbx_groups` entry `position`, or at the
    /// subscriber when the entry's position is unknown.
    private static func atGroup(
        _ subscriber: DesiredSubscriber, _ group: SubscriberReference, position: Int,
        message: String, hint: String
    ) -> PlanningProblem {
        atEntry(
            subscriber, field: "pbx_groups", position: position, location: group.location,
            message: message, hint: hint)
    }

    /// Returns a problem of `subscriber` at its `pbx_group_ids` entry `position`, or at the
    /// subscriber when the entry's position is unknown.
    private static func atGroupID(
        _ subscriber: DesiredSubscriber, position: Int, message: String, hint: String
    ) -> PlanningProblem {
        atEntry(
            subscriber, field: "pbx_group_ids", position: position,
            location: subscriber.fieldLocations["spec.pbx_group_ids[\(position)]"],
            message: message, hint: hint)
    }

    private static func atEntry(
        _ subscriber: DesiredSubscriber, field: String, position: Int,
        location: SourceLocation?, message: String, hint: String
    ) -> PlanningProblem {
        guard let location else {
            return PlanningProblem(
                resource: subscriber.id, message: message, hint: hint,
                location: subscriber.location)
        }
        return PlanningProblem(
            resource: subscriber.id, message: message, hint: hint, location: location,
            fieldPath: "spec.\(field)[\(position)]")
    }

    static func unknownPBXGroup(
        _ subscriber: DesiredSubscriber, group: SubscriberReference, position: Int
    ) -> PlanningProblem {
        atGroup(
            subscriber, group, position: position,
            message: "PBX group '\(group.name)' is neither declared in these manifests nor "
                + "present on the target",
            hint: "declare the group as a subscriber with is_pbx_group: true, or correct the "
                + "name")
    }

    static func pbxGroupNotGroup(
        _ subscriber: DesiredSubscriber, group: SubscriberReference, position: Int
    ) -> PlanningProblem {
        atGroup(
            subscriber, group, position: position,
            message: "live subscriber '\(group.name)' is not a PBX group",
            hint: "name a subscriber with is_pbx_group: true")
    }

    static func pbxGroupOfOtherCustomer(
        _ subscriber: DesiredSubscriber, group: SubscriberReference, position: Int,
        customer: String
    ) -> PlanningProblem {
        atGroup(
            subscriber, group, position: position,
            message: "PBX group '\(group.name)' belongs to customer '\(customer)', not to "
                + "'\(subscriber.customer)'",
            hint: "a subscriber can only be a member of the PBX groups of its own customer")
    }

    static func pbxGroupDeleted(_ use: LivePBXGroupUse) -> PlanningProblem {
        // A raw id alone does not show which group it is, so the group's name comes with it.
        let group =
            use.field == "pbx_groups"
            ? "'\(use.groupName)'" : "'\(use.groupName)' (id \(use.liveID))"
        return atEntry(
            use.member, field: use.field, position: use.position, location: use.location,
            message: "the plan deletes PBX group \(group), which this subscriber names",
            hint: "declare the group in a Subscriber manifest, or remove it from \(use.field)")
    }

    /// Returns the hint for a `pbx_group_ids` entry that NGCP would reject.
    private static func pbxGroupIDHint(_ subscriber: DesiredSubscriber) -> String {
        "list only ids of PBX groups of customer '\(subscriber.customer)', or name the groups "
            + "in pbx_groups as username@domain, which the plan resolves to their ids"
    }

    static func unknownPBXGroupID(_ subscriber: DesiredSubscriber, id: Int, position: Int)
        -> PlanningProblem
    {
        atGroupID(
            subscriber, position: position,
            message: "subscriber '\(subscriber.name)' lists id \(id) in pbx_group_ids, but "
                + "customer '\(subscriber.customer)' has no subscriber with that id on the "
                + "target; NGCP rejects the write",
            hint: pbxGroupIDHint(subscriber))
    }

    static func pbxGroupIDNotGroup(
        _ subscriber: DesiredSubscriber, id: Int, position: Int, name: String
    ) -> PlanningProblem {
        atGroupID(
            subscriber, position: position,
            message: "subscriber '\(subscriber.name)' lists id \(id) in pbx_group_ids, but "
                + "live subscriber '\(name)' with that id is not a PBX group; NGCP rejects "
                + "the write",
            hint: pbxGroupIDHint(subscriber))
    }

    static func pbxGroupIDOfOtherCustomer(
        _ subscriber: DesiredSubscriber, id: Int, position: Int, name: String, customer: String
    ) -> PlanningProblem {
        atGroupID(
            subscriber, position: position,
            message: "subscriber '\(subscriber.name)' lists id \(id) in pbx_group_ids, but "
                + "PBX group '\(name)' with that id belongs to customer '\(customer)', not to "
                + "'\(subscriber.customer)'; NGCP rejects the write",
            hint: pbxGroupIDHint(subscriber))
    }

    static func pbxGroupsWithoutPBX(_ subscriber: DesiredSubscriber, customerType: String)
        -> PlanningProblem
    {
        PlanningProblem(
            resource: subscriber.id,
            message: "pbx_groups is only valid for pbxaccount customers, and customer "
                + "'\(subscriber.customer)' is a \(customerType)",
            hint: "remove pbx_groups, or move the subscriber to a pbxaccount customer",
            location: subscriber.location)
    }
}
