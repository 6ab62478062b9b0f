import ArgumentParsing

/// Options shared by the commands that talk to NGCP.
enum CommonOptions {
    static let connection: [OptionSpec] = [target] + transport + ReadSettings.options

    static let transport: [OptionSpec] = [
        .option("url", value: "URL", help: "NGCP API base URL (default: $NGCP_URL)."),
        .option(
            "user", value: "NAME",
            help: "API user (default: $NGCP_USER). "
                + "The password is read from $NGCP_PASSWORD."),
        .option(
            "ca-file", value: "FILE",
            help: "CA bundle for verifying the server's TLS "
                + "certificate."),
        .flag("insecure", help: "Skip TLS certificate verification (prints a warning)."),
        .option("client-cert", value: "FILE", help: "PEM client certificate for TLS."),
        .option("client-key", value: "FILE", help: "PEM key of --client-cert."),
        .option(
            "timeout", value: "SECONDS",
            help: "Total time allowed per request "
                + "(default 60)."),
    ]

    static let target = OptionSpec.option(
        "target", value: "NAME",
        help: "Target of ngcpctl.yaml whose settings apply (default: its default_target).")

    static let output: [OptionSpec] = [
        .option(
            "color", value: "WHEN",
            help: "Colour output: auto, always or never "
                + "(default auto)."),
        .flag("verbose", help: "Log each API request to standard error."),
    ]

    /// The apply journal, which `apply` writes and `plan` reads for the contacts that an
    /// interrupted apply left behind.
    static let journal = OptionSpec.option(
        "journal", value: "FILE",
        help: "The apply journal (default .ngcpctl/journal/<target-hash>.jsonl in the "
            + "manifests' git repository).")

    /// `--set-webpasswords`, for the plans of `plan` and `apply`.
    static let setWebPasswords = OptionSpec.flag(
        "set-webpasswords",
        help: "Also send the web passwords of existing subscribers that no earlier apply "
            + "recorded, such as subscribers created outside ngcpctl.")

    static func colorMode(_ parsed: ParsedArguments) throws(UsageError) -> String {
        try parsed.choice("color", from: ["auto", "always", "never"]) ?? "auto"
    }

    static let policy: [OptionSpec] = [
        .option(
            "policies", value: "PATH",
            help: "Policy file or directory (default: policies/ of the manifests' repository).",
            repeatable: true),
        .flag("no-builtin-policies", help: "Do not check the built-in policy pack."),
        .flag("warnings-as-errors", help: "Let policy warnings block the plan (exit 3)."),
    ]

    static func policyStage(_ parsed: ParsedArguments, colorMode: String) -> PolicyStage {
        PolicyStage(
            explicitPaths: parsed.allValues("policies"),
            includeBuiltIn: !parsed.flag("no-builtin-policies"),
            manifestPaths: parsed.positionals, colorMode: colorMode)
    }
}
