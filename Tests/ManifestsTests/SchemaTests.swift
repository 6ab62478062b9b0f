import Foundation
import NGCPCore
import Testing

@testable import Manifests

/// Loads one subscriber whose spec is `lines`, under a declared pbxaccount customer.
private func loadSubscriber(_ lines: String) -> ManifestLoadResult {
    let text = """
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata: {name: acme}
        spec: {billing_profile: default, type: pbxaccount, contact: {email: a@b.example}}
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@sip.example.org}
        spec:
          customer: acme

        """
    return ManifestLoader().load(documents: [("s.yaml", text + lines)])
}

/// Loads `document` after a declared pbxaccount customer `acme` and returns the errors at
/// `fieldPath`.
private func errors(in document: String, at fieldPath: String) -> [Diagnostic] {
    let customer = """
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata: {name: acme}
        spec: {billing_profile: default, type: pbxaccount, contact: {email: a@b.example}}
        ---

        """
    let result = ManifestLoader().load(documents: [("s.yaml", customer + document)])
    return result.errors.filter { $0.fieldPath == fieldPath }
}

/// Returns the schema of one field of a definition.
private func field(_ schema: JSONValue, _ definition: String, _ name: String) -> JSONValue? {
    schema["$defs"]?[definition]?["properties"]?[name]
}

/// Returns the schema and the branches of its `anyOf`, recursively.
private func branches(_ schema: JSONValue?) -> [JSONValue] {
    guard let schema else { return [] }
    return [schema] + (schema["anyOf"]?.arrayValue ?? []).flatMap { branches($0) }
}

/// Returns every JSON type that a schema or one of its `anyOf` branches names.
private func types(_ schema: JSONValue?) -> Set<String> {
    var result: Set<String> = []
    for branch in branches(schema) {
        switch branch["type"] {
        case .string(let type): result.insert(type)
        case .array(let types): result.formUnion(types.compactMap(\.stringValue))
        default: break
        }
    }
    return result
}

/// Returns the `key` values of a schema and its `anyOf` branches.
private func values(_ key: String, in schema: JSONValue?) -> [JSONValue] {
    branches(schema).compactMap { $0[key] }
}

/// Returns whether `text` matches the only string pattern of `schema`.
private func matches(_ text: String, _ schema: JSONValue?) throws -> Bool {
    let patterns = values("pattern", in: schema).compactMap(\.stringValue)
    try #require(patterns.count == 1, "expected one pattern, found \(patterns)")
    return try text.firstMatch(of: Regex(patterns[0])) != nil
}

/// Returns the `then` part of the rule that applies to documents of `kind`.
private func kindRule(_ schema: JSONValue, _ kind: String) -> JSONValue? {
    schema["allOf"]?.arrayValue?.first {
        $0["if"]?["properties"]?["kind"]?["const"] == .string(kind)
    }?[
        "then"]
}

private func properties(_ schema: JSONValue, _ definition: String) -> [String] {
    let object = schema["$defs"]?[definition]?["properties"]?.objectValue ?? [:]
    return object.keys.sorted()
}

@Suite struct SchemaTests {
    private let schema = JSONSchemaRenderer.manifestSchema()

    @Test func declaresDraft2020() {
        #expect(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["required"] == ["apiVersion", "kind", "metadata"])
        #expect(schema["additionalProperties"] == false)
    }

    /// Every spec key the schema offers must be a key the loader accepts, so a key written
    /// from editor completion never fails with "unknown field".
    @Test func loaderAcceptsEverySubscriberKey() {
        let keys = properties(schema, "SubscriberSpec")
        #expect(keys.count == 25)
        for key in keys where key != "customer" {
            let result = loadSubscriber("  \(key): null\n")
            let unknown = result.diagnostics.filter { $0.message.contains("unknown field") }
            #expect(unknown.isEmpty, "\(key): \(unknown)")
        }
    }

    @Test func loaderRejectsKeysOutsideSchema() {
        let result = loadSubscriber("  pbx_extension: \"10\"\n  profile: 1\n")
        #expect(
            result.errors.map(\.description) == [
                "s.yaml:12:3: error: spec.profile: unknown field 'profile'; did you mean"
                    + " 'profile_id'?"
            ])
    }

    @Test func customerAndContactKeysMatchLoader() {
        let customer = properties(schema, "CustomerSpec")
        #expect(customer.contains("billing_profile"))
        #expect(customer.contains("contact"))
        let contact = properties(schema, "Contact")
        #expect(contact.count == 27)
        #expect(contact.contains("gpp9"))
    }

    @Test func preferencesCarryCatalogueTypes() {
        let preferences = schema["$defs"]?["Preferences"]?["properties"]
        #expect(preferences?["clir"]?["anyOf"]?.arrayValue?.first?["type"] == "boolean")
        #expect(preferences?["lock"] != nil || preferences?["cli"] != nil)
    }

    @Test func projectSchemaListsTargetFields() {
        let project = JSONSchemaRenderer.projectSchema()
        #expect(project["required"] == ["targets"])
        #expect(
            properties(project, "Guards") == [
                "allow_domain_delete", "max_deletes", "max_terminations", "protected",
                "refuse_remove_all",
            ])
    }

    /// docs/manifests.md documents every field that the schema lists.
    @Test func documentationNamesEveryField() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/manifests.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        var missing: [String] = []
        for definition in [
            "CustomerSpec", "Contact", "SubscriberSpec", "Number", "AliasNumber", "CallForward",
            "Destination", "Period", "Metadata", "DomainSpec",
        ] {
            for key in properties(schema, definition) where !text.contains("`\(key)`") {
                missing.append("\(definition).\(key)")
            }
        }
        #expect(missing.isEmpty, "undocumented: \(missing)")
    }
}

/// The value rules of the schema follow the loader: what the loader accepts, the schema
/// accepts, and what it rejects, the schema rejects where JSON Schema can express it.
@Suite struct SchemaValueTests {
    private let schema = JSONSchemaRenderer.manifestSchema()

    /// The loader takes an unquoted number as text in these fields.
    @Test func textFieldsAcceptNumbers() {
        let fields = [
            ("Destination", "destination"), ("Source", "source"), ("BNumber", "bnumber"),
            ("Contact", "postcode"), ("Contact", "gpp0"), ("SubscriberSpec", "webusername"),
            ("SubscriberSpec", "external_id"), ("SubscriberSpec", "customer"),
            ("SubscriberSpec", "display_name"), ("DomainSpec", "reseller"), ("Metadata", "name"),
        ]
        for (definition, name) in fields {
            let accepted = types(field(schema, definition, name))
            #expect(accepted.contains("string"), "\(definition).\(name)")
            #expect(accepted.contains("number"), "\(definition).\(name)")
        }
    }

    /// The loader reads these as YAML strings only.
    @Test func strictStringFieldsRejectNumbers() {
        let fields = [
            ("CustomerSpec", "billing_profile"), ("Contact", "email"), ("Contact", "country"),
            ("SecretSource", "env"),
        ]
        for (definition, name) in fields {
            #expect(!types(field(schema, definition, name)).contains("number"), "\(name)")
        }
    }

    @Test func forwardTypesAcceptNullAndEmptyMapping() {
        for type in ManifestSchema.callForwardTypes {
            let forward = field(schema, "CallForwards", type)
            #expect(types(forward).contains("null"), "\(type)")
            #expect(branches(forward).contains(["type": "object", "maxProperties": 0]), "\(type)")
        }
    }

    @Test func ringtimeoutOnlyOnCFT() {
        #expect(!properties(schema, "CallForward").contains("ringtimeout"))
        #expect(properties(schema, "CallForwardWithRingTimeout").contains("ringtimeout"))
        for type in ManifestSchema.callForwardTypes {
            let expected = type == "cft" ? "CallForwardWithRingTimeout" : "CallForward"
            let references = values("$ref", in: field(schema, "CallForwards", type))
            #expect(references == [.string("#/$defs/\(expected)")], "\(type)")
        }
    }

    @Test func forwardNeedsOneDestination() {
        #expect(field(schema, "CallForward", "destinations")?["minItems"] == 1)
        #expect(field(schema, "CallForwardWithRingTimeout", "destinations")?["minItems"] == 1)
    }

    /// The hour pattern accepts exactly the values that the loader accepts.
    @Test func periodPatternAgreesWithLoader() throws {
        let hour = field(schema, "Period", "hour")
        let cases = [
            "0", "8", "08", "008", "23", "8-17", "23-1", "0-23", "24", "25", "-1", "8-", "-8",
            "8--9", "", "1.5", "x", "8 - 17",
        ]
        for value in cases {
            let document = """
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata: {name: alice@sip.example.org}
                spec:
                  customer: acme
                  callforwards:
                    cfu:
                      destinations: [{destination: voicebox}]
                      times: [{hour: "\(value)"}]
                """
            let accepted = errors(in: document, at: "spec.callforwards.cfu.times[0].hour").isEmpty
            #expect(try matches(value, hour) == accepted, "hour '\(value)'")
        }
        #expect(values("minimum", in: hour) == [0])
        #expect(values("maximum", in: hour) == [23])
    }

    @Test func periodPatternsFollowRanges() throws {
        for (name, range) in ManifestSchema.periodFields {
            let period = field(schema, "Period", name)
            for value in [range.lowerBound - 1, range.lowerBound, range.upperBound] {
                guard value >= 0 else { continue }
                let inRange = range.contains(value)
                #expect(try matches(String(value), period) == inRange, "\(name) \(value)")
                #expect(try matches("\(value)-\(value)", period) == inRange, "\(name) \(value)")
            }
            #expect(try !matches(String(range.upperBound + 1), period), "\(name)")
        }
    }

    @Test func numberPatternMatchesExactlyItsRange() throws {
        #expect(NumberPattern.alternatives(0...23) == "[0-9]|1[0-9]|2[0-3]")
        #expect(NumberPattern.alternatives(1990...3000) == "199[0-9]|2[0-9]{3}|3000")
        for range in [0...0, 1...7, 1...12, 1...31, 0...59, 5...105, 19...1234, 1990...3000] {
            let regex = try Regex("^(\(NumberPattern.alternatives(range)))$")
            let mismatches = (0...3100).filter { number in
                (String(number).firstMatch(of: regex) != nil) != range.contains(number)
            }
            #expect(mismatches.isEmpty, "\(range): \(mismatches.prefix(5))")
        }
    }

    @Test func countryCodeRejectsLeadingZero() throws {
        let cc = field(schema, "Number", "cc")
        for value in ["1", "43", "999"] {
            #expect(try matches(value, cc), "cc '\(value)'")
        }
        for value in ["0", "043", "1000", "", "4a"] {
            #expect(try !matches(value, cc), "cc '\(value)'")
        }
        #expect(values("minimum", in: cc) == [1])
        #expect(values("maximum", in: cc) == [999])
        #expect(values("minimum", in: field(schema, "Number", "sn")) == [0])
    }

    @Test func domainNameLimits() throws {
        let name = kindRule(schema, "Domain")?["properties"]?["metadata"]?["properties"]?["name"]
        #expect(name?["maxLength"] == 127)
        #expect(try matches("sip.example.org", name))
        #expect(try !matches("", name))
        #expect(try !matches("sip example.org", name))
        #expect(try !matches(" ", field(schema, "Metadata", "name")))
    }

    /// The subscriber name pattern accepts exactly the names that the loader accepts.
    @Test func subscriberNamePatternAgreesWithLoader() throws {
        let rule = kindRule(schema, "Subscriber")
        let name = rule?["properties"]?["metadata"]?["properties"]?["name"]
        let cases = [
            "alice@sip.example.org", "a.b+c_d-e@x", "o'neil(1)!*~=,;@x",
            String(repeating: "a", count: 127) + "@x",
            String(repeating: "a", count: 128) + "@x", "alice", "@x", "alice@", "a b@x", "a@b c",
            ".a@x", "a.@x", "a..b@x", "a@b@x", "ä@x",
        ]
        for value in cases {
            let document = """
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata: {name: "\(value)"}
                spec: {customer: acme}
                """
            let accepted = errors(in: document, at: "metadata.name").isEmpty
            #expect(try matches(value, name) == accepted, "name '\(value)'")
        }
    }

    /// A PBX group name follows the rules of a subscriber's name.
    @Test func groupNamePatternAgreesWithLoader() throws {
        let item = schema["$defs"]?["SubscriberSpec"]?["properties"]?["pbx_groups"]?["items"]
        let cases = [
            "nurses@sip.example.org", "o'neil(1)!*~=,;@x", "nurses", "@x", "a b@x", "a..b@x",
            String(repeating: "a", count: 128) + "@x",
        ]
        for value in cases {
            let document = """
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata: {name: alice@x}
                spec: {customer: acme, pbx_groups: ["\(value)"]}
                """
            let accepted = errors(in: document, at: "spec.pbx_groups[0]").isEmpty
            #expect(try matches(value, item) == accepted, "name '\(value)'")
        }
    }

    @Test func domainSpecMayBeNull() {
        let spec = kindRule(schema, "Domain")?["properties"]?["spec"]
        #expect(types(spec).contains("null"))
        #expect(values("$ref", in: spec) == ["#/$defs/DomainSpec"])
        #expect(kindRule(schema, "Domain")?["required"] == nil)
        #expect(kindRule(schema, "Customer")?["required"] == ["spec"])
    }

    @Test func profileNeedsProfileSet() {
        let dependency = schema["$defs"]?["SubscriberSpec"]?["dependentSchemas"]?["profile_id"]
        #expect(
            dependency == [
                "anyOf": [
                    ["properties": ["profile_id": ["type": "null"]]],
                    ["required": ["profile_set_id"]],
                ]
            ])
    }

    @Test func secretSourceRules() throws {
        let env = field(schema, "SecretSource", "env")
        #expect(try matches("SIP_PASSWORD", env))
        #expect(try matches("_x1", env))
        #expect(try !matches("1A", env))
        #expect(try !matches("lower-case", env))
        #expect(field(schema, "SecretSource", "file")?["minLength"] == 1)
    }
}

@Suite struct PreferenceSchemaTests {
    private let preferences =
        JSONSchemaRenderer.manifestSchema()["$defs"]?["Preferences"] ?? .null
    private let catalogue = PreferenceCatalogue.builtIn

    @Test func rejectedPreferencesAreNotOffered() throws {
        let rejected = try #require(preferences["propertyNames"]?["not"]?["enum"]?.arrayValue)
        let names =
            catalogue.definitions.values.filter { $0.isInternal || $0.dataType == .blob }
            .map(\.name) + ["lock"]
        #expect(names.contains("cfu"))
        for name in names {
            #expect(preferences["properties"]?[name] == nil, "\(name)")
            #expect(rejected.contains(.string(name)), "\(name)")
        }
        #expect(preferences["properties"]?["clir"] != nil)
        #expect(!rejected.contains("clir"))
    }

    @Test func integerPreferenceTakesNumericString() throws {
        let value = preferences["properties"]?["concurrent_max"]
        #expect(types(value) == ["integer", "string", "null"])
        for text in ["5", "+5", "-5", "0"] {
            #expect(try matches(text, value), "'\(text)'")
        }
        for text in ["5x", "", "5.0", " 5"] {
            #expect(try !matches(text, value), "'\(text)'")
        }
    }

    @Test func stringPreferenceTakesNumber() {
        let value = preferences["properties"]?["user_cli"]
        #expect(types(value).contains("number"))
        #expect(values("maxLength", in: value) == [128])
    }

    /// The loader reads a choice as text, so an unquoted 1 is the value "1".
    @Test func enumerationTakesNumericValues() {
        let value = preferences["properties"]?["AMR_WB_mode_change_capability"]
        #expect(values("enum", in: value) == [["", "1", "2", 1, 2]])
    }
}

@Suite struct NumberTextTests {
    @Test func leadingZerosStayAsWritten() throws {
        let result = loadSubscriber(
            """
              primary_number: {cc: 43, ac: 0043, sn: 0100}
              alias_numbers:
                - {cc: "43", ac: "0043", sn: 00}

            """)
        let number = result.desired.subscribers.first?.fields["primary_number"]
        #expect(number == ["cc": 43, "ac": "0043", "sn": "0100"])
        let alias = result.desired.subscribers.first?.fields["alias_numbers"]?.arrayValue?.first
        #expect(alias?["ac"] == "0043")
        #expect(alias?["sn"] == "00")
    }

    @Test func octalAndHexNumberPartsAreRejected() {
        let result = loadSubscriber(
            "  pbx_extension: \"10\"\n  primary_number: {cc: 43, ac: 0o17, sn: 0x1F}\n")
        #expect(
            result.errors.map(\.message) == [
                "ac '0o17' must contain digits only", "sn '0x1F' must contain digits only",
            ])
    }

    @Test func leadingZeroIntegerWarns() {
        let result = loadSubscriber("  pbx_hunt_timeout: 010\n")
        #expect(result.desired.subscribers.first?.fields["pbx_hunt_timeout"] == 10)
        #expect(
            result.warnings.filter { $0.fieldPath == "spec.pbx_hunt_timeout" }
                .map(\.description) == [
                    "s.yaml:11:21: warning: spec.pbx_hunt_timeout: '010' has a leading zero and is"
                        + " read as the decimal 10 (YAML 1.1 read such numbers as octal)"
                ])
    }
}
