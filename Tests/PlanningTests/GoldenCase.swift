import Foundation
import Manifests
import NGCPCore
import Planning
import Testing

/// One recorded planning case under `Golden/NAME/`:
/// - `desired.yaml`: the manifests;
/// - `live.json`: the live state, each collection as the API returns its items (`_links`
///   included), forwards and preferences keyed by subscriber id;
/// - `options.json` (optional): `prune`, `prune_domains`, `managed_inventory`,
///   `managed_customers`, `ignore`, `guards` (as in ngcpctl.yaml) and `secrets`
///   (`"user@domain/password": value`; every other secret is `SipPass123`, the live password);
/// - `expected.json` and `expected.txt`: the plan document with the guard violations, and the
///   human rendering. `NGCPCTL_RECORD_GOLDEN=1` writes them from the current planner.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")
    static let target = "https://ngcp.example.org:1443/api/"
    static var recording: Bool {
        ProcessInfo.processInfo.environment["NGCPCTL_RECORD_GOLDEN"] == "1"
    }

    let name: String
    var testDescription: String { name }
    var url: URL { Self.directory.appendingPathComponent(name) }

    static var all: [GoldenCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map(GoldenCase.init)
    }

    func text(_ file: String) throws -> String? {
        let path = url.appendingPathComponent(file).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    func write(_ file: String, _ text: String) throws {
        try text.write(to: url.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    func options() throws -> JSONValue {
        try text("options.json").map { try JSONValue.parse($0) } ?? [:]
    }

    func desired() throws -> DesiredState {
        let result = ManifestLoader().load(documents: [
            (path: "\(name)/desired.yaml", text: try text("desired.yaml") ?? "")
        ])
        if result.diagnostics.hasErrors {
            throw GoldenError("\(name): manifests: \(result.errors.map(\.description))")
        }
        return result.desired
    }

    func live() throws -> LiveState {
        guard let text = try text("live.json") else { throw GoldenError("\(name): no live.json") }
        let json = try JSONValue.parse(text)
        func objects(_ key: String) -> [LiveObject] {
            (json[key]?.arrayValue ?? []).map { item in
                var fields = item.objectValue ?? [:]
                fields["_links"] = nil
                return LiveObject(id: fields["id"]?.intValue ?? 0, fields: fields)
            }
        }
        func blocks(_ key: String) -> [Int: [String: JSONValue]] {
            var result: [Int: [String: JSONValue]] = [:]
            for (id, value) in json[key]?.objectValue ?? [:] {
                var fields = value.objectValue ?? [:]
                fields["_links"] = nil
                if key == "subscriberpreferences" {
                    fields["id"] = nil
                    fields["subscriber_id"] = nil
                }
                result[Int(id) ?? 0] = fields
            }
            return result
        }
        return LiveState(
            resellers: objects("resellers"), billingProfiles: objects("billingprofiles"),
            domains: objects("domains"), contacts: objects("customercontacts"),
            customers: objects("customers"), subscribers: objects("subscribers"),
            callforwards: blocks("callforwards"), preferences: blocks("subscriberpreferences"))
    }

    func plannerOptions() throws -> PlannerOptions {
        let options = try options()
        let secretValues = options["secrets"]?.objectValue ?? [:]
        let inventory = options["managed_inventory"]?.arrayValue.map { items in
            Set(
                items.compactMap { item -> ResourceID? in
                    guard let text = item.stringValue, let slash = text.firstIndex(of: "/"),
                        let kind = ResourceKind(rawValue: String(text[..<slash]))
                    else { return nil }
                    return ResourceID(kind, String(text[text.index(after: slash)...]))
                })
        }
        let rules = try (options["ignore"]?.arrayValue ?? []).map { item in
            guard let text = item.stringValue, let rule = IgnoreRule(parsing: text) else {
                throw GoldenError("\(name): bad ignore rule \(item)")
            }
            return rule
        }
        return PlannerOptions(
            prune: options["prune"] == true, pruneDomains: options["prune_domains"] == true,
            managedInventory: inventory,
            managedCustomers: options["managed_customers"]?.stringValue, ignoreRules: rules,
            secrets: { id, field in
                SecretValue(secretValues["\(id.name)/\(field)"]?.stringValue ?? "SipPass123")
            },
            target: Self.target)
    }

    func guardSettings() throws -> GuardSettings {
        var settings = GuardSettings()
        let guards = try options()["guards"]?.objectValue ?? [:]
        if let value = guards["max_deletes"] { settings.maxDeletes = value.intValue }
        if let value = guards["max_terminations"] { settings.maxTerminations = value.intValue }
        if let value = guards["allow_domain_delete"] { settings.allowDomainDelete = value == true }
        if let value = guards["refuse_remove_all"] { settings.refuseRemoveAll = value == true }
        if let value = guards["protected"]?.arrayValue {
            settings.protected = value.compactMap(\.stringValue)
        }
        return settings
    }

    /// Plans the case and renders the outcome as the expected files hold it.
    func outcome() throws -> (json: String, human: String) {
        let desired = try desired()
        let live = try live()
        let options = try plannerOptions()
        do {
            let plan = try Planner.plan(desired: desired, live: live, options: options)
            let violations = GuardCheck.evaluate(
                plan: plan, settings: try guardSettings(), desired: desired, live: live)
            let document: JSONValue = [
                "plan": plan.jsonValue,
                "guard_violations": .array(
                    violations.map { violation in
                        [
                            "guard": .string(violation.guardName),
                            "message": .string(violation.message),
                            "objects": .array(violation.objects.map { .string($0.description) }),
                        ]
                    }),
            ]
            var human = HumanPlanRenderer(color: false).render(plan)
            for violation in violations { human += "Blocked: \(violation)\n" }
            return (document.serialized(pretty: true) + "\n", human)
        } catch let error as PlanningError {
            let messages = error.problems.map { JSONValue.string($0.diagnostic.description) }
            let document: JSONValue = ["problems": .array(messages)]
            let human = error.problems.map { $0.diagnostic.description + "\n" }.joined()
            return (document.serialized(pretty: true) + "\n", human)
        }
    }
}

struct GoldenError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
