/// A user rule that hides differences in some fields from the plan, for fields that another
/// system owns.
///
/// The text form is `[collection/name:]path`, for example `subscribers/*@example.org:lock`,
/// `customers/*:max_subscribers` or `cft.ringtimeout`. `collection` is an API collection name
/// (`subscribers`, `callforwards`, `subscriberpreferences`, ...), `name` a natural key, and `path`
/// a dotted field path as shown in plans. In `name` and in each path segment `*` matches any
/// run of characters, and a whole segment `**` in the path matches any number of segments.
/// A rule without a collection applies to every collection. An ignored field is neither
/// compared nor changed on existing objects, but creates still send it.
///
/// A subscriber's PBX groups have two names. Manifests write `pbx_groups` (or the raw
/// `pbx_group_ids`), and plans show the ids that NGCP stores as `pbx_group_ids`, so a rule on
/// either name covers them.
///
/// As written in `ngcpctl.yaml`, a rule may also name a block through its owner, the way a
/// manifest nests it: `subscribers/NAME:preferences.PATH` is
/// `subscriberpreferences/NAME:PATH`, `subscribers/NAME:callforwards.PATH` is
/// `callforwards/NAME:PATH`, and `customers/NAME:contact.PATH` is
/// `customercontacts/NAME:PATH`.
public struct IgnoreRule: Sendable, Hashable, CustomStringConvertible {
    public var resource: ResourceKind?
    public var name: String
    public var path: String

    public init(resource: ResourceKind? = nil, name: String = "*", path: String) {
        self.resource = resource
        self.name = name
        self.path = path
    }

    /// Parses the text form; returns nil when the collection is unknown or the path is empty.
    public init?(parsing text: String) {
        var pathText = Substring(text)
        var resource: ResourceKind?
        var name = "*"
        if let colon = text.firstIndex(of: ":") {
            let scope = text[..<colon]
            pathText = text[text.index(after: colon)...]
            let parts = scope.split(separator: "/", maxSplits: 1)
            guard let kind = parts.first.flatMap({ ResourceKind(rawValue: String($0)) }) else {
                return nil
            }
            resource = kind
            if parts.count == 2 { name = String(parts[1]) }
        }
        guard !pathText.isEmpty else { return nil }
        let nested: [(ResourceKind, String, ResourceKind)] = [
            (.subscribers, "preferences.", .subscriberpreferences),
            (.subscribers, "callforwards.", .callforwards),
            (.customers, "contact.", .customercontacts),
        ]
        for (owner, prefix, block) in nested
        where resource == owner && pathText.hasPrefix(prefix) && pathText.count > prefix.count {
            resource = block
            pathText = pathText.dropFirst(prefix.count)
        }
        self.init(resource: resource, name: name, path: String(pathText))
    }

    public var description: String {
        guard let resource else { return path }
        return "\(resource.rawValue)/\(name):\(path)"
    }

    /// True when the rule covers `fieldPath` of the object `id`.
    public func matches(_ id: ResourceID, fieldPath: String) -> Bool {
        if let resource, resource != id.kind { return false }
        guard Glob.matches(pattern: name, text: id.name) else { return false }
        let patternSegments = path.split(separator: ".").map(String.init)
        let pathSegments = fieldPath.split(separator: ".").map(String.init)
        if Glob.matchesSegments(patternSegments[...], pathSegments[...]) { return true }
        guard id.kind == .subscribers, fieldPath == "pbx_group_ids" else { return false }
        return Glob.matchesSegments(patternSegments[...], ["pbx_groups"][...])
    }
}
