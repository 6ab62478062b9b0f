import NGCPCore
import Testing
import YAMLReader

@testable import Manifests

/// Converts the first document of `text` to JSON the way an editor's YAML support does, with
/// each key as written.
private func json(fromYAML text: String) throws -> JSONValue {
    let document = try #require(try YAMLParser.parse(text).first)
    return json(document.root)
}

private func json(_ node: YAMLNode) -> JSONValue {
    switch node.content {
    case .scalar(let scalar):
        switch scalar.value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float(let number): return .double(number)
        case .string(let text): return .string(text)
        }
    case .sequence(let items):
        return .array(items.map(json))
    case .mapping(let pairs):
        var members: [String: JSONValue] = [:]
        for pair in pairs { members[pair.key.scalar?.text ?? ""] = json(pair.value) }
        return .object(members)
    }
}

/// One document with the verdicts the loader and the schema should give. They differ only
/// where JSON Schema cannot state the loader's rule, and then the schema is the one that
/// accepts.
struct AgreementCase: Sendable, CustomTestStringConvertible {
    let text: String
    let loaderAccepts: Bool
    let schemaAccepts: Bool

    var testDescription: String { text }

    static func accepted(_ text: String) -> Self {
        AgreementCase(text: text, loaderAccepts: true, schemaAccepts: true)
    }

    static func rejected(_ text: String) -> Self {
        AgreementCase(text: text, loaderAccepts: false, schemaAccepts: false)
    }

    /// Returns a case that only the loader rejects, for a rule the schema cannot state.
    static func rejectedByLoaderOnly(_ text: String) -> Self {
        AgreementCase(text: text, loaderAccepts: false, schemaAccepts: true)
    }
}

/// Returns `targets: {lab: {FIELDS}}` with `fields` in place of FIELDS.
private func target(_ fields: String) -> String {
    "targets: {lab: {\(fields)}}"
}

private let projectCases: [AgreementCase] = [
    .accepted(
        """
        default_target: lab
        targets:
          lab:
            url: http://127.0.0.1:1443
            user: administrator
            password_env: NGCP_PASSWORD
            reseller: default
            ca_file: ca.pem
            default_billing_profile: default
            ignore: ["subscribers/*:preferences.cli"]
            warnings_as_errors: true
            guards:
              max_deletes: null
              max_terminations: 0
              allow_domain_delete: true
              refuse_remove_all: false
              protected: [domains/*, customers/acme]
        secrets:
          env_names: [NGCP_PW_*, "*_PASSWORD", A1]
          file_directories: [secrets]
        """),

    // Target URLs.
    .accepted(target("url: \"HTTPS://NGCP.example:1443\"")),
    .accepted(target("url: \"http://[::1]:1443/\"")),
    .accepted(target("url: \"http://[::FFFF:127.0.0.1]\"")),
    .accepted(target("url: \"https://ngcp.example:00080/api\"")),
    .accepted(target("url: \"https://ngcp.example:65535\"")),
    .accepted(target("url: \"https://proxy.example/ngcp/a@b\"")),
    .accepted(target("url: \"http://a]b\"")),
    .accepted(target("url: null")),
    .rejected(target("url: \"ftp://ngcp.example\"")),
    .rejected(target("url: \"ngcp.example\"")),
    .rejected(target("url: \"http://u:p@ngcp.example\"")),
    .rejected(target("url: \"http://u@ngcp.example/\"")),
    .rejected(target("url: \"http://ngcp.example:99999\"")),
    .rejected(target("url: \"http://ngcp.example:65536\"")),
    .rejected(target("url: \"http://ngcp.example:0\"")),
    .rejected(target("url: \"http://ngcp.example:\"")),
    .rejected(target("url: \"http://ngcp.example:+80\"")),
    .rejected(target("url: \"http://ngcp.example?a=1\"")),
    .rejected(target("url: \"http://ngcp.example/#top\"")),
    .rejected(target("url: \"http://ngcp.example/a b\"")),
    .rejected(target("url: \"http://ngcp.example/a\\tb\"")),
    .rejected(target("url: \"http://\"")),
    .rejected(target("url: \"http:///api\"")),
    .rejected(target("url: \"http://::1:80\"")),
    .rejected(target("url: \"http://[::1\"")),
    .rejected(target("url: \"http://[]\"")),
    .rejected(target("url: \"http://[zz]\"")),
    .rejected(target("url: \"http://[::1]80\"")),
    .rejected(target("url: \"http://[\\uFF10::1]\"")),
    .rejected(target("url: 5")),

    // Target names.
    .accepted("targets: {a.b-c_D: {}, \"123\": null, 5: {}}"),
    .accepted("targets: {\(String(repeating: "a", count: 63)): {}}"),
    .rejected("targets: {\"bad name\": {}}"),
    .rejected("targets: {\"\": {}}"),
    .rejected("targets: {\(String(repeating: "a", count: 64)): {}}"),
    .rejected("targets: {\"ä\": {}}"),
    .rejected("targets: {a/b: {}}"),
    .rejected("targets: {}"),
    .rejected("targets: null"),
    .rejected("targets: [lab]"),

    // Target text fields, which the loader takes with numbers as written, and null.
    .accepted(target("user: 5, reseller: 12, ca_file: null, default_billing_profile: 7")),
    .accepted(target("user: null, reseller: null, default_billing_profile: null")),
    .accepted(target("guards: null, ignore: null, password_env: null")),
    .accepted("default_target: 5\ntargets: {5: {}}"),
    .rejected("default_target: null\ntargets: {lab: {}}"),
    .rejected("default_target: bad name\ntargets: {lab: {}}"),
    .rejectedByLoaderOnly("default_target: other\ntargets: {lab: {}}"),
    .rejected(target("warnings_as_errors: null")),
    .rejected(target("warnings_as_errors: \"yes\"")),

    // The API password variable.
    .accepted(target("password_env: _X1")),
    .rejected(target("password_env: lower-case")),
    .rejected(target("password_env: 1X")),
    .rejected(target("password_env: \"\"")),
    .rejected(target("password_env: 5")),

    // Secrets.
    .accepted("targets: {lab: {}}\nsecrets: null"),
    .accepted("targets: {lab: {}}\nsecrets: {env_names: null, file_directories: null}"),
    .accepted("targets: {lab: {}}\nsecrets: {env_names: [\"*1*\", _A, a_b]}"),
    .rejected("targets: {lab: {}}\nsecrets: {env_names: [\"*\"]}"),
    .rejected("targets: {lab: {}}\nsecrets: {env_names: [\"*_*\"]}"),
    .rejected("targets: {lab: {}}\nsecrets: {env_names: [\"A B\"]}"),
    .rejected("targets: {lab: {}}\nsecrets: {env_names: [\"\"]}"),
    .rejected("targets: {lab: {}}\nsecrets: {env_names: [5]}"),
    .rejected("targets: {lab: {}}\nsecrets: {file_directories: [5]}"),

    // Protected patterns.
    .accepted(target("guards: {protected: [domains, acme, \"*\", \"*/acme\", \"sub*/a*\"]}")),
    .accepted(target("guards: {protected: [\"c*/x\", \"*s/x\", \"cust*mers/x\", a*b]}")),
    .accepted(target("guards: {protected: [subscriberpreferences/a, callforwards/*]}")),
    .accepted(target("guards: {protected: null}")),
    .rejected(target("guards: {protected: [customer/acme]}")),
    .rejected(target("guards: {protected: [\"\"]}")),
    .rejected(target("guards: {protected: [/acme]}")),
    .rejected(target("guards: {protected: [customers/]}")),
    .rejected(target("guards: {protected: [customers/a/b]}")),
    .rejected(target("guards: {protected: [\"domainsX*/a\"]}")),
    .rejected(target("guards: {protected: [\"x*/a\"]}")),
    .rejectedByLoaderOnly(target("guards: {protected: [\"c*x/a\"]}")),
    .rejected(target("guards: {max_deletes: -1}")),

    // Ignore rules.
    .accepted(
        target("ignore: [\"subscribers/*:preferences.cli\", lock, \"customers:contact.city\"]")),
    .accepted(target("ignore: [\"subscribers/*:preferences.clr\", \"callforwards/*:cft.*\"]")),
    .rejected(target("ignore: [\"subscriber/*:preferences.cli\"]")),
    .rejected(target("ignore: [\"\"]")),
    .rejected(target("ignore: [\"subscribers/*\"]")),
    .rejected(target("ignore: [\"subscribers/*:\"]")),
    .rejected(target("ignore: [\"/subscribers:lock\"]")),
    .rejected(target("ignore: [5]")),
    .rejectedByLoaderOnly(target("ignore: [\"subscribers/*:preferencs.cli\"]")),
    .rejectedByLoaderOnly(target("ignore: [\"domains/*:reseller\"]")),
    .rejected(target("guards: {max_deletes: 1.5}")),
]

/// Declares the customer of the subscriber cases.
private let customer = """
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata: {name: acme}
    spec: {billing_profile: default, type: pbxaccount, contact: {email: a@b.example}}

    """

/// Returns a subscriber document with `lines` in its spec.
private func subscriber(_ lines: String) -> String {
    """
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata: {name: alice@sip.example.org}
    spec:
      customer: acme
      pbx_extension: "10"

    """ + lines
}

private func forward(_ destination: String) -> String {
    subscriber("  callforwards: {cfu: {destinations: [\(destination)]}}\n")
}

private let manifestCases: [AgreementCase] = [
    .accepted(forward("{destination: customhours, announcement_id: 5}")),
    .accepted(forward("{destination: voicebox, announcement_id: null}")),
    .accepted(forward("{destination: voicebox}")),
    .rejected(forward("{destination: voicebox, announcement_id: 5}")),
    .rejected(forward("{destination: \"4312345\", announcement_id: 5}")),
    .rejected(forward("{destination: customhours, announcement_id: 0}")),

    .accepted(subscriber("  preferences: {allowed_clis: [\"431*\", \"432*\"]}\n")),
    .accepted(subscriber("  preferences: {allowed_clis: \"431*\"}\n")),
    .accepted(subscriber("  preferences: {allowed_clis: null}\n")),
    .rejected(subscriber("  preferences: {allowed_clis: [\"431*\", \"431*\"]}\n")),
    .rejected(subscriber("  preferences: {allowed_clis: [1, 1]}\n")),
    .rejectedByLoaderOnly(subscriber("  preferences: {allowed_clis: [1, \"1\"]}\n")),
    // Other list preferences may repeat an entry.
    .accepted(subscriber("  preferences: {block_in_list: [\"431*\", \"431*\"]}\n")),

    // A secret preference takes a secret source, as a password does.
    .accepted(subscriber("  preferences: {peer_auth_pass: {env: PEER_PASSWORD}}\n")),
    .accepted(subscriber("  preferences: {peer_auth_pass: {file: peer.txt}}\n")),
    .accepted(subscriber("  preferences: {peer_auth_pass: Peer-Literal-1}\n")),
    .accepted(subscriber("  preferences: {peer_auth_pass: null}\n")),
    .rejected(subscriber("  preferences: {peer_auth_pass: 12345}\n")),
    .rejected(subscriber("  preferences: {peer_auth_pass: \"\"}\n")),
    .rejected(subscriber("  preferences: {peer_auth_pass: {env: A_PW, file: b}}\n")),
    .rejected(subscriber("  preferences: {peer_auth_pass: {env: A_PW, extra: 1}}\n")),
]

/// The JSON Schemas reject what the loader rejects, where JSON Schema can state the rule, and
/// accept everything the loader accepts.
@Suite struct SchemaAgreementTests {
    @Test(arguments: projectCases)
    func projectSchemaAgreesWithLoader(_ testCase: AgreementCase) throws {
        let parsed = ProjectConfigurationLoader.parse(testCase.text, path: "ngcpctl.yaml")
        #expect(
            !parsed.diagnostics.hasErrors == testCase.loaderAccepts,
            "loader: \(parsed.diagnostics)")

        let validator = SchemaValidator(JSONSchemaRenderer.projectSchema())
        let problems = try validator.problems(of: json(fromYAML: testCase.text))
        #expect(problems.isEmpty == testCase.schemaAccepts, "schema: \(problems)")
    }

    @Test(arguments: manifestCases)
    func manifestSchemaAgreesWithLoader(_ testCase: AgreementCase) throws {
        let result = ManifestLoader().load(documents: [
            ("s.yaml", customer + "---\n" + testCase.text)
        ])
        #expect(result.errors.isEmpty == testCase.loaderAccepts, "loader: \(result.errors)")

        let validator = SchemaValidator(JSONSchemaRenderer.manifestSchema())
        let problems = try validator.problems(of: json(fromYAML: testCase.text))
        #expect(problems.isEmpty == testCase.schemaAccepts, "schema: \(problems)")
    }

    /// The customer that the subscriber cases need is valid by itself.
    @Test func customerOfManifestCasesIsValid() throws {
        let validator = SchemaValidator(JSONSchemaRenderer.manifestSchema())
        #expect(try validator.problems(of: json(fromYAML: customer)).isEmpty)
    }

    @Test func prefixPatternMatchesExactlyThePrefixes() throws {
        #expect(PrefixPattern.prefixes(of: ["ab", "ac"]) == "(?:a(?:b|c)?)?")
        #expect(PrefixPattern.prefixes(of: []) == "")

        let words = ["customers", "customercontacts", "callforwards", "domains"]
        let regex = try Regex("^\(PrefixPattern.prefixes(of: words))$")
        let prefixes = Set(words.flatMap { word in (0...word.count).map { word.prefix($0) } })
        for text in prefixes.map(String.init) + ["x", "dx", "customersx", "customerc", "calls"] {
            let isPrefix = prefixes.contains(Substring(text))
            #expect((text.wholeMatch(of: regex) != nil) == isPrefix, "'\(text)'")
        }
    }

    /// The validator checks what it is given, so that a pass above means something.
    @Test func validatorFindsProblems() throws {
        let validator = SchemaValidator([
            "type": "object", "required": ["a"], "additionalProperties": false,
            "properties": [
                "a": ["type": "string", "pattern": "^x+$", "maxLength": 2],
                "b": ["type": "array", "items": ["type": "integer"], "uniqueItems": true],
            ],
        ])
        #expect(try validator.problems(of: ["a": "xx", "b": [1, 2]]).isEmpty)
        #expect(try validator.problems(of: ["a": "xxx"]).count == 1)
        #expect(try validator.problems(of: ["a": "y"]).count == 1)
        #expect(try validator.problems(of: ["b": [1]]).count == 1)
        #expect(try validator.problems(of: ["a": "x", "b": [1, 1.0]]).count == 1)
        #expect(try validator.problems(of: ["a": "x", "c": 1]).count == 1)
        #expect(throws: SchemaValidator.UnsupportedKeyword.self) {
            try SchemaValidator(["else": true]).problems(of: 1)
        }
    }
}
