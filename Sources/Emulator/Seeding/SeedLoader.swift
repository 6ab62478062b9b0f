import Foundation
import NGCPCore

/// Loads a JSON seed file through the same checks the API applies, so a seed cannot create
/// what a client could not.
///
/// Format (every list optional; objects use the API's own field names):
/// ```
/// { "resellers": [{"name": "r2", "status": "active"}],
///   "billingprofiles": [{"reseller_id": 1, "handle": "gold", "name": "Gold"}],
///   "domains": [{"domain": "sip.example.org", "reseller_id": 1}],
///   "customers": [{"status": "active", "type": "sipaccount", "billing_profile_id": 1,
///                  "contact": {"reseller_id": 1, "email": "c@example.org"},
///                  "subscribers": [{"domain": "sip.example.org", "username": "alice",
///                                   "password": "...", "primary_number": {...},
///                                   "callforwards": {"cfu": {...}},
///                                   "preferences": {"concurrent_max": 2}}]}] }
/// ```
/// A customer may name `contact_id` instead of an inline `contact`, and `billing_profile`
/// (a handle) instead of `billing_profile_id`.
enum SeedLoader {
    static func load(path: String, into store: Store) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmulatorError(
                "cannot read the seed file '\(path)': it does not exist or is unreadable")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(data))
        } catch {
            throw EmulatorError(
                "the seed file '\(path)' is not valid JSON: \(error); YAML seeds are not supported, "
                    + "convert them to JSON")
        }
        guard let root = document.objectValue else {
            throw EmulatorError("the seed file '\(path)' must contain a JSON object at the top")
        }
        try load(root, path: path, into: store)
    }

    static func load(_ root: [String: JSONValue], path: String, into store: Store) throws {
        let context = RequestContext(role: .admin, query: CollectionQuery(parameters: []))
        func step(_ what: String, _ body: (inout State) throws(APIError) -> Void) throws {
            do {
                try store.write(body)
            } catch {
                throw EmulatorError(
                    "seed file '\(path)': \(what) was rejected with \(error.status): \(error.message)"
                )
            }
        }
        for (index, entry) in objects(root["resellers"]).enumerated() {
            try step("resellers[\(index)]") { (state: inout State) throws(APIError) in
                var body = entry
                if body["contract_id"] == nil {
                    // A reseller needs a contract; seeds get a fresh one.
                    body["contract_id"] = .int(state.customers.allocateID())
                }
                if body["status"] == nil { body["status"] = "active" }
                _ = try ResellersResource().create(body, in: &state, context: context)
            }
        }
        for (index, entry) in objects(root["billingprofiles"]).enumerated() {
            try step("billingprofiles[\(index)]") { (state: inout State) throws(APIError) in
                _ = try BillingProfilesResource().create(entry, in: &state, context: context)
            }
        }
        for (index, entry) in objects(root["domains"]).enumerated() {
            try step("domains[\(index)]") { (state: inout State) throws(APIError) in
                _ = try DomainsResource().create(entry, in: &state, context: context)
            }
        }
        for (index, entry) in objects(root["customers"]).enumerated() {
            try loadCustomer(entry, label: "customers[\(index)]", context: context, step: step)
        }
    }

    private static func loadCustomer(
        _ entry: [String: JSONValue], label: String, context: RequestContext,
        step: (String, (inout State) throws(APIError) -> Void) throws -> Void
    ) throws {
        var customerID = 0
        try step(label) { (state: inout State) throws(APIError) in
            var body = entry
            if let contact = body["contact"]?.objectValue {
                body["contact_id"] = .int(
                    try ContactsResource().create(contact, in: &state, context: context))
            }
            if let handle = Fields.text(body["billing_profile"]) {
                guard
                    let profile = state.billingProfiles.values.first(where: { $0.handle == handle })
                else { throw APIError.unprocessable("unknown billing profile handle '\(handle)'") }
                body["billing_profile_id"] = .int(profile.id)
            }
            if body["billing_profile_id"] == nil { body["billing_profile_id"] = 1 }
            if body["status"] == nil { body["status"] = "active" }
            if body["type"] == nil { body["type"] = "sipaccount" }
            customerID = try CustomersResource().create(body, in: &state, context: context)
        }
        for (index, subscriberEntry) in objects(entry["subscribers"]).enumerated() {
            try step("\(label).subscribers[\(index)]") { (state: inout State) throws(APIError) in
                var body = subscriberEntry
                body["customer_id"] = .int(customerID)
                body["callforwards"] = nil
                body["preferences"] = nil
                let id = try SubscribersResource().create(body, in: &state, context: context)
                if let forwards = subscriberEntry["callforwards"]?.objectValue {
                    try CallForwardsResource().replace(
                        id, with: forwards, in: &state, context: context)
                }
                if let preferences = subscriberEntry["preferences"]?.objectValue {
                    try PreferencesResource().applyPatched(
                        id, document: preferences, original: [:], in: &state, context: context)
                }
            }
        }
    }

    private static func objects(_ value: JSONValue?) -> [[String: JSONValue]] {
        (value?.arrayValue ?? []).compactMap(\.objectValue)
    }
}
