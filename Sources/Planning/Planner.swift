import NGCPCore

/// Looks up the resolved value of a secret, by its owner and field name (`password`,
/// `webpassword`). Returns nil when the value is not available.
public typealias SecretLookup = @Sendable (ResourceID, String) -> SecretValue?

/// Planner settings: removal permissions, ignore rules, secrets, and the stamp for the plan.
public struct PlannerOptions: Sendable {
    /// Remove managed live objects that the manifests no longer declare: subscribers are
    /// deleted, customers terminated, and their contacts deleted once unused. See
    /// `managedInventory` for what counts as managed.
    public var prune: Bool
    /// Also delete managed live domains that no manifest declares and no declared subscriber
    /// uses. A domain delete removes every subscriber of that domain. Without `prune` it
    /// decides whether the plan's `notPruned` lists such domains.
    public var pruneDomains: Bool
    /// The objects that ngcpctl manages, such as every object declared at the last applied
    /// revision. When set, an object is managed exactly when it is in the set. When nil, the
    /// managed objects are the subscribers of declared customers, plus the customers that
    /// `managedCustomers` selects.
    public var managedInventory: Set<ResourceID>?
    /// Without `managedInventory`: a `*` pattern over `external_id` that selects the live
    /// customers that prune may terminate; nil selects none. Customers without an
    /// `external_id` are never pruned.
    public var managedCustomers: String?
    /// Contacts that an interrupted apply created, by server id, each with the `external_id`
    /// of the customer it was created for. Until that customer exists, the apply journal is
    /// the only link from such a contact to a name, so prune manages them with or without an
    /// inventory.
    public var interruptedContacts: [Int: String]
    /// Field differences to leave alone.
    public var ignoreRules: [IgnoreRule]
    /// Secret values, used only to detect a changed SIP password. The value never reaches the
    /// plan: the plan records that the password changes and where to read it at apply time.
    public var secrets: SecretLookup
    /// The digests of the web passwords that earlier applies sent, to detect a changed
    /// `webpassword`, which NGCP never returns. Nil leaves the web password of every existing
    /// subscriber alone.
    public var webPasswords: WebPasswordComparison?
    /// The git revision the manifests were read from, stamped on the plan.
    public var source: PlanSource
    /// The API base URL the live state was read from, stamped on the plan.
    public var target: String?

    public init(
        prune: Bool = false, pruneDomains: Bool = false,
        managedInventory: Set<ResourceID>? = nil, managedCustomers: String? = nil,
        interruptedContacts: [Int: String] = [:], ignoreRules: [IgnoreRule] = [],
        secrets: @escaping SecretLookup = { _, _ in nil },
        webPasswords: WebPasswordComparison? = nil, source: PlanSource = PlanSource(),
        target: String? = nil
    ) {
        self.prune = prune
        self.pruneDomains = pruneDomains
        self.managedInventory = managedInventory
        self.managedCustomers = managedCustomers
        self.interruptedContacts = interruptedContacts
        self.ignoreRules = ignoreRules
        self.secrets = secrets
        self.webPasswords = webPasswords
        self.source = source
        self.target = target
    }
}

/// A plan drafted from the live collections, whose call forward and preference comparisons
/// wait for those blocks; see `Planner.draft`.
public struct PlanDraft: Sendable {
    var builder: PlanBuilder

    /// The existing subscribers whose declared web password was not compared, because
    /// `PlannerOptions.webPasswords` has no digest for them, in manifest order.
    public var uncomparedWebPasswords: [ResourceID] { builder.uncomparedWebPasswords }
}

/// The digests of the web passwords that applies last sent, which a plan compares with each
/// declared `webpassword` because NGCP never returns one.
public struct WebPasswordComparison: Sendable {
    /// The key of the digests, from `SecretDigest.key(apiUser:apiPassword:target:)`.
    public var key: [UInt8]
    /// The recorded digests. Entries made with another key must be left out, because every
    /// digest would differ.
    public var records: [String: WebPasswordRecords.Entry]
    /// Whether to send the web password of an existing subscriber without an entry, which
    /// then gets one. Without this such a password is left alone.
    public var sendUnrecorded: Bool

    public init(
        key: [UInt8], records: [String: WebPasswordRecords.Entry] = [:],
        sendUnrecorded: Bool = false
    ) {
        self.key = key
        self.records = records
        self.sendUnrecorded = sendUnrecorded
    }
}

/// Turns desired and live state into an ordered plan of API requests.
///
/// Planning is pure: it reads nothing and writes nothing. The steps are pairing (by natural key
/// only), per-object diff through the rules in `Normalization`, operation building in the API's
/// request shapes, and ordering (see `PlanOrdering`).
public enum Planner {
    /// Indexes the live domains, customers, contacts and subscribers for a later `plan`. They
    /// do not depend on the manifests or on the call forwards and preferences, so a caller
    /// can build them while those are still being read.
    public static func prepare(_ live: LiveState) -> LivePreparation {
        LivePreparation(live)
    }

    /// Plans the requests that take `live` to `desired`.
    ///
    /// - Throws: `PlanningError` with every problem found, each naming the object concerned.
    /// - Parameter preparation: indexes of the same live collections, built ahead by
    ///   `prepare(_:)`. When it is nil or was made from other collections, they are built here.
    public static func plan(
        desired: DesiredState, live: LiveState, options: PlannerOptions = PlannerOptions(),
        preparation: LivePreparation? = nil
    ) throws(PlanningError) -> Plan {
        var builder = PlanBuilder(
            desired: desired, live: live, options: options, preparation: preparation)
        builder.build()
        return try finish(builder)
    }

    /// Plans everything that needs only the live collections: `live` may lack call forwards
    /// and preferences, which `plan(completing:live:)` compares once they are read. Together
    /// the two give the same plan as `plan(desired:live:options:preparation:)`, and the first
    /// can run while the block collections are still being read.
    public static func draft(
        desired: DesiredState, collections live: LiveState,
        options: PlannerOptions = PlannerOptions(), preparation: LivePreparation? = nil
    ) -> PlanDraft {
        var builder = PlanBuilder(
            desired: desired, live: live, options: options, preparation: preparation)
        builder.deferredBlocks = []
        builder.build()
        return PlanDraft(builder: builder)
    }

    /// Completes `draft` with `live`, the collections it was drafted from plus the call
    /// forwards and preferences of the managed subscribers.
    ///
    /// - Throws: `PlanningError` with every problem of the draft and of the blocks.
    public static func plan(completing draft: PlanDraft, live: LiveState)
        throws(PlanningError) -> Plan
    {
        var builder = draft.builder
        builder.planDeferredBlocks(live: live)
        return try finish(builder)
    }

    /// Reports the problems of a built plan, or orders its drafts and stamps the plan.
    private static func finish(_ builder: PlanBuilder) throws(PlanningError) -> Plan {
        if !builder.problems.isEmpty { throw PlanningError(problems: builder.problems) }
        let live = builder.live
        let options = builder.options

        let operations: [PlannedOperation]
        do {
            operations = try PlanOrdering.order(builder.drafts)
        } catch {
            throw PlanningError(problems: [error.problem])
        }
        var fingerprinted = ReferenceNames(live: live, index: builder.index).named(operations)
        for (index, fingerprint) in LiveFingerprint.of(operations, in: live, index: builder.index)
            .enumerated()
        {
            fingerprinted[index].liveFingerprint = fingerprint
        }
        var plan = Plan(
            source: options.source, target: options.target, operations: fingerprinted,
            unmanaged: builder.unmanaged)
        plan.notPruned = builder.notPruned
        plan.warnings = builder.moveWarnings()
        return plan
    }

    /// Lists the live subscriber ids whose call forwards and preferences the manifests manage, so
    /// that the reader fetches only those blocks. Each list is sorted.
    ///
    /// With `preparation` built from `live`, its index pairs the subscribers; without it, only
    /// the keys of subscribers that declare a block are looked up.
    public static func managedBlocks(
        desired: DesiredState, live: LiveState, preparation: LivePreparation? = nil
    ) -> (forwards: [Int], preferences: [Int]) {
        if let preparation, preparation.matches(live) {
            var forwards: Set<Int> = []
            var preferences: Set<Int> = []
            for subscriber in desired.subscribers
            where subscriber.callforwards != nil || subscriber.preferences != nil {
                guard let id = preparation.index.subscriber(subscriber)?.id else { continue }
                if subscriber.callforwards != nil { forwards.insert(id) }
                if subscriber.preferences != nil { preferences.insert(id) }
            }
            return (forwards.sorted(), preferences.sorted())
        }

        // Only the keys of subscribers that declare a block are looked up, so this runs
        // without indexing the whole live state, while the reads wait for it.
        var declared: [SubscriberKey: (forwards: Bool, preferences: Bool)] = [:]
        for subscriber in desired.subscribers
        where subscriber.callforwards != nil || subscriber.preferences != nil {
            let key = LiveIndex.subscriberKey(
                username: subscriber.username, domain: subscriber.domain)
            let previous = declared[key] ?? (false, false)
            declared[key] = (
                previous.forwards || subscriber.callforwards != nil,
                previous.preferences || subscriber.preferences != nil
            )
        }
        guard !declared.isEmpty else { return ([], []) }

        var domainNames: [Int: String] = [:]
        for domain in live.domains {
            if let name = domain["domain"]?.stringValue { domainNames[domain.id] = name }
        }
        // As in LiveIndex, a key held by two live subscribers pairs with the later one.
        var paired: [SubscriberKey: Int] = [:]
        for subscriber in live.subscribers {
            guard let username = subscriber["username"]?.stringValue,
                let domain = subscriber["domain_id"]?.intValue.flatMap({ domainNames[$0] })
                    ?? subscriber["domain"]?.stringValue
            else { continue }
            let key = LiveIndex.subscriberKey(username: username, domain: domain)
            if declared[key] != nil { paired[key] = subscriber.id }
        }

        var forwards: Set<Int> = []
        var preferences: Set<Int> = []
        for (key, id) in paired {
            guard let blocks = declared[key] else { continue }
            if blocks.forwards { forwards.insert(id) }
            if blocks.preferences { preferences.insert(id) }
        }
        return (forwards.sorted(), preferences.sorted())
    }
}
