import Manifests
import NGCPCore

/// Builds the manifest documents of one export. See `Exporter.export(_:options:)`.
struct ExportBuilder {
    let live: LiveState
    let options: ExportOptions

    private var notices: [ExportNotice] = []
    private var secrets: [(key: String, name: String, value: String)] = []
    /// Password variable names by lower-cased `username@domain`, and secret preference
    /// variable names by `ExportNaming.preferenceVariableKey`, made unique together
    /// beforehand.
    private var variableNames: [String: String] = [:]
    private var usedDomains: Set<String> = []
    private let domainsByID: [Int: LiveObject]
    private let contactsByID: [Int: LiveObject]
    private let profilesByID: [Int: LiveObject]
    private let resellersByID: [Int: LiveObject]
    /// The natural key, `username@domain`, of each live PBX group by its id, for the
    /// `pbx_groups` of its members.
    private var pbxGroupNames: [Int: String] = [:]

    init(live: LiveState, options: ExportOptions) {
        self.live = live
        self.options = options
        domainsByID = Dictionary(live.domains.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        contactsByID = Dictionary(
            live.contacts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        profilesByID = Dictionary(
            live.billingProfiles.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        resellersByID = Dictionary(
            live.resellers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for subscriber in live.subscribers
        where SubscriberMapping.truth(subscriber["is_pbx_group"]) == true {
            guard let username = subscriber["username"]?.stringValue,
                let domain = domainName(of: subscriber)
            else { continue }
            pbxGroupNames[subscriber.id] = "\(username)@\(domain)"
        }
    }

    mutating func build() -> ExportResult {
        let selection = CustomerSelection(live, options: options)
        notices += selection.notices

        var subscribersByCustomer: [Int: [LiveObject]] = [:]
        for subscriber in live.subscribers {
            guard let customerID = subscriber["customer_id"]?.intValue else { continue }
            subscribersByCustomer[customerID, default: []].append(subscriber)
        }

        variableNames = passwordVariables(selection.exported, subscribersByCustomer)

        // Customer files, keyed by external_id until the file names are known.
        var documentsByCustomer: [String: [YAMLValue]] = [:]
        var subscriberCount = 0
        for customer in selection.exported {
            let subscribers = subscribersByCustomer[customer.id, default: []]
            guard let documents = customerDocuments(customer, subscribers: subscribers) else {
                continue
            }
            documentsByCustomer[customer["external_id"]?.stringValue ?? ""] = documents
            subscriberCount += documents.count - 1
        }

        let emitter = YAMLEmitter()
        var files: [ExportedFile] = []
        let stems = ExportNaming.disambiguate(
            Dictionary(
                uniqueKeysWithValues: documentsByCustomer.keys.map {
                    ($0, ExportNaming.fileStem(externalID: $0))
                }), separator: "-", foldCase: true)
        for (externalID, documents) in documentsByCustomer {
            let text = Exporter.header + "\n" + emitter.emit(documents: documents)
            files.append(ExportedFile(path: "customers/\(stems[externalID] ?? "")", text: text))
        }
        files = files.map { ExportedFile(path: $0.path + ".yaml", text: $0.text) }

        let domains = domainDocuments()
        if !domains.isEmpty {
            let text = Exporter.header + "\n" + emitter.emit(documents: domains)
            files.append(ExportedFile(path: "domains.yaml", text: text))
        }

        return ExportResult(
            files: files.sorted { $0.path < $1.path }, secrets: exportedSecrets(),
            unkeyed: unkeyedCustomers(selection.unkeyed), notices: notices,
            customerCount: documentsByCustomer.count, subscriberCount: subscriberCount,
            domainCount: domains.count)
    }

    // MARK: Domains

    private mutating func domainDocuments() -> [YAMLValue] {
        var documents: [(key: String, YAMLValue)] = []
        for domain in live.domains {
            guard let name = domain["domain"]?.stringValue else { continue }
            guard options.allDomains || usedDomains.contains(name.lowercased()) else { continue }
            var spec: [YAMLEntry] = []
            if let resellerID = domain["reseller_id"]?.intValue, resellerID != 1 {
                if let reseller = resellersByID[resellerID]?["name"]?.stringValue {
                    spec.append(YAMLEntry("reseller", .string(reseller)))
                } else {
                    notices.append(
                        ExportNotice(
                            subject: "domains/\(name)",
                            message: "reseller \(resellerID) was not read; the manifest names "
                                + "no reseller, so a plan expects reseller 1"))
                }
            }
            documents.append((name.lowercased() + "\u{0}" + name, envelope("Domain", name, spec)))
        }
        return documents.sorted { $0.key < $1.key }.map(\.1)
    }

    // MARK: Customers

    private mutating func customerDocuments(_ customer: LiveObject, subscribers: [LiveObject])
        -> [YAMLValue]?
    {
        let externalID = customer["external_id"]?.stringValue ?? ""
        let subject = "customers/\(externalID)"
        guard let profileID = customer["billing_profile_id"]?.intValue,
            let handle = profilesByID[profileID]?["handle"]?.stringValue
        else {
            notices.append(
                ExportNotice(
                    subject: subject,
                    message: "skipped with its subscribers: billing profile "
                        + "\(customer["billing_profile_id"] ?? .null) was not read"))
            return nil
        }
        guard let contactID = customer["contact_id"]?.intValue,
            let contact = contactsByID[contactID], contact["email"]?.stringValue != nil
        else {
            notices.append(
                ExportNotice(
                    subject: subject,
                    message: "skipped with its subscribers: its contact "
                        + "\(customer["contact_id"] ?? .null) was not read or has no e-mail"))
            return nil
        }

        let status = customer["status"]?.stringValue ?? "active"
        var spec: [YAMLEntry] = [YAMLEntry("billing_profile", .string(handle))]
        spec += CustomerMapping.fields(customer)
        spec.append(YAMLEntry("contact", CustomerMapping.contact(contact)))
        var documents = [envelope("Customer", externalID, spec)]

        guard status != "terminated" else { return documents }
        let context = SubscriberContext(
            customer: externalID, customerStatus: status,
            customerType: customer["type"]?.stringValue ?? "sipaccount")
        var written: [(key: String, YAMLValue)] = []
        for subscriber in subscribers {
            if let document = subscriberDocument(subscriber, context: context) {
                written.append(document)
            }
        }
        documents += written.sorted { $0.key < $1.key }.map(\.1)
        return documents
    }

    // MARK: Subscribers

    struct SubscriberContext {
        let customer: String
        let customerStatus: String
        let customerType: String
    }

    private mutating func subscriberDocument(_ subscriber: LiveObject, context: SubscriberContext)
        -> (key: String, YAMLValue)?
    {
        let username = subscriber["username"]?.stringValue ?? ""
        guard !username.isEmpty, let domain = domainName(of: subscriber) else {
            notices.append(
                ExportNotice(
                    subject: "subscribers/id=\(subscriber.id)",
                    message: "skipped: its username or domain was not read"))
            return nil
        }
        let name = "\(username)@\(domain)"
        usedDomains.insert(domain.lowercased())

        var spec: [YAMLEntry] = [YAMLEntry("customer", .string(context.customer))]
        if let password = subscriber["password"]?.stringValue, !password.isEmpty {
            let variable =
                variableNames[name.lowercased()]
                ?? ExportNaming.passwordVariable(username: username, domain: domain)
            secrets.append((name.lowercased(), variable, password))
            spec.append(YAMLEntry("password", .flow([YAMLEntry("env", .string(variable))])))
        } else {
            notices.append(
                ExportNotice(
                    subject: "subscribers/\(name)",
                    message: "the SIP password was not readable, so the manifest does not "
                        + "manage it"))
        }
        spec += subscriberFields(subscriber, username: username, name: name, context: context)

        if let forwards = SubscriberMapping.callForwards(
            live.callforwards[subscriber.id], subscriberDomain: domain)
        {
            spec.append(YAMLEntry("callforwards", forwards))
        }
        let key = name.lowercased()
        let preferences = SubscriberMapping.preferences(
            live.preferences[subscriber.id], primaryNumber: subscriber["primary_number"],
            aliasNumbers: subscriber["alias_numbers"], catalogue: options.catalogue,
            secretVariable: { [variableNames] preference in
                variableNames[ExportNaming.preferenceVariableKey(preference, subscriberKey: key)]
                    ?? ExportNaming.preferenceVariable(
                        preference, username: username, domain: domain)
            })
        if let value = preferences.value { spec.append(YAMLEntry("preferences", value)) }
        for secret in preferences.secrets {
            secrets.append((key, secret.variable, secret.value.value))
        }
        for skipped in preferences.skipped {
            notices.append(
                ExportNotice(
                    subject: "subscribers/\(name)",
                    message: "preference '\(skipped.name)' left out: \(skipped.reason)"))
        }
        return (name.lowercased(), envelope("Subscriber", name, spec))
    }

    /// Subscriber fields other than secrets, forwards and preferences, each only when it
    /// differs from what NGCP sets when the field is omitted.
    private mutating func subscriberFields(
        _ subscriber: LiveObject, username: String, name: String, context: SubscriberContext
    ) -> [YAMLEntry] {
        var spec: [YAMLEntry] = []
        // NGCP defaults the web login name to the username.
        if let webusername = subscriber["webusername"]?.stringValue, webusername != username {
            spec.append(YAMLEntry("webusername", .string(webusername)))
        }
        if let primary = SubscriberMapping.number(subscriber["primary_number"], isAlias: false) {
            spec.append(YAMLEntry("primary_number", primary))
        }
        let aliases = SubscriberMapping.aliasNumbers(subscriber["alias_numbers"])
        if !aliases.isEmpty { spec.append(YAMLEntry("alias_numbers", .sequence(aliases))) }
        for field in ["external_id", "email", "timezone"] {
            if let text = subscriber[field]?.stringValue, !text.isEmpty {
                spec.append(YAMLEntry(field, .string(text)))
            }
        }

        // A locked customer sets its subscribers' status and lock, and unlocking clears both,
        // so they belong to the customer then.
        if context.customerStatus != "locked" {
            if let status = subscriber["status"]?.stringValue, status != "active" {
                spec.append(YAMLEntry("status", .string(status)))
            }
            if let lock = SubscriberMapping.integer(subscriber["lock"]), (1...5).contains(lock) {
                spec.append(YAMLEntry("lock", .int(lock)))
            }
        }
        if SubscriberMapping.truth(subscriber["administrative"]) == true {
            spec.append(YAMLEntry("administrative", .bool(true)))
        }
        if context.customerType == "pbxaccount" {
            if let extensionText = SubscriberMapping.scalarText(subscriber["pbx_extension"]),
                !extensionText.isEmpty
            {
                spec.append(YAMLEntry("pbx_extension", .string(extensionText)))
            }
            for flag in ["is_pbx_pilot", "is_pbx_group"]
            where SubscriberMapping.truth(subscriber[flag]) == true {
                spec.append(YAMLEntry(flag, .bool(true)))
            }
            if let groups = pbxGroups(of: subscriber, name: name) {
                spec.append(YAMLEntry("pbx_groups", .sequence(groups.map { .string($0) })))
            }
            // A group's hunt settings, which NGCP returns for groups only.
            if SubscriberMapping.truth(subscriber["is_pbx_group"]) == true {
                for field in ["pbx_hunt_policy", "pbx_hunt_cancel_mode"] {
                    if let text = subscriber[field]?.stringValue, !text.isEmpty {
                        spec.append(YAMLEntry(field, .string(text)))
                    }
                }
                if let seconds = SubscriberMapping.integer(subscriber["pbx_hunt_timeout"]) {
                    spec.append(YAMLEntry("pbx_hunt_timeout", .int(seconds)))
                }
            }
        }
        return spec
    }

    /// Returns the names of the PBX groups that `subscriber` is a member of, in NGCP's order,
    /// or nil when it is in none. A group that was not read leaves the memberships out of the
    /// manifest, with a notice, because a partial list would remove the others.
    private mutating func pbxGroups(of subscriber: LiveObject, name: String) -> [String]? {
        let ids = subscriber["pbx_group_ids"]?.arrayValue ?? []
        guard !ids.isEmpty else { return nil }
        var names: [String] = []
        for id in ids {
            guard let groupName = id.intValue.flatMap({ pbxGroupNames[$0] }) else {
                notices.append(
                    ExportNotice(
                        subject: "subscribers/\(name)",
                        message: "pbx_groups left out: PBX group \(id.serialized()) was not "
                            + "read, so the manifest does not manage the memberships"))
                return nil
            }
            names.append(groupName)
        }
        return names
    }

    // MARK: Results

    private func exportedSecrets() -> [ExportedSecret] {
        secrets.map { secret in
            ExportedSecret(
                variable: secret.name, subscriber: secret.key, value: SecretValue(secret.value))
        }.sorted { $0.variable < $1.variable }
    }

    /// Names the password variable of every subscriber that may be written, and the variable
    /// of each secret preference that is set. Two keys that give the same name (`a.b@x` and
    /// `a-b@x`) both get the hash of their key appended.
    private func passwordVariables(
        _ customers: [LiveObject], _ subscribersByCustomer: [Int: [LiveObject]]
    ) -> [String: String] {
        var names: [String: String] = [:]
        for customer in customers {
            for subscriber in subscribersByCustomer[customer.id, default: []] {
                guard let username = subscriber["username"]?.stringValue,
                    let domain = domainName(of: subscriber)
                else { continue }
                let key = "\(username)@\(domain)".lowercased()
                names[key] = ExportNaming.passwordVariable(username: username, domain: domain)

                let preferences = live.preferences[subscriber.id] ?? [:]
                for preference in secretPreferenceNames
                where !(preferences[preference] ?? .null).isNull {
                    let preferenceKey = ExportNaming.preferenceVariableKey(
                        preference, subscriberKey: key)
                    names[preferenceKey] = ExportNaming.preferenceVariable(
                        preference, username: username, domain: domain)
                }
            }
        }
        return ExportNaming.disambiguate(names, separator: "_", foldCase: false)
    }

    private func domainName(of subscriber: LiveObject) -> String? {
        subscriber["domain_id"]?.intValue.flatMap { domainsByID[$0]?["domain"]?.stringValue }
            ?? subscriber["domain"]?.stringValue
    }

    private func unkeyedCustomers(_ customers: [LiveObject]) -> [UnkeyedCustomer] {
        let taken = Set(live.customers.compactMap { $0["external_id"]?.stringValue })
        var proposed: Set<String> = []
        return customers.map { customer in
            let contact = customer["contact_id"]?.intValue.flatMap { contactsByID[$0] }
            let email = contact?["email"]?.stringValue
            let externalID = ExportNaming.proposedExternalID(
                customerID: customer.id, company: contact?["company"]?.stringValue,
                email: email, taken: taken.union(proposed))
            proposed.insert(externalID)
            return UnkeyedCustomer(
                id: customer.id, status: customer["status"]?.stringValue ?? "active",
                contactEmail: email, proposedExternalID: externalID)
        }
    }

    private func envelope(_ kind: String, _ name: String, _ spec: [YAMLEntry]) -> YAMLValue {
        .block([
            YAMLEntry("apiVersion", "ngcpctl/v1"),
            YAMLEntry("kind", .string(kind)),
            YAMLEntry("metadata", .block([YAMLEntry("name", .string(name))])),
            YAMLEntry("spec", .block(spec)),
        ])
    }
}
