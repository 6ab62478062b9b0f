/// The settings of a manifest repository, read from `ngcpctl.yaml` at the manifests' root.
///
/// One repository can describe several NGCP targets (a lab, staging, production); each target
/// names where the API is and how cautious ngcpctl must be there. `--target NAME` selects one.
public struct ProjectConfiguration: Sendable, Hashable {
    /// Targets by name, such as `lab` or `production`.
    public var targets: [String: TargetConfiguration]
    /// The target used when `--target` is not given; nil means `--target` is required when
    /// more than one target exists.
    public var defaultTarget: String?
    /// The file's location, for messages.
    public var location: SourceLocation?
    /// `secrets.env_names`: the patterns a `{env: NAME}` source must match; nil keeps the
    /// built-in patterns of `SecretAccess`.
    public var secretEnvironmentPatterns: [String]? = nil
    /// `secrets.file_directories`: directories, relative to ngcpctl.yaml, that `{file: PATH}`
    /// sources may read besides the manifests' own repository.
    public var secretFileDirectories: [String] = []

    public init(
        targets: [String: TargetConfiguration] = [:], defaultTarget: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.targets = targets
        self.defaultTarget = defaultTarget
        self.location = location
    }
}

/// One NGCP target: connection, per-target defaults, guards and ignore rules.
public struct TargetConfiguration: Sendable, Hashable {
    public var name: String
    /// The API base URL; `--url` and `NGCP_URL` override it.
    public var url: String?
    /// The API user; `--user` and `NGCP_USER` override it. The password always comes from the
    /// environment variable named by `passwordEnv` (default `NGCP_PASSWORD`).
    public var user: String?
    public var passwordEnv: String?
    /// A reseller name: the target is an account of this reseller, and reads are scoped to it.
    public var reseller: String?
    /// A CA bundle (PEM) for verifying the server's certificate, relative to the file.
    public var caFile: String?
    /// A billing profile handle used by customers that do not name one.
    public var defaultBillingProfile: String?
    public var guards: GuardSettings
    /// Field paths that the diff ignores, such as `subscribers/*:preferences.cli` or
    /// `customers/*:max_subscribers`.
    public var ignore: [String]
    /// Whether policy warnings fail the run on this target.
    public var warningsAsErrors: Bool
    public var location: SourceLocation?
    /// Positions of the values of `reseller`, `default_billing_profile` and `ca_file`, by
    /// field name, so that a problem with one is reported once, where it is set.
    public var fieldLocations: [String: SourceLocation] = [:]

    public init(
        name: String, url: String? = nil, user: String? = nil, passwordEnv: String? = nil,
        reseller: String? = nil, caFile: String? = nil, defaultBillingProfile: String? = nil,
        guards: GuardSettings = GuardSettings(), ignore: [String] = [],
        warningsAsErrors: Bool = false, location: SourceLocation? = nil
    ) {
        self.name = name
        self.url = url
        self.user = user
        self.passwordEnv = passwordEnv
        self.reseller = reseller
        self.caFile = caFile
        self.defaultBillingProfile = defaultBillingProfile
        self.guards = guards
        self.ignore = ignore
        self.warningsAsErrors = warningsAsErrors
        self.location = location
    }
}

/// Limits that stop a plan before apply when it would remove too much.
public struct GuardSettings: Sendable, Hashable {
    /// The maximum number of subscriber deletes in one plan; nil means no limit.
    public var maxDeletes: Int?
    /// The maximum number of customer terminations in one plan; nil means no limit.
    public var maxTerminations: Int?
    /// Whether a plan may delete a domain (which deletes every subscriber in it).
    public var allowDomainDelete: Bool
    /// Refuse a plan that would remove every managed object of a kind (an empty or
    /// mis-pointed manifest directory).
    public var refuseRemoveAll: Bool
    /// Objects that no plan may delete or terminate, as `collection/name` patterns with `*`.
    public var protected: [String]

    public init(
        maxDeletes: Int? = 10, maxTerminations: Int? = 1, allowDomainDelete: Bool = false,
        refuseRemoveAll: Bool = true, protected: [String] = []
    ) {
        self.maxDeletes = maxDeletes
        self.maxTerminations = maxTerminations
        self.allowDomainDelete = allowDomainDelete
        self.refuseRemoveAll = refuseRemoveAll
        self.protected = protected
    }
}
