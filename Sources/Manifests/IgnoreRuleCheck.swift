import NGCPCore
import YAMLReader

/// Checks the `ignore` rules of a target in `ngcpctl.yaml` against the collections and the
/// field paths that plans compare.
///
/// A rule with a misspelt collection or field hides nothing, so the difference it was meant
/// to hide stays in every plan without a word about the rule. Such a rule is an error.
/// Preference names are the exception: the target's own catalogue decides which exist, so
/// a name that the built-in catalogue lacks is a warning.
enum IgnoreRuleCheck {
    /// The field prefixes through which a rule on an owner's collection names a block, as
    /// `IgnoreRule(parsing:)` rewrites them: `subscribers/*:preferences.cli`.
    private static let nestedPrefixes: [ResourceKind: [String]] = [
        .subscribers: ["preferences", "callforwards"], .customers: ["contact"],
    ]

    /// Returns the field paths that plans compare on existing objects of `kind`, as an ignore
    /// rule's path matches them. Subscriber preferences are the names that manifests may set
    /// in `catalogue`.
    static func comparedPaths(of kind: ResourceKind, catalogue: PreferenceCatalogue) -> [String] {
        switch kind {
        case .domains:
            // A plan creates or deletes a domain but never updates one.
            return []
        case .subscribers:
            // The references are not compared. The blocks have collections of their own. The
            // primary number is compared as one field, although a plan shows its parts.
            // `pbx_groups` and `pbx_group_ids` both stay, because a rule on either hides the
            // `pbx_group_ids` change.
            let excluded: Set = ["customer", "callforwards", "preferences"]
            return ManifestSchema.subscriberSpec.map(\.name).filter { !excluded.contains($0) }
        case .customers:
            // The billing profile is compared by its id, and the product type not at all.
            let excluded: Set = ["contact", "billing_profile", "type"]
            return ManifestSchema.customerSpec.map(\.name).filter { !excluded.contains($0) }
                + ["billing_profile_id"]
        case .customercontacts:
            return ManifestSchema.contact.map(\.name)
        case .callforwards:
            // A plan shows a forward type as a whole when one side has none, else member by
            // member.
            return ManifestSchema.callForwardTypes.flatMap { type in
                let members = ManifestSchema.callForward.map(\.name).filter {
                    $0 != "ringtimeout" || type == "cft"
                }
                return [type] + members.map { "\(type).\($0)" }
            }
        case .subscriberpreferences:
            return catalogue.settableNames
        }
    }

    /// Reports a rule that can hide nothing the way it is written.
    static func check(
        _ text: String, node: YAMLNode, path: String, reader: NodeReader,
        catalogue: PreferenceCatalogue = .builtIn
    ) {
        if text.isEmpty {
            reader.error(node, path, Message.emptyIgnoreRule)
            return
        }
        // The collection is what precedes the first `/` of the scope. `IgnoreRule(parsing:)`
        // would skip a leading `/`, which this check does not allow.
        if let colon = text.firstIndex(of: ":") {
            let collection = String(text[..<colon].prefix { $0 != "/" })
            if ResourceKind(rawValue: collection) == nil {
                let collections = ResourceKind.allCases.map(\.rawValue)
                let suggestion = nearestName(to: collection, in: collections)
                reader.error(
                    node, path, Message.unknownIgnoreCollection(text, collection, suggestion),
                    hint: "collections: " + collections.joined(separator: ", "))
                return
            }
        }
        // Field paths have no `/`, so `subscribers/*` lacks the `:` before its path.
        guard let rule = IgnoreRule(parsing: text), text.contains(":") || !text.contains("/")
        else {
            reader.error(
                node, path, Message.ignoreRuleWithoutPath(text), hint: Message.ignoreRuleSyntax)
            return
        }
        checkPath(
            of: rule, text: text, node: node, path: path, reader: reader, catalogue: catalogue)
    }

    /// Reports a rule whose field path matches no path that plans compare.
    private static func checkPath(
        of rule: IgnoreRule, text: String, node: YAMLNode, path: String, reader: NodeReader,
        catalogue: PreferenceCatalogue
    ) {
        let kinds = rule.resource.map { [$0] } ?? ResourceKind.allCases
        let known = kinds.flatMap { comparedPaths(of: $0, catalogue: catalogue) }
        let segments = rule.path.split(separator: ".", omittingEmptySubsequences: false)
            .map(String.init)
        let matchesSome = known.contains { field in
            let fieldSegments = field.split(separator: ".").map(String.init)
            return Glob.matchesSegments(segments[...], fieldSegments[...])
        }
        if matchesSome { return }

        let suggestion = suggestedRule(text, rule: rule, known: known)
        // Preference names have one segment; the target may have one that is not built in.
        let mayBePreference =
            (rule.resource == nil || rule.resource == .subscriberpreferences)
            && segments.count == 1
        if mayBePreference {
            reader.warning(
                node, path,
                Message.unknownIgnorePreference(
                    text, rule.path, onEveryCollection: rule.resource == nil, suggestion),
                hint: "the target's catalogue may still have it; otherwise correct the name")
        } else if rule.resource == .domains {
            reader.error(node, path, Message.ignoreRuleOnDomains(text))
        } else {
            reader.error(
                node, path,
                Message.unknownIgnoreField(text, rule.path, rule.resource, suggestion),
                hint: fieldHint(rule.resource, known: known))
        }
    }

    /// Returns the rule with its field path corrected, when a known path or a block prefix
    /// (`preferences.`) is near the path as written.
    private static func suggestedRule(_ text: String, rule: IgnoreRule, known: [String])
        -> String?
    {
        var corrected = nearestName(to: rule.path, in: known)
        if corrected == nil, let kind = rule.resource, let prefixes = nestedPrefixes[kind] {
            // A block prefix alone (`preferences`) most likely means every field of the block.
            let parts = rule.path.split(separator: ".", maxSplits: 1)
            if let first = parts.first, let prefix = nearestName(to: String(first), in: prefixes) {
                corrected = prefix + "." + (parts.count == 2 ? parts[1] : "*")
            }
        }
        guard let corrected, text.hasSuffix(rule.path) else { return corrected }
        return String(text.dropLast(rule.path.count)) + corrected
    }

    private static func fieldHint(_ kind: ResourceKind?, known: [String]) -> String {
        guard let kind else { return Message.ignoreRuleSyntax }
        switch kind {
        case .callforwards:
            let members = ManifestSchema.callForward.map(\.name).filter { $0 != "ringtimeout" }
            return "plans compare a forward type ("
                + ManifestSchema.callForwardTypes.joined(separator: ", ")
                + ") as a whole or by member: TYPE." + members.joined(separator: ", TYPE.")
                + ", and cft.ringtimeout"
        case .subscribers:
            return "plans compare these fields of subscribers: " + known.joined(separator: ", ")
                + "; write preferences.NAME or callforwards.PATH for the blocks"
        case .customers:
            return "plans compare these fields of customers: " + known.joined(separator: ", ")
                + "; write contact.FIELD for the contact"
        default:
            return "plans compare these fields of \(kind.rawValue): "
                + known.joined(separator: ", ")
        }
    }
}
