import Apply
import Emulator
import Foundation
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Testing

/// For every recorded case that plans without a problem or a guard violation: the emulator
/// is seeded through the API with the case's live state, the case's plan is applied, and
/// planning again with the same options gives an empty plan. This runs the updates, moves and
/// removals of the recorded plans against the API, where the round trip from an empty target
/// runs only creates.
@Suite(.serialized) struct GoldenSeededTests {
    static let directory = GoldenRoundTripTests.directory

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            let expected = directory.appendingPathComponent(name + "/expected.json").path
            guard let text = try? String(contentsOfFile: expected, encoding: .utf8),
                let document = try? JSONValue.parse(text)
            else { return false }
            return document["plan"] != nil && document["guard_violations"] == []
        }.sorted()
    }

    @Test("enough cases take part") func count() {
        #expect(Self.cases.count >= 40)
    }

    @Test("seeded apply then plan is empty", arguments: cases)
    func seeded(_ name: String) async throws {
        let folder = Self.directory.appendingPathComponent(name)
        let text = try String(
            contentsOf: folder.appendingPathComponent("desired.yaml"), encoding: .utf8)
        let manifests = ManifestLoader().load(documents: [(path: "desired.yaml", text: text)])
        try #require(!manifests.diagnostics.hasErrors, "\(manifests.errors)")
        let live = try JSONValue.parse(
            String(contentsOf: folder.appendingPathComponent("live.json"), encoding: .utf8))
        let optionsPath = folder.appendingPathComponent("options.json").path
        let options =
            FileManager.default.fileExists(atPath: optionsPath)
            ? try JSONValue.parse(String(contentsOfFile: optionsPath, encoding: .utf8)) : [:]

        try await GoldenRoundTripTests.withEmulator { server in
            try await Self.seeded(
                name, folder: folder, desired: manifests.desired, live: live, options: options,
                server: server)
        }
    }

    private static func seeded(
        _ name: String, folder: URL, desired: DesiredState, live: JSONValue,
        options: JSONValue, server: EmulatorServer
    ) async throws {
        let account = EmulatorAccount.defaultAdministrator
        let client = NGCPAPIClient(
            baseURL: server.baseURL, user: account.username,
            password: SecretValue(account.password))
        try await LiveSeeder(client: client).seed(live)

        let secretValues = options["secrets"]?.objectValue ?? [:]
        let plannerOptions = try Self.plannerOptions(options, secrets: secretValues)
        let first = try Planner.plan(
            desired: desired, live: try await GoldenRoundTripTests.read(client, desired),
            options: plannerOptions)
        // The seeded target gives the recorded plan, up to server ids.
        let expected = try JSONValue.parse(
            String(contentsOf: folder.appendingPathComponent("expected.json"), encoding: .utf8))
        let expectedSteps = (expected["plan"]?["operations"]?.arrayValue ?? []).map { item in
            ["action", "resource", "name", "method"].map { item[$0]?.stringValue ?? "" }
        }
        let steps = first.operations.map {
            [$0.action.rawValue, $0.resource.rawValue, $0.name, $0.method.rawValue]
        }
        #expect(steps == expectedSteps, "\(name)")

        let executor = PlanExecutor(
            client: client,
            secrets: PlanSecrets(lookup: { reference in
                let owner = reference.owner.split(separator: "/", maxSplits: 1).last ?? ""
                let value = secretValues["\(owner)/\(reference.field)"]?.stringValue
                return SecretValue(value ?? "SipPass123")
            }))
        let result = await executor.execute(first)
        let failures = result.operations.filter { !$0.succeeded }
            .map { "\($0.resourceID): \($0.error ?? "")" }
        #expect(failures.isEmpty, "\(name): \(failures)")

        let second = try Planner.plan(
            desired: desired, live: try await GoldenRoundTripTests.read(client, desired),
            options: plannerOptions)
        #expect(second.isEmpty, "\(name): \(HumanPlanRenderer().render(second))")
    }

    static func plannerOptions(_ options: JSONValue, secrets: [String: JSONValue]) throws
        -> PlannerOptions
    {
        let inventory = options["managed_inventory"]?.arrayValue.map { items in
            Set(
                items.compactMap { item -> ResourceID? in
                    guard let text = item.stringValue, let slash = text.firstIndex(of: "/"),
                        let kind = ResourceKind(rawValue: String(text[..<slash]))
                    else { return nil }
                    return ResourceID(kind, String(text[text.index(after: slash)...]))
                })
        }
        let rules = (options["ignore"]?.arrayValue ?? []).compactMap {
            $0.stringValue.flatMap(IgnoreRule.init(parsing:))
        }
        return PlannerOptions(
            prune: options["prune"] == true, pruneDomains: options["prune_domains"] == true,
            managedInventory: inventory,
            managedCustomers: options["managed_customers"]?.stringValue, ignoreRules: rules,
            secrets: { id, field in
                SecretValue(secrets["\(id.name)/\(field)"]?.stringValue ?? "SipPass123")
            })
    }
}

/// Creates a recorded live state through the API: domains, contacts, customers, subscribers
/// with their numbers, forwards and preferences, then customer statuses. Server ids differ
/// from the recorded ones, which planning never relies on.
struct LiveSeeder {
    let client: NGCPAPIClient

    func seed(_ live: JSONValue) async throws {
        var domainIDs: [Int: Int] = [:]
        for domain in live["domains"]?.arrayValue ?? [] {
            domainIDs[domain["id"]?.intValue ?? 0] = try await client.post(
                "/api/domains/", body: ["domain": domain["domain"] ?? .null, "reseller_id": 1])
        }

        var contactIDs: [Int: Int] = [:]
        for contact in live["customercontacts"]?.arrayValue ?? [] {
            var body = Self.present(contact, except: ["id", "_links"])
            body["reseller_id"] = 1
            contactIDs[contact["id"]?.intValue ?? 0] = try await client.post(
                "/api/customercontacts/", body: .object(body))
        }

        var customerIDs: [Int: Int] = [:]
        for customer in live["customers"]?.arrayValue ?? [] {
            var body: [String: JSONValue] = [
                "contact_id": .int(contactIDs[customer["contact_id"]?.intValue ?? 0] ?? 0),
                "billing_profile_id": 1, "status": "active",
                "type": customer["type"] ?? "sipaccount",
            ]
            for field in ["external_id", "max_subscribers", "vat_rate", "add_vat"] {
                if let value = customer[field], value != .null { body[field] = value }
            }
            customerIDs[customer["id"]?.intValue ?? 0] = try await client.post(
                "/api/customers/", body: .object(body))
        }

        var subscriberIDs: [Int: Int] = [:]
        for subscriber in live["subscribers"]?.arrayValue ?? [] {
            var body: [String: JSONValue] = [
                "customer_id": .int(customerIDs[subscriber["customer_id"]?.intValue ?? 0] ?? 0),
                "domain_id": .int(domainIDs[subscriber["domain_id"]?.intValue ?? 0] ?? 0),
            ]
            for field in ["username", "password", "webusername", "email", "lock", "status"] {
                if let value = subscriber[field], value != .null { body[field] = value }
            }
            if let primary = subscriber["primary_number"], primary != .null {
                body["primary_number"] = Self.number(primary)
            }
            body["alias_numbers"] = .array(
                (subscriber["alias_numbers"]?.arrayValue ?? []).map(Self.number))
            subscriberIDs[subscriber["id"]?.intValue ?? 0] = try await client.post(
                "/api/subscribers/", body: .object(body))
        }

        for (key, block) in live["callforwards"]?.objectValue ?? [:] {
            guard let id = Int(key).flatMap({ subscriberIDs[$0] }) else { continue }
            _ = try await client.put("/api/callforwards/\(id)", body: Self.forwards(block))
        }
        for (key, block) in live["subscriberpreferences"]?.objectValue ?? [:] {
            guard let id = Int(key).flatMap({ subscriberIDs[$0] }) else { continue }
            let automatic: Set<String> = [
                "id", "subscriber_id", "_links", "cc", "ac", "allowed_clis", "call_log_level",
                "emergency_location_format",
            ]
            let operations = Self.present(block, except: automatic).keys.sorted().map {
                name -> JSONValue in
                ["op": "add", "path": .string("/\(name)"), "value": block[name] ?? .null]
            }
            if !operations.isEmpty {
                _ = try await client.patch(
                    "/api/subscriberpreferences/\(id)", operations: operations)
            }
        }

        for customer in live["customers"]?.arrayValue ?? [] {
            guard let status = customer["status"], status != "active",
                let id = customerIDs[customer["id"]?.intValue ?? 0]
            else { continue }
            _ = try await client.patch(
                "/api/customers/\(id)",
                operations: [["op": "replace", "path": "/status", "value": status]])
        }
    }

    /// The members of an object that are set, without the ones listed.
    static func present(_ object: JSONValue, except: Set<String>) -> [String: JSONValue] {
        (object.objectValue ?? [:]).filter { !except.contains($0.key) && $0.value != .null }
    }

    static func number(_ value: JSONValue) -> JSONValue {
        ["cc": value["cc"] ?? .null, "ac": value["ac"] ?? .null, "sn": value["sn"] ?? .null]
    }

    /// A forwards PUT body from a recorded block: destinations by their short form, and the
    /// lists and modes of each type.
    static func forwards(_ block: JSONValue) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (type, forward) in block.objectValue ?? [:] where type.hasPrefix("cf") {
            guard let members = forward.objectValue, !members.isEmpty else {
                body[type] = [:]
                continue
            }
            var entry: [String: JSONValue] = [:]
            entry["destinations"] = .array(
                (forward["destinations"]?.arrayValue ?? []).map { destination in
                    [
                        "destination": destination["simple_destination"]
                            ?? destination["destination"] ?? .null,
                        "priority": destination["priority"] ?? .null,
                        "timeout": destination["timeout"] ?? 300,
                    ]
                })
            for field in [
                "sources", "sources_mode", "sources_is_regex", "bnumbers", "bnumbers_mode",
                "bnumbers_is_regex", "times", "ringtimeout",
            ] {
                if let value = forward[field], value != .null { entry[field] = value }
            }
            body[type] = .object(entry)
        }
        return .object(body)
    }
}
