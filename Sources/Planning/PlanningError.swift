import NGCPCore

/// One reason why no plan can be made, tied to the object it concerns.
public struct PlanningProblem: Sendable, Hashable, CustomStringConvertible {
    /// The object whose manifest or live state is at fault.
    public var resource: ResourceID
    /// The problem, quoting the offending value.
    public var message: String
    /// The fix to try.
    public var hint: String?
    /// The location of the declaring manifest, when there is one: the faulty field's when
    /// `fieldPath` is set, otherwise the object's name.
    public var location: SourceLocation?
    /// The manifest field at fault (`spec.billing_profile`), when its position is known.
    public var fieldPath: String?
    /// Set for a problem that the check of the manifests against the target's customers and
    /// preference catalogue also reports, with the field's position, before planning.
    public var repeatsManifestCheck = false
    /// The target's setting in ngcpctl.yaml that the faulty value comes from, when the
    /// manifest leaves the field out.
    public var targetDefault: TargetDefault?

    public init(
        resource: ResourceID, message: String, hint: String? = nil,
        location: SourceLocation? = nil, fieldPath: String? = nil
    ) {
        self.resource = resource
        self.message = message
        self.hint = hint
        self.location = location
        self.fieldPath = fieldPath
    }

    /// Returns the problem placed at `field` of the manifest when `locations` has that field's
    /// position, or at the object's name otherwise.
    func at(_ field: String, in locations: [String: SourceLocation]) -> PlanningProblem {
        guard let fieldLocation = locations[field] else { return self }
        var problem = self
        problem.location = fieldLocation
        problem.fieldPath = field
        return problem
    }

    /// The problem as a compiler-style diagnostic. A problem at a field is shown with the
    /// field's path, because its position identifies the object. Others name the object.
    public var diagnostic: Diagnostic {
        if let fieldPath {
            return Diagnostic(.error, message, at: location, fieldPath: fieldPath, hint: hint)
        }
        return Diagnostic(.error, "\(resource): \(message)", at: location, hint: hint)
    }

    public var description: String {
        var text = diagnostic.description
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// A target setting of ngcpctl.yaml that fills a field the manifests leave out.
public struct TargetDefault: Sendable, Hashable {
    /// The setting's name: `reseller` or `default_billing_profile`.
    public let field: String
    public let value: String

    public init(field: String, value: String) {
        self.field = field
        self.value = value
    }
}

/// Every problem that prevents planning, collected in one pass so that all can be fixed at once.
public struct PlanningError: Error, Sendable, CustomStringConvertible {
    public var problems: [PlanningProblem]

    public init(problems: [PlanningProblem]) {
        self.problems = problems
    }

    public var description: String {
        let count = problems.count
        let heading = "cannot plan: \(count) problem\(count == 1 ? "" : "s")"
        return ([heading] + problems.map(\.description)).joined(separator: "\n")
    }
}

/// The problem texts, in one place so that tests can match them.
extension PlanningProblem {
    static func unknownReseller(_ name: String, domain: DesiredDomain) -> PlanningProblem {
        // Without the field in the manifest, the name is the target's default from ngcpctl.yaml.
        let fromDefault = domain.fieldLocations["spec.reseller"] == nil
        var problem = PlanningProblem(
            resource: domain.id, message: "unknown reseller '\(name)'",
            hint: fromDefault
                ? "the target's reseller in ngcpctl.yaml names it; correct it there"
                : "use the name of an existing reseller, or omit it for the reseller with id 1",
            location: domain.location
        ).at("spec.reseller", in: domain.fieldLocations)
        if fromDefault { problem.targetDefault = TargetDefault(field: "reseller", value: name) }
        return problem
    }

    static func unknownBillingProfile(_ handle: String, customer: DesiredCustomer)
        -> PlanningProblem
    {
        let fromDefault = customer.fieldLocations["spec.billing_profile"] == nil
        var problem = PlanningProblem(
            resource: customer.id, message: "unknown billing profile handle '\(handle)'",
            hint: fromDefault
                ? "the target's default_billing_profile in ngcpctl.yaml names it; correct it there"
                : "use the handle of an existing, non-terminated billing profile",
            location: customer.location
        ).at("spec.billing_profile", in: customer.fieldLocations)
        if fromDefault {
            problem.targetDefault = TargetDefault(
                field: "default_billing_profile", value: handle)
        }
        return problem
    }

    static func undeclaredDomain(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "domain '\(subscriber.domain)' is neither declared nor present on the target",
            hint: "declare the domain in a Domain manifest or correct the subscriber's domain",
            location: subscriber.location)
    }

    static func undeclaredCustomer(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        var problem = PlanningProblem(
            resource: subscriber.id,
            message:
                "customer '\(subscriber.customer)' is neither declared nor present on the target",
            hint: "declare the customer in a Customer manifest or correct the external_id",
            location: subscriber.location)
        problem.repeatsManifestCheck = true
        return problem
    }

    static func terminatedCustomer(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "customer '\(subscriber.customer)' is terminated",
            hint: "move the subscriber to an active customer; NGCP accepts no subscriber "
                + "under a terminated one",
            location: subscriber.location)
    }

    static func cannotRevive(_ customer: DesiredCustomer, status: String) -> PlanningProblem {
        PlanningProblem(
            resource: customer.id,
            message: "the live customer is terminated but the manifest declares status '\(status)'",
            hint: "a terminated customer cannot be changed or revived; give the customer a new "
                + "external_id, or declare it terminated",
            location: customer.location
        ).at("spec.status", in: customer.fieldLocations)
    }

    static func ambiguousCustomer(_ customer: DesiredCustomer, ids: [Int]) -> PlanningProblem {
        let list = ids.map(String.init).joined(separator: ", ")
        return PlanningProblem(
            resource: customer.id,
            message: "several live customers have this external_id (ids \(list))",
            hint: "terminate the duplicates or give them distinct external_id values",
            location: customer.location)
    }

    static func customerTypeChange(_ customer: DesiredCustomer, live: String, desired: String)
        -> PlanningProblem
    {
        PlanningProblem(
            resource: customer.id,
            message: "type cannot change from '\(live)' to '\(desired)'",
            hint: "NGCP rejects a type change; keep type '\(live)' or create a new customer",
            location: customer.location
        ).at("spec.type", in: customer.fieldLocations)
    }

    static func pendingWithSubscribers(_ customer: DesiredCustomer) -> PlanningProblem {
        PlanningProblem(
            resource: customer.id,
            message: "a customer with subscribers cannot become 'pending'",
            hint: "use status 'locked' to suspend the customer and its subscribers",
            location: customer.location
        ).at("spec.status", in: customer.fieldLocations)
    }

    static func missingContact(_ customer: DesiredCustomer, contactID: Int) -> PlanningProblem {
        PlanningProblem(
            resource: customer.id,
            message: "the live customer refers to contact \(contactID), which was not read",
            hint: "check that the API user can read /api/customercontacts/\(contactID)",
            location: customer.location)
    }

    static func domainResellerMismatch(_ domain: DesiredDomain, live: Int, desired: Int)
        -> PlanningProblem
    {
        PlanningProblem(
            resource: domain.id,
            message:
                "the live domain belongs to reseller \(live), the manifest to reseller \(desired)",
            hint: "domains cannot be moved between resellers; correct the manifest",
            location: domain.location
        ).at("spec.reseller", in: domain.fieldLocations)
    }

    static func blockNotRead(_ subscriber: DesiredSubscriber, block: String, liveID: Int)
        -> PlanningProblem
    {
        PlanningProblem(
            resource: subscriber.id,
            message: "the live \(block) of subscriber \(liveID) were not read",
            hint: "plan again; if this repeats, check that GET /api/"
                + (block == "call forwards" ? "callforwards" : "subscriberpreferences")
                + "/\(liveID) answers on the target",
            location: subscriber.location)
    }

    static func unknownPreference(_ subscriber: DesiredSubscriber, name: String)
        -> PlanningProblem
    {
        var problem = PlanningProblem(
            resource: subscriber.id,
            message: "unknown preference '\(name)'",
            hint: "NGCP silently ignores unknown preference names; check the spelling against "
                + "/api/subscriberpreferencedefs/",
            location: subscriber.location)
        problem.repeatsManifestCheck = true
        return problem
    }

    static func preferenceShape(_ subscriber: DesiredSubscriber, name: String, list: Bool)
        -> PlanningProblem
    {
        var problem = PlanningProblem(
            resource: subscriber.id,
            message: list
                ? "preference '\(name)' takes a list of values"
                : "preference '\(name)' takes a single value, not a list",
            hint: list ? "write the value as a list" : "write a single value",
            location: subscriber.location)
        problem.repeatsManifestCheck = true
        return problem
    }

    static func duplicateNumber(
        _ subscriber: DesiredSubscriber, number: String, other: String
    ) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "number \(number) is also declared for '\(other)'",
            hint: "numbers are unique on the platform; keep the number on one subscriber only",
            location: subscriber.location)
    }

    /// A number that a live subscriber keeps. `holderDeclared` tells whether a manifest
    /// declares the holder, which decides where the number can be removed.
    static func numberHeld(
        _ subscriber: DesiredSubscriber, number: String, holder: String, reason: String,
        holderDeclared: Bool
    ) -> PlanningProblem {
        let hint =
            holderDeclared
            ? "remove the number from '\(holder)' in its manifest, or prune that subscriber"
            : "'\(holder)' is not managed by any manifest: remove the number from it on the "
                + "target, or run with --prune if ngcpctl manages its customer"
        return PlanningProblem(
            resource: subscriber.id,
            message: "number \(number) is assigned to live subscriber '\(holder)', \(reason)",
            hint: hint, location: subscriber.location)
    }

    static func missingPassword(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "the plan creates this subscriber, but its manifest declares no password",
            hint: "NGCP requires a SIP password to create a subscriber; add spec.password as "
                + "{env: NAME} or {file: PATH}",
            location: subscriber.location)
    }

    static func pilotDeletedBeforeMembers(pilot: String, remaining: [String])
        -> PlanningProblem
    {
        PlanningProblem(
            resource: ResourceID(.subscribers, pilot),
            message: "the plan deletes this PBX pilot, but other subscribers of its customer "
                + "remain (\(remaining.shortList())), and NGCP refuses to delete a pilot before them",
            hint: "delete the other subscribers of the customer in the same plan, or keep the "
                + "pilot")
    }

    static func fieldNotStored(_ subscriber: DesiredSubscriber, field: String) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "NGCP does not store '\(field)' for subscribers of non-PBX customers",
            hint: "set the '\(field)' preference instead", location: subscriber.location)
    }

    static func duplicateDeclaration(
        _ id: ResourceID, first: SourceLocation?, at location: SourceLocation?
    ) -> PlanningProblem {
        let firstText = first.map { " (first at \($0))" } ?? ""
        return PlanningProblem(
            resource: id, message: "declared more than once\(firstText)",
            hint: "keep one declaration per natural key", location: location)
    }

    /// A cycle among operations; `names` are the `collection/name` texts of the objects.
    static func dependencyCycle(_ names: [String]) -> PlanningProblem {
        let first = names.first ?? "?"
        var resource = ResourceID(.subscribers, first)
        if let slash = first.firstIndex(of: "/"),
            let kind = ResourceKind(rawValue: String(first[..<slash]))
        {
            resource = ResourceID(kind, String(first[first.index(after: slash)...]))
        }
        return PlanningProblem(
            resource: resource,
            message: "the operations depend on each other in a cycle: "
                + names.joined(separator: " → "),
            hint: "NGCP requires a primary number on every SIP subscriber and PBX pilot and "
                + "an extension on every other PBX subscriber, so a swap cannot free one "
                + "first. Apply once with one subscriber on an unused number or extension, "
                + "then apply the swap")
    }

    static func terminatedOwner(_ subscriber: DesiredSubscriber) -> PlanningProblem {
        PlanningProblem(
            resource: subscriber.id,
            message: "customer '\(subscriber.customer)' is declared terminated",
            hint: "remove the subscriber or move it to an active customer",
            location: subscriber.location)
    }
}
