import NGCPCore

/// A declared subscriber of a PBX customer, as the plan leaves it.
struct PlannedPBXSubscriber {
    var subscriber: DesiredSubscriber
    /// The live subscriber that the plan keeps and updates where it differs; nil when the plan
    /// creates the subscriber.
    var liveID: Int?
    /// The create, or the update when the subscriber differs from its live one.
    var draft: Int?

    var isPilot: Bool { subscriber.fields["is_pbx_pilot"]?.boolValue == true }
}

extension PlanBuilder {
    mutating func recordPBXSubscriber(_ subscriber: DesiredSubscriber, liveID: Int?, draft: Int?) {
        pbxSubscribers.append(
            PlannedPBXSubscriber(subscriber: subscriber, liveID: liveID, draft: draft))
    }

    /// Checks the declared subscribers of each PBX customer together with the customer's live
    /// subscribers that the plan keeps, as NGCP checks each create and update. A customer has
    /// one pilot, which must exist before any other subscriber, keeps its pilot flag and needs
    /// a primary number. Every other subscriber needs an extension that no subscriber of the
    /// customer uses yet. An update that frees an extension runs before the operation that
    /// takes it.
    mutating func checkPBXSubscribers() {
        var customerOrder: [String] = []
        var byCustomer: [String: [PlannedPBXSubscriber]] = [:]
        for planned in pbxSubscribers {
            let customer = planned.subscriber.customer
            if byCustomer[customer] == nil { customerOrder.append(customer) }
            byCustomer[customer, default: []].append(planned)
        }
        // The manifest check already reports the problems among the declared subscribers of
        // a customer that the manifests declare as pbxaccount.
        let declaredPBXCustomers = Set(
            desired.customers.filter { $0.fields["type"] == "pbxaccount" }.map(\.externalID))

        for customer in customerOrder {
            let planned = byCustomer[customer] ?? []
            // A customer that the plan creates has no live subscribers.
            var keptSubscribers: [LiveObject] = []
            if let liveCustomerID = customerInfo(customer)?.reference?.liveID {
                keptSubscribers = index.subscribers(ofCustomer: liveCustomerID).filter {
                    !removedSubscribers.contains($0.id)
                }
            }
            let checkedByManifests = declaredPBXCustomers.contains(customer)
            checkPilots(
                planned, keptSubscribers: keptSubscribers, checkedByManifests: checkedByManifests)
            checkPilotWrites(planned, checkedByManifests: checkedByManifests)
            checkExtensions(
                planned, keptSubscribers: keptSubscribers, checkedByManifests: checkedByManifests)
        }
    }

    /// Reports a declared pilot when the customer keeps another live pilot or has an earlier
    /// declared one, and the first new subscriber of a customer that is left without a pilot.
    private mutating func checkPilots(
        _ planned: [PlannedPBXSubscriber], keptSubscribers: [LiveObject], checkedByManifests: Bool
    ) {
        // NGCP cannot revoke the pilot flag, so a live pilot that the plan keeps stays the
        // pilot whatever its manifest declares.
        let livePilot = keptSubscribers.first { $0["is_pbx_pilot"]?.boolValue == true }
        var firstPilot: DesiredSubscriber?
        for pilot in planned where pilot.isPilot {
            if let livePilot, livePilot.id != pilot.liveID {
                problems.append(
                    .livePBXPilotExists(pilot.subscriber, pilot: index.subscriberName(livePilot)))
            } else if let firstPilot {
                var problem = PlanningProblem.secondPBXPilot(pilot.subscriber, first: firstPilot)
                problem.repeatsManifestCheck = checkedByManifests
                problems.append(problem)
            } else {
                firstPilot = pilot.subscriber
            }
        }

        let created = planned.filter { $0.liveID == nil && !$0.isPilot }
        guard livePilot == nil, firstPilot == nil, let first = created.first else { return }
        // A declared pilot that the plan does not create has a problem of its own already.
        let customer = first.subscriber.customer
        let declaresPilot = desired.subscribers.contains {
            $0.customer == customer && $0.fields["is_pbx_pilot"]?.boolValue == true
        }
        guard !declaresPilot else { return }
        problems.append(
            .noPBXPilot(first.subscriber, others: created.dropFirst().map(\.subscriber.name)))
    }

    /// Reports an update that revokes the flag of a live pilot, and a create or update that
    /// leaves a pilot without a primary number. NGCP rejects both.
    private mutating func checkPilotWrites(
        _ planned: [PlannedPBXSubscriber], checkedByManifests: Bool
    ) {
        for subscriber in planned {
            let declared = subscriber.subscriber
            let live = subscriber.liveID.flatMap { index.subscribersByID[$0] }
            // The fields that the plan sets. On a live subscriber an ignored field keeps its
            // live value, and one that the plan does not update gets no write to reject.
            var setFields = declared.fields
            if live != nil {
                guard subscriber.draft != nil else { continue }
                for field in ["is_pbx_pilot", "primary_number"] {
                    if isIgnored(declared.id, field) { setFields[field] = nil }
                }
            }

            let livePilot = live?["is_pbx_pilot"]?.boolValue == true
            let declaredPilot = setFields["is_pbx_pilot"]?.boolValue
            if livePilot && declaredPilot == false {
                problems.append(.pilotFlagRevoked(declared))
                continue
            }

            // NGCP applies a PATCH to the subscriber's representation, so a field that the
            // update leaves out keeps its live value.
            let isPilot = declaredPilot ?? livePilot
            let number = setFields["primary_number"] ?? live?["primary_number"]
            guard isPilot, number == nil || number == .null else { continue }
            var problem = PlanningProblem.pilotWithoutPrimaryNumber(
                declared, creates: live == nil)
            // The manifest check reports a declared pilot without a number.
            problem.repeatsManifestCheck = checkedByManifests && subscriber.isPilot
            problems.append(problem)
        }
    }

    /// Reports a new subscriber without an extension, and an extension that the plan writes
    /// while a subscriber of the same customer keeps it, or that it writes twice. Makes a
    /// subscriber that takes an extension wait for the update that frees it.
    private mutating func checkExtensions(
        _ planned: [PlannedPBXSubscriber], keptSubscribers: [LiveObject], checkedByManifests: Bool
    ) {
        var declaredByLiveID: [Int: PlannedPBXSubscriber] = [:]
        for subscriber in planned {
            if let liveID = subscriber.liveID { declaredByLiveID[liveID] = subscriber }
        }

        // The live subscribers that still have their extension after the plan, and the
        // updates that change a live extension, by that extension.
        var holders: [String: LiveObject] = [:]
        var freeingDrafts: [String: Int] = [:]
        for subscriber in keptSubscribers {
            guard let liveExtension = Self.pbxExtension(subscriber["pbx_extension"]) else {
                continue
            }
            let declared = declaredByLiveID[subscriber.id]
            let after = declared.flatMap { writtenExtension(of: $0) } ?? liveExtension
            if after == liveExtension {
                holders[liveExtension] = subscriber
            } else if let draft = declared?.draft {
                freeingDrafts[liveExtension] = draft
            }
        }

        var writers: [String: DesiredSubscriber] = [:]
        for subscriber in planned {
            guard let pbxExtension = writtenExtension(of: subscriber) else {
                if subscriber.liveID == nil && !subscriber.isPilot {
                    var problem = PlanningProblem.pbxExtensionRequired(subscriber.subscriber)
                    problem.repeatsManifestCheck = checkedByManifests
                    problems.append(problem)
                }
                continue
            }
            let liveExtension = subscriber.liveID.flatMap { index.subscribersByID[$0] }.flatMap {
                Self.pbxExtension($0["pbx_extension"])
            }
            guard pbxExtension != liveExtension else { continue }

            // NGCP checks the extension of every subscriber but the pilot. A pilot that shares
            // an extension is reported too, because later writes of the other subscriber would
            // then find their extension taken.
            if let holder = holders[pbxExtension] {
                problems.append(
                    .pbxExtensionHeld(
                        subscriber.subscriber, pbxExtension: pbxExtension,
                        holder: index.subscriberName(holder),
                        holderDeclared: declaredByLiveID[holder.id] != nil))
                continue
            }
            if let first = writers[pbxExtension] {
                var problem = PlanningProblem.pbxExtensionDeclaredTwice(
                    subscriber.subscriber, pbxExtension: pbxExtension, first: first)
                problem.repeatsManifestCheck = checkedByManifests
                problems.append(problem)
                continue
            }
            writers[pbxExtension] = subscriber.subscriber
            if let freeing = freeingDrafts[pbxExtension], let draft = subscriber.draft,
                freeing != draft
            {
                drafts[draft].dependsOn.insert(freeing)
            }
        }
    }

    /// Returns the extension that the plan gives `subscriber`: the declared one, unless an
    /// ignore rule keeps the live subscriber's value. Nil means the plan sets none.
    private func writtenExtension(of subscriber: PlannedPBXSubscriber) -> String? {
        guard let declared = Self.pbxExtension(subscriber.subscriber.fields["pbx_extension"])
        else { return nil }
        if subscriber.liveID != nil && isIgnored(subscriber.subscriber.id, "pbx_extension") {
            return nil
        }
        return declared
    }

    /// Returns an extension as text. NGCP returns a string, and a number is read as its digits.
    static func pbxExtension(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: return nil
        }
    }
}

/// The problems of PBX pilots and extensions.
extension PlanningProblem {
    static func livePBXPilotExists(_ subscriber: DesiredSubscriber, pilot: String)
        -> PlanningProblem
    {
        PlanningProblem(
            resource: subscriber.id,
            message: "customer '\(subscriber.customer)' already has PBX pilot '\(pilot)' on the "
                + "target, which the plan keeps; NGCP allows one pilot per customer",
            hint: "NGCP cannot revoke the pilot flag: declare '\(pilot)' as the pilot and "
                + "remove is_pbx_pilot: true here",
            location: subscriber.location
        ).at("spec.is_pbx_pilot", in: subscriber.fieldLocations)
    }

    static func secondPBXPilot(_ subscriber: DesiredSubscriber, first: DesiredSubscriber)
        -> PlanningProblem
    {
        let firstLocation = first.fieldLocations["spec.is_pbx_pilot"] ?? first.location
        return PlanningProblem(
            resource: subscriber.id,
            message: "customer '\(subscriber.customer)' already has PBX pilot '\(first.name)'"
                + (firstLocation.map { " at \($0)" } ?? "")
                + "; NGCP allows one pilot per customer",
            hint: "set is_pbx_pilot: true on one subscriber of the customer only",
            location: subscriber.location
        ).at("spec.is_pbx_pilot", in: subscriber.fieldLocations)
    }

    static func pilotFlagRevoked(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "live subscriber '\(subscriber.name)' is the PBX pilot of customer "
                + "'\(subscriber.customer)', and NGCP rejects an update that revokes the pilot "
                + "flag",
            hint: "set is_pbx_pilot: true or leave the field out. NGCP deletes a pilot only "
                + "once its customer has no other subscribers, and that is the only way to "
                + "give the customer another pilot",
            location: subscriber.location
        ).at("spec.is_pbx_pilot", in: subscriber.fieldLocations)
    }

    /// Returns the problem of a pilot that the plan creates, or updates, without a primary
    /// number.
    static func pilotWithoutPrimaryNumber(_ subscriber: DesiredSubscriber, creates: Bool)
        -> PlanningProblem
    {
        let action = creates ? "creates" : "updates"
        return PlanningProblem(
            resource: subscriber.id,
            message: "the plan \(action) PBX pilot '\(subscriber.name)' of customer "
                + "'\(subscriber.customer)' without a primary_number, which NGCP requires of "
                + "the pilot",
            hint: "add the pilot's primary_number, which NGCP also gives every other "
                + "subscriber of the customer with its pbx_extension appended",
            location: subscriber.location
        ).at("spec.is_pbx_pilot", in: subscriber.fieldLocations)
    }

    /// Returns the problem of the first new subscriber of a customer without a pilot. `others`
    /// are the customer's other new subscribers, which NGCP rejects as well.
    static func noPBXPilot(_ subscriber: DesiredSubscriber, others: [String]) -> PlanningProblem {
        var message =
            "customer '\(subscriber.customer)' has no PBX pilot on the target and the plan "
            + "creates none, so NGCP rejects this new subscriber"
        if !others.isEmpty {
            message += " and the customer's other new subscribers (\(others.shortList()))"
        }
        return PlanningProblem(
            resource: subscriber.id, message: message,
            hint: "declare the customer's pilot: a subscriber with is_pbx_pilot: true and a "
                + "primary_number",
            location: subscriber.location)
    }

    static func pbxExtensionRequired(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "the plan creates this subscriber of PBX customer '\(subscriber.customer)' "
                + "without pbx_extension, which NGCP requires of every subscriber but the pilot",
            hint: "add a pbx_extension that no other subscriber of the customer uses",
            location: subscriber.location)
    }

    /// Returns the problem of an extension that a live subscriber of the same customer keeps.
    /// `holderDeclared` is whether a manifest declares the holder, which decides the hint.
    static func pbxExtensionHeld(
        _ subscriber: DesiredSubscriber, pbxExtension: String, holder: String,
        holderDeclared: Bool
    ) -> PlanningProblem {
        let reason = holderDeclared ? "whose manifest keeps it" : "which no manifest declares"
        let hint =
            holderDeclared
            ? "give one of the two subscribers another pbx_extension"
            : "'\(holder)' is not managed by any manifest: choose another pbx_extension here, "
                + "or change the extension of '\(holder)' on the target"
        return PlanningProblem(
            resource: subscriber.id,
            message: "pbx_extension '\(pbxExtension)' is used by live subscriber '\(holder)' of "
                + "customer '\(subscriber.customer)', \(reason); NGCP allows each extension "
                + "once per customer",
            hint: hint, location: subscriber.location
        ).at("spec.pbx_extension", in: subscriber.fieldLocations)
    }

    static func pbxExtensionDeclaredTwice(
        _ subscriber: DesiredSubscriber, pbxExtension: String, first: DesiredSubscriber
    ) -> PlanningProblem {
        let firstLocation = first.fieldLocations["spec.pbx_extension"] ?? first.location
        return PlanningProblem(
            resource: subscriber.id,
            message: "pbx_extension '\(pbxExtension)' is also used by '\(first.name)'"
                + (firstLocation.map { " at \($0)" } ?? "")
                + " in customer '\(subscriber.customer)'; NGCP allows each extension once per "
                + "customer",
            hint: "give each subscriber of the customer its own pbx_extension",
            location: subscriber.location
        ).at("spec.pbx_extension", in: subscriber.fieldLocations)
    }
}
