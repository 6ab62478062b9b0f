import NGCPCore
import Planning

/// The difference between two desired states, object by object and field by field, computed
/// from the manifests alone.
struct DesiredStateDiff {
    enum Change: String {
        case added, removed, changed

        /// The one-character mark of human output.
        var mark: String {
            switch self {
            case .added: return "+"
            case .removed: return "-"
            case .changed: return "~"
            }
        }
    }

    /// One field that differs. A secret field carries no values, only the fact of the change.
    struct Field {
        let path: String
        let before: JSONValue?
        let after: JSONValue?
        let secret: Bool
        /// For a secret field: whether the newer revision no longer sets it.
        var secretRemoved = false

        /// The line a report prints for a secret field, which carries no values.
        var secretText: String {
            "\(path): " + (secretRemoved ? "secret removed" : "secret reference changed")
        }

        /// The field as a plan's field change, for the plan's formatting.
        var change: FieldChange {
            FieldChange(path: path, before: before, after: after, sensitive: secret)
        }
    }

    struct Entry {
        let id: ResourceID
        let change: Change
        let fields: [Field]
    }

    let entries: [Entry]

    var isEmpty: Bool { entries.isEmpty }

    init(from old: DesiredState, to new: DesiredState) {
        let before = Self.flatten(old)
        let after = Self.flatten(new)
        var entries: [Entry] = []
        for id in Set(before.keys).union(after.keys).sorted() {
            let oldFields = before[id]
            let newFields = after[id]
            let change: Change
            if oldFields == nil {
                change = .added
            } else if newFields == nil {
                change = .removed
            } else {
                change = .changed
            }
            let fields = Self.compare(oldFields ?? [:], newFields ?? [:])
            if change == .changed, fields.isEmpty { continue }
            entries.append(Entry(id: id, change: change, fields: fields))
        }
        self.entries = entries
    }

    /// The prefix that marks secret fields in a flattened object.
    private static let secretPrefix = "secret:"

    private static func flatten(_ state: DesiredState) -> [ResourceID: [String: JSONValue]] {
        var objects: [ResourceID: [String: JSONValue]] = [:]
        for domain in state.domains {
            objects[domain.id] = ["reseller": domain.reseller.map { .string($0) } ?? .null]
        }
        for customer in state.customers {
            var fields: [String: JSONValue] = ["billing_profile": .string(customer.billingProfile)]
            for (name, value) in customer.fields { fields[name] = value }
            for (name, value) in customer.contact { fields["contact.\(name)"] = value }
            objects[customer.id] = fields
        }
        for subscriber in state.subscribers {
            var fields: [String: JSONValue] = ["customer": .string(subscriber.customer)]
            for (name, value) in subscriber.fields { fields[name] = value }
            if let groups = subscriber.pbxGroups {
                fields["pbx_groups"] = .array(groups.map { .string($0.name) })
            }
            for (name, source) in subscriber.secrets {
                fields[secretPrefix + name] = .string(secretFingerprint(source))
            }
            for (type, value) in subscriber.callforwards ?? [:] {
                fields[forwardPrefix + type] = value
            }
            for (name, value) in subscriber.preferences ?? [:] {
                fields["preferences.\(name)"] = value
            }
            objects[subscriber.id] = fields
        }
        return objects
    }

    /// Returns the compared form of a secret: its source for `{env:}` and `{file:}`, and a
    /// digest for a literal, so that a changed literal counts without its value being kept.
    private static func secretFingerprint(_ source: SecretSource) -> String {
        switch source {
        case .literal(let value): return "literal:" + SHA256.hexHash(value)
        case .environment, .file: return source.description
        }
    }

    private static func compare(_ old: [String: JSONValue], _ new: [String: JSONValue])
        -> [Field]
    {
        var fields: [Field] = []
        let names = Set(old.keys).union(new.keys)
        // A secret preference set to null (to remove it) is a plain field of the newer
        // revision. The secret's own field reports it, without a second line.
        let secretNames = Set(
            names.filter { $0.hasPrefix(secretPrefix) }.map { $0.dropFirst(secretPrefix.count) })
        for name in names.sorted() where old[name] != new[name] {
            if name.hasPrefix(secretPrefix) {
                var field = Field(
                    path: String(name.dropFirst(secretPrefix.count)), before: nil, after: nil,
                    secret: true)
                field.secretRemoved = new[name] == nil
                fields.append(field)
            } else if secretNames.contains(Substring(name)) {
                continue
            } else if name.hasPrefix(forwardPrefix), let before = old[name], let after = new[name] {
                fields += forwardFields(name, before: before, after: after)
            } else {
                fields.append(Field(path: name, before: old[name], after: new[name], secret: false))
            }
        }
        return fields
    }

    /// The prefix of call forward types in a flattened subscriber.
    private static let forwardPrefix = "callforwards."

    /// Returns the changed members of a forward type declared in both revisions, as a plan
    /// lists them, such as `callforwards.cfu.times`.
    private static func forwardFields(_ name: String, before: JSONValue, after: JSONValue)
        -> [Field]
    {
        let type = String(name.dropFirst(forwardPrefix.count))
        let changes = CallForwardChanges.compare(type, before: before, after: after)

        // Values that differ only in form, such as 30 and "30", are equal to a plan, but
        // the revisions still differ, so the whole type is shown.
        guard !changes.isEmpty else {
            return [Field(path: name, before: before, after: after, secret: false)]
        }
        return changes.map { change in
            Field(
                path: forwardPrefix + change.path, before: change.before, after: change.after,
                secret: false)
        }
    }
}

/// Output of `changes`: human text, JSON or Markdown for a pull request comment.
enum DesiredStateDiffRenderer {
    static func render(
        _ diff: DesiredStateDiff, from: (name: String, commit: String),
        to: (name: String, commit: String), format: String
    ) -> String {
        switch format {
        case "json": return json(diff, from: from, to: to).serialized(pretty: true) + "\n"
        case "markdown": return markdown(diff, from: from, to: to)
        default: return human(diff, from: from, to: to)
        }
    }

    /// Formats a field as a plan formats a field change, except a secret, which shows only
    /// that its reference changed.
    private static func fieldLine(_ field: DesiredStateDiff.Field) -> String {
        if field.secret { return field.secretText }
        return FieldChangeText.line(field.change)
    }

    private static func counts(_ diff: DesiredStateDiff) -> String {
        let added = diff.entries.filter { $0.change == .added }.count
        let changed = diff.entries.filter { $0.change == .changed }.count
        let removed = diff.entries.filter { $0.change == .removed }.count
        return "\(added) added, \(changed) changed, \(removed) removed"
    }

    private static func human(
        _ diff: DesiredStateDiff, from: (name: String, commit: String),
        to: (name: String, commit: String)
    ) -> String {
        var text =
            "Desired state from \(from.name) (\(from.commit.prefix(12))) "
            + "to \(to.name) (\(to.commit.prefix(12))):\n"
        if diff.isEmpty { return text + "No changes.\n" }
        for entry in diff.entries {
            let id = FieldChangeText.printable(entry.id.description)
            text += "\(entry.change.mark) \(id) (\(entry.change.rawValue))\n"
            if entry.change == .changed {
                for field in entry.fields { text += "    \(fieldLine(field))\n" }
            }
        }
        return text + "Changes: \(counts(diff)).\n"
    }

    private static func markdown(
        _ diff: DesiredStateDiff, from: (name: String, commit: String),
        to: (name: String, commit: String)
    ) -> String {
        var text =
            "### ngcpctl desired-state changes\n\n"
            + "From `\(from.name)` (`\(from.commit.prefix(12))`) to `\(to.name)` "
            + "(`\(to.commit.prefix(12))`): \(counts(diff)).\n"
        if diff.isEmpty { return text + "\nNo changes.\n" }
        text += "\n| Object | Change |\n|---|---|\n"
        for entry in diff.entries {
            let id = FieldChangeText.markdownCode(entry.id.description, inTable: true)
            text += "| \(id) | \(entry.change.rawValue) |\n"
        }
        let changed = diff.entries.filter { $0.change == .changed }
        if !changed.isEmpty {
            text += "\n<details><summary>Field changes</summary>\n\n"
            for entry in changed {
                text += "**\(FieldChangeText.markdownCode(entry.id.description))**\n\n"
                for field in entry.fields {
                    if field.secret {
                        text += "- \(FieldChangeText.markdownCode(field.secretText))\n"
                    } else {
                        text += "- \(FieldChangeText.markdownLine(field.change))\n"
                    }
                }
                text += "\n"
            }
            text += "</details>\n"
        }
        return text
    }

    private static func json(
        _ diff: DesiredStateDiff, from: (name: String, commit: String),
        to: (name: String, commit: String)
    ) -> JSONValue {
        let entries: [JSONValue] = diff.entries.map { entry in
            let fields: [JSONValue] = entry.fields.map { field in
                if field.secret {
                    return field.secretRemoved
                        ? [
                            "path": .string(field.path), "secret_reference_changed": true,
                            "removed": true,
                        ]
                        : ["path": .string(field.path), "secret_reference_changed": true]
                }
                return [
                    "path": .string(field.path), "before": field.before ?? .null,
                    "after": field.after ?? .null,
                ]
            }
            return [
                "id": .string(entry.id.description), "change": .string(entry.change.rawValue),
                "fields": .array(entry.change == .changed ? fields : []),
            ]
        }
        return [
            "from": ["revision": .string(from.name), "commit": .string(from.commit)],
            "to": ["revision": .string(to.name), "commit": .string(to.commit)],
            "changes": .array(entries),
        ]
    }
}
