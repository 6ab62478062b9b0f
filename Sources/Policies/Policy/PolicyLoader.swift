import Foundation
import NGCPCore
import YAMLReader

/// Everything one load of policy files produced.
public struct PolicyLoadResult: Sendable {
    /// The rules that loaded cleanly, with overrides applied. Must not be used when
    /// `diagnostics` has errors.
    public var policies: PolicySet
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]
    /// The files read, in load order.
    public var files: [String]
    /// The text of each file by the path used in diagnostics, for rendering source lines.
    public var sources: [String: String]

    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// Reads policy files: YAML documents with `rules` and `overrides`.
public struct PolicyLoader: Sendable {
    public var limits: CELLimits
    public var yamlLimits: YAMLLimits

    public init(limits: CELLimits = CELLimits(), yamlLimits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
        self.yamlLimits = yamlLimits
    }

    /// Loads files and directories; a directory contributes its `*.yaml` and `*.yml` files,
    /// recursively in sorted order, skipping names that start with a dot. With
    /// `includeBuiltIn`, the built-in pack is loaded first, so that the files can override it.
    public func load(paths: [String], includeBuiltIn: Bool = false) -> PolicyLoadResult {
        var documents: [(path: String, text: String)] =
            includeBuiltIn ? BuiltInPolicies.documents : []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            for file in Self.files(at: path, diagnostics: &diagnostics) {
                do {
                    let text = try String(contentsOfFile: file, encoding: .utf8)
                    // A copy of a built-in file (ngcpctl's own policies/ directory, or one
                    // that an operator copied unchanged) adds nothing; loading it twice
                    // would only report every rule as declared twice.
                    if includeBuiltIn,
                        BuiltInPolicies.documents.contains(where: { $0.text == text })
                    {
                        continue
                    }
                    documents.append((file, text))
                } catch {
                    diagnostics.append(
                        Diagnostic(
                            .error,
                            "cannot read policy file '\(file)': \(error.localizedDescription)"))
                }
            }
        }
        var result = load(documents: documents)
        result.diagnostics = diagnostics + result.diagnostics
        return result
    }

    /// Loads policy texts; `path` names each text in diagnostics.
    public func load(documents: [(path: String, text: String)]) -> PolicyLoadResult {
        var builder = PolicySetBuilder(limits: limits)
        for document in documents {
            let reader = PolicyFileReader(file: document.path, text: document.text)
            builder.read(text: document.text, reader: reader, yamlLimits: yamlLimits)
            builder.diagnostics += reader.diagnostics
        }
        let policies = builder.finish()
        var sources: [String: String] = [:]
        for document in documents { sources[document.path] = document.text }
        return PolicyLoadResult(
            policies: policies, diagnostics: builder.diagnostics,
            files: documents.map(\.path), sources: sources)
    }

    private static func files(at path: String, diagnostics: inout [Diagnostic]) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            diagnostics.append(
                Diagnostic(
                    .error, "policy path '\(path)' does not exist",
                    hint: "pass a policy file or a directory of policy files"))
            return []
        }
        guard isDirectory.boolValue else { return [path] }

        let enumerator = FileManager.default.enumerator(atPath: path)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let components = relative.split(separator: "/")
            if components.contains(where: { $0.hasPrefix(".") }) { continue }
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            files.append((path as NSString).appendingPathComponent(relative))
        }
        return files.sorted()
    }
}

/// Collects rules and overrides across files, then applies the overrides.
private struct PolicySetBuilder {
    let limits: CELLimits
    var rules: [PolicyRule] = []
    var diagnostics: [Diagnostic] = []
    private var overrides: [(override: RuleOverride, location: SourceLocation, path: String)] = []

    init(limits: CELLimits) {
        self.limits = limits
    }

    static let documentKeys = ["apiVersion", "kind", "rules", "overrides"]
    static let ruleKeys = [
        "name", "description", "severity", "scope", "match", "condition", "value", "message",
        "parameters",
    ]
    static let overrideKeys = ["rule", "severity", "enabled", "parameters"]
    static let maxNameLength = 57

    mutating func read(text: String, reader: PolicyFileReader, yamlLimits: YAMLLimits) {
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser.parse(text, limits: yamlLimits)
        } catch {
            let location =
                error.mark.map(reader.location)
                ?? SourceLocation(
                    file: reader.file, line: 1, column: 1)
            reader.error(at: location, "", "invalid YAML: \(error.message)")
            return
        }

        for document in documents where !document.isEmpty {
            readDocument(document.root, reader: reader)
        }
    }

    private mutating func readDocument(_ root: YAMLNode, reader: PolicyFileReader) {
        guard let fields = reader.fields(root, "", allowed: Self.documentKeys) else { return }
        if let node = fields["apiVersion"] { _ = reader.choice(node, "apiVersion", ["ngcpctl/v1"]) }
        if let node = fields["kind"] { _ = reader.choice(node, "kind", ["Policy"]) }
        if fields["rules"] == nil && fields["overrides"] == nil {
            reader.error(
                root, "", "a policy document needs 'rules' or 'overrides'",
                hint: "see docs/policies.md for the file format")
        }

        if let node = fields["rules"] {
            if let items = node.sequence {
                for (index, item) in items.enumerated() {
                    if let rule = readRule(item, "rules[\(index)]", reader: reader) {
                        add(rule, reader: reader, node: item, path: "rules[\(index)]")
                    }
                }
            } else {
                reader.error(node, "rules", "expected a list, found \(node.typeName)")
            }
        }

        if let node = fields["overrides"] {
            if let items = node.sequence {
                for (index, item) in items.enumerated() {
                    let path = "overrides[\(index)]"
                    if let override = readOverride(item, path, reader: reader) {
                        overrides.append((override, reader.location(item.mark), path))
                    }
                }
            } else {
                reader.error(node, "overrides", "expected a list, found \(node.typeName)")
            }
        }
    }

    private mutating func add(
        _ rule: PolicyRule, reader: PolicyFileReader, node: YAMLNode, path: String
    ) {
        if let first = rules.first(where: { $0.name == rule.name }) {
            let firstText = first.location.map { " at \($0)" } ?? ""
            reader.error(
                node, join(path, "name"),
                "rule '\(rule.name)' is already declared\(firstText)",
                hint: "give each rule a unique name, or use 'overrides' to change a rule")
            return
        }
        rules.append(rule)
    }

    // MARK: - Rules

    private func readRule(_ node: YAMLNode, _ path: String, reader: PolicyFileReader)
        -> PolicyRule?
    {
        guard
            let fields = reader.fields(
                node, path, allowed: Self.ruleKeys, required: ["name", "severity", "condition"])
        else { return nil }
        var valid = true

        let name = fields["name"].flatMap { readName($0, join(path, "name"), reader: reader) }
        let description = fields["description"].flatMap {
            reader.string($0, join(path, "description"))
        }
        let severity = fields["severity"].flatMap {
            reader.choice($0, join(path, "severity"), PolicySeverity.allCases.map(\.rawValue))
        }.flatMap(PolicySeverity.init)
        var scope = PolicyScope.operation
        if let node = fields["scope"] {
            let text = reader.choice(
                node, join(path, "scope"), PolicyScope.allCases.map(\.rawValue))
            if let text, let value = PolicyScope(rawValue: text) {
                scope = value
            } else {
                valid = false
            }
        }

        var resources: Set<ResourceKind> = []
        var actions: Set<PlannedAction> = []
        if let node = fields["match"] {
            if scope == .plan {
                reader.error(
                    node, join(path, "match"), "a rule with scope 'plan' cannot have 'match'",
                    hint: "count operations in the condition with the 'plan' variable")
                valid = false
            } else if let match = readMatch(node, join(path, "match"), reader: reader) {
                (resources, actions) = match
            } else {
                valid = false
            }
        }

        var parameters: [String: JSONValue] = [:]
        if let node = fields["parameters"] {
            if let value = reader.json(node, join(path, "parameters")),
                case .object(let members) = value
            {
                parameters = members
            } else {
                if node.mapping == nil {
                    reader.error(
                        node, join(path, "parameters"), "expected a mapping, found \(node.typeName)"
                    )
                }
                valid = false
            }
        }

        // `value` is evaluated first, so the condition may use it when the rule defines it.
        let conditionVariables =
            fields["value"] == nil ? PolicyVariables.names : PolicyVariables.messageNames
        let condition = fields["condition"].flatMap {
            compile($0, join(path, "condition"), variables: conditionVariables, reader: reader)
        }
        let value = fields["value"].flatMap {
            compile($0, join(path, "value"), variables: PolicyVariables.names, reader: reader)
        }
        if fields["value"] != nil && value == nil { valid = false }

        var message: MessageTemplate?
        if let node = fields["message"] {
            message = readTemplate(node, join(path, "message"), reader: reader)
            if message == nil {
                valid = false
            } else if message?.usesValue == true, fields["value"] == nil {
                reader.error(
                    node, join(path, "message"),
                    "the message uses 'value' but the rule has no 'value' expression",
                    hint: "add a 'value' expression that computes the offending value")
                valid = false
            }
        }

        guard valid, let name, let severity, let condition else { return nil }
        return PolicyRule(
            name: name, description: description, severity: severity, scope: scope,
            resources: resources, actions: actions, condition: condition, value: value,
            message: message, parameters: parameters, enabled: true,
            location: reader.location(node.mark))
    }

    private func readName(_ node: YAMLNode, _ path: String, reader: PolicyFileReader) -> String? {
        guard let name = reader.string(node, path) else { return nil }
        let scalars = Array(name.unicodeScalars)
        let allowed = scalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        guard allowed, let first = scalars.first, ("a"..."z").contains(first),
            scalars.last != "-", scalars.count <= Self.maxNameLength
        else {
            reader.error(
                node, path, "invalid rule name '\(name)'",
                hint: "use lowercase letters, digits and dashes, starting with a letter, at most"
                    + " \(Self.maxNameLength) characters; the name becomes part of the waiver"
                    + " annotation")
            return nil
        }
        return name
    }

    private func readMatch(_ node: YAMLNode, _ path: String, reader: PolicyFileReader)
        -> (Set<ResourceKind>, Set<PlannedAction>)?
    {
        guard let fields = reader.fields(node, path, allowed: ["resources", "actions"]) else {
            return nil
        }
        var valid = true
        var resources: Set<ResourceKind> = []
        var actions: Set<PlannedAction> = []

        if let list = fields["resources"].flatMap({ reader.stringList($0, join(path, "resources")) }
        ) {
            let names = ResourceKind.allCases.map(\.rawValue)
            for (index, (text, item)) in list.enumerated() {
                if let kind = ResourceKind(rawValue: text) {
                    resources.insert(kind)
                } else {
                    _ = reader.choice(item, "\(join(path, "resources"))[\(index)]", names)
                    valid = false
                }
            }
        } else if fields["resources"] != nil {
            valid = false
        }

        if let list = fields["actions"].flatMap({ reader.stringList($0, join(path, "actions")) }) {
            let names = PlannedAction.allCases.map(\.rawValue)
            for (index, (text, item)) in list.enumerated() {
                if let action = PlannedAction(rawValue: text) {
                    actions.insert(action)
                } else {
                    _ = reader.choice(item, "\(join(path, "actions"))[\(index)]", names)
                    valid = false
                }
            }
        } else if fields["actions"] != nil {
            valid = false
        }
        return valid ? (resources, actions) : nil
    }

    // MARK: - Expressions

    private func compile(
        _ node: YAMLNode, _ path: String, variables: Set<String>, reader: PolicyFileReader
    ) -> CELProgram? {
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            reader.error(
                node, path, "expected a CEL expression as a string, found \(node.typeName)",
                hint: "quote the expression, for example \"true\"")
            return nil
        }
        do {
            return try CELProgram(text, variables: variables, limits: limits)
        } catch {
            report(error, node: node, path: path, reader: reader)
            return nil
        }
    }

    private func report(
        _ error: CELError, node: YAMLNode, path: String, reader: PolicyFileReader,
        text: String = "expression"
    ) {
        reader.error(
            at: reader.location(ofOffset: error.offset, in: node), path,
            error.describe(in: text), hint: error.snippet)
    }

    private func readTemplate(_ node: YAMLNode, _ path: String, reader: PolicyFileReader)
        -> MessageTemplate?
    {
        guard let text = reader.string(node, path) else { return nil }
        let scalars = Array(text.unicodeScalars)
        var parts: [MessageTemplate.Part] = []
        var usesValue = false
        var literal = ""
        var index = 0

        while index < scalars.count {
            guard scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                literal.unicodeScalars.append(scalars[index])
                index += 1
                continue
            }
            guard let close = closingBraces(scalars, from: index + 2) else {
                reader.error(
                    at: reader.location(ofOffset: index, in: node), path,
                    "'{{' at column \(index + 1) of the message has no closing '}}'")
                return nil
            }
            if !literal.isEmpty { parts.append(.text(literal)) }
            literal = ""

            var inner = ""
            inner.unicodeScalars.append(contentsOf: scalars[(index + 2)..<close])
            do {
                let program = try CELProgram(
                    inner, variables: PolicyVariables.messageNames, limits: limits)
                usesValue = usesValue || program.references("value")
                parts.append(.expression(program))
            } catch {
                // Positions are reported against the whole message text.
                let shifted = CELError(
                    error.kind, error.message, expression: text, offset: index + 2 + error.offset)
                report(shifted, node: node, path: path, reader: reader, text: "message")
                return nil
            }
            index = close + 2
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return MessageTemplate(source: text, parts: parts, usesValue: usesValue)
    }

    private func closingBraces(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index + 1 < scalars.count {
            if scalars[index] == "}" && scalars[index + 1] == "}" { return index }
            index += 1
        }
        return nil
    }

    // MARK: - Overrides

    private func readOverride(_ node: YAMLNode, _ path: String, reader: PolicyFileReader)
        -> RuleOverride?
    {
        guard
            let fields = reader.fields(
                node, path, allowed: Self.overrideKeys, required: ["rule"])
        else { return nil }
        guard let rule = fields["rule"].flatMap({ reader.string($0, join(path, "rule")) }) else {
            return nil
        }
        var override = RuleOverride(rule: rule, node: fields["rule"]!)
        var valid = true

        if let node = fields["severity"] {
            let text = reader.choice(
                node, join(path, "severity"), PolicySeverity.allCases.map(\.rawValue))
            override.severity = text.flatMap(PolicySeverity.init)
            valid = valid && override.severity != nil
        }
        if let node = fields["enabled"] {
            override.enabled = reader.bool(node, join(path, "enabled"))
            valid = valid && override.enabled != nil
        }
        if let node = fields["parameters"] {
            if node.mapping != nil,
                case .object(let members)? = reader.json(node, join(path, "parameters"))
            {
                override.parameters = members
            } else {
                if node.mapping == nil {
                    reader.error(
                        node, join(path, "parameters"), "expected a mapping, found \(node.typeName)"
                    )
                }
                valid = false
            }
        }
        return valid ? override : nil
    }

    /// Applies the overrides in load order and returns the finished set.
    mutating func finish() -> PolicySet {
        for (override, location, path) in overrides {
            guard let index = rules.firstIndex(where: { $0.name == override.rule }) else {
                var hint = "declare the rule before overriding it"
                if let suggestion = closestName(to: override.rule, in: rules.map(\.name)) {
                    hint = "did you mean '\(suggestion)'?"
                }
                diagnostics.append(
                    Diagnostic(
                        .error, "override names unknown rule '\(override.rule)'",
                        at: SourceLocation(
                            file: location.file, line: override.node.mark.line,
                            column: override.node.mark.column),
                        fieldPath: join(path, "rule"), hint: hint))
                continue
            }
            if let severity = override.severity { rules[index].severity = severity }
            if let enabled = override.enabled { rules[index].enabled = enabled }
            for (key, value) in override.parameters {
                rules[index].parameters[key] = value
            }
        }
        return PolicySet(rules: rules)
    }
}

/// Changes to a rule declared elsewhere, such as one of the built-in pack.
private struct RuleOverride {
    let rule: String
    let node: YAMLNode
    var severity: PolicySeverity?
    var enabled: Bool?
    /// Replaces the rule's parameters of the same name; other parameters stay.
    var parameters: [String: JSONValue] = [:]
}
