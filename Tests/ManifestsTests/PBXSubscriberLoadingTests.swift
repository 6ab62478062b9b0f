import Manifests
import NGCPCore
import Testing

/// Two PBX customers and their domain. Subscriber documents from `member(_:customer:_:)`
/// follow them.
private let customers = """
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata: {name: harbour}
    spec: {type: pbxaccount, billing_profile: default, contact: {email: a@harbour.example}}
    ---
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata: {name: lighthouse}
    spec: {type: pbxaccount, billing_profile: default, contact: {email: a@light.example}}
    ---
    apiVersion: ngcpctl/v1
    kind: Domain
    metadata: {name: pbx.example.org}

    """

/// Returns a subscriber document of `customer` with `lines` in its spec. The document has six
/// lines before `lines`, and its name is on its fourth line. `customers` has 13 lines.
private func member(_ username: String, customer: String = "harbour", _ lines: String) -> String {
    """
    ---
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata: {name: \(username)@pbx.example.org}
    spec:
      customer: \(customer)

    """ + lines
}

private let pilot = member(
    "pilot", "  primary_number: {cc: 43, sn: 5550000}\n  is_pbx_pilot: true\n")

@Suite struct PBXSubscriberLoadingTests {
    @Test func pilotAndMembersWithExtensionsAreValid() throws {
        let text =
            customers + pilot
            + member("desk", "  pbx_extension: \"10\"\n")
            + member("nurses", "  pbx_extension: \"20\"\n  is_pbx_group: true\n")
            + member("keeper", customer: "lighthouse", "  pbx_extension: \"10\"\n")
        let result = loadManifest(text, path: "pbx.yaml")
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")

        let desk = try #require(result.desired.subscribers.first { $0.username == "desk" })
        #expect(
            desk.fieldLocations["spec.pbx_extension"]
                == SourceLocation(file: "pbx.yaml", line: 28, column: 18))
        #expect(desk.fieldLocations["spec.is_pbx_pilot"] == nil)
    }

    @Test func secondPilotIsErrorAtItsFlag() throws {
        let text =
            customers + pilot
            + member("operator", "  primary_number: {cc: 43, sn: 5550001}\n  is_pbx_pilot: true\n")
            // A pilot of another customer is no second pilot.
            + member(
                "keeper", customer: "lighthouse",
                "  primary_number: {cc: 43, sn: 5559000}\n  is_pbx_pilot: true\n")
        let result = loadManifest(text, path: "pbx.yaml")

        #expect(result.errors.count == 1, "\(result.diagnostics)")
        let error = try #require(result.errors.first)
        #expect(error.location == SourceLocation(file: "pbx.yaml", line: 29, column: 17))
        #expect(error.fieldPath == "spec.is_pbx_pilot")
        #expect(
            error.message
                == "customer 'harbour' already has PBX pilot 'pilot@pbx.example.org' at "
                + "pbx.yaml:21:17; NGCP allows one pilot per customer")
        #expect(error.hint == "set is_pbx_pilot: true on one subscriber of the customer only")
    }

    @Test func everySubscriberButPilotNeedsExtension() {
        let text =
            customers + pilot
            + member("desk", "  display_name: Desk\n")
            + member("nurses", "  is_pbx_group: true\n")
            + member("admin", "  administrative: true\n")
            // `is_pbx_pilot: false` declares a subscriber other than the pilot.
            + member("porter", "  is_pbx_pilot: false\n")
        let result = loadManifest(text, path: "pbx.yaml")

        #expect(result.errors.count == 4, "\(result.diagnostics)")
        // Each error is at the first key of the subscriber's spec, `customer`.
        #expect(result.errors.map(\.location?.line) == [27, 34, 41, 48])
        #expect(result.errors.allSatisfy { $0.fieldPath == "spec" })
        #expect(
            result.errors.first?.message
                == "missing required field 'pbx_extension'; every subscriber of pbxaccount "
                + "customer 'harbour' but its pilot needs one")
    }

    @Test func pilotNeedsPrimaryNumber() throws {
        let text =
            customers + member("pilot", "  is_pbx_pilot: true\n")
            + member(
                "keeper", customer: "lighthouse",
                "  primary_number: null\n  is_pbx_pilot: true\n")
        let result = loadManifest(text, path: "pbx.yaml")

        #expect(result.errors.count == 2, "\(result.diagnostics)")
        // Each error is at the first key of the subscriber's spec, `customer`.
        #expect(result.errors.map(\.location?.line) == [19, 26])
        #expect(result.errors.allSatisfy { $0.fieldPath == "spec" })
        let error = try #require(result.errors.first)
        #expect(
            error.message
                == "missing required field 'primary_number'; the PBX pilot of pbxaccount "
                + "customer 'harbour' needs one")
        #expect(error.hint?.hasPrefix("add the pilot's primary_number") == true)
        #expect(result.errors.last?.message.contains("customer 'lighthouse'") == true)
    }

    @Test func repeatedExtensionNamesFirstUse() throws {
        let text =
            customers
            + member(
                "pilot",
                "  primary_number: {cc: 43, sn: 5550000}\n  is_pbx_pilot: true\n"
                    + "  pbx_extension: \"0\"\n")
            + member("desk", "  pbx_extension: \"10\"\n")
            + member("lobby", "  pbx_extension: \"10\"\n")
            + member("night", "  pbx_extension: \"0\"\n")
            // Extensions are compared as written: 010 is another extension than 10.
            + member("annex", "  pbx_extension: \"010\"\n")
        let result = loadManifest(text, path: "pbx.yaml")

        #expect(result.errors.map(\.fieldPath) == ["spec.pbx_extension", "spec.pbx_extension"])
        let lobby = try #require(result.errors.first)
        #expect(lobby.location == SourceLocation(file: "pbx.yaml", line: 36, column: 18))
        #expect(
            lobby.message
                == "pbx_extension '10' is also used by 'desk@pbx.example.org' at pbx.yaml:29:18 "
                + "in customer 'harbour'; NGCP allows each extension once per customer")
        #expect(lobby.hint == "give each subscriber of the customer its own pbx_extension")
        // The pilot's extension is taken too.
        #expect(
            result.errors.last?.message.contains("'pilot@pbx.example.org' at pbx.yaml:22:18")
                == true)
    }

    @Test func checksSpanFiles() throws {
        let second = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: operator@pbx.example.org}
            spec:
              customer: harbour
              primary_number: {cc: 43, sn: 5550001}
              is_pbx_pilot: true
            """
        let result = loadManifests([("pbx.yaml", customers + pilot), ("operator.yaml", second)])

        let error = try #require(result.errors.first)
        #expect(result.errors.count == 1)
        #expect(error.location == SourceLocation(file: "operator.yaml", line: 7, column: 17))
        #expect(error.message.contains("'pilot@pbx.example.org' at pbx.yaml:21:17"))
    }

    @Test func undeclaredOrSIPCustomerIsNotChecked() {
        // The type of an undeclared customer is known only at plan time.
        let undeclared =
            customers + member("desk", customer: "elsewhere", "  display_name: Desk\n")
            + member("lobby", customer: "elsewhere", "  is_pbx_pilot: true\n")
            + member("night", customer: "elsewhere", "  is_pbx_pilot: true\n")
        #expect(loadManifest(undeclared).errors.isEmpty)

        let sipAccount = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: office}
            spec: {billing_profile: default, contact: {email: a@office.example}}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: desk@sip.example.org}
            spec: {customer: office, primary_number: {cc: 43, sn: 5551000}}
            """
        #expect(loadManifest(sipAccount).diagnostics.allSatisfy { $0.severity == .warning })
    }

    @Test func documentWithErrorIsStillChecked() {
        // The second pilot has an error of its own, and one run reports its other problems
        // too, but not the invalid extension as a missing one.
        let text =
            customers + pilot
            + member("operator", "  is_pbx_pilot: true\n  pbx_extension: \"\"\n")
        let result = loadManifest(text, path: "pbx.yaml")
        #expect(
            result.errors.map(\.fieldPath) == ["spec.pbx_extension", "spec.is_pbx_pilot", "spec"])
        #expect(result.errors.first?.message == "the value must not be empty")
        #expect(result.errors.dropFirst().first?.message.contains("already has PBX pilot") == true)
        #expect(result.desired.subscribers.map(\.username) == ["pilot"])
    }
}
