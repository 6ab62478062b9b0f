import NGCPCore
import Testing

@testable import Manifests

/// A subscriber spec with few fields, where the decoder leaves out the lookups of the
/// fields that the spec cannot have: each field it does have must still be read.
@Suite struct SubscriberFieldTests {
    private static func manifest(spec: String) -> String {
        """
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
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          primary_number: {cc: 43, ac: "1", sn: "100"}
        \(spec)
        """
    }

    @Test func onlyPrimaryNumber() {
        let result = loadManifest(Self.manifest(spec: ""))
        #expect(result.diagnostics.isEmpty)
        let subscriber = result.desired.subscribers.first
        #expect(subscriber?.fields == ["primary_number": ["cc": 43, "ac": "1", "sn": "100"]])
        #expect(subscriber?.fieldLocations == [:])
    }

    @Test func aliasNumbersRead() {
        let result = loadManifest(
            Self.manifest(spec: "  alias_numbers: [{cc: 43, ac: \"1\", sn: \"101\"}]"))
        #expect(result.diagnostics.isEmpty)
        #expect(
            result.desired.subscribers.first?.fields["alias_numbers"]
                == [["cc": 43, "ac": "1", "sn": "101", "is_devid": false]])
    }

    @Test func displayNameWarnedOnSIPAccount() {
        let result = loadManifest(Self.manifest(spec: "  display_name: Alice"))
        #expect(result.errors.isEmpty)
        #expect(result.warnings.map(\.fieldPath) == ["spec.display_name"])
    }

    @Test func pbxGroupsReportedOnSIPAccount() {
        let result = loadManifest(Self.manifest(spec: "  pbx_groups: [team@d.example]"))
        #expect(result.errors.map(\.fieldPath) == ["spec.pbx_groups"])
        #expect(result.errors.first?.message.contains("pbx_groups is only valid") == true)
    }

    @Test func webusernameRead() {
        let result = loadManifest(Self.manifest(spec: "  webusername: alice.web"))
        #expect(result.diagnostics.isEmpty)
        #expect(result.desired.subscribers.first?.fields["webusername"] == "alice.web")
    }
}
