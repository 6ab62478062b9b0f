import Emulator
import Export
import Foundation
import LiveState
import Manifests
import NGCPClient
import NGCPCore
import Planning
import Testing
import YAMLReader

/// Starts an in-process emulator on 127.0.0.1 with a free port and runs `body` with a client.
func withEmulator(
    generation: GenerationSettings? = nil,
    _ body: (EmulatorServer, NGCPAPIClient) async throws -> Void
) async throws {
    var configuration = EmulatorConfiguration()
    configuration.generation = generation
    let server = try EmulatorServer(configuration: configuration)
    defer { server.stop() }
    let account = EmulatorAccount.defaultAdministrator
    let client = NGCPAPIClient(
        baseURL: server.baseURL, user: account.username, password: SecretValue(account.password))
    try await body(server, client)
}

/// Reads the target and exports it, the way `ngcpctl export` does.
func exportLive(
    _ client: NGCPAPIClient, customers: [String] = [], options: ExportOptions = ExportOptions()
) async throws -> ExportResult {
    let live = try await ExportReader(client: client, customers: customers).read(options: options)
    return Exporter.export(live, options: options)
}

/// Loads exported files with the manifest loader's defaults.
func loadExport(_ result: ExportResult) -> ManifestLoadResult {
    ManifestLoader().load(documents: result.files.map { ($0.path, $0.text) })
}

/// Plans the loaded export against the target, reading the live state as `plan` does. The
/// passwords come from `secrets` (variable name to value), so a changed password would show.
func planExport(
    _ loaded: ManifestLoadResult, client: NGCPAPIClient, secrets: [String: String]
) async throws -> Plan {
    let reader = LiveStateReader(client: client)
    var live = try await reader.read()
    let blocks = Planner.managedBlocks(desired: loaded.desired, live: live)
    try await reader.readSubscriberBlocks(
        forwardsFor: blocks.forwards, preferencesFor: blocks.preferences, into: &live)

    let resolver = SecretResolver(environment: secrets)
    var values: [String: SecretValue] = [:]
    for subscriber in loaded.desired.subscribers {
        for (field, source) in subscriber.secrets {
            values["\(subscriber.id) \(field)"] = try resolver.resolve(source)
        }
    }
    let frozen = values
    let options = PlannerOptions(secrets: { owner, field in frozen["\(owner) \(field)"] })
    return try Planner.plan(desired: loaded.desired, live: live, options: options)
}

/// Sources a shell file with /bin/sh and returns the variables it exported, so the test reads
/// the values exactly as a shell would.
func sourceWithShell(_ path: String, names: [String]) throws -> [String: String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    let script =
        ". \"$1\" && shift && for name in \"$@\"; do eval \"printf '%s\\0' \\\"\\$$name\\\"\"; done"
    process.arguments = ["-c", script, "sh", path] + names
    process.environment = ["PATH": "/usr/bin:/bin"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let values = String(decoding: data, as: UTF8.self).split(
        separator: "\0", omittingEmptySubsequences: false)
    var result: [String: String] = [:]
    for (name, value) in zip(names, values) { result[name] = String(value) }
    return result
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ngcpctl-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func files() throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: path + "/" + relative, isDirectory: &isDirectory)
            try #require(exists, "\(relative) was listed but does not exist")
            if isDirectory.boolValue { continue }
            result[relative] = try String(contentsOfFile: path + "/" + relative, encoding: .utf8)
        }
        return result
    }
}

/// Converts a parsed YAML node to JSON values, mappings as objects.
func jsonValue(_ node: YAMLNode) -> JSONValue {
    switch node.content {
    case .scalar(let scalar):
        switch scalar.value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float(let number): return .double(number)
        case .string(let text): return .string(text)
        }
    case .sequence(let items):
        return .array(items.map(jsonValue))
    case .mapping(let pairs):
        var object: [String: JSONValue] = [:]
        for pair in pairs {
            object[pair.key.scalar?.text ?? "?"] = jsonValue(pair.value)
        }
        return .object(object)
    }
}

/// Converts a `YAMLValue` to the JSON value it represents.
func jsonValue(_ value: YAMLValue) -> JSONValue {
    switch value {
    case .null: return .null
    case .bool(let flag): return .bool(flag)
    case .int(let number): return .int(number)
    case .double(let number): return .double(number)
    case .string(let text): return .string(text)
    case .sequence(let items, _): return .array(items.map(jsonValue))
    case .mapping(let entries, _):
        var object: [String: JSONValue] = [:]
        for entry in entries { object[entry.key] = jsonValue(entry.value) }
        return .object(object)
    }
}
