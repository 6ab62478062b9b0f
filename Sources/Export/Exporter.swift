import Manifests
import NGCPCore

/// Settings of one export.
public struct ExportOptions: Sendable {
    /// Also write customers whose status is `terminated`, without subscribers.
    public var includeTerminated: Bool
    /// Write every live domain in scope. When false, only the domains that exported
    /// subscribers use are written, which suits an export of selected customers.
    public var allDomains: Bool
    /// The catalogue the manifests are checked against when loaded. Preferences it does not
    /// accept are left out and reported.
    public var catalogue: PreferenceCatalogue

    public init(
        includeTerminated: Bool = false, allDomains: Bool = true,
        catalogue: PreferenceCatalogue = .builtIn
    ) {
        self.includeTerminated = includeTerminated
        self.allDomains = allDomains
        self.catalogue = catalogue
    }
}

/// One manifest file, with its path relative to the output directory.
public struct ExportedFile: Sendable, Hashable {
    public var path: String
    public var text: String
}

/// A SIP password or a secret preference, and the environment variable the manifests read it
/// from.
public struct ExportedSecret: Sendable, Hashable {
    public var variable: String
    /// The subscriber's natural key, `username@domain`.
    public var subscriber: String
    public var value: SecretValue
}

/// A live customer without an external_id, which manifests cannot refer to.
public struct UnkeyedCustomer: Sendable, Hashable {
    public var id: Int
    public var status: String
    public var contactEmail: String?
    /// A deterministic external_id that `assignmentPlan` would set.
    public var proposedExternalID: String
}

/// Something the export left out or could not express, for standard error.
public struct ExportNotice: Sendable, Hashable, CustomStringConvertible {
    /// The object concerned: a natural key such as `subscribers/alice@example.org`, or
    /// `customers/id=17` for an object without one.
    public var subject: String
    public var message: String

    public var description: String { "\(subject): \(message)" }
}

/// The files, secrets and findings of one export.
public struct ExportResult: Sendable {
    /// `domains.yaml` and one `customers/<name>.yaml` per customer, sorted by path.
    public var files: [ExportedFile]
    /// SIP passwords and secret preferences by variable name, sorted by variable.
    public var secrets: [ExportedSecret]
    /// Customers without an external_id, by id. Their subscribers are not exported.
    public var unkeyed: [UnkeyedCustomer]
    public var notices: [ExportNotice]
    public var customerCount: Int
    public var subscriberCount: Int
    public var domainCount: Int
}

/// Turns a live state into manifests in the `ngcpctl/v1` format.
///
/// The export is a pure function of the live state: it sorts everything by natural key and
/// writes no server-owned field, so an unchanged platform gives byte-identical files.
public enum Exporter {
    /// The first line of every file the export writes. The writer recognises its own files by
    /// it, and removes only those when a customer disappears.
    public static let header =
        "# Exported from NGCP by 'ngcpctl export'. Passwords are read from NGCP_PW_* variables."

    /// Lists the live subscriber ids whose call forwards and preferences the export needs:
    /// those of the customers it writes.
    public static func subscriberIDs(_ live: LiveState, options: ExportOptions) -> [Int] {
        let selection = CustomerSelection(live, options: options)
        let customerIDs = Set(selection.exported.map(\.id))
        return live.subscribers.filter {
            customerIDs.contains($0["customer_id"]?.intValue ?? -1)
        }.map(\.id).sorted()
    }

    public static func export(_ live: LiveState, options: ExportOptions = ExportOptions())
        -> ExportResult
    {
        var builder = ExportBuilder(live: live, options: options)
        return builder.build()
    }

    /// Builds the plan that gives each unkeyed customer its proposed external_id: one PATCH
    /// `replace /external_id` per customer that is not terminated (NGCP rejects changes to
    /// terminated customers).
    public static func assignmentPlan(_ unkeyed: [UnkeyedCustomer], target: String? = nil)
        -> Plan
    {
        let operations = unkeyed.filter { $0.status != "terminated" }.sorted { $0.id < $1.id }
            .enumerated().map { index, customer in
                let value = JSONValue.string(customer.proposedExternalID)
                return PlannedOperation(
                    id: index + 1, action: .update, resource: .customers,
                    name: customer.proposedExternalID, method: .patch,
                    path: "/api/customers/\(customer.id)",
                    body: [["op": "replace", "path": "/external_id", "value": value]],
                    changes: [FieldChange(path: "external_id", before: .null, after: value)],
                    liveID: customer.id,
                    reason: "customer \(customer.id) has no external_id, so manifests cannot "
                        + "refer to it")
            }
        return Plan(target: target, operations: operations)
    }
}

/// The live customers split into those that get a manifest and those that cannot.
struct CustomerSelection {
    var exported: [LiveObject] = []
    var unkeyed: [LiveObject] = []
    var notices: [ExportNotice] = []

    init(_ live: LiveState, options: ExportOptions) {
        var byExternalID: [String: [LiveObject]] = [:]
        for customer in live.customers {
            let status = customer["status"]?.stringValue ?? "active"
            guard let externalID = customer["external_id"]?.stringValue, !externalID.isEmpty
            else {
                if status != "terminated" { unkeyed.append(customer) }
                continue
            }
            byExternalID[externalID, default: []].append(customer)
        }

        for externalID in byExternalID.keys.sorted() {
            let candidates = byExternalID[externalID, default: []].sorted { $0.id < $1.id }
            let current = candidates.filter { $0["status"]?.stringValue != "terminated" }
            if current.count > 1 {
                notices.append(
                    ExportNotice(
                        subject: "customers/\(externalID)",
                        message: "skipped: \(current.count) customers share this external_id "
                            + "(ids \(current.map { String($0.id) }.joined(separator: ", "))); "
                            + "give each a unique external_id and export again"))
                continue
            }
            if let customer = current.first {
                exported.append(customer)
            } else if options.includeTerminated, let last = candidates.last {
                exported.append(last)
            }
        }
        unkeyed.sort { $0.id < $1.id }
    }
}
