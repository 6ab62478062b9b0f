import Manifests
import NGCPCore
import Testing

/// Declares the domain and customer that the subscriber cases refer to.
private let baseManifest = """
    apiVersion: ngcpctl/v1
    kind: Domain
    metadata: {name: d.example}
    ---
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata: {name: acme}
    spec:
      billing_profile: default
      contact: {email: ops@acme.example}
    """

/// A valid subscriber; the lines of each case are appended from line 8 on.
private let subscriberHead = """
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata: {name: alice@d.example}
    spec:
      customer: acme
      password: {env: P}
      primary_number: {cc: 43, sn: 100}

    """

private func error(
    _ line: Int, _ column: Int, _ path: String?, _ message: String, hint: String? = nil,
    file: String = "m.yaml"
) -> Diagnostic {
    Diagnostic(
        .error, message, at: SourceLocation(file: file, line: line, column: column),
        fieldPath: path, hint: hint)
}

private func warning(
    _ line: Int, _ column: Int, _ path: String?, _ message: String, hint: String? = nil,
    file: String = "m.yaml"
) -> Diagnostic {
    Diagnostic(
        .warning, message, at: SourceLocation(file: file, line: line, column: column),
        fieldPath: path, hint: hint)
}

struct DiagnosticCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let expected: [Diagnostic]

    var testDescription: String { name }

    /// Builds a case whose text is a subscriber with `specLines` added to its spec.
    static func subscriber(_ name: String, _ specLines: String, _ expected: [Diagnostic]) -> Self {
        DiagnosticCase(name: name, text: subscriberHead + specLines, expected: expected)
    }
}

private let validSubscriberFields =
    "valid fields: customer, password, webpassword, webusername, primary_number,"
    + " alias_numbers, external_id, status, lock, display_name, email, timezone,"
    + " administrative, pbx_extension, is_pbx_pilot, is_pbx_group, pbx_groups, pbx_group_ids,"
    + " pbx_hunt_policy, pbx_hunt_timeout, pbx_hunt_cancel_mode, profile_set_id, profile_id,"
    + " callforwards, preferences"

private let subscriberCases: [DiagnosticCase] = [
    .subscriber(
        "unknown field with suggestion", "  primary_numbr: 1\n",
        [
            error(
                8, 3, "spec.primary_numbr",
                "unknown field 'primary_numbr'; did you mean 'primary_number'?")
        ]),
    .subscriber(
        "unknown field without suggestion", "  colour: red\n",
        [error(8, 3, "spec.colour", "unknown field 'colour'", hint: validSubscriberFields)]),
    .subscriber(
        "key that is no string", "  1: x\n",
        [error(8, 3, "spec", "mapping key must be a string, found integer '1'")]),
    .subscriber(
        "integer out of range", "  lock: 7\n",
        [error(8, 9, "spec.lock", "value '7' is out of range; expected 1 to 5")]),
    .subscriber(
        "wrong scalar type", "  lock: high\n",
        [error(8, 9, "spec.lock", "expected an integer, found string 'high'")]),
    .subscriber(
        "collection where a string belongs", "  webusername: [a]\n",
        [error(8, 16, "spec.webusername", "expected a string, found a list")]),
    .subscriber(
        "string too long", "  webusername: " + String(repeating: "w", count: 128) + "\n",
        [
            error(
                8, 16, "spec.webusername",
                "value '\(String(repeating: "w", count: 128))' is 128 characters long, more"
                    + " than the maximum of 127")
        ]),
    .subscriber(
        "invalid choice with suggestion", "  status: actve\n",
        [
            error(
                8, 11, "spec.status",
                "invalid value 'actve'; expected one of active, locked; did you mean 'active'?")
        ]),
    .subscriber(
        "YAML 1.1 boolean", "  administrative: yes\n",
        [
            error(
                8, 19, "spec.administrative", "expected a boolean, found string 'yes'",
                hint: "unquoted 'yes' is the string \"yes\" in YAML 1.2, not a boolean: write"
                    + " true or false")
        ]),
    .subscriber(
        "invalid subscriber e-mail", "  email: nobody\n",
        [error(8, 10, "spec.email", "value 'nobody' is not an e-mail address")]),
    .subscriber(
        "number with letters", "  alias_numbers: [{cc: 4x, sn: 1}]\n",
        [error(8, 24, "spec.alias_numbers[0].cc", "cc '4x' must contain digits only")]),
    .subscriber(
        "country code too long", "  alias_numbers: [{cc: 4444, sn: 1}]\n",
        [error(8, 24, "spec.alias_numbers[0].cc", "cc '4444' must have 1 to 3 digits")]),
    .subscriber(
        "empty values", "  webusername: \"\"\n  pbx_extension: ''\n",
        [
            error(
                8, 16, "spec.webusername", "the value must not be empty",
                hint: "omit webusername to log in with the username"),
            error(9, 18, "spec.pbx_extension", "the value must not be empty"),
            // The document has errors, and the checks across documents still read it.
            error(
                9, 18, "spec.pbx_extension",
                "pbx_extension is only valid for pbxaccount customers, and customer 'acme' is a"
                    + " sipaccount"),
        ]),
    .subscriber(
        "country code with leading zero", "  alias_numbers: [{cc: 043, sn: 1}]\n",
        [
            error(
                8, 24, "spec.alias_numbers[0].cc", "cc '043' must not start with 0",
                hint: "write the country code without the international prefix: cc: 43")
        ]),
    .subscriber(
        "country code with international prefix", "  alias_numbers: [{cc: 0043, sn: 1}]\n",
        [
            error(
                8, 24, "spec.alias_numbers[0].cc", "cc '0043' must have 1 to 3 digits",
                hint: "write the country code without the international prefix: cc: 43")
        ]),
    .subscriber(
        "number without subscriber number", "  alias_numbers: [{cc: 43}]\n",
        [error(8, 19, "spec.alias_numbers[0]", "missing required field 'sn'")]),
    .subscriber(
        "number repeated by one subscriber", "  alias_numbers: [{cc: 43, sn: 100}]\n",
        [
            error(
                8, 19, "spec.alias_numbers[0]",
                "number '43-100' is listed twice for this subscriber; first at m.yaml:7:19")
        ]),
    .subscriber(
        "number with the same digits", "  alias_numbers: [{cc: 43, ac: 1, sn: '00'}]\n",
        [
            error(
                8, 19, "spec.alias_numbers[0]",
                "number 43-1-00 has the same digits as 43-100 of 'alice@d.example' at m.yaml:7:19,"
                    + " split differently into cc, ac and sn",
                hint: "a number is dialled by its digits alone; keep it on one subscriber, with"
                    + " one split")
        ]),
    .subscriber(
        "literal secret", "  webpassword: hunter2\n",
        [
            warning(
                8, 16, "spec.webpassword", "secret is written in the manifest as a literal value",
                hint: "use {env: NAME} or {file: PATH} so the value stays out of git")
        ]),
    .subscriber(
        "literal secret with a tab", "  webpassword: \"a\\tb\"\n",
        [
            error(
                8, 16, "spec.webpassword",
                "the literal secret contains a tab (U+0009), which a password may not contain",
                hint: "remove the character; a block scalar (| or >) ends with a line break"
                    + " unless written |- or >-")
        ]),
    .subscriber(
        "literal secret in a block scalar", "  webpassword: |\n    hunter2\n",
        [
            error(
                8, 16, "spec.webpassword",
                "the literal secret contains a line break (U+000A), which a password may not"
                    + " contain",
                hint: "remove the character; a block scalar (| or >) ends with a line break"
                    + " unless written |- or >-")
        ]),
    .subscriber(
        "literal secret with an escape", "  webpassword: \"a\\eb\\tc\"\n",
        [
            error(
                8, 16, "spec.webpassword",
                "contains the control character U+001B, which could change how terminals and"
                    + " reports show it", hint: "remove the character from the value")
        ]),
    .subscriber(
        "secret of the wrong shape", "  webpassword: 5\n",
        [error(8, 16, "spec.webpassword", "expected a string, {env: NAME} or {file: PATH}")]),
    .subscriber(
        "secret with two sources", "  webpassword: {env: A, file: b}\n",
        [error(8, 16, "spec.webpassword", "expected a string, {env: NAME} or {file: PATH}")]),
    .subscriber(
        "invalid environment variable name", "  webpassword: {env: 1X}\n",
        [
            error(
                8, 22, "spec.webpassword.env",
                "environment variable name '(sensitive value)' is not valid")
        ]),
    .subscriber(
        "call forward without destinations",
        "  callforwards:\n    cfu:\n      times: [{hour: 8-17}]\n",
        [
            error(
                10, 7, "spec.callforwards.cfu", "call forward 'cfu' needs at least one destination",
                hint: "add destinations, or remove the entry (or write `{}`) to clear this forward")
        ]),
    .subscriber(
        "unknown call forward type", "  callforwards:\n    cfx: {}\n",
        [error(9, 5, "spec.callforwards.cfx", "unknown field 'cfx'; did you mean 'cfu'?")]),
    .subscriber(
        "ring timeout outside cft",
        "  callforwards:\n    cfb:\n      destinations: [{destination: x}]\n"
            + "      ringtimeout: 5\n",
        [
            error(
                11, 20, "spec.callforwards.cfb.ringtimeout",
                "ringtimeout is only valid on cft, not on cfb")
        ]),
    .subscriber(
        "time period out of range",
        "  callforwards:\n    cfu:\n      destinations: [{destination: x}]\n"
            + "      times:\n        - {hour: 25}\n",
        [
            error(
                12, 18, "spec.callforwards.cfu.times[0].hour",
                "hour '25' must be N or N-M with values from 0 to 23")
        ]),
    .subscriber(
        "year range backwards",
        "  callforwards:\n    cfu:\n      destinations: [{destination: x}]\n"
            + "      times:\n        - {year: 2030-2025}\n",
        [
            error(
                12, 18, "spec.callforwards.cfu.times[0].year",
                "year range '2030-2025' must not run backwards")
        ]),
    .subscriber(
        "announcement without customhours",
        "  callforwards:\n    cfu:\n      destinations:\n"
            + "        - {destination: voicebox, announcement_id: 3}\n",
        [
            error(
                11, 52, "spec.callforwards.cfu.destinations[0].announcement_id",
                "announcement_id is only allowed with the destination 'customhours'")
        ]),
    .subscriber(
        "invalid source mode",
        "  callforwards:\n    cfu:\n      destinations: [{destination: x}]\n"
            + "      sources_mode: white\n",
        [
            error(
                11, 21, "spec.callforwards.cfu.sources_mode",
                "invalid value 'white'; expected one of whitelist, blacklist; "
                    + "did you mean 'whitelist'?")
        ]),
    .subscriber(
        "unknown preference", "  preferences:\n    clirr: true\n",
        [
            error(
                9, 5, "spec.preferences.clirr",
                "unknown preference 'clirr'; did you mean 'clir'?")
        ]),
    .subscriber(
        "internal preference", "  preferences:\n    cfu: 5\n",
        [
            error(
                9, 5, "spec.preferences.cfu",
                "preference 'cfu' is internal and managed by NGCP itself",
                hint: "declare call forwards under spec.callforwards")
        ]),
    .subscriber(
        "lock preference", "  preferences:\n    lock: 4\n",
        [
            error(
                9, 5, "spec.preferences.lock",
                "preference 'lock' is managed through the subscriber's lock field",
                hint: "set spec.lock instead")
        ]),
    .subscriber(
        "blob preference", "  preferences:\n    emergency_location_object: x\n",
        [
            error(
                9, 5, "spec.preferences.emergency_location_object",
                "preference 'emergency_location_object' holds binary data, which manifests"
                    + " cannot set")
        ]),
    .subscriber(
        "number-derived preference", "  preferences:\n    cc: \"43\"\n",
        [
            warning(
                9, 5, "spec.preferences.cc",
                "preference 'cc' is normally set by NGCP from the subscriber's primary number;"
                    + " a value here overrides it")
        ]),
    .subscriber(
        "enumeration preference value", "  preferences:\n    language: klingon\n",
        [
            error(
                9, 15, "spec.preferences.language",
                "invalid value 'klingon'; expected one of de, en, es, it, ro, fr, ar, he, nl,"
                    + " pt_br, pt")
        ]),
    .subscriber(
        "boolean preference given an integer", "  preferences:\n    clir: 1\n",
        [error(9, 11, "spec.preferences.clir", "expected a boolean, found integer '1'")]),
    .subscriber(
        "nested list in a list preference", "  preferences:\n    block_in_list: [a, [b]]\n",
        [error(9, 24, "spec.preferences.block_in_list[1]", "expected a string, found a list")]),
    .subscriber(
        "repeated allowed_clis entry", "  preferences:\n    allowed_clis: [\"43*\", \"43*\"]\n",
        [
            error(
                9, 27, "spec.preferences.allowed_clis[1]",
                "value '43*' is listed twice in preference 'allowed_clis'")
        ]),
    .subscriber(
        "preference value too long",
        "  preferences:\n    cli: " + String(repeating: "1", count: 129) + "\n",
        [
            error(
                9, 10, "spec.preferences.cli",
                "value '\(String(repeating: "1", count: 129))' is 129 characters long, more"
                    + " than the maximum of 128")
        ]),
    .subscriber(
        "PBX field on a sipaccount", "  pbx_extension: 12\n",
        [
            error(
                8, 18, "spec.pbx_extension",
                "pbx_extension is only valid for pbxaccount customers, and customer 'acme' is a"
                    + " sipaccount")
        ]),
    .subscriber(
        "display name on a sipaccount", "  display_name: Alice\n",
        [
            warning(
                8, 17, "spec.display_name",
                "display_name is only stored for PBX customers, and customer 'acme' is a"
                    + " sipaccount",
                hint: "set preferences.display_name instead")
        ]),
]

private let documentCases: [DiagnosticCase] = [
    DiagnosticCase(
        name: "invalid YAML", text: "apiVersion: ngcpctl/v1\nkind: [Domain\nmetadata: x\n",
        expected: [
            error(
                3, 9, nil,
                "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence"
                    + " at line 2, column 7)")
        ]),
    DiagnosticCase(
        name: "duplicate YAML key",
        text: "apiVersion: ngcpctl/v1\nkind: Domain\nkind: Domain\nmetadata: {name: x}\n",
        expected: [
            error(
                3, 1, nil,
                "invalid YAML: duplicate key 'kind'; first defined at line 2, column 1")
        ]),
    DiagnosticCase(
        name: "repeated YAML merge key",
        text: "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata:\n  <<: {name: x}\n"
            + "  <<: {name: y}\n",
        expected: [
            error(
                5, 3, nil,
                "invalid YAML: duplicate key '<<'; first defined at line 4, column 3")
        ]),
    DiagnosticCase(
        name: "document that is no mapping", text: "- a\n",
        expected: [error(1, 1, nil, "expected a mapping, found a list")]),
    DiagnosticCase(
        name: "missing kind", text: "apiVersion: ngcpctl/v1\nmetadata: {name: x}\n",
        expected: [error(1, 1, nil, "missing required field 'kind'")]),
    DiagnosticCase(
        name: "unsupported apiVersion",
        text: "apiVersion: ngcpctl/v2\nkind: Domain\nmetadata: {name: x.example}\n",
        expected: [
            error(1, 13, "apiVersion", "unsupported apiVersion 'ngcpctl/v2'; expected 'ngcpctl/v1'")
        ]),
    DiagnosticCase(
        name: "unknown kind",
        text: "apiVersion: ngcpctl/v1\nkind: Subscribr\nmetadata: {name: x}\n",
        expected: [
            error(
                2, 7, "kind",
                "unknown kind 'Subscribr'; expected one of Domain, Customer, Subscriber;"
                    + " did you mean 'Subscriber'?")
        ]),
    DiagnosticCase(
        name: "empty name", text: "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: ''}\n",
        expected: [error(3, 18, "metadata.name", "name must not be empty")]),
    DiagnosticCase(
        name: "domain name with a space",
        text: "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: a b.example}\n",
        expected: [error(3, 18, "metadata.name", "name 'a b.example' contains a space")]),
    DiagnosticCase(
        name: "missing spec", text: "apiVersion: ngcpctl/v1\nkind: Customer\nmetadata: {name: c}\n",
        expected: [error(1, 1, nil, "missing required field 'spec'")]),
    DiagnosticCase(
        name: "subscriber name without domain",
        text:
            "apiVersion: ngcpctl/v1\nkind: Subscriber\nmetadata: {name: alice}\n"
            + "spec: {customer: acme}\n",
        expected: [
            error(
                3, 18, "metadata.name",
                "subscriber name 'alice' is not of the form username@domain",
                hint: "write the name as username@domain, e.g. alice@sip.example.org")
        ]),
    DiagnosticCase(
        name: "username with a space",
        text:
            "apiVersion: ngcpctl/v1\nkind: Subscriber\nmetadata: {name: 'al ice@d.example'}\n"
            + "spec: {customer: acme}\n",
        expected: [error(3, 18, "metadata.name", "username 'al ice' contains a space")]),
    DiagnosticCase(
        name: "username with invalid characters",
        text:
            "apiVersion: ngcpctl/v1\nkind: Subscriber\nmetadata: {name: al..ice@d.example}\n"
            + "spec: {customer: acme}\n",
        expected: [
            error(
                3, 18, "metadata.name",
                "username 'al..ice' is invalid; use at most 127 ASCII letters (a-z, A-Z),"
                    + " digits (0-9) and + = , ; _ . ~ ' ( ) ! * -, with no leading, trailing"
                    + " or double dot")
        ]),
    DiagnosticCase(
        name: "username with a letter outside ASCII",
        text:
            "apiVersion: ngcpctl/v1\nkind: Subscriber\nmetadata: {name: k\u{FC}che@d.example}\n"
            + "spec: {customer: acme}\n",
        expected: [
            error(
                3, 18, "metadata.name",
                "username 'k\u{FC}che' is invalid; use at most 127 ASCII letters (a-z, A-Z),"
                    + " digits (0-9) and + = , ; _ . ~ ' ( ) ! * -, with no leading, trailing"
                    + " or double dot")
        ]),
    DiagnosticCase(
        name: "customer without billing profile",
        text:
            "apiVersion: ngcpctl/v1\nkind: Customer\nmetadata: {name: c}\nspec:\n"
            + "  contact: {email: a@b.example}\n",
        expected: [
            error(
                5, 3, "spec", "missing required field 'billing_profile'",
                hint: "set spec.billing_profile to a billing profile handle, or set"
                    + " default_billing_profile for the target in ngcpctl.yaml")
        ]),
    DiagnosticCase(
        name: "customer contact without e-mail",
        text:
            "apiVersion: ngcpctl/v1\nkind: Customer\nmetadata: {name: c}\nspec:\n"
            + "  billing_profile: p\n  contact: {firstname: A}\n",
        expected: [error(6, 12, "spec.contact", "missing required field 'email'")]),
    DiagnosticCase(
        name: "invalid contact country",
        text:
            "apiVersion: ngcpctl/v1\nkind: Customer\nmetadata: {name: c}\nspec:\n"
            + "  billing_profile: p\n  contact: {email: a@b.example, country: Austria}\n",
        expected: [
            error(
                6, 42, "spec.contact.country",
                "country 'Austria' is not a two-letter ISO 3166 code")
        ]),
    DiagnosticCase(
        name: "negative max_subscribers",
        text:
            "apiVersion: ngcpctl/v1\nkind: Customer\nmetadata: {name: c}\nspec:\n"
            + "  billing_profile: p\n  max_subscribers: -1\n  contact: {email: a@b.example}\n",
        expected: [
            error(6, 20, "spec.max_subscribers", "value '-1' is out of range; expected 0 or more")
        ]),
]

@Suite struct ManifestDiagnosticTests {
    @Test(arguments: subscriberCases + documentCases)
    func reportsExactDiagnostic(_ testCase: DiagnosticCase) {
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", testCase.text)])
        #expect(result.diagnostics == testCase.expected)
    }

    @Test func specIsCheckedWithoutName() {
        let text = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {}\nspec: {resellr: x}\n"
        let result = loadManifests([("m.yaml", text)])
        #expect(
            result.diagnostics == [
                error(3, 11, "metadata", "missing required field 'name'"),
                error(
                    4, 8, "spec.resellr", "unknown field 'resellr'; did you mean 'reseller'?"),
            ])
        #expect(result.desired.isEmpty)
    }

    /// A literal secret with a control character is an error, whose message and excerpt
    /// hide the value as the warning about a valid literal does.
    @Test(arguments: [#""hunter\t2""#, #""hunter\n2""#, #""hunter\e2""#, "|\n    hunter2"])
    func invalidLiteralSecretIsNeverPrinted(_ value: String) {
        let result = loadManifests([
            ("base.yaml", baseManifest), ("m.yaml", subscriberHead + "  webpassword: \(value)\n"),
        ])
        #expect(result.errors.map(\.fieldPath) == ["spec.webpassword"])
        #expect(result.desired.subscribers.isEmpty)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        #expect(rendered.contains("m.yaml:8:16: error: spec.webpassword:"), "\(rendered)")
        #expect(!rendered.contains("hunter"), "\(rendered)")
    }

    @Test func literalSecretValueIsNeverPrinted() {
        let result = loadManifests([
            ("base.yaml", baseManifest), ("m.yaml", subscriberHead + "  webpassword: hunter2\n"),
        ])
        let rendered = DiagnosticRenderer(sources: [:]).render(result.diagnostics)
        #expect(!rendered.contains("hunter2"))
        #expect(!result.diagnostics.description.contains("hunter2"))
    }

    @Test func longAliasedSecretIsMaskedBeforeCut() {
        let secret = String(repeating: "Long'Secret-", count: 30)
        let text = subscriberHead + "  webpassword: &pw \"\(secret)\"\n  email: *pw\n"
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", text)])

        let messages = result.diagnostics.map(\.message).joined(separator: "\n")
        #expect(messages.contains("more than the maximum of 255"))
        #expect(!messages.contains("Long'Secret"))
        #expect(result.diagnostics.allSatisfy { $0.message.count <= 400 })
    }

    @Test func duplicateNaturalKeysNameBothLocations() {
        let domain = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: D.example}\n"
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", domain)])
        #expect(
            result.diagnostics == [
                error(
                    3, 18, "metadata.name",
                    "duplicate Domain 'D.example'; first declared at base.yaml:3:18",
                    hint: "declare each Domain once")
            ])
        #expect(result.desired.domains.map(\.domain) == ["d.example"])
    }

    @Test func duplicateOfDocumentWithErrorsIsReportedInTheSameRun() {
        let broken =
            "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: x.example}\n"
            + "spec: {resellr: r}\n"
        let valid = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: X.example}\n"
        let result = loadManifests([("a.yaml", broken), ("m.yaml", valid)])
        #expect(
            result.diagnostics == [
                error(
                    4, 8, "spec.resellr", "unknown field 'resellr'; did you mean 'reseller'?",
                    file: "a.yaml"),
                error(
                    3, 18, "metadata.name",
                    "duplicate Domain 'X.example'; first declared at a.yaml:3:18",
                    hint: "declare each Domain once"),
            ])
    }

    @Test func twoCopiesWithErrorsAreReportedAsDuplicates() {
        let broken =
            "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: x.example}\n"
            + "spec: {resellr: r}\n"
        let result = loadManifests([("a.yaml", broken), ("m.yaml", broken)])
        let duplicates = result.diagnostics.filter { $0.message.hasPrefix("duplicate") }
        #expect(
            duplicates == [
                error(
                    3, 18, "metadata.name",
                    "duplicate Domain 'x.example'; first declared at a.yaml:3:18",
                    hint: "declare each Domain once")
            ])
    }

    @Test func numberUsedByTwoSubscribers() {
        let bob = subscriberHead.replacingOccurrences(of: "alice@", with: "bob@")
        let result = loadManifests([
            ("base.yaml", baseManifest), ("a.yaml", subscriberHead), ("m.yaml", bob),
        ])
        #expect(
            result.diagnostics == [
                error(
                    7, 19, "spec.primary_number",
                    "number '43-100' is also used by subscriber 'alice@d.example' at"
                        + " a.yaml:7:19")
            ])
    }

    @Test func subscriberUnderTerminatedCustomer() {
        let customer = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: gone}
            spec:
              billing_profile: p
              status: terminated
              contact: {email: a@b.example}
            """
        let subscriber = subscriberHead.replacingOccurrences(
            of: "customer: acme", with: "customer: gone")
        let result = loadManifests([
            ("base.yaml", baseManifest), ("c.yaml", customer), ("m.yaml", subscriber),
        ])
        #expect(
            result.diagnostics == [
                error(
                    5, 13, "spec.customer",
                    "customer 'gone' is declared with status 'terminated' at c.yaml:3:18;"
                        + " NGCP rejects subscribers under a terminated customer",
                    hint: "remove the subscriber, or give the customer another status")
            ])
    }

    @Test func undeclaredCustomerWarnsOncePerName() {
        let first = subscriberHead.replacingOccurrences(of: "@d.example", with: "@x.example")
            .replacingOccurrences(of: "customer: acme", with: "customer: other")
        let second = first.replacingOccurrences(of: "alice@", with: "bob@")
            .replacingOccurrences(of: "sn: 100", with: "sn: 101")
            .replacingOccurrences(of: "@x.example", with: "@X.example")
        let result = loadManifests([
            ("base.yaml", baseManifest), ("m.yaml", first), ("n.yaml", second),
        ])
        #expect(
            result.diagnostics.map(\.message) == [
                "customer 'other' is not declared in these manifests; it must already exist"
                    + " on the target (named by 2 subscribers; this is the first)",
                "domain 'x.example' is not declared in these manifests; it must already"
                    + " exist on the target (named by 2 subscribers; this is the first)",
            ])
        #expect(result.diagnostics.map(\.location?.file) == ["m.yaml", "m.yaml"])
        #expect(result.undeclaredCustomers == ["other"])
        #expect(result.undeclaredDomains == ["x.example", "X.example"])
    }

    @Test func undeclaredCustomerAndDomainAreWarnings() {
        let subscriber = subscriberHead.replacingOccurrences(of: "@d.example", with: "@x.example")
            .replacingOccurrences(of: "customer: acme", with: "customer: other")
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", subscriber)])
        #expect(
            result.diagnostics == [
                warning(
                    5, 13, "spec.customer",
                    "customer 'other' is not declared in these manifests; it must already exist"
                        + " on the target"),
                warning(
                    3, 18, "metadata.name",
                    "domain 'x.example' is not declared in these manifests; it must already"
                        + " exist on the target"),
            ])
        #expect(result.undeclaredCustomers == ["other"])
        #expect(result.undeclaredDomains == ["x.example"])
    }

    @Test func invalidCustomerIsNotReportedAsUndeclared() {
        let customer = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: broken}
            spec:
              billing_profile: p
              status: gone
              contact: {email: a@b.example}
            """
        let subscriber = subscriberHead.replacingOccurrences(
            of: "customer: acme", with: "customer: broken")
        let result = loadManifests([
            ("base.yaml", baseManifest), ("c.yaml", customer), ("m.yaml", subscriber),
        ])
        #expect(
            result.diagnostics == [
                error(
                    6, 11, "spec.status",
                    "invalid value 'gone'; expected one of active, pending, locked, terminated",
                    file: "c.yaml")
            ])
        #expect(result.undeclaredCustomers.isEmpty)
    }

    @Test func duplicateKeepsFirstMetadata() {
        let first = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: x.example}\n"
        let second =
            "apiVersion: ngcpctl/v1\nkind: Domain\n"
            + "metadata: {name: x.example, annotations: {a: b}}\n"
        let result = loadManifests([("1.yaml", first), ("2.yaml", second)])
        #expect(result.errors.count == 1)
        #expect(result.metadata[ResourceID(.domains, "x.example")]?.annotations == [:])
        #expect(result.metadata.count == 1)
    }

    @Test func maxSubscribersBelowDeclaredCount() {
        let customer = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: small}
            spec:
              billing_profile: p
              max_subscribers: 1
              contact: {email: a@b.example}
            """
        func subscriber(_ name: String, _ number: Int) -> String {
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: \(name)@d.example}
            spec:
              customer: small
              password: {env: P}
              primary_number: {cc: 43, sn: \(number)}
            """
        }
        let result = loadManifests([
            ("base.yaml", baseManifest), ("c.yaml", customer),
            ("s1.yaml", subscriber("one", 1)), ("s2.yaml", subscriber("two", 2)),
        ])
        #expect(
            result.diagnostics == [
                error(
                    6, 20, "spec.max_subscribers",
                    "customer 'small' allows at most 1 subscriber, but 2 are declared for it",
                    hint: "raise max_subscribers, or declare fewer subscribers for the customer",
                    file: "c.yaml")
            ])
    }

    @Test func sipaccountSubscriberNeedsPrimaryNumber() {
        let subscriber = subscriberHead.replacingOccurrences(
            of: "  primary_number: {cc: 43, sn: 100}\n", with: "")
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", subscriber)])
        // Like every missing field, it is reported at the mapping that lacks it: the first
        // key of `spec`.
        #expect(
            result.diagnostics == [
                error(
                    5, 3, "spec",
                    "missing required field 'primary_number'; subscribers of sipaccount"
                        + " customer 'acme' need one")
            ])
    }

    @Test func misspeltPrimaryNumberPointsAtSpec() {
        let subscriber = subscriberHead.replacingOccurrences(
            of: "primary_number:", with: "primary_numbr:")
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", subscriber)])
        #expect(
            result.diagnostics == [
                error(
                    7, 3, "spec.primary_numbr",
                    "unknown field 'primary_numbr'; did you mean 'primary_number'?"),
                error(
                    5, 3, "spec",
                    "missing required field 'primary_number'; subscribers of sipaccount"
                        + " customer 'acme' need one"),
            ])
    }

    @Test func everyErrorOfAFileIsReported() {
        let text = subscriberHead + "  lock: 9\n  status: on\n  colour: red\n"
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", text)])
        #expect(result.errors.map(\.location?.line) == [8, 9, 10])
        #expect(result.desired.subscribers.isEmpty)
    }

    @Test func secretsOfDuplicateAreCheckedAtItsOwnFields() {
        let copy = subscriberHead.replacingOccurrences(of: "{env: P}", with: "{env: Q}")
            .replacingOccurrences(of: "sn: 100", with: "sn: 200")
        let loaded = loadManifests([
            ("base.yaml", baseManifest), ("a.yaml", subscriberHead), ("m.yaml", copy),
        ])
        #expect(loaded.errors.map { $0.message.hasPrefix("duplicate") } == [true])

        let resolver = SecretResolver(environment: ["P": "Al1ce-secret"], baseDirectory: "/")
        let diagnostics = loaded.locatingSecretFields(
            resolveSecrets(in: loaded.secretOwners, resolver: resolver))
        #expect(
            diagnostics == [
                error(
                    6, 13, "spec.password",
                    "subscriber 'alice@d.example': cannot read secret {env: Q}: environment"
                        + " variable 'Q' is not set",
                    hint: "set the variable before running ngcpctl")
            ])
    }

    @Test func unreadableSecretsAreReportedWithoutValues() throws {
        let text = subscriberHead + "  webpassword: {file: missing.txt}\n"
        let result = loadManifests([("base.yaml", baseManifest), ("m.yaml", text)])
        #expect(result.diagnostics.isEmpty)

        let resolver = SecretResolver(environment: [:], baseDirectory: "/")
        let diagnostics = resolveSecrets(in: result.desired, resolver: resolver)
        #expect(
            diagnostics == [
                error(
                    3, 18, "spec.password",
                    "subscriber 'alice@d.example': cannot read secret {env: P}: environment"
                        + " variable 'P' is not set",
                    hint: "set the variable before running ngcpctl"),
                error(
                    3, 18, "spec.webpassword",
                    "subscriber 'alice@d.example': cannot read secret"
                        + " {file: /srv/ngcp/missing.txt}: file '/srv/ngcp/missing.txt' does not"
                        + " exist",
                    hint: "create the file, or correct the path, before running ngcpctl"),
            ])

        let resolved = resolveSecrets(
            in: result.desired,
            resolver: SecretResolver(environment: ["P": "secret"], baseDirectory: "/"))
        #expect(resolved.count == 1)
        #expect(!resolved.description.contains("secret\""))
    }
}
