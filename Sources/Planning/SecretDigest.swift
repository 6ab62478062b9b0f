import NGCPCore

/// Keyed digests of the secrets a plan uses, so that `apply --plan` can tell whether a secret
/// changed between plan and apply without the plan file holding the value.
///
/// The digest is HMAC-SHA256 over the owner, the field and the value. The key is derived from
/// the API credentials and the target URL, which the plan file does not contain: with the file
/// alone nobody can test guessed passwords against a digest offline. The owner and field in the
/// message make equal passwords of two subscribers give different digests.
public enum SecretDigest {
    /// Derives the HMAC key for one API user on one target.
    public static func key(apiUser: String, apiPassword: SecretValue, target: String) -> [UInt8] {
        let material = "ngcpctl plan secrets 1\u{0}\(target)\u{0}\(apiUser)\u{0}"
        return SHA256.hash(Array(material.utf8) + Array(apiPassword.value.utf8))
    }

    /// Computes the digest of one secret, as `hmac-sha256:` and lowercase hex.
    public static func digest(
        _ value: SecretValue, owner: String, field: String, key: [UInt8]
    ) -> String {
        let message = Array("\(owner)\u{0}\(field)\u{0}".utf8) + Array(value.value.utf8)
        return "hmac-sha256:" + HMACSHA256.hexCode(key: key, message: message)
    }

    /// Computes the check of `key` that `WebPasswordRecords.keyCheck` stores: a digest of a
    /// fixed message, so that two runs can find out whether they use the same key without
    /// revealing it.
    public static func keyCheck(key: [UInt8]) -> String {
        let message = Array("ngcpctl key check 1".utf8)
        return "hmac-sha256:" + HMACSHA256.hexCode(key: key, message: message)
    }

    /// One secret placeholder of a plan: where the value comes from and what it belongs to.
    public struct Reference: Sendable, Hashable, Comparable {
        public var source: String
        public var owner: String
        public var field: String

        public init(source: String, owner: String, field: String) {
            self.source = source
            self.owner = owner
            self.field = field
        }

        public static func < (lhs: Reference, rhs: Reference) -> Bool {
            (lhs.owner, lhs.field, lhs.source) < (rhs.owner, rhs.field, rhs.source)
        }

        /// Names the secret for a message: the environment variable or file it comes from.
        public var sourceDescription: String {
            if source.hasPrefix("env:") { return "environment variable \(source.dropFirst(4))" }
            if source.hasPrefix("file:") { return "file \(source.dropFirst(5))" }
            return "the \(field) written in the manifest"
        }
    }

    /// Collects the secret placeholders in the plan's bodies, sorted, each once.
    public static func references(in plan: Plan) -> [Reference] {
        var found: Set<Reference> = []
        for operation in plan.operations {
            if let body = operation.body { collect(body, into: &found) }
        }
        return found.sorted()
    }

    private static func collect(_ value: JSONValue, into found: inout Set<Reference>) {
        switch value {
        case .object(let members):
            if members[PlanPlaceholder.marker] == "secret",
                let source = members["source"]?.stringValue,
                let owner = members["owner"]?.stringValue,
                let field = members["field"]?.stringValue
            {
                found.insert(Reference(source: source, owner: owner, field: field))
                return
            }
            for member in members.values { collect(member, into: &found) }
        case .array(let items):
            for item in items { collect(item, into: &found) }
        default:
            return
        }
    }

    /// Computes the digests to record in `plan`, for every secret whose value `lookup` returns.
    public static func record(
        _ plan: Plan, key: [UInt8], lookup: (Reference) -> SecretValue?
    ) -> [PlanSecretDigest] {
        references(in: plan).compactMap { reference in
            guard let value = lookup(reference) else { return nil }
            return PlanSecretDigest(
                source: reference.source, owner: reference.owner, field: reference.field,
                digest: digest(value, owner: reference.owner, field: reference.field, key: key))
        }
    }

    /// Lists the secrets whose value now differs from the one the plan recorded. A secret the plan
    /// has no digest for counts as changed, because nothing shows it is the same.
    public static func changed(
        _ plan: Plan, key: [UInt8], lookup: (Reference) -> SecretValue?
    ) -> [Reference] {
        var recorded: [Reference: String] = [:]
        for entry in plan.secretDigests {
            recorded[Reference(source: entry.source, owner: entry.owner, field: entry.field)] =
                entry.digest
        }
        return references(in: plan).filter { reference in
            guard let value = lookup(reference), let expected = recorded[reference] else {
                return true
            }
            return digest(value, owner: reference.owner, field: reference.field, key: key)
                != expected
        }
    }
}
