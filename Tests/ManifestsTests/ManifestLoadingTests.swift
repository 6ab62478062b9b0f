import Foundation
import Manifests
import NGCPCore
import Testing

/// Loads inline documents with a fixed base directory so that secret paths are predictable.
func loadManifests(
    _ documents: [(path: String, text: String)], defaultBillingProfile: String? = nil
) -> ManifestLoadResult {
    let options = ManifestLoadOptions(
        defaultBillingProfile: defaultBillingProfile, baseDirectory: "/srv/ngcp")
    return ManifestLoader(options: options).load(documents: documents)
}

func loadManifest(_ text: String, path: String = "m.yaml") -> ManifestLoadResult {
    loadManifests([(path, text)])
}

let completeManifest = """
    apiVersion: ngcpctl/v1
    kind: Domain
    metadata:
      name: sip.example.org
      annotations:
        owner: voice-team
      targets: [prod]
    spec:
      reseller: default
    ---
    apiVersion: ngcpctl/v1
    kind: Customer
    metadata:
      name: acme
    spec:
      billing_profile: standard
      max_subscribers: 10
      vat_rate: 20
      add_vat: true
      invoice_email_template_id: null
      contact:
        email: ops@acme.example
        firstname: Ada
        postcode: 1010
        country: at
        gpp3: null
    ---
    apiVersion: ngcpctl/v1
    kind: Subscriber
    metadata:
      name: alice@sip.example.org
    spec:
      customer: acme
      password: {env: ALICE_SIP_PASSWORD}
      webpassword: {file: secrets/alice.web}
      webusername: alice
      primary_number: {cc: 43, ac: "0664", sn: 1234567}
      alias_numbers:
        - {cc: "43", ac: 1, sn: "999"}
      external_id: ext-17
      status: active
      lock: 2
      administrative: false
      callforwards:
        cft:
          destinations:
            - {destination: voicebox, priority: 1}
            - {destination: 4311112222, timeout: 20}
          times:
            - {wday: 2-6, hour: 8-17}
          sources:
            - {source: "43*"}
          sources_mode: blacklist
          sources_is_regex: false
          ringtimeout: 15
        cfb: {}
      preferences:
        clir: true
        concurrent_max: "3"
        block_in_list: "0900*"
        language: en
        display_name: null
    """

@Suite struct ManifestLoadingTests {
    @Test func completeManifestLoadsExactly() throws {
        // The domain is limited to the target 'prod', which an ngcpctl.yaml defines.
        let options = ManifestLoadOptions(
            baseDirectory: "/srv/ngcp", target: "prod", knownTargets: ["prod"])
        let result = ManifestLoader(options: options).load(documents: [("m.yaml", completeManifest)]
        )
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")

        let expectedDomain = DesiredDomain(
            domain: "sip.example.org", reseller: "default",
            location: SourceLocation(file: "m.yaml", line: 4, column: 9),
            fieldLocations: ["spec.reseller": SourceLocation(file: "m.yaml", line: 9, column: 13)])
        #expect(result.desired.domains == [expectedDomain])

        let expectedCustomer = DesiredCustomer(
            externalID: "acme", billingProfile: "standard",
            fields: [
                "status": "active", "type": "sipaccount", "max_subscribers": 10,
                "vat_rate": 20, "add_vat": true, "invoice_email_template_id": nil,
            ],
            contact: [
                "email": "ops@acme.example", "firstname": "Ada", "postcode": "1010",
                "country": "AT", "gpp3": nil,
            ],
            location: SourceLocation(file: "m.yaml", line: 14, column: 9),
            fieldLocations: [
                "spec.billing_profile": SourceLocation(file: "m.yaml", line: 16, column: 20)
            ])
        #expect(result.desired.customers == [expectedCustomer])

        let subscriber = try #require(result.desired.subscribers.first)
        #expect(result.desired.subscribers.count == 1)
        #expect(subscriber.username == "alice")
        #expect(subscriber.domain == "sip.example.org")
        #expect(subscriber.customer == "acme")
        #expect(subscriber.location == SourceLocation(file: "m.yaml", line: 31, column: 9))
        #expect(
            subscriber.fields == [
                "webusername": "alice",
                "primary_number": ["cc": 43, "ac": "0664", "sn": "1234567"],
                "alias_numbers": [["cc": 43, "ac": "1", "sn": "999", "is_devid": false]],
                "external_id": "ext-17", "status": "active", "lock": "2",
                "administrative": false,
            ])
        #expect(
            subscriber.secrets == [
                "password": .environment("ALICE_SIP_PASSWORD"),
                "webpassword": .file("/srv/ngcp/secrets/alice.web"),
            ])
        #expect(
            subscriber.callforwards == [
                "cft": [
                    "destinations": [
                        [
                            "destination": "voicebox", "priority": 1, "timeout": 300,
                            "announcement_id": nil,
                        ],
                        [
                            "destination": "4311112222", "priority": nil, "timeout": 20,
                            "announcement_id": nil,
                        ],
                    ],
                    "times": [
                        [
                            "year": nil, "month": nil, "mday": nil, "wday": "2-6",
                            "hour": "8-17", "minute": nil,
                        ]
                    ],
                    "sources": [["source": "43*"]], "sources_mode": "blacklist",
                    "sources_is_regex": false, "bnumbers": [], "bnumbers_mode": "whitelist",
                    "bnumbers_is_regex": false, "ringtimeout": 15,
                ]
            ])
        #expect(
            subscriber.preferences == [
                "clir": true, "concurrent_max": 3, "block_in_list": ["0900*"],
                "language": "en", "display_name": nil,
            ])

        #expect(
            result.metadata[expectedDomain.id]
                == ManifestMetadata(
                    annotations: ["owner": "voice-team"], targets: ["prod"],
                    location: SourceLocation(file: "m.yaml", line: 4, column: 3)))
        #expect(result.undeclaredCustomers.isEmpty)
        #expect(result.undeclaredDomains.isEmpty)
        #expect(result.files == ["m.yaml"])
        #expect(result.sources["m.yaml"] == completeManifest)
    }

    @Test func customerDefaultsAndDefaultBillingProfile() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: c1}
            spec:
              contact: {email: a@b.example}
            """
        let result = loadManifests([("c.yaml", text)], defaultBillingProfile: "default")
        #expect(result.diagnostics.isEmpty)
        #expect(
            result.desired.customers == [
                DesiredCustomer(
                    externalID: "c1", billingProfile: "default",
                    fields: ["status": "active", "type": "sipaccount"],
                    contact: ["email": "a@b.example"],
                    location: SourceLocation(file: "c.yaml", line: 3, column: 18))
            ])
    }

    @Test func emptyDocumentsAreSkipped() {
        let result = loadManifest("---\n# nothing\n---\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.desired.isEmpty)
    }

    @Test func domainWithoutSpecHasNoReseller() {
        let result = loadManifest(
            "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.desired.domains.map(\.reseller) == [nil])
    }

    @Test func callforwardsBlockPresenceIsKept() throws {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@d.example}
            spec:
              customer: acme
              password: {env: P}
              callforwards: {}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: carol@d.example}
            spec:
              customer: acme
              password: {env: P}
            """
        let result = loadManifest(text)
        #expect(result.errors.isEmpty)
        let subscribers = result.desired.subscribers
        #expect(subscribers.count == 2)
        #expect(subscribers.first?.callforwards == [:])
        #expect(subscribers.last?.callforwards == nil)
        #expect(subscribers.last?.preferences == nil)
    }

    @Test func mergeKeysWorkInManifests() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: c1}
            spec:
              <<: &defaults {billing_profile: gold, status: locked}
              contact: {email: a@b.example}
            """
        let result = loadManifest(text)
        #expect(result.errors.isEmpty)
        #expect(result.desired.customers.first?.fields["status"] == "locked")
        #expect(result.desired.customers.first?.billingProfile == "gold")
    }

    @Test func undeclaredReferencesAreExposed() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@elsewhere.example}
            spec: {customer: remote, password: {env: P}}
            """
        let result = loadManifest(text)
        #expect(result.errors.isEmpty)
        #expect(result.undeclaredCustomers == ["remote"])
        #expect(result.undeclaredDomains == ["elsewhere.example"])
        #expect(result.desired.subscribers.count == 1)
    }

    @Test func directoryLoadsSortedManifestsRecursively() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("manifests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent(".hidden"), withIntermediateDirectories: true)

        func write(_ name: String, _ domain: String) throws {
            let text = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: \(domain)}\n"
            try text.write(
                to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("b.yaml", "b.example")
        try write("a.yml", "a.example")
        try write("sub/c.yaml", "c.example")
        try write("notes.txt", "ignored.example")
        try write(".hidden/d.yaml", "hidden.example")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("policies"), withIntermediateDirectories: true)
        try "rules: []\n".write(
            to: directory.appendingPathComponent("policies/site.yaml"), atomically: true,
            encoding: .utf8)

        let result = ManifestLoader().load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty)
        #expect(
            result.files == ["a.yml", "b.yaml", "sub/c.yaml"].map { directory.path + "/" + $0 })
        #expect(result.desired.domains.map(\.domain) == ["a.example", "b.example", "c.example"])
    }

    @Test func fileNamedTwiceLoadsOnce() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("manifests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("sub/d.yaml")
        let text = "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example}\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let link = directory.appendingPathComponent("link.yaml")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)

        // The directory contains the file and a link to it. The file is also named directly,
        // through the link, and through `..`.
        let result = ManifestLoader().load(paths: [
            directory.path, file.path, link.path, directory.path + "/sub/../sub/d.yaml",
        ])
        #expect(result.diagnostics.isEmpty)
        #expect(result.desired.domains.map(\.domain) == ["d.example"])
        #expect(result.files.count == 1)
    }

    @Test func messagesStayOnOneShortLine() {
        let long = String(repeating: "x", count: 60_000)
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: a@b.example}
            spec:
              customer: acme
              status: \(long)
            """
        let message = loadManifest(text).errors.first?.message ?? ""
        #expect(message.count == 399)
        #expect(message.hasPrefix("invalid value 'xxx"))
        #expect(message.hasSuffix("expected one of active, locked"))

        let block = loadManifest("--- |\n  line one\n  line two\n").errors.first?.message
        #expect(block == "expected a mapping, found string 'line one\\nline two\\n'")
    }

    @Test func joinerInValueIsAccepted() {
        // Persian text needs the zero-width non-joiner; only names must not have it.
        let text = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: acme}
            spec:
              billing_profile: default
              contact: {email: a@b.example, firstname: "\\u0645\\u06CC\\u200C\\u062E\\u0648\\u0627\\u0647\\u0645"}
            """
        let result = loadManifest(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(
            result.desired.customers.first?.contact["firstname"]?.stringValue?.contains("\u{200C}")
                == true)
    }

    @Test func documentTargetsWithoutProjectWarn() {
        let text =
            "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: d.example, targets: [prod]}\n"
        let result = loadManifest(text)
        #expect(
            result.warnings.map(\.message) == [
                "no ngcpctl.yaml defines targets, so the document is loaded for any server"
            ])
        #expect(result.desired.domains.count == 1)
    }

    @Test func yamlErrorKeepsOtherDocuments() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: a.example, bogus: 1}
            ---
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: b.example, name: c.example}
            ---
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: d.example}
            ---
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: [e.example
            """
        let result = loadManifest(text)
        #expect(result.errors.map(\.location?.line) == [3, 7, 15])
        #expect(result.errors.first?.message == "unknown field 'bogus'")
        #expect(result.desired.domains.map(\.domain) == ["d.example"])
    }

    @Test func windowsLineEndsKeepLineNumbers() {
        let text = [
            "%YAML 1.1", "---", "apiVersion: ngcpctl/v1", "kind: Domain",
            "metadata: {name: d.example}",
        ].joined(separator: "\r\n")
        let result = loadManifest(text)
        #expect(result.errors.map(\.location?.line) == [1])
        #expect(
            result.errors.first?.message
                == "YAML 1.1 is not supported: manifests are read as YAML 1.2")

        let tabbed = "apiVersion: ngcpctl/v1\r\nkind: Domain\r\nmetadata:\r\n\tname: d.example\r\n"
        let tabResult = loadManifest(tabbed)
        #expect(tabResult.errors.map(\.location?.line) == [4])
        #expect(tabResult.errors.first?.hint?.hasPrefix("YAML indents with spaces only") == true)
    }

    @Test func emptyDirectoryIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("manifests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let result = ManifestLoader().load(paths: [directory.path])
        #expect(
            result.errors.map(\.message) == [
                "directory '\(directory.path)' contains no manifests (*.yaml or *.yml)"
            ])
    }

    @Test func missingPathIsAnError() {
        let result = ManifestLoader().load(paths: ["/nonexistent/manifests"])
        #expect(result.errors.map(\.message) == ["'/nonexistent/manifests' does not exist"])
    }

    @Test func oversizedFileIsRejectedBeforeReading() throws {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("big-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try String(repeating: "# filler\n", count: 200).write(
            to: file, atomically: true, encoding: .utf8)

        var options = ManifestLoadOptions()
        options.yamlLimits.maxInputBytes = 1000
        let result = ManifestLoader(options: options).load(paths: [file.path])
        #expect(
            result.errors.map(\.message) == [
                "cannot read '\(file.path)': the file is 1800 bytes, more than the limit of"
                    + " 1000 bytes"
            ])
        #expect(result.errors.first?.hint?.hasPrefix("split the file into smaller files") == true)
    }

    @Test func oversizedTextOfRevisionIsRejectedWithHint() {
        var options = ManifestLoadOptions()
        options.yamlLimits.maxInputBytes = 1000
        let text = String(repeating: "# filler\n", count: 200)
        let result = ManifestLoader(options: options).load(documents: [("site/big.yaml", text)])
        #expect(
            result.errors.map(\.message) == [
                "cannot read 'site/big.yaml': the file is 1800 bytes, more than the limit of"
                    + " 1000 bytes"
            ])
        #expect(result.errors.first?.hint?.hasPrefix("split the file into smaller files") == true)
    }

    @Test func relativeSecretFileIsNormalised() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@d.example}
            spec:
              customer: acme
              password: {file: ../keys/./bob.sip}
            """
        let result = loadManifests([("site/m.yaml", text)])
        #expect(result.errors.isEmpty)
        #expect(
            result.desired.subscribers.first?.secrets == [
                "password": .file("/srv/ngcp/keys/bob.sip")
            ])
    }

    @Test func thousandsOfDocumentsInOneFile() {
        let count = 3000
        var text = ""
        for number in 0..<count {
            text += """
                ---
                apiVersion: ngcpctl/v1
                kind: Subscriber
                metadata: {name: user\(number)@d.example}
                spec:
                  customer: acme
                  password: {env: P}
                  primary_number: {cc: 43, ac: 1, sn: \(100_000 + number)}

                """
        }
        let result = loadManifest(text)
        #expect(result.errors.isEmpty)
        #expect(result.desired.subscribers.count == count)
        #expect(result.desired.subscribers.last?.name == "user\(count - 1)@d.example")
    }

    @Test func builtInCatalogueKnowsCommonPreferences() throws {
        let catalogue = PreferenceCatalogue.builtIn
        #expect(catalogue["clir"]?.dataType == .boolean)
        #expect(catalogue["block_in_list"]?.isList == true)
        #expect(catalogue["language"]?.enumValues.contains("pt_br") == true)
        #expect(catalogue["cfu"]?.isInternal == true)
        #expect(catalogue["ncos"]?.isNameMapped == true)
        #expect(catalogue.names.contains("cfu") == false)
    }

    @Test func catalogueFromPreferenceDefs() throws {
        let json: JSONValue = [
            "_links": ["self": ["href": "/api/subscriberpreferencedefs/"]],
            "clir": ["data_type": "boolean", "max_occur": 1, "read_only": false],
            "allowed_ips": ["data_type": "string", "max_occur": 0, "read_only": 0],
            "language": [
                "data_type": "enum", "max_occur": 1, "read_only": false,
                "enum_values": [["label": "English", "value": "en"], ["value": nil]],
            ],
        ]
        let catalogue = try PreferenceCatalogue(subscriberPreferenceDefs: json)
        #expect(catalogue.names == ["allowed_ips", "clir", "language"])
        #expect(catalogue["allowed_ips"]?.isList == true)
        #expect(catalogue["language"]?.enumValues == ["en"])

        #expect(throws: PreferenceCatalogueError.self) {
            try PreferenceCatalogue(subscriberPreferenceDefs: ["x": ["data_type": "weird"]])
        }
    }

    @Test func targetCatalogueDecidesPreferences() {
        let catalogue = PreferenceCatalogue(definitions: [.init("custom_flag", .boolean)])
        let options = ManifestLoadOptions(preferenceCatalogue: catalogue, baseDirectory: "/")
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@d.example}
            spec:
              customer: acme
              preferences: {custom_flag: true}
            """
        let result = ManifestLoader(options: options).load(documents: [("m.yaml", text)])
        #expect(result.errors.isEmpty)
        #expect(result.desired.subscribers.first?.preferences == ["custom_flag": true])
    }

    /// ASCII names are found by the bytes of the key, other names through the catalogue's
    /// dictionary, which compares strings by canonical equivalence.
    @Test func nonASCIIPreferenceNamesFound() {
        // "\u{212A}" (KELVIN SIGN) is canonically equivalent to an ASCII "K".
        let catalogue = PreferenceCatalogue(definitions: [
            .init("café_flag", .boolean), .init("\u{212A}_level", .int),
            .init("plain_flag", .boolean),
        ])
        let options = ManifestLoadOptions(preferenceCatalogue: catalogue, baseDirectory: "/")
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@d.example}
            spec:
              customer: acme
              preferences: {café_flag: true, K_level: 3, plain_flag: false}
            """
        let result = ManifestLoader(options: options).load(documents: [("m.yaml", text)])
        #expect(result.errors.isEmpty)
        let preferences = result.desired.subscribers.first?.preferences
        #expect(preferences?["café_flag"] == true)
        #expect(preferences?["K_level"] == 3)
        #expect(preferences?["plain_flag"] == false)
    }
}
