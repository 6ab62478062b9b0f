import Foundation
import NGCPCore
import YAMLReader

/// A declared subscriber with the source positions the cross-document checks report at.
struct DeclaredSubscriber {
    var desired: DesiredSubscriber
    var customerLocation: SourceLocation
    /// Each number as `cc-ac-sn` with where it is written.
    var numbers: [(key: String, location: SourceLocation, path: String)]
    var hasPrimaryNumber: Bool
    var displayNameLocation: SourceLocation?
    /// Positions of the PBX-only fields the subscriber sets, by field name.
    var pbxFieldLocations: [String: SourceLocation]
    var webusernameLocation: SourceLocation?
    /// Positions of `lock` and `status`, which a locked customer overrides, by field name.
    var lockFieldLocations: [String: SourceLocation]
    /// Positions of `password` and `webpassword`, by field name.
    var secretLocations: [String: SourceLocation] = [:]
}

/// Collects documents of many files into one desired state, then checks them against each
/// other.
struct DesiredStateCollector {
    static let kinds = ["Domain", "Customer", "Subscriber"]
    static let envelopeFields = ManifestSchema.envelope.names
    static let requiredEnvelopeFields = ManifestSchema.envelope.filter(\.required).names
    static let metadataFields = ManifestSchema.metadata.names

    let options: ManifestLoadOptions
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var undeclaredCustomers: Set<String> = []
    private(set) var undeclaredDomains: Set<String> = []
    private(set) var metadata: [ResourceID: ManifestMetadata] = [:]
    /// Kind and name (`Customer/acme`, domains lower-case) of documents that had errors, so
    /// that references to them are not also reported as undeclared.
    private var invalidDeclarations: Set<String> = []
    /// Where each customer sets `max_subscribers`, by external_id.
    private var maxSubscribersLocations: [String: SourceLocation] = [:]
    /// Start positions of literal secret values, by file.
    private(set) var literalSecretMarks: [String: [YAMLMark]] = [:]

    private var domains: [DesiredDomain] = []
    private var customers: [DesiredCustomer] = []
    private var subscribers: [DeclaredSubscriber] = []

    init(options: ManifestLoadOptions) {
        self.options = options
    }

    var desired: DesiredState {
        DesiredState(
            domains: domains, customers: customers, subscribers: subscribers.map(\.desired))
    }

    // MARK: - Documents

    mutating func load(path: String, text: String, directory: String) {
        let reader = NodeReader(file: path)
        defer {
            diagnostics += reader.diagnosticsInSourceOrder
            literalSecretMarks[path, default: []] += reader.literalSecretMarks
        }

        if let (version, mark) = Self.unsupportedYAMLVersion(in: text) {
            reader.append(
                Diagnostic(
                    .error, Message.yamlVersionNotSupported(version), at: reader.location(mark),
                    hint: Message.yamlVersionNotSupportedHint))
            return
        }

        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(text, limits: options.yamlLimits)
        } catch {
            let location = error.mark.map { reader.location($0) }
            reader.append(Diagnostic(.error, Message.invalidYAML(error.message), at: location))
            return
        }

        for document in documents where !document.isEmpty {
            let errorsBefore = reader.errorCount
            ControlCharacterCheck.check(document.root, reader: reader)
            let context = DocumentContext(
                reader: reader, directory: directory, catalogue: options.preferenceCatalogue,
                defaultBillingProfile: options.defaultBillingProfile,
                deferUnknownPreferences: options.deferUnknownPreferences,
                defaultReseller: options.defaultReseller)
            let (object, declaration) = decode(document.root, context: context)

            // A document with an error contributes nothing, so that the cross-document checks
            // and the planner only see objects that are fully valid.
            guard reader.errorCount == errorsBefore, let object else {
                if let declaration { invalidDeclarations.insert(declaration) }
                continue
            }
            if let target = options.target, let targets = object.metadata.targets,
                !targets.contains(target)
            {
                continue
            }
            add(object)
        }
    }

    /// Finds a `%YAML` directive for a version other than 1.2. Manifests are always read with
    /// the YAML 1.2 core schema, so a 1.1 document would silently get other scalar types:
    /// `yes` would stay a string. Directives are at the start of a line before `---`, at the
    /// start of the stream or after a `...` document end.
    static func unsupportedYAMLVersion(in text: String) -> (String, YAMLMark)? {
        guard containsYAMLDirective(text) else { return nil }
        var beforeDocument = true
        var line = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if content.hasPrefix("...") {
                beforeDocument = true
                continue
            }
            guard beforeDocument else { continue }
            if content.hasPrefix("%YAML") {
                let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let version = words.count > 1 ? String(words[1]) : ""
                if version != "1.2" { return (version, YAMLMark(line: line, column: 1)) }
            } else if !content.hasPrefix("%") && !content.hasPrefix("#")
                && !content.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" })
            {
                beforeDocument = false
            }
        }
        return nil
    }

    /// True when `%YAML` occurs anywhere in `text`. A byte scan: Foundation's substring
    /// search costs a measurable share of loading when it runs on every file.
    private static func containsYAMLDirective(_ text: String) -> Bool {
        let directive = Array("%YAML".utf8)
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count >= directive.count else { return false }
            for start in 0...(bytes.count - directive.count) where bytes[start] == 0x25 {
                if bytes[start..<(start + directive.count)].elementsEqual(directive) {
                    return true
                }
            }
            return false
        } ?? text.contains("%YAML")
    }

    private enum DeclaredObject {
        case domain(DesiredDomain, ManifestMetadata)
        case customer(DesiredCustomer, ManifestMetadata, maxSubscribers: SourceLocation?)
        case subscriber(DeclaredSubscriber, ManifestMetadata)

        var metadata: ManifestMetadata {
            switch self {
            case .domain(_, let metadata), .customer(_, let metadata, _),
                .subscriber(_, let metadata):
                return metadata
            }
        }
    }

    /// Decodes one document into an object, and also returns its `Kind/name` whenever the
    /// envelope names one, even when the document has errors.
    private func decode(_ root: YAMLNode, context: DocumentContext)
        -> (DeclaredObject?, String?)
    {
        let reader = context.reader
        guard
            let fields = reader.fields(
                root, "", allowed: Self.envelopeFields, required: Self.requiredEnvelopeFields)
        else { return (nil, nil) }

        if let node = fields["apiVersion"], let version = reader.string(node, "apiVersion"),
            version != "ngcpctl/v1"
        {
            reader.error(node, "apiVersion", Message.unsupportedAPIVersion(version))
        }

        var kind: String?
        if let node = fields["kind"], let value = reader.string(node, "kind") {
            if Self.kinds.contains(value) {
                kind = value
            } else {
                let suggestion = nearestName(to: value, in: Self.kinds)
                reader.error(node, "kind", Message.unknownKind(value, suggestion: suggestion))
            }
        }

        let decodedMetadata = fields["metadata"].flatMap { decodeMetadata($0, reader: reader) }
        guard let kind else { return (nil, nil) }

        // Without a valid name the spec is still checked, under a stand-in name that passes
        // every name check, so that its errors are reported too. The metadata error already
        // keeps the document out of the desired state.
        let name = decodedMetadata?.0 ?? (kind == "Subscriber" ? "unnamed@unnamed" : "unnamed")
        let nameNode = decodedMetadata?.1 ?? root
        let metadata = decodedMetadata?.2 ?? ManifestMetadata()
        let declaration =
            decodedMetadata.map { "\(kind)/\(kind == "Customer" ? $0.0 : $0.0.lowercased())" }

        guard let spec = fields["spec"] else {
            if kind == "Domain" {
                let domain = context.decodeDomain(name: name, nameNode: nameNode, spec: nil)
                return (domain.map { .domain($0, metadata) }, declaration)
            }
            reader.error(root, "", Message.missingField("spec"))
            return (nil, declaration)
        }

        let object: DeclaredObject?
        switch kind {
        case "Domain":
            object = context.decodeDomain(name: name, nameNode: nameNode, spec: spec)
                .map { .domain($0, metadata) }
        case "Customer":
            let maxSubscribers = spec["max_subscribers"].map { reader.location($0) }
            object = context.decodeCustomer(name: name, nameNode: nameNode, spec: spec)
                .map { .customer($0, metadata, maxSubscribers: maxSubscribers) }
        default:
            object = context.decodeSubscriber(name: name, nameNode: nameNode, spec: spec)
                .map { .subscriber($0, metadata) }
        }
        return (object, declaration)
    }

    private func decodeMetadata(_ node: YAMLNode, reader: NodeReader)
        -> (String, YAMLNode, ManifestMetadata)?
    {
        guard
            let fields = reader.fields(
                node, "metadata", allowed: Self.metadataFields, required: ["name"])
        else { return nil }

        var metadata = ManifestMetadata(location: reader.location(node))
        if let annotations = fields["annotations"] {
            metadata.annotations = decodeAnnotations(annotations, reader: reader)
        }
        if let targets = fields["targets"], let items = reader.list(targets, "metadata.targets") {
            metadata.targets = items.enumerated().compactMap { position, item in
                let path = index("metadata.targets", position)
                guard let name = reader.string(item, path, numbersAsText: true) else { return nil }
                if let known = options.knownTargets, !known.contains(name) {
                    let suggestion = nearestName(to: name, in: known)
                    reader.error(
                        item, path, Message.unknownDocumentTarget(name, suggestion: suggestion),
                        hint: Message.knownTargets(known))
                }
                return name
            }
        }

        guard let nameNode = fields["name"],
            let name = reader.string(nameNode, "metadata.name", numbersAsText: true)
        else { return nil }
        guard !name.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            reader.error(nameNode, "metadata.name", Message.emptyName)
            return nil
        }
        return (name, nameNode, metadata)
    }

    private func decodeAnnotations(_ node: YAMLNode, reader: NodeReader) -> [String: String] {
        guard let pairs = node.mapping else {
            reader.typeError(node, "metadata.annotations", expected: "a mapping")
            return [:]
        }

        var values: [String: String] = [:]
        for pair in pairs {
            guard let key = reader.string(pair.key, "metadata.annotations") else { continue }
            let path = join("metadata.annotations", key)
            if let value = reader.string(pair.value, path) { values[key] = value }
        }
        return values
    }

    private mutating func add(_ object: DeclaredObject) {
        switch object {
        case .domain(let domain, let metadata):
            domains.append(domain)
            self.metadata[domain.id] = self.metadata[domain.id] ?? metadata
        case .customer(let customer, let metadata, let maxSubscribers):
            customers.append(customer)
            if let maxSubscribers, maxSubscribersLocations[customer.externalID] == nil {
                maxSubscribersLocations[customer.externalID] = maxSubscribers
            }
            self.metadata[customer.id] = self.metadata[customer.id] ?? metadata
        case .subscriber(let subscriber, var metadata):
            subscribers.append(subscriber)
            let id = subscriber.desired.id
            metadata.secretLocations = subscriber.secretLocations
            self.metadata[id] = self.metadata[id] ?? metadata
        }
    }

    // MARK: - Checks across documents

    mutating func checkAcrossDocuments() {
        domains = unique(
            domains, kind: "Domain", key: { $0.domain.lowercased() }, name: \.domain,
            location: \.location)
        customers = unique(
            customers, kind: "Customer", key: \.externalID, name: \.externalID,
            location: \.location)
        subscribers = unique(
            subscribers, kind: "Subscriber", key: { $0.desired.name.lowercased() },
            name: \.desired.name, location: \.desired.location)

        // Keep only the metadata of the objects that survived the duplicate check.
        let kept = Set(
            domains.map(\.id) + customers.map(\.id) + subscribers.map(\.desired.id))
        metadata = metadata.filter { kept.contains($0.key) }

        checkNumbers()
        checkWebUsernames()
        checkReferences()
        checkSubscriberLimits()
    }

    /// Keeps the first object of each natural key and reports the others at their location.
    /// Domain names and subscriber names compare case-insensitively, as NGCP compares them.
    private mutating func unique<Object>(
        _ objects: [Object], kind: String, key: (Object) -> String, name: (Object) -> String,
        location: (Object) -> SourceLocation?
    ) -> [Object] {
        var first: [String: SourceLocation?] = [:]
        var firstOfEach: [Object] = []
        for object in objects {
            if let firstLocation = first[key(object)] {
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.duplicate(kind: kind, name: name(object), first: firstLocation),
                        at: location(object), fieldPath: "metadata.name",
                        hint: "declare each \(kind) once"))
                continue
            }
            first[key(object)] = location(object)
            firstOfEach.append(object)
        }
        return firstOfEach
    }

    /// Reports a number used by two subscribers, or twice by one.
    private mutating func checkNumbers() {
        checkNumberDigits()
        var owners: [String: (subscriber: String, location: SourceLocation)] = [:]
        for subscriber in subscribers {
            for number in subscriber.numbers {
                if let owner = owners[number.key] {
                    let message =
                        owner.subscriber == subscriber.desired.name
                        ? Message.numberRepeated(number.key, first: owner.location)
                        : Message.numberReused(number.key, by: owner.subscriber, at: owner.location)
                    diagnostics.append(
                        Diagnostic(.error, message, at: number.location, fieldPath: number.path))
                    continue
                }
                owners[number.key] = (subscriber.desired.name, number.location)
            }
        }
    }

    /// Reports numbers whose digits, joined as `cc ac sn`, equal those of an earlier number
    /// with another split: NGCP routes by the joined digits, so both are the same number.
    private mutating func checkNumberDigits() {
        var owners: [String: (key: String, subscriber: String, location: SourceLocation)] = [:]
        for subscriber in subscribers {
            for number in subscriber.numbers {
                let digits = number.key.filter { $0 != "-" }
                if let owner = owners[digits] {
                    if owner.key != number.key {
                        diagnostics.append(
                            Diagnostic(
                                .error,
                                Message.numberSameDigits(
                                    number.key, other: owner.key, owner: owner.subscriber,
                                    at: owner.location),
                                at: number.location, fieldPath: number.path,
                                hint: Message.numberSameDigitsHint))
                    }
                    continue
                }
                owners[digits] = (number.key, subscriber.desired.name, number.location)
            }
        }
    }

    /// Reports two subscribers of one domain whose `webusername` differ at most in case:
    /// NGCP rejects the second with a conflict.
    private mutating func checkWebUsernames() {
        var owners: [String: (subscriber: String, location: SourceLocation)] = [:]
        for subscriber in subscribers {
            guard let name = subscriber.desired.fields["webusername"]?.stringValue,
                let location = subscriber.webusernameLocation
            else { continue }
            let key = subscriber.desired.domain.lowercased() + "\u{0}" + name.lowercased()
            if let owner = owners[key] {
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.webusernameReused(
                            name, by: owner.subscriber, at: owner.location),
                        at: location, fieldPath: "spec.webusername",
                        hint: Message.webusernameReusedHint))
                continue
            }
            owners[key] = (subscriber.desired.name, location)
        }
    }

    /// Checks each subscriber's customer and domain against the declared ones.
    private mutating func checkReferences() {
        let customersByName = Dictionary(
            customers.map { ($0.externalID, $0) }, uniquingKeysWith: { first, _ in first })
        let domainNames = Set(domains.map { $0.domain.lowercased() })

        for subscriber in subscribers {
            let desired = subscriber.desired
            if let customer = customersByName[desired.customer] {
                checkAgainstCustomer(subscriber, customer: customer)
            } else if let live = options.liveCustomers, !live.contains(desired.customer),
                !invalidDeclarations.contains("Customer/\(desired.customer)")
            {
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.customerNotFound(
                            desired.customer, target: options.targetDescription),
                        at: subscriber.customerLocation, fieldPath: "spec.customer",
                        hint: Message.customerNotFoundHint))
            } else if options.liveCustomers != nil {
                undeclaredCustomers.insert(desired.customer)
            } else if !invalidDeclarations.contains("Customer/\(desired.customer)") {
                undeclaredCustomers.insert(desired.customer)
                diagnostics.append(
                    Diagnostic(
                        .warning, Message.undeclaredCustomer(desired.customer),
                        at: subscriber.customerLocation, fieldPath: "spec.customer"))
            }

            let domainKey = desired.domain.lowercased()
            if !domainNames.contains(domainKey),
                !invalidDeclarations.contains("Domain/\(domainKey)")
            {
                undeclaredDomains.insert(desired.domain)
                diagnostics.append(
                    Diagnostic(
                        .warning, Message.undeclaredDomain(desired.domain), at: desired.location,
                        fieldPath: "metadata.name"))
            }
        }
    }

    /// Reports a customer whose `max_subscribers` is lower than the number of subscribers
    /// declared for it; NGCP refuses to create subscribers beyond the limit.
    private mutating func checkSubscriberLimits() {
        var counts: [String: Int] = [:]
        for subscriber in subscribers {
            counts[subscriber.desired.customer, default: 0] += 1
        }

        for customer in customers {
            guard let limit = customer.fields["max_subscribers"]?.intValue,
                let count = counts[customer.externalID], count > limit
            else { continue }
            diagnostics.append(
                Diagnostic(
                    .error,
                    Message.tooManySubscribers(customer.externalID, limit: limit, count: count),
                    at: maxSubscribersLocations[customer.externalID] ?? customer.location,
                    fieldPath: "spec.max_subscribers",
                    hint: "raise max_subscribers, or declare fewer subscribers for the customer"))
        }
    }

    private mutating func checkAgainstCustomer(
        _ subscriber: DeclaredSubscriber, customer: DesiredCustomer
    ) {
        if customer.fields["status"] == "terminated" {
            diagnostics.append(
                Diagnostic(
                    .error,
                    Message.customerTerminated(customer.externalID, at: customer.location),
                    at: subscriber.customerLocation, fieldPath: "spec.customer",
                    hint: "remove the subscriber, or give the customer another status"))
        }

        if customer.fields["status"] == "locked" {
            for (field, location) in subscriber.lockFieldLocations.sorted(by: { $0.key < $1.key }) {
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        Message.ignoredWhileCustomerLocked(field, customer: customer.externalID),
                        at: location, fieldPath: join("spec", field),
                        hint: Message.ignoredWhileCustomerLockedHint))
            }
        }

        guard customer.fields["type"] == "sipaccount" else { return }
        for (field, location) in subscriber.pbxFieldLocations.sorted(by: { $0.key < $1.key }) {
            diagnostics.append(
                Diagnostic(
                    .error, Message.pbxFieldOnSIPAccount(field, customer: customer.externalID),
                    at: location, fieldPath: join("spec", field)))
        }
        if !subscriber.hasPrimaryNumber {
            diagnostics.append(
                Diagnostic(
                    .error, Message.primaryNumberRequired(customer.externalID),
                    at: subscriber.desired.location, fieldPath: "spec"))
        }
        if let location = subscriber.displayNameLocation {
            diagnostics.append(
                Diagnostic(
                    .warning, Message.displayNameNotStored(customer.externalID), at: location,
                    fieldPath: "spec.display_name", hint: Message.displayNameHint))
        }
    }
}
