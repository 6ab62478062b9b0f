import NGCPClient
import NGCPCore
import Planning

/// Guard results and saved-plan checks, turned into messages and exit code 3.
enum Guards {
    /// Builds the message for a blocked plan, with one line per broken guard and its objects.
    static func blockedMessage(_ violations: [GuardViolation], target: String?) -> String {
        var lines = ["the plan is blocked by \(violations.count) guard(s); nothing was sent:"]
        for violation in violations {
            lines.append("  \(violation.guardName): \(violation.message)")
            for object in violation.objects { lines.append("    \(object)") }
        }
        let place = target.map { " of target '\($0)'" } ?? ""
        lines.append(
            "change the manifests, or relax the guard in the guards section\(place) of "
                + "ngcpctl.yaml if the removal is intended")
        return lines.joined(separator: "\n")
    }

    /// Fails with exit code 3 when `violations` is not empty.
    static func enforce(_ violations: [GuardViolation], target: String?) throws {
        guard !violations.isEmpty else { return }
        throw CommandFailure(blockedMessage(violations, target: target), exitCode: .blocked)
    }

    /// Returns the guard settings for a run: the target's guards, or the defaults without
    /// ngcpctl.yaml, with the command line's overrides.
    static func settings(target: TargetConfiguration?, maxDeletes: Int?) -> GuardSettings {
        var settings = target?.guards ?? GuardSettings()
        if let maxDeletes { settings.maxDeletes = maxDeletes }
        return settings
    }

    /// Parses the target's ignore rules; a rule that cannot be read stops the run.
    static func ignoreRules(_ target: TargetConfiguration?) throws -> [IgnoreRule] {
        guard let target else { return [] }
        return try target.ignore.map { text in
            guard let rule = IgnoreRule(parsing: text) else {
                let place = target.location.map { "\($0): " } ?? ""
                throw CommandFailure(
                    "\(place)invalid ignore rule '\(text)' in target '\(target.name)': write "
                        + "[collection/name:]path, such as 'subscribers/*:preferences.cli'")
            }
            return rule
        }
    }
}

/// Checks that a saved plan still fits the target: its secrets and the live objects it was
/// computed from are unchanged.
enum SavedPlanCheck {
    /// Rejects the plan (exit 3) when a secret's value differs from the one the plan recorded.
    static func checkSecrets(_ plan: Plan, connection: Connection, resolver: SecretResolver)
        throws
    {
        // A source the rules reject is an invalid plan (exit 1), not a stale one: planning
        // again would not change it.
        for reference in SecretDigest.references(in: plan) {
            guard let source = PlanPlaceholder.secretSource(from: reference.source) else {
                continue
            }
            do {
                _ = try resolver.resolve(source)
            } catch  where error.isAccessDenied || error.reason.contains("control characters") {
                throw CommandFailure(
                    "the saved plan names a secret that may not be read, for \(reference.owner) "
                        + "\(reference.field): \(error.description); nothing was sent")
            } catch {
                continue
            }
        }
        let key = SecretDigest.key(
            apiUser: connection.user, apiPassword: connection.password, target: connection.url)
        let changed = SecretDigest.changed(plan, key: key) { reference in
            guard let source = PlanPlaceholder.secretSource(from: reference.source) else {
                return nil
            }
            return try? resolver.resolve(source)
        }
        guard !changed.isEmpty else { return }
        let names = changed.map { "\($0.owner) \($0.field) from \($0.sourceDescription)" }
        throw CommandFailure(
            "the saved plan is stale: these secrets are unreadable or differ from when the plan "
                + "was made:\n  " + names.joined(separator: "\n  ")
                + "\nplan again with the current values",
            exitCode: .blocked)
    }

    /// Re-reads every live object the plan was computed from, and rejects the plan (exit 3) when one
    /// changed or disappeared since.
    static func checkLiveObjects(_ plan: Plan, client: NGCPAPIClient) async throws {
        var expected: [String: (fingerprint: String, name: String)] = [:]
        for operation in plan.operations {
            guard let fingerprint = operation.liveFingerprint,
                let path = LiveFingerprint.readPath(of: operation)
            else { continue }
            expected[path] = (fingerprint, operation.resourceID.description)
        }
        var stale: [String] = []
        for path in expected.keys.sorted() {
            guard let entry = expected[path] else { continue }
            do {
                let object = try await client.get(path)
                let fields = object.objectValue ?? [:]
                if LiveFingerprint.of(fields: fields) != entry.fingerprint {
                    stale.append("\(entry.name) (\(path)) changed")
                }
            } catch let error where error.isNotFound {
                stale.append("\(entry.name) (\(path)) no longer exists")
            } catch {
                throw CommandFailure(
                    "cannot re-read \(path) to check the saved plan: \(error)",
                    exitCode: error.isTransient ? .transient : .failure)
            }
        }
        stale += try await takenNaturalKeys(plan, client: client)
        guard !stale.isEmpty else { return }
        throw CommandFailure(
            "the saved plan is stale: objects changed since it was made; nothing was sent:\n  "
                + stale.joined(separator: "\n  ") + "\nplan again against the current state",
            exitCode: .blocked)
    }
}

extension SavedPlanCheck {
    /// Lists the objects the plan creates that exist by now: creating them again would fail,
    /// or for a customer give a second one with the same `external_id`.
    fileprivate static func takenNaturalKeys(_ plan: Plan, client: NGCPAPIClient) async throws
        -> [String]
    {
        var taken: [String] = []
        // A subscriber that moves to another customer is deleted first and created again.
        let removed = Set(plan.operations.filter { $0.action == .delete }.map(\.resourceID))
        for operation in plan.operations
        where operation.action == .create && !removed.contains(operation.resourceID) {
            let query: (collection: String, filters: [String: String], matches: (JSONValue) -> Bool)
            switch operation.resource {
            case .domains:
                query = (
                    "domains", ["domain": operation.name],
                    { $0["domain"]?.stringValue?.lowercased() == operation.name.lowercased() }
                )
            case .customers:
                query = (
                    "customers", ["external_id": operation.name],
                    {
                        $0["external_id"]?.stringValue == operation.name
                            && $0["status"]?.stringValue != "terminated"
                    }
                )
            case .subscribers:
                guard let at = operation.name.lastIndex(of: "@") else { continue }
                let username = String(operation.name[..<at])
                let domain = String(operation.name[operation.name.index(after: at)...])
                query = (
                    "subscribers", ["username": username, "domain": domain],
                    {
                        $0["username"]?.stringValue == username
                            && $0["domain"]?.stringValue?.lowercased() == domain.lowercased()
                    }
                )
            default:
                continue
            }
            do {
                let items = try await client.list(query.collection, filters: query.filters)
                if items.contains(where: query.matches) {
                    taken.append("\(operation.resourceID) exists by now")
                }
            } catch {
                throw CommandFailure(
                    "cannot check whether \(operation.resourceID) exists by now: \(error)",
                    exitCode: error.isTransient ? .transient : .failure)
            }
        }
        return taken
    }
}

extension NGCPAPIError {
    /// A failure that may pass when the command runs again: no answer, or an overloaded or
    /// unavailable server.
    var isTransient: Bool {
        switch kind {
        case .timeout, .connectionFailed, .connectionLost: return true
        default: return [429, 502, 503, 504].contains(status ?? 0)
        }
    }
}
