import Foundation
import NGCPCore
import YAMLReader

/// Settings of one manifest load.
public struct ManifestLoadOptions: Sendable {
    /// The billing profile handle for customers that do not name one.
    public var defaultBillingProfile: String?
    /// Preferences that manifests may set.
    public var preferenceCatalogue: PreferenceCatalogue
    /// Size, depth and alias limits for each file.
    public var yamlLimits: YAMLLimits
    /// The directory that relative manifest paths are resolved against, so that relative
    /// `{file: PATH}` secrets become absolute.
    public var baseDirectory: String
    /// The reseller of domains that name none; nil leaves the choice to NGCP.
    public var defaultReseller: String?
    /// The selected target: documents whose `metadata.targets` does not name it are left out.
    /// Nil keeps every document.
    public var target: String?
    /// The target names of ngcpctl.yaml, against which `metadata.targets` is checked; nil
    /// when there is no ngcpctl.yaml, so that any name is accepted.
    public var knownTargets: [String]?
    /// The external_ids of the customers on the target, known at plan time. When set, a
    /// subscriber whose customer is neither declared nor among them is an error at
    /// `spec.customer`; when nil, an undeclared customer is a warning.
    public var liveCustomers: Set<String>?
    /// The lower-cased names of the domains on the target, known at plan time. When set, a
    /// subscriber's domain that is neither declared nor among them gets no warning, because
    /// planning reports it as an error. When nil, every undeclared domain is a warning.
    public var liveDomains: Set<String>?
    /// The target's name for messages about live objects, such as its URL.
    public var targetDescription: String
    /// Whether a preference missing from `preferenceCatalogue` is only a warning. Set when the
    /// catalogue is the built-in one and the target's catalogue will be checked later.
    public var deferUnknownPreferences: Bool

    public init(
        defaultBillingProfile: String? = nil,
        preferenceCatalogue: PreferenceCatalogue = .builtIn,
        yamlLimits: YAMLLimits = YAMLLimits(),
        baseDirectory: String = FileManager.default.currentDirectoryPath,
        defaultReseller: String? = nil, target: String? = nil, knownTargets: [String]? = nil,
        liveCustomers: Set<String>? = nil, liveDomains: Set<String>? = nil,
        targetDescription: String = "the target", deferUnknownPreferences: Bool = false
    ) {
        self.defaultBillingProfile = defaultBillingProfile
        self.preferenceCatalogue = preferenceCatalogue
        self.yamlLimits = yamlLimits
        self.baseDirectory = baseDirectory
        self.defaultReseller = defaultReseller
        self.target = target
        self.knownTargets = knownTargets
        self.liveCustomers = liveCustomers
        self.liveDomains = liveDomains
        self.targetDescription = targetDescription
        self.deferUnknownPreferences = deferUnknownPreferences
    }
}

/// The `metadata` of one document besides its name.
public struct ManifestMetadata: Sendable, Hashable {
    public var annotations: [String: String]
    /// Target names the document is limited to; nil means every target.
    public var targets: [String]?
    public var location: SourceLocation?
    /// Positions of a subscriber's secret fields.
    public var secretLocations = SecretFieldLocations()

    public init(
        annotations: [String: String] = [:], targets: [String]? = nil,
        location: SourceLocation? = nil
    ) {
        self.annotations = annotations
        self.targets = targets
        self.location = location
    }
}

/// The positions of a subscriber's secret fields. The passwords are optionals rather than
/// dictionary entries, because a dictionary would cost an allocation for each of tens of
/// thousands of subscribers.
public struct SecretFieldLocations: Sendable, Hashable {
    public var password: SourceLocation?
    public var webpassword: SourceLocation?
    /// The positions of the secret preferences, by their `DesiredSubscriber.secrets` key
    /// (`preferences.peer_auth_pass`). Few subscribers have one, and an empty dictionary
    /// allocates nothing.
    public var preferences: [String: SourceLocation] = [:]

    public init(password: SourceLocation? = nil, webpassword: SourceLocation? = nil) {
        self.password = password
        self.webpassword = webpassword
    }

    /// The position of the secret field `field`, a key of `DesiredSubscriber.secrets`
    /// (`password`, `webpassword` or a secret preference such as
    /// `preferences.peer_auth_pass`).
    public subscript(field: String) -> SourceLocation? {
        get {
            switch field {
            case "password": password
            case "webpassword": webpassword
            default: preferences[field]
            }
        }
        set {
            switch field {
            case "password": password = newValue
            case "webpassword": webpassword = newValue
            default: preferences[field] = newValue
            }
        }
    }
}

/// Everything one load produced.
public struct ManifestLoadResult: Sendable {
    /// The declared objects. When `diagnostics` has errors, this holds only the documents
    /// that loaded cleanly and must not be planned against.
    public var desired: DesiredState
    /// Every error and warning of the load, in file order and then in order of checks.
    public var diagnostics: [Diagnostic]
    /// The files read, in load order.
    public var files: [String]
    /// The text of each file read, by the path used in diagnostics, for rendering. Literal
    /// secret values are masked with `SourceRedaction.mask`.
    public var sources: [String: String]
    /// The replacements that masking made in `sources`, by path and 1-based line, for
    /// `DiagnosticRenderer` to place a caret after a masked value.
    public var sourceReplacements: [String: [Int: [SourceRedaction.Replacement]]] = [:]
    /// Customers that subscribers refer to but no document declares; they must exist live.
    public var undeclaredCustomers: Set<String>
    /// Domains of subscribers that no document declares; they must exist live.
    public var undeclaredDomains: Set<String>
    /// Annotations and targets of each declared object.
    public var metadata: [ResourceID: ManifestMetadata]
    /// Subscribers with secrets whose documents had errors. They are not in `desired`, but
    /// their secrets can still be checked, so that one run reports every problem.
    public var subscribersWithErrors: [DesiredSubscriber] = []
    /// Positions of the secret fields of `subscribersWithErrors`, by the position of each
    /// subscriber's name: a second copy of a subscriber has the first one's id.
    public var secretLocationsWithErrors: [SourceLocation: SecretFieldLocations] = [:]

    public init(
        desired: DesiredState = DesiredState(), diagnostics: [Diagnostic] = [],
        files: [String] = [], sources: [String: String] = [:],
        undeclaredCustomers: Set<String> = [], undeclaredDomains: Set<String> = [],
        metadata: [ResourceID: ManifestMetadata] = [:]
    ) {
        self.desired = desired
        self.diagnostics = diagnostics
        self.files = files
        self.sources = sources
        self.undeclaredCustomers = undeclaredCustomers
        self.undeclaredDomains = undeclaredDomains
        self.metadata = metadata
    }

    /// Every subscriber whose secrets the secret checks read: the desired ones, and those of
    /// documents with errors.
    public var secretOwners: DesiredState {
        DesiredState(subscribers: desired.subscribers + subscribersWithErrors)
    }

    public var errors: [Diagnostic] { diagnostics.errors }
    public var warnings: [Diagnostic] { diagnostics.warnings }
    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Turns manifest files into the desired state, reporting every problem it finds.
public struct ManifestLoader: Sendable {
    public let options: ManifestLoadOptions

    public init(options: ManifestLoadOptions = ManifestLoadOptions()) {
        self.options = options
    }

    /// Returns whether a directory's walk reads the file at `components`, its path below the
    /// directory: not below a name that starts with a dot or a `policies` directory, and no
    /// `ngcpctl.yaml`. Files of a git revision, which no walk lists, are chosen the same way.
    public static func isManifestFile(at components: [Substring]) -> Bool {
        guard let name = components.last, name != ProjectConfigurationLoader.fileName else {
            return false
        }
        if components.contains(where: { $0.hasPrefix(".") }) { return false }
        return !components.dropLast().contains { $0 == ManifestDirectoryWalk.policyDirectoryName }
    }

    /// Loads files and directories. A directory contributes its `*.yaml` and `*.yml` files,
    /// recursively and in sorted path order, following symbolic links and skipping names that
    /// start with a dot, `ngcpctl.yaml` files and `policies` directories.
    public func load(paths: [String]) -> ManifestLoadResult {
        var diagnostics: [Diagnostic] = []
        var documents: [(path: String, text: String)] = []
        // A file named twice (given twice, or given inside a directory that is also given)
        // is read once, so its documents are not reported as duplicates of themselves.
        var seen: Set<String> = []

        for path in paths {
            for file in manifestFiles(at: path, diagnostics: &diagnostics) {
                guard seen.insert(canonicalPath(absolute(file))).inserted else { continue }
                if let text = read(file, diagnostics: &diagnostics) {
                    documents.append((file, text))
                }
            }
        }

        var result = load(documents: documents)
        result.diagnostics.insert(contentsOf: diagnostics, at: 0)
        return result
    }

    /// Loads manifest texts that were read elsewhere, for example from a git revision. Each
    /// path names its text in diagnostics; a relative path is taken relative to
    /// `options.baseDirectory` when resolving `{file: PATH}` secrets.
    public func load(documents: [(path: String, text: String)]) -> ManifestLoadResult {
        var collector = DesiredStateCollector(options: options)
        var result = ManifestLoadResult()

        for (path, text) in documents {
            result.files.append(path)
            collector.load(path: path, text: text, directory: directory(of: path))
            let marks = collector.literalSecretMarks[path] ?? []
            if marks.isEmpty {
                result.sources[path] = text
            } else {
                let masked = maskSecrets(in: text, at: marks)
                result.sources[path] = masked.text
                result.sourceReplacements[path] = masked.replacements
            }
        }

        collector.checkAcrossDocuments()
        result.desired = collector.desired
        result.diagnostics = collector.diagnostics
        result.undeclaredCustomers = collector.undeclaredCustomers
        result.undeclaredDomains = collector.undeclaredDomains
        result.subscribersWithErrors = collector.subscribersWithErrors
        result.secretLocationsWithErrors = collector.secretLocationsWithErrors
        result.metadata = collector.metadata
        return result
    }

    // MARK: - Files

    private func manifestFiles(at path: String, diagnostics: inout [Diagnostic]) -> [String] {
        var isDirectory: ObjCBool = false
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: absolute(path), isDirectory: &isDirectory) else {
            diagnostics.append(Diagnostic(.error, Message.pathNotFound(path)))
            return []
        }
        guard isDirectory.boolValue else { return [path] }

        var walk = ManifestDirectoryWalk(absolute: absolute)
        walk.walk(path)
        diagnostics += walk.diagnostics
        let files = walk.files

        if files.isEmpty, walk.diagnostics.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, Message.noManifests(path),
                    hint: "pass a directory that contains manifests, or the files themselves"))
        }
        return files.sorted()
    }

    /// Returns the path with symbolic links, `.` and `..` resolved, so that two names of one
    /// file compare equal. A path that cannot be resolved is returned as it is.
    private func canonicalPath(_ path: String) -> String {
        // `realpath` costs a fraction of `URL.resolvingSymlinksInPath()`, whose cost shows in
        // the load time of a thousand files.
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Reads a file, rejecting it before reading when it is larger than the input limit.
    private func read(_ path: String, diagnostics: inout [Diagnostic]) -> String? {
        let fullPath = absolute(path)
        var status = stat()
        if stat(fullPath, &status) == 0, Int(status.st_size) > options.yamlLimits.maxInputBytes {
            let reason = Message.fileTooLarge(
                Int(status.st_size), limit: options.yamlLimits.maxInputBytes)
            diagnostics.append(
                Diagnostic(
                    .error, Message.unreadable(path, reason: reason),
                    hint: Message.fileTooLargeHint))
            return nil
        }

        guard let data = FileManager.default.contents(atPath: fullPath) else {
            diagnostics.append(
                Diagnostic(.error, Message.unreadable(path, reason: "the file is not readable")))
            return nil
        }
        switch decodedText(data, file: path) {
        case .success(let text):
            return text
        case .failure(let error):
            diagnostics.append(error.diagnostic)
            return nil
        }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : options.baseDirectory + "/" + path
    }

    /// Returns the absolute, normalised directory of a manifest path.
    private func directory(of path: String) -> String {
        let path = absolute(path)
        if let parent = plainParent(of: path) { return parent }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.deletingLastPathComponent().path
    }
}

/// Returns the parent directory of an absolute path that is already normalised, or nil when
/// the path needs `URL` to normalise it. A plain path has only ASCII letters, digits and
/// `_-+@,=~` besides `/`, no empty component, no component that starts with `.`, and no
/// trailing `/`. For such a path the parent is the text before the last `/`, which is what
/// `URL.standardizedFileURL.deletingLastPathComponent().path` returns, at a fraction of the
/// cost per file.
func plainParent(of path: String) -> String? {
    let bytes = Array(path.utf8)
    guard bytes.count > 1, bytes.first == UInt8(ascii: "/"), bytes.last != UInt8(ascii: "/")
    else { return nil }
    var lastSlash = 0
    for (offset, byte) in bytes.enumerated() {
        if byte == UInt8(ascii: "/") {
            // An empty component or one that starts with a dot (`.`, `..`, `.hidden`).
            let next = offset + 1 < bytes.count ? bytes[offset + 1] : 0
            if next == UInt8(ascii: "/") || next == UInt8(ascii: ".") { return nil }
            lastSlash = offset
            continue
        }
        let allowed =
            isASCIILetterOrDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "@")
            || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "~")
        guard allowed else { return nil }
    }
    return lastSlash == 0 ? "/" : String(decoding: bytes[..<lastSlash], as: UTF8.self)
}

/// Replaces each literal secret value in `text` with a fixed mask, and returns the masked text
/// with its replacements by 1-based line. `marks` are where the values start.
///
/// The values, and those of every other sensitive key, are found from the parse events
/// (see `SecretSpans`), so that only their own characters are masked on each line they span
/// and the rest of those lines stays readable.
func maskSecrets(in text: String, at marks: [YAMLMark])
    -> (text: String, replacements: [Int: [SourceRedaction.Replacement]])
{
    let lines = text.sourceLines()
    let spans = SecretSpans(text: text)

    // The scan reads the text that the marks come from, so it finds every marked value. A
    // mark that starts no value found is masked to the end of its line all the same.
    let starts = Set(spans.values.map(\.start))
    let missed = marks.filter { !starts.contains($0) }.map {
        SecretSpans.Span(start: $0, end: YAMLMark(line: $0.line, column: Int.max))
    }
    let masked = spans.masked(lines, additional: missed)

    var replacements: [Int: [SourceRedaction.Replacement]] = [:]
    for (index, line) in masked.enumerated() where !line.replacements.isEmpty {
        replacements[index + 1] = line.replacements
    }
    return (masked.map(\.text).joined(separator: "\n"), replacements)
}
