import Foundation
import Manifests
import NGCPCore
import Testing

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
        #expect(keys.count == 24)
        for key in keys where key != "customer" {
            let result = loadSubscriber("  \(key): null\n")
            let unknown = result.diagnostics.filter { $0.message.contains("unknown field") }
            #expect(unknown.isEmpty, "\(key): \(unknown)")
        }
    }

    @Test func loaderRejectsKeysOutsideSchema() {
        let result = loadSubscriber("  profile: 1\n")
        #expect(
            result.errors.map(\.description) == [
                "s.yaml:11:3: error: spec.profile: unknown field 'profile'; did you mean"
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
        let result = loadSubscriber("  primary_number: {cc: 43, ac: 0o17, sn: 0x1F}\n")
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
