import Manifests
import NGCPCore
import Testing

/// A PBX customer with its pilot and a group, to which tests append subscribers.
private let pbxDocuments = """
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata:
      name: harbour
    spec:
      type: pbxaccount
      billing_profile: default
      contact:
        email: office@harbour.example
    ---
    apiVersion: ngcpctl/v1
    kind: Domain
    metadata:
      name: pbx.example.org
    ---
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata:
      name: pilot@pbx.example.org
    spec:
      customer: harbour
      primary_number: {cc: 43, ac: 1, sn: 5550000}
      is_pbx_pilot: true
      pbx_groups: []
    ---
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata:
      name: nurses@pbx.example.org
    spec:
      customer: harbour
      pbx_extension: 20
      is_pbx_group: true
      pbx_groups: []

    """

private func subscriber(_ name: String, in result: ManifestLoadResult) -> DesiredSubscriber? {
    result.desired.subscribers.first { $0.name == name }
}

@Suite struct PBXGroupLoadingTests {
    @Test func groupNamesLoadAsReferences() throws {
        let text =
            pbxDocuments + """
                ---
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata:
                  name: reception@pbx.example.org
                spec:
                  customer: harbour
                  pbx_extension: 10
                  pbx_groups:
                    - Nurses@PBX.example.org
                    - night+shift@pbx.example.org
                """
        let result = loadManifest(text, path: "pbx.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")

        let member = try #require(subscriber("reception@pbx.example.org", in: result))
        // A name keeps its spelling, and an undeclared group is left to the planner.
        #expect(
            member.pbxGroups == [
                SubscriberReference(
                    username: "Nurses", domain: "PBX.example.org",
                    location: SourceLocation(file: "pbx.yaml", line: 44, column: 7)),
                SubscriberReference(
                    username: "night+shift", domain: "pbx.example.org",
                    location: SourceLocation(file: "pbx.yaml", line: 45, column: 7)),
            ])
        #expect(member.fields["pbx_groups"] == nil)
        #expect(member.fields["pbx_group_ids"] == nil)
    }

    @Test func emptyListOnGroupAndPilot() throws {
        let result = loadManifest(pbxDocuments, path: "pbx.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")

        let group = try #require(subscriber("nurses@pbx.example.org", in: result))
        let pilot = try #require(subscriber("pilot@pbx.example.org", in: result))
        #expect(group.pbxGroups == [])
        #expect(pilot.pbxGroups == [])
    }

    @Test func groupIDsStayAccepted() throws {
        let text =
            pbxDocuments + """
                ---
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata:
                  name: reception@pbx.example.org
                spec:
                  customer: harbour
                  pbx_extension: 10
                  pbx_group_ids: [7, 3]
                """
        let result = loadManifest(text, path: "pbx.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")

        let member = try #require(subscriber("reception@pbx.example.org", in: result))
        #expect(member.pbxGroups == nil)
        #expect(member.fields["pbx_group_ids"] == [7, 3])
        // Planning reports an id that is no group of the customer at its entry.
        let list = try #require(member.fieldLocations["spec.pbx_group_ids"])
        #expect(
            member.fieldLocations["spec.pbx_group_ids[0]"]
                == SourceLocation(file: "pbx.yaml", line: list.line, column: list.column + 1))
        #expect(
            member.fieldLocations["spec.pbx_group_ids[1]"]
                == SourceLocation(file: "pbx.yaml", line: list.line, column: list.column + 4))
    }

    @Test func groupInAnotherFileIsChecked() {
        let member = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: reception@pbx.example.org
            spec:
              customer: harbour
              pbx_extension: 10
              pbx_groups: [pilot@pbx.example.org]
            """
        let result = loadManifests([("pbx.yaml", pbxDocuments), ("reception.yaml", member)])

        #expect(result.diagnostics.count == 1)
        let diagnostic = result.diagnostics.first
        #expect(diagnostic?.location == SourceLocation(file: "reception.yaml", line: 8, column: 16))
        #expect(diagnostic?.fieldPath == "spec.pbx_groups[0]")
        #expect(diagnostic?.message.contains("pbx.yaml:19:9") == true)
    }
}
