import NGCPCore

// PBX subscribers as ngcp-panel handles them on a platform with the PBX licence and cloud PBX
// enabled (Utils/Subscriber.pm `prepare_resource`, Role/API/Subscribers.pm `update_item` and
// `resource_from_item`, ngcp-panel f677173e). NGCP drops the PBX fields of subscribers of
// `sipaccount` customers without an error.

/// The PBX fields of a subscriber request after NGCP's form checks, which apply to every
/// customer type.
struct PBXInput {
    var isPilot: Bool
    var isGroup: Bool
    var pbxExtension: String?
    var huntPolicy: String?
    var huntTimeout: Int?
    var huntCancelMode: String?
    /// `pbx_group_ids` as sent, or nil when absent.
    var groupIDs: JSONValue?
    /// `pbx_groupmember_ids` as sent, or nil when absent.
    var groupMemberIDs: JSONValue?

    static let huntPolicies = ["serial", "parallel", "random", "circular"]
    static let huntCancelModes = ["bye", "cancel"]

    static func validate(_ body: [String: JSONValue], errors: inout ValidationErrors) -> PBXInput {
        // The cloud_pbx_hunt_* fields go into internal preferences that the API never shows,
        // so they are only checked.
        let selections = [
            ("pbx_hunt_policy", huntPolicies), ("pbx_hunt_cancel_mode", huntCancelModes),
            ("cloud_pbx_hunt_policy", huntPolicies),
            ("cloud_pbx_hunt_cancel_mode", huntCancelModes),
        ]
        var chosen: [String: String] = [:]
        for (field, options) in selections {
            guard let value = Fields.text(body[field]), !value.isEmpty else { continue }
            if options.contains(value) {
                chosen[field] = value
            } else {
                errors.add(field: field, input: value, errors: "'\(value)' is not a valid value")
            }
        }

        var timeouts: [String: Int] = [:]
        for field in ["pbx_hunt_timeout", "cloud_pbx_hunt_timeout"]
        where !Fields.isBlank(body[field]) {
            let input = Fields.inputText(body[field])
            if let seconds = Fields.integer(body[field]) {
                if seconds < 0 {
                    errors.add(
                        field: field, input: input, errors: "Value must be a positive integer")
                } else {
                    timeouts[field] = seconds
                }
            } else {
                errors.add(field: field, input: input, errors: Fields.positiveIntegerErrors)
            }
        }

        return PBXInput(
            isPilot: isSet(body["is_pbx_pilot"]), isGroup: isSet(body["is_pbx_group"]),
            pbxExtension: Fields.text(body["pbx_extension"]),
            huntPolicy: chosen["pbx_hunt_policy"], huntTimeout: timeouts["pbx_hunt_timeout"],
            huntCancelMode: chosen["pbx_hunt_cancel_mode"], groupIDs: body["pbx_group_ids"],
            groupMemberIDs: body["pbx_groupmember_ids"])
    }

    /// NGCP's test for a PBX flag: the value must equal 1 as a number, so `true`, `1` and `"1"`
    /// set it, while `"true"` and `2` do not.
    static func isSet(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag)?: return flag
        case .int(let number)?: return number == 1
        case .double(let number)?: return number == 1
        case .string(let text)?: return Double(text.trimmingWhitespace()) == 1
        default: return false
        }
    }
}

/// NGCP's rules for the subscribers of a `pbxaccount` customer: one pilot, which every other
/// subscriber follows, extensions, and group memberships.
enum PBXRules {
    /// The outcome of checking one write: the PBX columns to store, and the groups (for a
    /// member) or the members (for a group) that the write links.
    struct Preparation {
        var settings: PBXSettings
        var linkedIDs: [Int]
    }

    static func pilot(ofCustomer customerID: Int, in state: State) -> Subscriber? {
        state.subscribers.records(ownedBy: customerID).first { $0.pbx?.isPilot == true }
    }

    /// Checks a create (`subscriberID` nil) or an update of a subscriber of a PBX customer.
    /// A subscriber other than the pilot gets the pilot's number with its extension appended
    /// as its primary number, whatever primary number the request contains.
    static func prepare(
        _ input: PBXInput, numbers: inout NumberInput, customerID: Int, subscriberID: Int?,
        current: PBXSettings?, in state: State
    ) throws(APIError) -> Preparation {
        let pilot = pilot(ofCustomer: customerID, in: state)
        if let pilot, input.isPilot, pilot.id != subscriberID {
            throw APIError.unprocessable("Customer already has a pbx pilot subscriber.")
        }
        if pilot == nil && !input.isPilot {
            throw APIError.unprocessable(
                "Customer has no pbx pilot subscriber yet and is_pbx_pilot is not set.")
        }

        var linkedIDs: [Int] = []
        if let pilot, pilot.id != subscriberID {
            try checkExtension(
                input.pbxExtension, customerID: customerID, subscriberID: subscriberID, in: state)
            guard let pilotNumber = state.primaryNumber(of: pilot) else {
                throw APIError.unprocessable("The pilot subscriber does not have a primary number.")
            }
            numbers.primary = NumberSpec(
                cc: pilotNumber.cc, ac: pilotNumber.ac,
                sn: pilotNumber.sn + (input.pbxExtension ?? ""), isDevID: false)
            if input.isGroup, let members = input.groupMemberIDs {
                linkedIDs = try resolve(
                    members, field: "pbx_groupmember_ids", customerID: customerID,
                    groupsOnly: false, in: state)
            } else if !input.isGroup, let groups = input.groupIDs {
                linkedIDs = try resolve(
                    groups, field: "pbx_group_ids", customerID: customerID, groupsOnly: true,
                    in: state)
            }
        }

        // An update keeps the stored hunt settings of a subscriber that is not a group.
        let keepsHunt = current != nil && !input.isGroup
        let settings = PBXSettings(
            isPilot: input.isPilot, isGroup: input.isGroup, pbxExtension: input.pbxExtension,
            huntPolicy: keepsHunt ? current?.huntPolicy : input.huntPolicy,
            huntTimeout: keepsHunt ? current?.huntTimeout : input.huntTimeout,
            huntCancelMode: keepsHunt ? current?.huntCancelMode : input.huntCancelMode,
            memberships: current?.memberships ?? [])
        return Preparation(settings: settings, linkedIDs: linkedIDs)
    }

    /// Checks that a subscriber other than the pilot has an extension that no other subscriber
    /// of the customer uses.
    private static func checkExtension(
        _ pbxExtension: String?, customerID: Int, subscriberID: Int?, in state: State
    ) throws(APIError) {
        guard let pbxExtension else {
            throw APIError.unprocessable(
                "A pbx_extension is required if customer is PBX and pilot subscriber exists.")
        }
        let extensionInUse = state.subscribers.records(ownedBy: customerID).contains {
            $0.id != subscriberID && $0.pbx?.pbxExtension == pbxExtension
        }
        if extensionInUse {
            throw APIError.unprocessable("The pbx_extension already exists for this customer.")
        }
    }

    /// Finds the subscribers that `pbx_group_ids` (groups only) or `pbx_groupmember_ids` (any
    /// subscriber) name among the customer's subscribers, ordered as in the request.
    private static func resolve(
        _ value: JSONValue, field: String, customerID: Int, groupsOnly: Bool, in state: State
    ) throws(APIError) -> [Int] {
        var items: [JSONValue]
        switch value {
        case .array(let array): items = array
        // NGCP takes a single member id as a list of one, but not a single group id.
        case .object: throw APIError.unprocessable("Invalid \(field) parameter, must be an array.")
        default:
            guard !groupsOnly else {
                throw APIError.unprocessable("Invalid \(field) parameter, must be an array.")
            }
            items = [value]
        }

        let candidates = Set(
            state.subscribers.records(ownedBy: customerID).filter {
                !groupsOnly || $0.pbx?.isGroup == true
            }.map(\.id))
        // Like NGCP, sort by the last position of each id, so a repeated id counts once.
        var positions: [Int: Int] = [:]
        for (position, item) in items.enumerated() {
            if let id = Fields.integer(item), candidates.contains(id) { positions[id] = position }
        }
        if positions.count < items.count,
            let absent = items.first(where: {
                Fields.integer($0).map { !candidates.contains($0) } ?? true
            })
        {
            throw APIError.unprocessable(
                "Invalid id '\(Fields.inputText(absent))' in \(field), does not exist for this "
                    + "customer.")
        }
        return positions.keys.sorted { positions[$0]! < positions[$1]! }
    }

    /// Stores the memberships a write asked for: a group's list of members, or a member's list
    /// of groups. An unchanged list keeps its rows. A changed member list replaces every row of
    /// the group, so the members list the group last. A changed group list keeps the rows of
    /// the groups that stay and appends the new ones.
    static func link(_ preparation: Preparation, subscriberID: Int, in state: inout State) {
        guard var subscriber = state.subscribers[subscriberID], var pbx = subscriber.pbx else {
            return
        }
        let requested = preparation.linkedIDs
        if pbx.isGroup {
            let customerID = subscriber.customerID
            guard members(ofGroup: subscriberID, customerID: customerID, in: state) != requested
            else { return }
            for var member in state.subscribers.records(ownedBy: customerID) {
                guard let memberships = member.pbx?.memberships,
                    memberships.contains(where: { $0.groupID == subscriberID })
                else { continue }
                member.pbx?.memberships = memberships.filter { $0.groupID != subscriberID }
                state.putSubscriber(member)
            }
            // Groups cannot be members, and NGCP skips them without an error.
            for memberID in requested {
                guard var member = state.subscribers[memberID], member.pbx?.isGroup == false
                else { continue }
                let membership = PBXMembership(
                    id: state.nextCounter("pbx_group_membership"), groupID: subscriberID)
                member.pbx?.memberships.append(membership)
                state.putSubscriber(member)
            }
            return
        }

        guard pbx.memberships.map(\.groupID) != requested else { return }
        pbx.memberships.removeAll { !requested.contains($0.groupID) }
        for groupID in requested where !pbx.memberships.contains(where: { $0.groupID == groupID }) {
            pbx.memberships.append(
                PBXMembership(id: state.nextCounter("pbx_group_membership"), groupID: groupID))
        }
        subscriber.pbx = pbx
        state.putSubscriber(subscriber)
    }

    /// Lists the members of a group in the order of their membership rows.
    static func members(ofGroup groupID: Int, customerID: Int, in state: State) -> [Int] {
        var rows: [(membership: Int, member: Int)] = []
        for subscriber in state.subscribers.records(ownedBy: customerID) {
            for membership in subscriber.pbx?.memberships ?? [] where membership.groupID == groupID
            {
                rows.append((membership.id, subscriber.id))
            }
        }
        return rows.sorted { $0.membership < $1.membership }.map(\.member)
    }

    /// Builds the PBX fields of a subscriber's representation. Every PBX subscriber shows its
    /// flags, extension and groups. A group also shows its hunt settings and members, and an
    /// administrative subscriber its customer's extension range, which the emulator never
    /// sets.
    static func fields(of subscriber: Subscriber, in state: State) -> [String: JSONValue] {
        guard let pbx = subscriber.pbx else { return [:] }
        var fields: [String: JSONValue] = [
            "is_pbx_pilot": .bool(pbx.isPilot),
            "is_pbx_group": .bool(pbx.isGroup),
            "pbx_extension": Fields.optional(pbx.pbxExtension),
            "pbx_group_ids": .array(pbx.memberships.map { .int($0.groupID) }),
        ]
        if pbx.isGroup {
            fields["pbx_hunt_policy"] = Fields.optional(pbx.huntPolicy)
            fields["pbx_hunt_timeout"] = Fields.optional(pbx.huntTimeout)
            fields["pbx_hunt_cancel_mode"] = Fields.optional(pbx.huntCancelMode)
            fields["pbx_groupmember_ids"] = .array(
                members(ofGroup: subscriber.id, customerID: subscriber.customerID, in: state)
                    .map { .int($0) })
        }
        if subscriber.administrative {
            fields["ext_range_min"] = .null
            fields["ext_range_max"] = .null
        }
        return fields
    }

    /// Rejects deleting a pilot while its customer has other subscribers, as NGCP does.
    static func checkDeletion(of subscriber: Subscriber, in state: State) throws(APIError) {
        guard subscriber.pbx?.isPilot == true else { return }
        let others = state.subscribers.records(ownedBy: subscriber.customerID).contains {
            $0.pbx?.isPilot != true
        }
        if others {
            throw APIError(403, "Cannot terminate pilot subscriber when other subscribers exists")
        }
    }
}

extension PBXRules {
    /// Undoes the PBX links of a subscriber that is being terminated: a group leaves its
    /// members, and the pilot takes over the alias numbers of any other subscriber. Returns
    /// the ids of the numbers the pilot took, which must not be freed.
    static func release(_ subscriber: Subscriber, in state: inout State) -> Set<Int> {
        guard let pbx = subscriber.pbx else { return [] }
        let customerID = subscriber.customerID
        if pbx.isGroup {
            for var member in state.subscribers.records(ownedBy: customerID)
            where member.pbx?.memberships.contains(where: { $0.groupID == subscriber.id }) == true {
                member.pbx?.memberships.removeAll { $0.groupID == subscriber.id }
                state.putSubscriber(member)
            }
        }
        guard !pbx.isPilot, var pilot = pilot(ofCustomer: customerID, in: state),
            pilot.id != subscriber.id
        else { return [] }
        // NOTE: NGCP also moves the numbers' `allowed_clis` entries to the pilot, but the
        // emulator leaves the pilot's preferences as they are.
        for numberID in subscriber.aliasNumberIDs {
            guard var number = state.numbers[numberID] else { continue }
            number.subscriberID = pilot.id
            state.putNumber(number)
            pilot.aliasNumberIDs.append(numberID)
        }
        state.putSubscriber(pilot)
        return Set(subscriber.aliasNumberIDs)
    }
}
