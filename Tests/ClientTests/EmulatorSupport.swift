import Emulator
import NGCPClient
import NGCPCore

/// Starts an in-process emulator on 127.0.0.1 with a free port, runs `body` with a client for
/// it, and stops the emulator afterwards.
func withEmulator(
    faults: FaultSettings = FaultSettings(), generation: GenerationSettings? = nil,
    retry: RetryPolicy = RetryPolicy(initialDelay: 0.01), connections: Int = 4,
    pageConcurrency: Int = 3, logger: Logger = .disabled,
    _ body: (EmulatorServer, NGCPAPIClient) async throws -> Void
) async throws {
    var configuration = EmulatorConfiguration()
    configuration.faults = faults
    configuration.generation = generation
    let server = try EmulatorServer(configuration: configuration)
    defer { server.stop() }

    let account = EmulatorAccount.defaultAdministrator
    let client = NGCPAPIClient(
        baseURL: server.baseURL, user: account.username, password: SecretValue(account.password),
        transport: TransportOptions(connections: connections), retryPolicy: retry,
        pageConcurrency: pageConcurrency, pageTimeBudget: testPageTimeBudget, logger: logger)
    try await body(server, client)
}

/// Objects that tests create through the API, with the ids the server gave them.
struct Fixture {
    let client: NGCPAPIClient

    func domain(_ name: String) async throws -> Int {
        try await client.post("/api/domains/", body: ["domain": .string(name), "reseller_id": 1])
    }

    func contact(_ email: String) async throws -> Int {
        try await client.post(
            "/api/customercontacts/",
            body: [
                "reseller_id": 1, "email": .string(email), "firstname": "Test",
                "lastname": "Contact",
            ])
    }

    func customer(_ externalID: String, contactID: Int, status: String = "active") async throws
        -> Int
    {
        try await client.post(
            "/api/customers/",
            body: [
                "contact_id": .int(contactID), "billing_profile_id": 1, "status": .string(status),
                "type": "sipaccount", "external_id": .string(externalID),
            ])
    }

    func subscriber(
        _ username: String, customerID: Int, domainID: Int, number: String
    ) async throws -> Int {
        try await client.post(
            "/api/subscribers/",
            body: [
                "customer_id": .int(customerID), "domain_id": .int(domainID),
                "username": .string(username), "password": "SipPass123",
                "primary_number": ["cc": "43", "ac": "99", "sn": .string(number)],
            ])
    }
}

/// A page time budget of an hour for test clients, so that pages keep their size however
/// slowly a loaded machine serves the first one, and the request counts that tests expect
/// hold. The tests of the adaptation set their own budget.
let testPageTimeBudget: Double = 3600
