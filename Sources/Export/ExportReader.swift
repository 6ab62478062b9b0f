import LiveState
import NGCPClient
import NGCPCore

/// Reads the live state an export needs: the collections, then the call forwards and
/// preferences of every subscriber of the exported customers.
public struct ExportReader: Sendable {
    public let client: NGCPAPIClient
    /// Customer external_id patterns (NGCP's filter: case-insensitive, `*` as a wildcard).
    /// Empty means every customer.
    public var customers: [String]
    public var reseller: String?
    public var rows: Int
    public let logger: Logger

    public init(
        client: NGCPAPIClient, customers: [String] = [], reseller: String? = nil, rows: Int = 25,
        logger: Logger = .disabled
    ) {
        self.client = client
        self.customers = customers
        self.reseller = reseller
        self.rows = rows
        self.logger = logger
    }

    public func read(options: ExportOptions) async throws -> LiveState {
        var live = try await readCollections()
        let ids = Exporter.subscriberIDs(live, options: options)
        let reader = LiveStateReader(client: client, rows: rows, logger: logger)
        try await reader.readSubscriberBlocks(
            forwardsFor: ids, preferencesFor: ids, into: &live)
        return live
    }

    /// Reads once per customer pattern and merges by server id, because the live-state scope
    /// takes one pattern. Without patterns, reads everything in the reseller scope once.
    private func readCollections() async throws -> LiveState {
        let patterns: [String?] = customers.isEmpty ? [nil] : customers.map { $0 }
        var merged: LiveState?
        for pattern in patterns {
            let scope = LiveStateScope(customerExternalID: pattern, resellerName: reseller)
            let reader = LiveStateReader(client: client, scope: scope, rows: rows, logger: logger)
            let state = try await reader.read()
            merged = merged.map { Self.merge($0, state) } ?? state
        }
        return merged ?? LiveState()
    }

    /// Joins two reads of the same target: the union of each collection by id, in id order.
    static func merge(_ first: LiveState, _ second: LiveState) -> LiveState {
        func union(_ left: [LiveObject], _ right: [LiveObject]) -> [LiveObject] {
            var byID: [Int: LiveObject] = [:]
            for object in left + right { byID[object.id] = object }
            return byID.values.sorted { $0.id < $1.id }
        }
        var result = first
        result.resellers = union(first.resellers, second.resellers)
        result.billingProfiles = union(first.billingProfiles, second.billingProfiles)
        result.domains = union(first.domains, second.domains)
        result.contacts = union(first.contacts, second.contacts)
        result.customers = union(first.customers, second.customers)
        result.subscribers = union(first.subscribers, second.subscribers)
        result.preferenceDefinitions.merge(second.preferenceDefinitions) { current, _ in current }
        return result
    }
}
