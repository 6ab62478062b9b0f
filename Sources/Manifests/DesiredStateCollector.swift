import Foundation
import NGCPCore
import YAMLReader

/// A declared subscriber with the source positions the cross-document checks report at.
struct DeclaredSubscriber {
    var desired: DesiredSubscriber
    var details: SubscriberDetails
}

/// Collects documents of many files into one desired state, then checks them against each
/// other.
struct DesiredStateCollector {
    static let kinds = ["Domain", "Customer", "Subscriber"]
    static let envelopeFields = KeyNames(ManifestSchema.envelope.names)
    static let requiredEnvelopeFields = ManifestSchema.envelope.filter(\.required).names
    static let metadataFields = KeyNames(ManifestSchema.metadata.names)

    let options: ManifestLoadOptions
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var undeclaredCustomers: Set<String> = []
    private(set) var undeclaredDomains: Set<String> = []
    private(set) var metadata: [ResourceID: ManifestMetadata] = [:]
    /// The metadata of each added domain and customer in order. `checkAcrossDocuments()`
    /// moves it into `metadata` together with that of the subscribers. So the dictionary is
    /// built once at its final size instead of growing and rehashing while the files load.
    private var addedMetadata: [(id: ResourceID, metadata: ManifestMetadata)] = []
    /// Kind and name (`Customer/acme`, domains lower-case) of documents that had errors, so
    /// that references to them are not also reported as undeclared.
    private var invalidDeclarations: Set<String> = []
    /// The declarations of documents that had errors, in load order, so that a second
    /// document with the same kind and name is reported in the same run as the first one's
    /// errors instead of only after they are fixed.
    private var declarationsWithErrors: [Declaration] = []
    /// The position of each loaded file in load order, which orders declarations of files.
    private var fileOrder: [String: Int] = [:]
    /// Where each customer sets `max_subscribers`, by external_id.
    private var maxSubscribersLocations: [String: SourceLocation] = [:]
    /// The customers and subscribers of documents with errors, as far as they decoded, in
    /// load order. They stay out of the desired state, but the checks across documents read
    /// them, so that one run reports those problems too.
    private var customersWithErrors: [(DesiredCustomer, maxSubscribers: SourceLocation?)] = []
    private var declaredSubscribersWithErrors: [DeclaredSubscriber] = []
    /// Start positions of literal secret values, by file.
    private(set) var literalSecretMarks: [String: [YAMLMark]] = [:]
    /// Subscribers with secrets whose documents had errors, left out of the desired state.
    private(set) var subscribersWithErrors: [DesiredSubscriber] = []
    /// Positions of the secret fields of `subscribersWithErrors`, by the position of each
    /// subscriber's name.
    private(set) var secretLocationsWithErrors: [SourceLocation: SecretFieldLocations] = [:]

    private var domains: [DesiredDomain] = []
    private var customers: [DesiredCustomer] = []
    /// Declared subscribers, with their source positions at the same index of
    /// `subscriberDetails`. They are kept apart so that the desired state shares this array
    /// instead of copying every subscriber out of a wrapper.
    private var subscribers: [DesiredSubscriber] = []
    private var subscriberDetails: [SubscriberDetails] = []
    /// Whether a declared subscriber names PBX groups, so that a load without any skips
    /// their check.
    private var namesPBXGroups = false
    /// Positions in `subscribers` of the subscribers of declared `pbxaccount` customers, in
    /// load order, found by `checkReferences()`. Only they need the PBX checks.
    private var pbxSubscriberPositions: [Int] = []
    private let decodedCallForwards = DecodedValueCache<[String: JSONValue]>()
    private let decodedPreferences = DecodedValueCache<[String: JSONValue]>()
    private let decodedTimes = DecodedValueCache<[JSONValue]>()
    /// The preference catalogue of `options`, indexed once for every document of the load.
    private let preferenceIndex: PreferenceIndex
    private let sharedStrings = SharedStrings()

    init(options: ManifestLoadOptions) {
        self.options = options
        preferenceIndex = PreferenceIndex(options.preferenceCatalogue)
    }

    var desired: DesiredState {
        DesiredState(domains: domains, customers: customers, subscribers: subscribers)
    }

    // MARK: - Documents

    mutating func load(path: String, text: String, directory: String) {
        let reader = NodeReader(file: path)
        if fileOrder[path] == nil { fileOrder[path] = fileOrder.count }
        defer {
            if reader.diagnosticCount > 0 { diagnostics += reader.diagnosticsInSourceOrder }
            if !reader.literalSecrets.isEmpty {
                literalSecretMarks[path, default: []] += reader.literalSecrets.map(\.mark)
            }
        }

        // A text read from a git revision was not checked against the limit when read. The
        // parser would reject it too, but without naming the file or how to fix it.
        let size = text.utf8.count
        if size > options.yamlLimits.maxInputBytes {
            let reason = Message.fileTooLarge(size, limit: options.yamlLimits.maxInputBytes)
            reader.append(
                Diagnostic(
                    .error, Message.unreadable(path, reason: reason),
                    hint: Message.fileTooLargeHint))
            return
        }

        if let (version, mark) = Self.unsupportedYAMLVersion(in: text) {
            reader.append(
                Diagnostic(
                    .error, Message.yamlVersionNotSupported(version), at: reader.location(mark),
                    hint: Message.yamlVersionNotSupportedHint))
            return
        }

        // A document with a YAML problem is left out, and the others are still decoded, so that
        // one run reports the problems of every document.
        let stream: YAMLStream
        do {
            stream = try YAMLParser(text, limits: options.yamlLimits).read()
        } catch {
            reader.append(Self.invalidYAML(error, in: text, reader: reader))
            return
        }
        for error in stream.errors {
            reader.append(Self.invalidYAML(error, in: text, reader: reader))
        }
        let documents = stream.documents

        let context = DocumentContext(
            reader: reader, directory: directory, preferenceIndex: preferenceIndex,
            defaultBillingProfile: options.defaultBillingProfile,
            deferUnknownPreferences: options.deferUnknownPreferences,
            defaultReseller: options.defaultReseller, sharedStrings: sharedStrings,
            decodedCallForwards: decodedCallForwards,
            decodedPreferences: decodedPreferences, decodedTimes: decodedTimes)
        for document in documents where !document.isEmpty {
            let errorsBefore = reader.errorCount
            let diagnosticsBefore = reader.diagnosticCount
            let secretsBefore = reader.literalSecrets.count
            ControlCharacterCheck.check(document.root, reader: reader)
            let (object, declaration) = decode(document.root, context: context)
            // Only now are the secret fields known that an alias may copy from.
            SecretAliasCheck.check(
                document.root, secrets: reader.literalSecrets[secretsBefore...], reader: reader)

            // A document with an error contributes nothing, so that the cross-document checks
            // and the planner only see objects that are fully valid.
            guard reader.errorCount == errorsBefore, let object else {
                if let declaration {
                    invalidDeclarations.insert(declaration.key)
                    declarationsWithErrors.append(declaration)
                    // Without a declaration the name is a stand-in, which no check may read.
                    if let object {
                        keepForChecks(object, reader: reader, diagnosticsBefore: diagnosticsBefore)
                    }
                }
                // Its secrets are still checked, so that one run reports those problems too.
                if case .subscriber(let subscriber) = object,
                    !subscriber.desired.secrets.isEmpty
                {
                    keepSecretsForChecks(subscriber.desired, subscriber.details)
                }
                continue
            }
            add(object)
        }
    }

    /// Keeps a customer or subscriber of a document with errors for the checks across
    /// documents. A subscriber with an error at its `spec.customer`, such as an invisible
    /// character, is left out, because its customer is not known.
    private mutating func keepForChecks(
        _ object: DeclaredObject, reader: NodeReader, diagnosticsBefore: Int
    ) {
        switch object {
        case .domain: break
        case .customer(let customer, _, let maxSubscribers):
            customersWithErrors.append((customer, maxSubscribers))
        case .subscriber(let subscriber):
            let customerLocation = subscriber.details.customerLocation
            if !reader.hasError(at: customerLocation, recordedAfter: diagnosticsBefore) {
                declaredSubscribersWithErrors.append(subscriber)
            }
        }
    }

    /// Keeps a subscriber that is left out of the desired state for the secret checks.
    private mutating func keepSecretsForChecks(
        _ subscriber: DesiredSubscriber, _ details: SubscriberDetails
    ) {
        subscribersWithErrors.append(subscriber)
        if let location = subscriber.location {
            secretLocationsWithErrors[location] = details.secretLocations
        }
    }

    /// Returns the error for a file that is not valid YAML. A tab in the indentation gets a
    /// hint, because libyaml's message for it ("found character that cannot start any token")
    /// does not say that YAML indents with spaces only.
    static func invalidYAML(_ error: YAMLError, in text: String, reader: NodeReader)
        -> Diagnostic
    {
        let location = error.mark.map { reader.location(shownMark(of: $0, in: text)) }
        let hint = error.mark.map { isInTabIndentation($0, of: text) } == true
        return Diagnostic(
            .error, Message.invalidYAML(error.message), at: location,
            hint: hint ? Message.tabIndentationHint : nil)
    }

    /// Returns where to show a syntax error at `mark`. libyaml reports some errors, such as a
    /// missing `:` or `]`, where it looked for the next token. That is often the empty line or
    /// the end of input after the faulty line, so the error is shown after the line before.
    private static func shownMark(of mark: YAMLMark, in text: String) -> YAMLMark {
        let lines = text.sourceLines()
        func isBlank(_ line: Int) -> Bool {
            line > lines.count || lines[line - 1].allSatisfy { $0 == " " || $0 == "\t" }
        }
        guard mark.line >= 2, isBlank(mark.line) else { return mark }
        var line = min(mark.line, lines.count + 1) - 1
        while line > 1, isBlank(line) { line -= 1 }
        guard !isBlank(line) else { return mark }
        let content = lines[line - 1].reversed().drop { $0 == " " || $0 == "\t" }
        return YAMLMark(line: line, column: content.count + 1)
    }

    /// Returns whether `mark` is in the indentation of its line and that indentation has a tab.
    private static func isInTabIndentation(_ mark: YAMLMark, of text: String) -> Bool {
        let lines = text.sourceLines()
        guard mark.line >= 1, mark.line <= lines.count else { return false }
        let indentation = lines[mark.line - 1].prefix { $0 == " " || $0 == "\t" }
        return indentation.contains("\t") && mark.column <= indentation.count + 1
    }

    /// Finds a `%YAML` directive for a version other than 1.2. Manifests are always read with
    /// the YAML 1.2 core schema, so a 1.1 document would silently get other scalar types:
    /// `yes` would stay a string. Directives are at the start of a line before `---`, at the
    /// start of the stream or after a `...` document end.
    static func unsupportedYAMLVersion(in text: String) -> (String, YAMLMark)? {
        guard containsYAMLDirective(text) else { return nil }
        var beforeDocument = true
        var line = 0
        for rawLine in text.sourceLines() {
            line += 1
            let content = rawLine
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

    /// True when `%YAML` occurs anywhere in `text`. `memchr` finds each `%`: Foundation's
    /// substring search, or a byte loop, costs a measurable share of loading when it runs
    /// on every file.
    private static func containsYAMLDirective(_ text: String) -> Bool {
        let directive = Array("%YAML".utf8)
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, bytes.count >= directive.count else {
                return false
            }
            var start = 0
            while start <= bytes.count - directive.count {
                guard let found = memchr(base + start, 0x25, bytes.count - start) else {
                    return false
                }
                let offset =
                    UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self))
                    - base
                guard offset <= bytes.count - directive.count else { return false }
                if bytes[offset..<(offset + directive.count)].elementsEqual(directive) {
                    return true
                }
                start = offset + 1
            }
            return false
        } ?? text.contains("%YAML")
    }

    private enum DeclaredObject {
        case domain(DesiredDomain, ManifestMetadata)
        case customer(DesiredCustomer, ManifestMetadata, maxSubscribers: SourceLocation?)
        /// A subscriber, whose details hold its metadata.
        case subscriber(DeclaredSubscriber)
    }

    /// The kind and name of a document, for `invalidDeclarations`.
    private struct Declaration {
        let kind: String
        let name: String
        /// The position of the name.
        var location: SourceLocation? = nil

        /// `Kind/name`, with a domain's name in lower case.
        var key: String { Self.key(kind: kind, name) }

        static func key(kind: String, _ name: String) -> String {
            "\(kind)/\(kind == "Customer" ? name : name.lowercased())"
        }
    }

    /// Decodes one document into an object, and also returns its kind and name whenever the
    /// envelope names one, even when the document has errors.
    private func decode(_ root: YAMLNode, context: DocumentContext)
        -> (DeclaredObject?, Declaration?)
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
        // The tuple is taken apart once, and consumed: each `decodedMetadata?.n` copied all
        // of it.
        var name = kind == "Subscriber" ? "unnamed@unnamed" : "unnamed"
        var nameNode = root
        var metadata = ManifestMetadata()
        var declaration: Declaration?
        if case (let decodedName, let decodedNode, let decoded)? = consume decodedMetadata {
            name = decodedName
            nameNode = decodedNode
            metadata = decoded
            declaration = Declaration(kind: kind, name: name, location: reader.location(nameNode))
        }

        // A document for other targets is left out before its spec is read, because the
        // selected target's defaults, such as its billing profile, do not apply to it.
        if let target = options.target, let targets = metadata.targets,
            !targets.contains(target)
        {
            return (nil, nil)
        }

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
            object = context.decodeSubscriber(
                name: name, nameNode: nameNode, spec: spec, metadata: consume metadata
            ).map { .subscriber($0) }
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
            // Without ngcpctl.yaml no target is selected, so the document is planned against
            // whatever server the run names.
            if options.knownTargets == nil, !items.isEmpty {
                reader.warning(
                    targets, "metadata.targets", Message.documentTargetsWithoutProject,
                    hint: Message.documentTargetsWithoutProjectHint)
            }
            // An empty list would leave the document out of every target's load.
            if items.isEmpty {
                reader.error(
                    targets, "metadata.targets", Message.noDocumentTargets,
                    hint: Message.noDocumentTargetsHint)
            }
            var seen: Set<String> = []
            metadata.targets = items.enumerated().compactMap { position, item in
                let path = index("metadata.targets", position)
                guard let name = reader.string(item, path, numbersAsText: true) else { return nil }
                if let known = options.knownTargets, !known.contains(name) {
                    let suggestion = nearestName(to: name, in: known)
                    reader.error(
                        item, path, Message.unknownDocumentTarget(name, suggestion: suggestion),
                        hint: Message.knownTargets(known))
                }
                if !seen.insert(name).inserted {
                    reader.warning(item, path, Message.repeatedDocumentTarget(name))
                }
                return name
            }
        }

        guard let nameNode = fields["name"],
            let name = reader.string(nameNode, "metadata.name", numbersAsText: true)
        else { return nil }
        guard !isBlank(name) else {
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

    private mutating func add(_ object: consuming DeclaredObject) {
        switch object {
        case .domain(let domain, let metadata):
            domains.append(domain)
            addedMetadata.append((domain.id, metadata))
        case .customer(let customer, let metadata, let maxSubscribers):
            customers.append(customer)
            if let maxSubscribers, maxSubscribersLocations[customer.externalID] == nil {
                maxSubscribersLocations[customer.externalID] = maxSubscribers
            }
            addedMetadata.append((customer.id, metadata))
        case .subscriber(let subscriber):
            subscribers.append(subscriber.desired)
            subscriberDetails.append(subscriber.details)
            if subscriber.desired.pbxGroups?.isEmpty == false { namesPBXGroups = true }
        }
    }

    /// Stores the metadata of `id` unless it has some already, so that the first of
    /// duplicate declarations keeps its metadata. Accessing the entry in place through the
    /// default subscript inserts a missing one with a single hash lookup.
    private mutating func keepFirst(_ value: ManifestMetadata, for id: ResourceID) {
        func leave(_: inout ManifestMetadata) {}
        leave(&metadata[id, default: value])
    }

    // MARK: - Checks across documents

    mutating func checkAcrossDocuments() {
        metadata.reserveCapacity(
            metadata.count + addedMetadata.count + subscriberDetails.count)
        for (id, value) in addedMetadata {
            keepFirst(value, for: id)
        }
        addedMetadata = []
        // Ids of different kinds never collide, so adding the subscribers after the domains
        // and customers keeps the first metadata of each name as load order would.
        for position in subscriberDetails.indices {
            let id = ResourceID(.subscribers, subscriberDetails[position].name)
            keepFirst(subscriberDetails[position].metadata, for: id)
        }

        // Domain names and subscriber names compare case-insensitively, as NGCP compares them.
        // A subscriber's name is `username@domain`, its username is ASCII without `@` and its
        // domain has no `@`. `lowercased()` (Swift 6.3) maps each Unicode scalar on its own,
        // without context rules such as the final sigma, so the lower-case name compares as
        // the pair of lower-case parts would.
        let duplicateDomains = Self.duplicates(domains.map { lowercased($0.domain) })
        let duplicateCustomers = Self.duplicates(customers.map(\.externalID))
        let duplicateSubscribers = Self.duplicates(subscriberDetails.map { lowercased($0.name) })

        for (position, first) in duplicateDomains {
            reportDuplicate(
                kind: "Domain", name: domains[position].domain,
                first: domains[first].location, at: domains[position].location)
        }
        for (position, first) in duplicateCustomers {
            reportDuplicate(
                kind: "Customer", name: customers[position].externalID,
                first: customers[first].location, at: customers[position].location)
        }
        for (position, first) in duplicateSubscribers {
            reportDuplicate(
                kind: "Subscriber", name: subscribers[position].name,
                first: subscribers[first].location, at: subscribers[position].location)
        }

        // Keep only the first object of each name, and only the metadata of those objects.
        // Duplicates are rare, so the arrays and the metadata are rebuilt only when some were
        // found.
        if !duplicateDomains.isEmpty || !duplicateCustomers.isEmpty
            || !duplicateSubscribers.isEmpty
        {
            // A second copy is left out, but its secrets are still checked, so that one run
            // reports their problems with the duplicate.
            for (position, _) in duplicateSubscribers
            where !subscribers[position].secrets.isEmpty {
                keepSecretsForChecks(subscribers[position], subscriberDetails[position])
            }
            domains.remove(atSortedOffsets: duplicateDomains.map(\.position))
            customers.remove(atSortedOffsets: duplicateCustomers.map(\.position))
            subscribers.remove(atSortedOffsets: duplicateSubscribers.map(\.position))
            subscriberDetails.remove(atSortedOffsets: duplicateSubscribers.map(\.position))
            let remainingIDs = Set(
                domains.map(\.id) + customers.map(\.id) + subscribers.map(\.id))
            metadata = metadata.filter { remainingIDs.contains($0.key) }
        }
        if !declarationsWithErrors.isEmpty { checkDuplicatesOfDocumentsWithErrors() }

        // The objects of documents with errors join the checks below and leave again after
        // them. Only a load with such objects rebuilds the arrays, and it is never planned.
        let declared = (customers, subscribers, subscriberDetails)
        let includesObjectsWithErrors = includeObjectsWithErrors()

        checkNumbers()
        checkWebUsernames()
        checkReferences()
        if !pbxSubscriberPositions.isEmpty { checkPBXSubscribers() }
        if namesPBXGroups { checkPBXGroups() }
        checkSubscriberLimits()

        if includesObjectsWithErrors {
            (customers, subscribers, subscriberDetails) = declared
            pbxSubscriberPositions = []
        }
    }

    /// Merges the customers and subscribers of documents with errors into the declared ones
    /// in load order, so that the checks report against the first of two objects as they do
    /// without errors. A second copy of an object is left out, because it was reported as a
    /// duplicate, and checked against the first one it would be reported again. Returns
    /// false when there was nothing to merge.
    private mutating func includeObjectsWithErrors() -> Bool {
        guard !customersWithErrors.isEmpty || !declaredSubscribersWithErrors.isEmpty else {
            return false
        }

        var customerNames = Set(customers.map(\.externalID))
        var addedCustomers: [DesiredCustomer] = []
        for (customer, maxSubscribers) in customersWithErrors
        where customerNames.insert(customer.externalID).inserted {
            addedCustomers.append(customer)
            if let maxSubscribers, maxSubscribersLocations[customer.externalID] == nil {
                maxSubscribersLocations[customer.externalID] = maxSubscribers
            }
        }
        customers = mergedInLoadOrder(customers, addedCustomers, location: \.location)

        var subscriberKeys = Set(subscribers.map { Self.subscriberKey($0.username, $0.domain) })
        var added: [DeclaredSubscriber] = []
        for subscriber in declaredSubscribersWithErrors {
            let desired = subscriber.desired
            guard
                subscriberKeys.insert(Self.subscriberKey(desired.username, desired.domain))
                    .inserted
            else { continue }
            added.append(subscriber)
            if desired.pbxGroups?.isEmpty == false { namesPBXGroups = true }
        }
        let declared = zip(subscribers, subscriberDetails).map {
            DeclaredSubscriber(desired: $0, details: $1)
        }
        let merged = mergedInLoadOrder(declared, added, location: \.desired.location)
        subscribers = merged.map(\.desired)
        subscriberDetails = merged.map(\.details)
        return true
    }

    /// Returns the elements of `first` and `second`, each in load order, merged in load order.
    private func mergedInLoadOrder<Element>(
        _ first: [Element], _ second: [Element], location: (Element) -> SourceLocation?
    ) -> [Element] {
        guard !second.isEmpty else { return first }
        var merged: [Element] = []
        merged.reserveCapacity(first.count + second.count)
        var next = 0
        for element in first {
            let order = loadOrder(location(element))
            while next < second.count, loadOrder(location(second[next])) < order {
                merged.append(second[next])
                next += 1
            }
            merged.append(element)
        }
        return merged + second[next...]
    }

    /// Reports a document declared twice when a copy has errors. Such a copy is not in the
    /// desired state, so the check of valid objects above does not see it. Each later copy is
    /// reported against the first in load order. A valid copy stays in the desired state,
    /// because the error fails the run anyway.
    private mutating func checkDuplicatesOfDocumentsWithErrors() {
        var copies: [String: [Declaration]] = [:]
        for declaration in declarationsWithErrors {
            copies[declaration.key, default: []].append(declaration)
        }
        for domain in domains where copies[Declaration.key(kind: "Domain", domain.domain)] != nil {
            copies[Declaration.key(kind: "Domain", domain.domain)]?.append(
                Declaration(kind: "Domain", name: domain.domain, location: domain.location))
        }
        for customer in customers
        where copies[Declaration.key(kind: "Customer", customer.externalID)] != nil {
            copies[Declaration.key(kind: "Customer", customer.externalID)]?.append(
                Declaration(
                    kind: "Customer", name: customer.externalID, location: customer.location))
        }
        for subscriber in subscribers
        where copies[Declaration.key(kind: "Subscriber", subscriber.name)] != nil {
            copies[Declaration.key(kind: "Subscriber", subscriber.name)]?.append(
                Declaration(
                    kind: "Subscriber", name: subscriber.name, location: subscriber.location))
        }

        for key in copies.keys.sorted() {
            guard let declarations = copies[key], declarations.count > 1 else { continue }
            let ordered = declarations.sorted { loadOrder($0.location) < loadOrder($1.location) }
            for copy in ordered.dropFirst() {
                reportDuplicate(
                    kind: copy.kind, name: copy.name, first: ordered[0].location,
                    at: copy.location)
            }
        }
    }

    /// Orders positions by file in load order, then by line and column.
    private func loadOrder(_ location: SourceLocation?) -> (Int, Int, Int) {
        guard let location else { return (Int.max, 0, 0) }
        return (fileOrder[location.file] ?? Int.max, location.line, location.column)
    }

    /// A subscriber's natural key, compared without building `username@domain`.
    private struct SubscriberKey: Hashable {
        let username: String
        let domain: String
    }

    /// Returns, in ascending order, each position whose key an earlier position has, with
    /// that earlier position.
    private static func duplicates<Key: Hashable>(_ keys: [Key])
        -> [(position: Int, first: Int)]
    {
        var first: [Key: Int] = Dictionary(minimumCapacity: keys.count)
        var found: [(position: Int, first: Int)] = []
        for position in keys.indices {
            // One hash lookup per key. Duplicates are rare, and only they need a second one,
            // to restore the first position.
            if let earlier = first.updateValue(position, forKey: keys[position]) {
                first[keys[position]] = earlier
                found.append((position, earlier))
            }
        }
        return found
    }

    private mutating func reportDuplicate(
        kind: String, name: String, first: SourceLocation?, at location: SourceLocation?
    ) {
        diagnostics.append(
            Diagnostic(
                .error, Message.duplicate(kind: kind, name: name, first: first), at: location,
                fieldPath: "metadata.name", hint: "declare each \(kind) once"))
    }

    /// A number of a subscriber: a position in `subscribers`, and one in the numbers of its
    /// details. Two integers cost less to store and copy than the number's key and location.
    private struct NumberOwner {
        let subscriber: Int
        let number: Int
    }

    /// Reports a number used by two subscribers, or twice by one.
    private mutating func checkNumbers() {
        checkNumberDigits()
        // Names are unique in `subscribers`, so the same position means the same subscriber.
        var owners: [String: NumberOwner] = Dictionary(minimumCapacity: subscribers.count)
        for position in subscribers.indices {
            for index in 0..<subscriberDetails[position].numberCount {
                // One hash lookup per number, and a second one to restore the first owner
                // only for a number that is used twice, which is rare.
                let key = subscriberDetails[position].numberKey(at: index)
                let claim = NumberOwner(subscriber: position, number: index)
                guard let owner = owners.updateValue(claim, forKey: key) else { continue }
                owners[key] = owner

                let number = subscriberDetails[position].number(at: index)
                let first = subscriberDetails[owner.subscriber].number(at: owner.number)
                let message =
                    owner.subscriber == position
                    ? Message.numberRepeated(number.key, first: first.location)
                    : Message.numberReused(
                        number.key, by: subscribers[owner.subscriber].name, at: first.location)
                diagnostics.append(
                    Diagnostic(.error, message, at: number.location, fieldPath: number.path))
            }
        }
    }

    /// Reports numbers whose digits, joined as `cc ac sn`, equal those of an earlier number
    /// with another split: NGCP routes by the joined digits, so both are the same number.
    private mutating func checkNumberDigits() {
        var owners: [String: NumberOwner] = Dictionary(minimumCapacity: subscribers.count)
        for position in subscribers.indices {
            for index in 0..<subscriberDetails[position].numberCount {
                let digits = withoutDashes(subscriberDetails[position].numberKey(at: index))
                let claim = NumberOwner(subscriber: position, number: index)
                guard let owner = owners.updateValue(claim, forKey: digits) else { continue }
                owners[digits] = owner

                let number = subscriberDetails[position].number(at: index)
                let first = subscriberDetails[owner.subscriber].number(at: owner.number)
                guard first.key != number.key else { continue }
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.numberSameDigits(
                            number.key, other: first.key,
                            owner: subscribers[owner.subscriber].name, at: first.location),
                        at: number.location, fieldPath: number.path,
                        hint: Message.numberSameDigitsHint))
            }
        }
    }

    /// Returns a number key without its dashes. Keys are ASCII digits and dashes, so the
    /// UTF-8 bytes are copied directly, into the new string without an array between.
    private func withoutDashes(_ key: String) -> String {
        var key = key
        return key.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { target in
                var count = 0
                for byte in bytes where byte != UInt8(ascii: "-") {
                    target[count] = byte
                    count += 1
                }
                return count
            }
        }
    }

    /// Reports two subscribers of one domain whose `webusername` differ at most in case:
    /// NGCP rejects the second with a conflict.
    private mutating func checkWebUsernames() {
        var owners: [String: (subscriber: Int, location: SourceLocation)] = [:]
        for position in subscribers.indices {
            guard let location = subscriberDetails[position].webusernameLocation,
                let name = subscribers[position].fields["webusername"]?.stringValue
            else { continue }
            let key = lowercased(subscribers[position].domain) + "\u{0}" + name.lowercased()
            if let owner = owners[key] {
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.webusernameReused(
                            name, by: subscribers[owner.subscriber].name, at: owner.location),
                        at: location, fieldPath: "spec.webusername",
                        hint: Message.webusernameReusedHint))
                continue
            }
            owners[key] = (position, location)
        }
    }

    /// Checks each subscriber's customer and domain against the declared ones.
    private mutating func checkReferences() {
        var customerPositions: [String: Int] = Dictionary(minimumCapacity: customers.count)
        for position in customers.indices
        where customerPositions[customers[position].externalID] == nil {
            customerPositions[customers[position].externalID] = position
        }
        let domainNames = Set(domains.map { lowercased($0.domain) })
        // Read once per customer instead of once per subscriber.
        var customerTraits = customers.map { customer in
            let status = customer.fields["status"]
            let type = customer.fields["type"]
            return CustomerTraits(
                isTerminated: status == "terminated", isLocked: status == "locked",
                isSIPAccount: type == "sipaccount", isPBXAccount: type == "pbxaccount")
        }

        // A customer or domain that many subscribers name gets one warning, at the first of
        // them, with their count. A repository that relies on live objects would otherwise
        // print the same warning for each subscriber.
        var customerWarnings: [String: (diagnostic: Int, subscribers: Int)] = [:]
        var domainWarnings: [String: (diagnostic: Int, subscribers: Int)] = [:]

        for position in subscribers.indices {
            let customer = subscribers[position].customer
            if let customerPosition = customerPositions[customer] {
                checkAgainstCustomer(
                    position, customerAt: customerPosition,
                    traits: &customerTraits[customerPosition])
            } else if let live = options.liveCustomers, !live.contains(customer),
                !invalidDeclarations.contains("Customer/\(customer)")
            {
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.customerNotFound(customer, target: options.targetDescription),
                        at: subscriberDetails[position].customerLocation,
                        fieldPath: "spec.customer", hint: Message.customerNotFoundHint))
            } else if options.liveCustomers != nil {
                undeclaredCustomers.insert(customer)
            } else if let warning = customerWarnings[customer] {
                customerWarnings[customer]?.subscribers = warning.subscribers + 1
            } else if !invalidDeclarations.contains("Customer/\(customer)") {
                undeclaredCustomers.insert(customer)
                customerWarnings[customer] = (diagnostics.count, 1)
                diagnostics.append(
                    Diagnostic(
                        .warning, Message.undeclaredCustomer(customer),
                        at: subscriberDetails[position].customerLocation,
                        fieldPath: "spec.customer"))
            }

            let domain = subscribers[position].domain
            let domainKey = lowercased(domain)
            if let warning = domainWarnings[domainKey] {
                domainWarnings[domainKey]?.subscribers = warning.subscribers + 1
                undeclaredDomains.insert(domain)
            } else if !domainNames.contains(domainKey),
                !invalidDeclarations.contains("Domain/\(domainKey)")
            {
                undeclaredDomains.insert(domain)
                // Planning reports a domain that the target lacks as an error.
                if options.liveDomains?.contains(domainKey) == false { continue }
                domainWarnings[domainKey] = (diagnostics.count, 1)
                diagnostics.append(
                    Diagnostic(
                        .warning, Message.undeclaredDomain(domain),
                        at: subscribers[position].location, fieldPath: "metadata.name"))
            }
        }

        for warning in Array(customerWarnings.values) + Array(domainWarnings.values)
        where warning.subscribers > 1 {
            diagnostics[warning.diagnostic].message += Message.namedBySubscribers(
                warning.subscribers)
        }
    }

    /// Checks that each PBX group that a subscriber names and these manifests declare is
    /// declared with `is_pbx_group: true` under the subscriber's customer. A group that is not
    /// declared is looked up on the target when planning.
    private mutating func checkPBXGroups() {
        var named: Set<SubscriberKey> = []
        for subscriber in subscribers {
            for group in subscriber.pbxGroups ?? [] {
                named.insert(Self.subscriberKey(group.username, group.domain))
            }
        }
        // Only the named subscribers are indexed, which are few in a load of many.
        var positions: [SubscriberKey: Int] = [:]
        for position in subscribers.indices {
            let key = Self.subscriberKey(
                subscribers[position].username, subscribers[position].domain)
            if named.contains(key) { positions[key] = position }
        }

        for member in subscribers {
            for (position, group) in (member.pbxGroups ?? []).enumerated() {
                guard
                    let groupPosition = positions[
                        Self.subscriberKey(group.username, group.domain)]
                else { continue }
                let declared = subscribers[groupPosition]
                let path = index("spec.pbx_groups", position)
                if declared.fields["is_pbx_group"]?.boolValue != true,
                    !declared.hasInvalidValue("is_pbx_group")
                {
                    diagnostics.append(
                        Diagnostic(
                            .error, Message.pbxGroupNotGroup(declared.name, at: declared.location),
                            at: group.location, fieldPath: path, hint: Message.pbxGroupNotGroupHint)
                    )
                } else if declared.customer != member.customer {
                    diagnostics.append(
                        Diagnostic(
                            .error,
                            Message.pbxGroupOfOtherCustomer(
                                declared.name, at: declared.location, customer: declared.customer,
                                memberCustomer: member.customer),
                            at: group.location, fieldPath: path,
                            hint: Message.pbxGroupOfOtherCustomerHint))
                }
            }
        }
    }

    /// Checks the subscribers of declared `pbxaccount` customers as NGCP checks each create.
    /// A customer has one pilot, which needs a `primary_number`, and every other subscriber
    /// (groups and administrative ones too) needs a `pbx_extension` that no other subscriber
    /// of the customer uses. The pilot's extension counts, because NGCP compares a new
    /// extension with those of every subscriber of the customer.
    private mutating func checkPBXSubscribers() {
        // The position of each customer's first pilot, and of the first subscriber that uses
        // each extension, by customer.
        var pilots: [String: Int] = [:]
        var extensionHolders: [String: [String: Int]] = [:]
        for position in pbxSubscriberPositions {
            let subscriber = subscribers[position]
            let customer = subscriber.customer
            let isPilot = subscriber.fields["is_pbx_pilot"]?.boolValue == true
            // An invalid value leaves open whether the subscriber is a pilot.
            let mayBePilot = isPilot || subscriber.hasInvalidValue("is_pbx_pilot")
            if isPilot {
                if let first = pilots[customer] {
                    let pilot = subscribers[first]
                    diagnostics.append(
                        Diagnostic(
                            .error,
                            Message.secondPBXPilot(
                                customer: customer, pilot: pilot.name,
                                at: pilot.fieldLocations["spec.is_pbx_pilot"] ?? pilot.location),
                            at: subscriber.fieldLocations["spec.is_pbx_pilot"],
                            fieldPath: "spec.is_pbx_pilot", hint: Message.secondPBXPilotHint))
                } else {
                    pilots[customer] = position
                }
                // A live pilot keeps its number when the field is left out, but the same
                // manifest creates the pilot on a new target.
                if !subscriberDetails[position].hasPrimaryNumber {
                    diagnostics.append(
                        Diagnostic(
                            .error, Message.pilotPrimaryNumberRequired(customer),
                            at: subscriberDetails[position].specLocation, fieldPath: "spec",
                            hint: Message.pilotPrimaryNumberRequiredHint))
                }
            }

            guard let pbxExtension = subscriber.fields["pbx_extension"]?.stringValue else {
                if !mayBePilot, !subscriber.hasInvalidValue("pbx_extension") {
                    diagnostics.append(
                        Diagnostic(
                            .error, Message.pbxExtensionRequired(customer),
                            at: subscriberDetails[position].specLocation, fieldPath: "spec",
                            hint: Message.pbxExtensionRequiredHint))
                }
                continue
            }
            if let first = extensionHolders[customer]?[pbxExtension] {
                let holder = subscribers[first]
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.pbxExtensionReused(
                            pbxExtension, by: holder.name,
                            at: holder.fieldLocations["spec.pbx_extension"] ?? holder.location,
                            customer: customer),
                        at: subscriber.fieldLocations["spec.pbx_extension"],
                        fieldPath: "spec.pbx_extension", hint: Message.pbxExtensionReusedHint))
            } else {
                extensionHolders[customer, default: [:]][pbxExtension] = position
            }
        }
    }

    private static func subscriberKey(_ username: String, _ domain: String) -> SubscriberKey {
        SubscriberKey(username: lowercased(username), domain: lowercased(domain))
    }

    /// Reports a customer whose `max_subscribers` is lower than the number of subscribers
    /// declared for it; NGCP refuses to create subscribers beyond the limit.
    private mutating func checkSubscriberLimits() {
        // Most customers set no limit, and then the subscribers need no counting.
        guard customers.contains(where: { $0.fields["max_subscribers"]?.intValue != nil })
        else { return }
        var counts: [String: Int] = [:]
        for subscriber in subscribers {
            counts[subscriber.customer, default: 0] += 1
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

    /// The fields of a customer that its subscribers are checked against.
    private struct CustomerTraits {
        let isTerminated: Bool
        let isLocked: Bool
        let isSIPAccount: Bool
        let isPBXAccount: Bool
        /// The display-name warning, built for the first subscriber that gets it and shared
        /// by the others.
        var displayNameWarning: String?
    }

    /// Checks the subscriber at `position` against the declared customer at
    /// `customerPosition`.
    private mutating func checkAgainstCustomer(
        _ position: Int, customerAt customerPosition: Int, traits: inout CustomerTraits
    ) {
        // The customer is read in place: a copy of it would retain each of its fields.
        var externalID: String { customers[customerPosition].externalID }
        if traits.isTerminated {
            diagnostics.append(
                Diagnostic(
                    .error,
                    Message.customerTerminated(
                        externalID, at: customers[customerPosition].location),
                    at: subscriberDetails[position].customerLocation, fieldPath: "spec.customer",
                    hint: "remove the subscriber, or give the customer another status"))
        }

        if traits.isLocked {
            let locations = subscriberDetails[position].lockFieldLocations
            for (field, location) in locations.sorted(by: { $0.key < $1.key }) {
                diagnostics.append(
                    Diagnostic(
                        .warning,
                        Message.ignoredWhileCustomerLocked(field, customer: externalID),
                        at: location, fieldPath: join("spec", field),
                        hint: Message.ignoredWhileCustomerLockedHint))
            }
        }

        guard traits.isSIPAccount else {
            if traits.isPBXAccount { pbxSubscriberPositions.append(position) }
            return
        }
        // The subscriber's field locations are those of its PBX fields and of the entries of
        // `pbx_group_ids`, which their field's error covers. Most subscribers have none.
        if !subscribers[position].fieldLocations.isEmpty {
            let pbxFieldLocations = subscribers[position].fieldLocations
            for (path, location) in pbxFieldLocations.sorted(by: { $0.key < $1.key })
            where !path.hasSuffix("]") {
                let field = String(path.dropFirst("spec.".count))
                diagnostics.append(
                    Diagnostic(
                        .error, Message.pbxFieldOnSIPAccount(field, customer: externalID),
                        at: location, fieldPath: path))
            }
        }
        if !subscriberDetails[position].hasPrimaryNumber {
            diagnostics.append(
                Diagnostic(
                    .error, Message.primaryNumberRequired(externalID),
                    at: subscriberDetails[position].specLocation, fieldPath: "spec"))
        }
        if let location = subscriberDetails[position].displayNameLocation {
            let message =
                traits.displayNameWarning ?? Message.displayNameNotStored(externalID)
            traits.displayNameWarning = message
            diagnostics.append(
                Diagnostic(
                    .warning, message, at: location, fieldPath: "spec.display_name",
                    hint: Message.displayNameHint))
        }
    }
}

extension DesiredSubscriber {
    /// Returns whether the PBX field `field` is written with a value that is not valid. Only
    /// a subscriber of a document with errors has one, and the checks across documents take
    /// such a field as unknown rather than as missing.
    fileprivate func hasInvalidValue(_ field: String) -> Bool {
        fields[field] == nil && fieldLocations["spec." + field] != nil
    }
}

/// Returns whether `text` has only whitespace, or nothing. A name usually starts with an
/// ASCII byte that is no whitespace, which settles it without Unicode property lookups.
func isBlank(_ text: String) -> Bool {
    if let first = text.utf8.first, first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) {
        return false
    }
    return text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
}

/// Returns `text` in lower case. ASCII text without capitals, which nearly every name is, is
/// returned as it is, without the allocation of `lowercased()`.
func lowercased(_ text: String) -> String {
    let isLowercaseASCII = text.utf8.withContiguousStorageIfAvailable { bytes in
        !bytes.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }
    return isLowercaseASCII == true ? text : text.lowercased()
}

extension Array {
    /// Removes the elements at `offsets`, which are ascending.
    mutating func remove(atSortedOffsets offsets: [Int]) {
        guard !offsets.isEmpty else { return }
        var remaining: [Element] = []
        remaining.reserveCapacity(count - offsets.count)
        var next = 0
        for (offset, element) in enumerated() {
            if next < offsets.count, offsets[next] == offset {
                next += 1
                continue
            }
            remaining.append(element)
        }
        self = remaining
    }
}
