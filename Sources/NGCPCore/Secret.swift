/// The source of a secret value: a SIP password, a web password or a secret preference.
///
/// Plans and journals store the source, never the value: `apply --plan` resolves it again.
public enum SecretSource: Sendable, Hashable, CustomStringConvertible {
    /// A value written into the manifest itself. It works, but it cannot be stored in a saved
    /// plan, and policies may forbid it.
    case literal(String)
    /// The value of an environment variable.
    case environment(String)
    /// The contents of a file, without one trailing newline.
    case file(String)

    /// A description that never contains the value.
    public var description: String {
        switch self {
        case .literal: return "(literal value)"
        case .environment(let name): return "{env: \(name)}"
        case .file(let path): return "{file: \(path)}"
        }
    }
}

/// Subscriber preferences whose values are passwords (`peer_auth_pass` authenticates the
/// subscriber at an upstream peer). A manifest gives one as a secret source, like a
/// subscriber's password, and a plan carries a secret placeholder in its place and shows only
/// that it changes.
public let secretPreferenceNames: Set<String> = ["peer_auth_pass"]

/// Returns the key of the secret preference `name` in `DesiredSubscriber.secrets`, which is
/// also the `field` of its plan placeholder: the preference's path in the subscriber's spec,
/// such as `preferences.peer_auth_pass`.
public func secretPreferenceField(_ name: String) -> String {
    "preferences." + name
}

/// Returns the preference name of a `DesiredSubscriber.secrets` key made by
/// `secretPreferenceField(_:)`, or nil for a subscriber field (`password`, `webpassword`).
public func secretPreferenceName(ofField field: String) -> String? {
    guard field.hasPrefix("preferences.") else { return nil }
    return String(field.dropFirst("preferences.".count))
}

/// A resolved secret. Its description is redacted so that string interpolation, logging or a
/// debugger print cannot leak it.
public struct SecretValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible
{
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "(sensitive value)" }
    public var debugDescription: String { "(sensitive value)" }
}

/// A failure to read a secret, raised before any write.
public struct SecretResolutionError: Error, Sendable, CustomStringConvertible {
    public let source: SecretSource
    public let reason: String
    /// Whether the source is outside what `SecretAccess` allows, as opposed to missing.
    public var isAccessDenied: Bool
    /// A hint on what to do about the failure, or nil when the reason names the fix.
    public var hint: String?

    public init(
        source: SecretSource, reason: String, isAccessDenied: Bool = false, hint: String? = nil
    ) {
        self.source = source
        self.reason = reason
        self.isAccessDenied = isAccessDenied
        self.hint = hint
    }

    public var description: String { "cannot read secret \(source): \(reason)" }
}
