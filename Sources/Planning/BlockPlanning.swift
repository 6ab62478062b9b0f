import NGCPCore

/// Call forwards and preferences, the two per-subscriber blocks.
extension PlanBuilder {

    // MARK: Call forwards

    /// Plans a PUT of the whole forward set when it differs. The block is authoritative: a type
    /// the manifest omits is cleared. A PATCH could change only parts, but it accepts only
    /// `replace`, which fails on a type that is `{}` live.
    ///
    /// NOTE: an ignore rule hides a forward type's difference, but when another type differs
    /// the PUT still writes the declared value of the ignored type.
    mutating func planForwards(
        _ subscriber: DesiredSubscriber, desired: [String: JSONValue],
        live liveForwards: [String: JSONValue], reference: Reference
    ) {
        let resource = ResourceID(.callforwards, subscriber.name)
        let domain = subscriber.domain
        var changes: [FieldChange] = []
        for type in Normalization.forwardTypes {
            let desiredForward = Normalization.canonicalForward(
                desired[type], subscriberDomain: domain)
            let liveForward = Normalization.canonicalForward(
                liveForwards[type], subscriberDomain: domain)
            changes += Self.forwardChanges(type, desired: desiredForward, live: liveForward)
                .filter { !isIgnored(resource, $0.path) }
        }
        let desiredRingTimeout = desired["cft"]?["ringtimeout"]
        let liveRingTimeout = liveForwards["cft"]?["ringtimeout"]
        if Normalization.ringTimeoutDiffers(desiredForward: desired["cft"], live: liveRingTimeout),
            !isIgnored(resource, "cft.ringtimeout")
        {
            changes.append(
                FieldChange(
                    path: "cft.ringtimeout", before: liveRingTimeout, after: desiredRingTimeout))
        }
        guard !changes.isEmpty else { return }

        add(
            DraftOperation(
                action: reference.liveID == nil ? .create : .update, resource: .callforwards,
                name: subscriber.name, method: .put, path: reference.itemPath(.callforwards),
                body: Self.forwardBody(desired),
                dependsOn: Set([reference.draft].compactMap { $0 }),
                changes: changes, liveID: reference.liveID))
    }

    /// Compares one forward type member by member, or as a whole when it is configured on one
    /// side only.
    static func forwardChanges(_ type: String, desired: JSONValue, live: JSONValue)
        -> [FieldChange]
    {
        guard !Normalization.looselyEqual(desired, live) else { return [] }
        let desiredMembers = desired.objectValue ?? [:]
        let liveMembers = live.objectValue ?? [:]
        if desiredMembers.isEmpty || liveMembers.isEmpty {
            return [FieldChange(path: type, before: live, after: desired)]
        }
        return Set(desiredMembers.keys).union(liveMembers.keys).sorted().compactMap { member in
            guard !Normalization.optionalEqual(desiredMembers[member], liveMembers[member]) else {
                return nil
            }
            return FieldChange(
                path: "\(type).\(member)", before: liveMembers[member],
                after: desiredMembers[member])
        }
    }

    /// Builds the PUT body: all seven types, `{}` for those not configured. Output-only members
    /// are dropped. A source or B-number list gets its mode and regex flag, because NGCP needs
    /// them to create the set and fails with status 500 without them.
    static func forwardBody(_ desired: [String: JSONValue]) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for type in Normalization.forwardTypes {
            guard var forward = desired[type]?.objectValue,
                let destinations = forward["destinations"]?.arrayValue, !destinations.isEmpty
            else {
                body[type] = [:]
                continue
            }
            for member in ["destination_set", "time_set", "source_set", "bnumber_set"] {
                forward[member] = nil
            }
            forward["destinations"] = .array(
                destinations.map { destination in
                    guard var object = destination.objectValue else { return destination }
                    object["simple_destination"] = nil
                    return .object(object)
                })
            for (list, mode, isRegex) in Normalization.patternLists
            where !(forward[list]?.arrayValue ?? []).isEmpty {
                if forward[mode] == nil { forward[mode] = "whitelist" }
                if forward[isRegex] == nil { forward[isRegex] = false }
            }
            body[type] = .object(forward)
        }
        return .object(body)
    }

    // MARK: Preferences

    /// Plans a PATCH with `add` for each managed preference that is missing or different and
    /// `remove` for each managed preference declared `null` that is set. A PUT is never used,
    /// because it deletes every preference it omits, including those NGCP sets by itself.
    /// A secret preference is sent as a secret placeholder.
    mutating func planPreferences(
        _ subscriber: DesiredSubscriber, desired: [String: JSONValue],
        live livePreferences: [String: JSONValue], reference: Reference
    ) {
        let secretNames = Self.declaredSecretPreferences(of: subscriber)
        checkPreferenceNames(subscriber, desired, secretNames: secretNames)
        let resource = ResourceID(.subscriberpreferences, subscriber.name)
        var operations: [JSONValue] = []
        var changes: [FieldChange] = []
        for name in Self.preferenceNames(desired, secretNames)
        where !Normalization.preferenceEnvelopeFields.contains(name) {
            guard !isIgnored(resource, name) else { continue }
            let current = livePreferences[name]
            if secretNames.contains(name) {
                guard let placeholder = secretPlaceholder(name, of: subscriber, live: current)
                else { continue }
                operations.append(Patch.add(name, placeholder))
                changes.append(FieldChange(path: name, before: nil, after: nil, sensitive: true))
                continue
            }
            let desiredValue = desired[name] ?? .null
            if desiredValue.isNull {
                // Unset preferences are absent, never null, so only a set one is removed.
                // NOTE: a new subscriber gets `Normalization.automaticPreferences`
                // only once it exists, so a null for one of them takes effect on the next plan.
                guard let current, !current.isNull else { continue }
                operations.append(Patch.remove(name))
                changes.append(
                    FieldChange(
                        path: name, before: current, after: nil,
                        sensitive: secretPreferenceNames.contains(name), removed: true))
            } else if current == nil || !Normalization.looselyEqual(desiredValue, current ?? .null)
            {
                // `add` sets the member whether or not it exists, but `replace` fails on an
                // unset one.
                operations.append(Patch.add(name, desiredValue))
                changes.append(
                    FieldChange(
                        path: name, before: current, after: desiredValue,
                        sensitive: secretPreferenceNames.contains(name)))
            }
        }
        guard !operations.isEmpty else { return }
        add(
            DraftOperation(
                action: reference.liveID == nil ? .create : .update,
                resource: .subscriberpreferences, name: subscriber.name, method: .patch,
                path: reference.itemPath(.subscriberpreferences), body: .array(operations),
                dependsOn: Set([reference.draft].compactMap { $0 }), changes: changes,
                liveID: reference.liveID))
    }

    /// Returns the names of the secret preferences that `subscriber` gives a value.
    static func declaredSecretPreferences(of subscriber: DesiredSubscriber) -> Set<String> {
        Set(subscriber.secrets.keys.compactMap { secretPreferenceName(ofField: $0) })
    }

    /// Returns the names of the managed preferences, sorted.
    private static func preferenceNames(
        _ desired: [String: JSONValue], _ secretNames: Set<String>
    ) -> [String] {
        guard !secretNames.isEmpty else { return desired.keys.sorted() }
        return Set(desired.keys).union(secretNames).sorted()
    }

    /// Returns the secret placeholder to send for the secret preference `name`, or nil when
    /// the live value is known to be the same.
    ///
    /// NGCP returns a string preference as stored, so a set value is compared exactly with
    /// the resolved secret, as a SIP password is. An unset one is always sent. A set one
    /// without a resolved secret to compare is left alone.
    private func secretPlaceholder(
        _ name: String, of subscriber: DesiredSubscriber, live: JSONValue?
    )
        -> JSONValue?
    {
        let field = secretPreferenceField(name)
        guard let source = subscriber.secrets[field] else { return nil }
        if let live, !live.isNull {
            guard let desired = options.secrets(subscriber.id, field),
                live.stringValue != desired.value
            else { return nil }
        }
        return PlanPlaceholder.secret(source, owner: subscriber.id, field: field)
    }

    /// Checks managed preference names and shapes against the target's definitions, because
    /// NGCP silently drops an unknown name. Skipped when no definitions were read.
    private mutating func checkPreferenceNames(
        _ subscriber: DesiredSubscriber, _ desired: [String: JSONValue],
        secretNames: Set<String>
    ) {
        let definitions = live.preferenceDefinitions
        guard !definitions.isEmpty else { return }
        for name in Self.preferenceNames(desired, secretNames) {
            guard let definition = definitions[name] else {
                problems.append(.unknownPreference(subscriber, name: name))
                continue
            }
            // A secret is a single value.
            let value = secretNames.contains(name) ? .string("") : desired[name]
            guard let value, !value.isNull,
                let maxOccur = definition["max_occur"]?.intValue
            else { continue }
            let isList = value.arrayValue != nil
            if maxOccur == 1 && isList {
                problems.append(.preferenceShape(subscriber, name: name, list: false))
            } else if maxOccur != 1 && !isList {
                problems.append(.preferenceShape(subscriber, name: name, list: true))
            }
        }
    }
}

/// The field changes of call forwards, computed outside a plan.
public enum CallForwardChanges {
    /// Compares one call forward type member by member as a plan does, so that a changed
    /// `times` list shows as `cfu.times` rather than as the whole `cfu` object. A type that
    /// is configured on one side only is one change of the whole type.
    public static func compare(_ type: String, before: JSONValue, after: JSONValue)
        -> [FieldChange]
    {
        PlanBuilder.forwardChanges(type, desired: after, live: before)
    }
}
