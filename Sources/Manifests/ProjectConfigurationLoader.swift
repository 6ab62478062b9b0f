import Foundation
import NGCPCore
import YAMLReader

/// The outcome of reading `ngcpctl.yaml`: the configuration when it is valid, and every
/// problem found.
public struct ProjectConfigurationLoadResult: Sendable {
    public var configuration: ProjectConfiguration?
    public var diagnostics: [Diagnostic]
    /// The path of the file read, or nil when no file was found.
    public var path: String?
    /// The file's text, for rendering diagnostics.
    public var source: String?

    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Finds and reads `ngcpctl.yaml`, the per-repository settings of targets, guards and
/// ignore rules.
public enum ProjectConfigurationLoader {
    public static let fileName = "ngcpctl.yaml"

    /// Finds the configuration file for the manifest paths: `ngcpctl.yaml` in the first path
    /// when it is a directory, else in the nearest directory above the first path, searching
    /// no higher than the enclosing git work tree's root. Outside git only the first path's
    /// own directory is searched.
    public static func discover(paths: [String], baseDirectory: String) -> String? {
        guard let first = paths.first else { return nil }
        let absolute = first.hasPrefix("/") ? first : baseDirectory + "/" + first
        var url = URL(fileURLWithPath: absolute).standardizedFileURL
        let fileManager = FileManager.default

        var isDirectory: ObjCBool = false
        if !fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory)
            || !isDirectory.boolValue
        {
            url = url.deletingLastPathComponent()
        }

        let insideGit = gitRoot(above: url) != nil
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if fileManager.fileExists(atPath: candidate) { return candidate }

            let isGitRoot = fileManager.fileExists(atPath: url.appendingPathComponent(".git").path)
            let parent = url.deletingLastPathComponent()
            guard insideGit, !isGitRoot, parent.path != url.path else { return nil }
            url = parent
        }
    }

    private static func gitRoot(above start: URL) -> URL? {
        var url = start
        while true {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) {
                return url
            }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// Reads the configuration file at `path`.
    public static func load(path: String, limits: YAMLLimits = YAMLLimits())
        -> ProjectConfigurationLoadResult
    {
        var result = ProjectConfigurationLoadResult(diagnostics: [], path: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            result.diagnostics.append(
                Diagnostic(.error, Message.unreadable(path, reason: "the file is not readable")))
            return result
        }
        guard data.count <= limits.maxInputBytes else {
            let reason =
                "the file is \(data.count) bytes, more than the limit of \(limits.maxInputBytes)"
                + " bytes"
            result.diagnostics.append(Diagnostic(.error, Message.unreadable(path, reason: reason)))
            return result
        }
        let text: String
        switch decodedText(data, file: path) {
        case .success(let decoded):
            text = decoded
        case .failure(let error):
            result.diagnostics.append(error.diagnostic)
            return result
        }
        let parsed = parse(text, path: path, limits: limits)
        result.source = parsed.source
        result.configuration = parsed.configuration
        result.diagnostics = parsed.diagnostics
        return result
    }

    /// Parses the text of a configuration file; `path` names it in diagnostics.
    public static func parse(_ text: String, path: String, limits: YAMLLimits = YAMLLimits())
        -> (configuration: ProjectConfiguration?, diagnostics: [Diagnostic], source: String)
    {
        let reader = NodeReader(file: path)
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(text, limits: limits)
        } catch {
            return (
                nil, [DesiredStateCollector.invalidYAML(error, in: text, reader: reader)], text
            )
        }

        let content = documents.filter { !$0.isEmpty }
        guard let document = content.first else {
            // An empty file would otherwise read as a configuration with no targets, which
            // every command then reports in terms of --target instead of the file.
            let location = SourceLocation(file: path, line: 1, column: 1)
            return (nil, [Diagnostic(.error, Message.emptyProjectFile, at: location)], text)
        }
        if content.count > 1 {
            reader.error(content[1].root, "", Message.projectSingleDocument)
        }

        // Values such as the user and the URL are printed, so they are checked for control
        // characters as manifest values are.
        ControlCharacterCheck.check(document.root, reader: reader)
        let configuration = decodeProject(document.root, reader: reader)
        let diagnostics = reader.diagnosticsInSourceOrder
        let source = masked(text, from: reader.literalSecrets.map(\.mark))
        return (diagnostics.hasErrors ? nil : configuration, diagnostics, source)
    }

    /// Returns `text` with the rest of each line from each of `marks` replaced by the mask:
    /// the values that may be a password written in the wrong place.
    private static func masked(_ text: String, from marks: [YAMLMark]) -> String {
        guard !marks.isEmpty else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for mark in marks where mark.line >= 1 && mark.line <= lines.count {
            let line = Substring(lines[mark.line - 1])
            let column = mark.column + SecretSpans.uncountedScalars(onLine: mark.line, line)
            let start = SecretSpans.characterOffset(ofColumn: column, in: line)
            lines[mark.line - 1] = String(line.prefix(start)) + SourceRedaction.mask
        }
        return lines.joined(separator: "\n")
    }

    private static func decodeProject(_ root: YAMLNode, reader: NodeReader)
        -> ProjectConfiguration?
    {
        guard
            let fields = reader.fields(
                root, "", allowed: KeyNames(ProjectSchema.project.map(\.name)),
                required: ["targets"])
        else { return nil }

        var configuration = ProjectConfiguration(location: reader.location(root))
        if let node = fields["targets"], let pairs = node.mapping {
            for pair in pairs {
                guard let name = reader.string(pair.key, "targets", numbersAsText: true) else {
                    continue
                }
                guard isValidTargetName(name) else {
                    reader.error(pair.key, join("targets", name), Message.invalidTargetName(name))
                    continue
                }
                let target = decodeTarget(pair.value, name: name, reader: reader)
                configuration.targets[name] = target
            }
            if pairs.isEmpty {
                reader.error(node, "targets", Message.noTargets)
            }
        } else if let node = fields["targets"] {
            reader.typeError(node, "targets", expected: "a mapping of target names")
        }

        if let node = fields["default_target"],
            let name = reader.string(node, "default_target", numbersAsText: true)
        {
            if configuration.targets[name] == nil, !configuration.targets.isEmpty {
                let known = configuration.targets.keys.sorted()
                reader.error(
                    node, "default_target",
                    Message.unknownTarget(name, suggestion: nearestName(to: name, in: known)),
                    hint: Message.knownTargets(known))
            }
            configuration.defaultTarget = name
        }
        if let node = fields["secrets"], !node.isNull {
            decodeSecrets(node, into: &configuration, reader: reader)
        }
        return configuration
    }

    private static func decodeSecrets(
        _ node: YAMLNode, into configuration: inout ProjectConfiguration, reader: NodeReader
    ) {
        guard
            let fields = reader.fields(
                node, "secrets", allowed: KeyNames(ProjectSchema.secrets.map(\.name)))
        else { return }

        func strings(_ field: String) -> [String]? {
            guard let node = fields[field], !node.isNull,
                let items = reader.list(node, join("secrets", field))
            else { return nil }
            return items.enumerated().compactMap { position, item in
                reader.string(item, index(join("secrets", field), position))
            }
        }

        if let patterns = strings("env_names") {
            for (position, pattern) in patterns.enumerated()
            where !isEnvironmentPattern(pattern) {
                if let list = fields["env_names"]?.sequence, position < list.count {
                    reader.error(
                        list[position], index(join("secrets", "env_names"), position),
                        Message.invalidEnvironmentPattern(pattern))
                }
            }
            configuration.secretEnvironmentPatterns = patterns
        }
        if let directories = strings("file_directories") {
            configuration.secretFileDirectories = directories
        }
    }

    /// An environment name pattern: letters, digits, `_` and `*`, with at least one letter
    /// or digit, so that a lone `*` cannot allow every variable by accident.
    static func isEnvironmentPattern(_ pattern: String) -> Bool {
        pattern.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "*") }
            && pattern.contains { $0.isLetter || $0.isNumber }
    }

    /// Target names are used on the command line and in `metadata.targets`, so they are
    /// kept to letters, digits, `-`, `_` and `.`.
    /// Returns whether `name` can name a target: it becomes part of a git reference
    /// (`refs/ngcpctl/applied/NAME`), so it may not start with `.`, contain `..` or end with
    /// `.lock`, which git refuses in reference names.
    public static func isValidTargetName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && !name.hasPrefix(".") && !name.contains("..")
            && !name.hasSuffix(".lock")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    private static func decodeTarget(_ node: YAMLNode, name: String, reader: NodeReader)
        -> TargetConfiguration
    {
        let path = join("targets", name)
        var target = TargetConfiguration(name: name, location: reader.location(node))
        if node.isNull { return target }
        guard
            let fields = reader.fields(
                node, path, allowed: KeyNames(ProjectSchema.target.map(\.name)))
        else { return target }

        func text(_ field: String) -> String? {
            guard let node = fields[field], !node.isNull else { return nil }
            return reader.string(node, join(path, field), numbersAsText: true)
        }

        if let url = text("url") {
            if APIURL.hasUserInfo(url), let node = fields["url"] {
                reader.error(node, join(path, "url"), APIURL.userInfoMessage(url))
            } else if let problem = APIURL.problem(url) {
                if let node = fields["url"] {
                    reader.error(
                        node, join(path, "url"), Message.invalidTargetURL(url, problem: problem))
                }
            } else {
                target.url = url
            }
        }
        target.user = text("user")
        if let variable = text("password_env") {
            if isEnvironmentName(variable) {
                target.passwordEnv = variable
            } else if let node = fields["password_env"] {
                // A password written here by mistake must not show, in the message or the
                // excerpt, as a literal password in a manifest does not.
                reader.recordLiteralSecret(variable, at: node, path: join(path, "password_env"))
                reader.error(
                    node, join(path, "password_env"), Message.invalidPasswordEnvironmentName,
                    hint: Message.invalidPasswordEnvironmentNameHint)
            }
        }
        target.reseller = text("reseller")
        target.caFile = text("ca_file")
        target.defaultBillingProfile = text("default_billing_profile")
        for field in ["reseller", "default_billing_profile", "ca_file"] {
            if let node = fields[field] { target.fieldLocations[field] = reader.location(node) }
        }
        if let node = fields["warnings_as_errors"],
            let flag = reader.bool(node, join(path, "warnings_as_errors"))
        {
            target.warningsAsErrors = flag
        }
        if let node = fields["ignore"], !node.isNull,
            let items = reader.list(node, join(path, "ignore"))
        {
            target.ignore = items.enumerated().compactMap { position, item in
                let itemPath = index(join(path, "ignore"), position)
                guard let rule = reader.string(item, itemPath) else { return nil }
                IgnoreRuleCheck.check(rule, node: item, path: itemPath, reader: reader)
                return rule
            }
        }
        if let node = fields["guards"], !node.isNull {
            target.guards = decodeGuards(node, path: join(path, "guards"), reader: reader)
        }
        return target
    }

    private static func decodeGuards(_ node: YAMLNode, path: String, reader: NodeReader)
        -> GuardSettings
    {
        var guards = GuardSettings()
        guard
            let fields = reader.fields(
                node, path, allowed: KeyNames(ProjectSchema.guards.map(\.name)))
        else { return guards }

        // A null limit means "no limit", so it is written out rather than left to the default.
        func limit(_ field: String) -> Int?? {
            guard let node = fields[field] else { return .none }
            if node.isNull { return .some(nil) }
            return reader.int(node, join(path, field), range: 0...Int.max).map { .some($0) }
        }
        if let value = limit("max_deletes") { guards.maxDeletes = value }
        if let value = limit("max_terminations") { guards.maxTerminations = value }
        if let node = fields["allow_domain_delete"],
            let flag = reader.bool(node, join(path, "allow_domain_delete"))
        {
            guards.allowDomainDelete = flag
        }
        if let node = fields["refuse_remove_all"],
            let flag = reader.bool(node, join(path, "refuse_remove_all"))
        {
            guards.refuseRemoveAll = flag
        }
        if let node = fields["protected"], !node.isNull,
            let items = reader.list(node, join(path, "protected"))
        {
            guards.protected = items.enumerated().compactMap { position, item in
                let itemPath = index(join(path, "protected"), position)
                guard let pattern = reader.string(item, itemPath) else { return nil }
                checkProtectedPattern(pattern, node: item, path: itemPath, reader: reader)
                return pattern
            }
        }
        return guards
    }

    /// Reports a `protected` pattern that can protect nothing the way it is written, such as
    /// `customer/acme` for `customers/acme`: a typo there would switch the guard off unseen.
    private static func checkProtectedPattern(
        _ pattern: String, node: YAMLNode, path: String, reader: NodeReader
    ) {
        let collections = ResourceKind.allCases.map(\.rawValue)
        guard let slash = pattern.firstIndex(of: "/") else {
            if pattern.isEmpty {
                reader.error(node, path, Message.emptyProtectedPattern)
            } else if collections.contains(pattern) {
                // Without a slash, a pattern matches names: `domains` protects objects named so.
                reader.warning(
                    node, path, Message.protectedNameLikeCollection(pattern),
                    hint: "write '\(pattern)/*' to protect every one of them")
            }
            return
        }

        let collection = String(pattern[..<slash])
        let name = pattern[pattern.index(after: slash)...]
        let matchesSome = collections.contains { Glob.matches(pattern: collection, text: $0) }
        if !matchesSome {
            let suggestion = nearestName(to: collection, in: collections)
            reader.error(
                node, path, Message.unknownProtectedCollection(pattern, collection, suggestion),
                hint: "collections: " + collections.joined(separator: ", "))
        } else if name.isEmpty || name.contains("/") {
            reader.error(node, path, Message.invalidProtectedName(pattern))
        }
    }

    /// Returns `path`, a path written in the ngcpctl.yaml of `directory`, as an absolute
    /// path. A relative path is taken relative to `directory`.
    public static func resolve(_ path: String, in directory: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: directory + "/" + path).standardizedFileURL.path
    }

    /// Returns an error at the `ca_file` of `target` when the file that it names, resolved
    /// against `directory` (the directory of ngcpctl.yaml), cannot be read, so that the
    /// problem shows before the first connection. Nil when the target names no CA file.
    public static func caFileProblem(of target: TargetConfiguration, directory: String)
        -> Diagnostic?
    {
        guard let caFile = target.caFile else { return nil }
        let path = resolve(caFile, in: directory)
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "the file does not exist"
        } else if isDirectory.boolValue {
            reason = "it is a directory"
        } else if !FileManager.default.isReadableFile(atPath: path) {
            reason = "the file is not readable"
        } else {
            return nil
        }
        return Diagnostic(
            .error, Message.unreadableCAFile(path, target: target.name, reason: reason),
            at: target.fieldLocations["ca_file"], fieldPath: "targets.\(target.name).ca_file",
            hint: Message.unreadableCAFileHint)
    }

    /// Picks the target named `name`, else the configuration's default, else the only one.
    /// Throws a diagnostic listing the known names when none can be chosen.
    public static func selectTarget(_ name: String?, in configuration: ProjectConfiguration)
        throws(ProjectConfigurationError) -> TargetConfiguration
    {
        let known = configuration.targets.keys.sorted()
        if let name {
            if let target = configuration.targets[name] { return target }
            throw ProjectConfigurationError(
                Message.unknownTarget(name, suggestion: nearestName(to: name, in: known))
                    + "; " + Message.knownTargets(known))
        }
        if let name = configuration.defaultTarget, let target = configuration.targets[name] {
            return target
        }
        if known.count == 1, let target = configuration.targets[known[0]] { return target }
        throw ProjectConfigurationError(Message.targetRequired(known))
    }
}

/// A target that cannot be selected.
public struct ProjectConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// True for a POSIX environment variable name: letters, digits and `_`, not starting with a
/// digit.
func isEnvironmentName(_ name: String) -> Bool {
    !name.isEmpty && !(name.first?.isNumber ?? true)
        && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
}
