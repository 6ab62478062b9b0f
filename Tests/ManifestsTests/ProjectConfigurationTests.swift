import Foundation
import Manifests
import NGCPCore
import Testing

private let projectText = """
    default_target: lab
    targets:
      lab:
        url: http://127.0.0.1:1443
        user: administrator
        default_billing_profile: default
        guards:
          max_deletes: null
          allow_domain_delete: true
      production:
        url: https://ngcp.example.com
        password_env: PROD_PASSWORD
        reseller: acme-reseller
        ca_file: ca.pem
        ignore: ["subscribers/*:preferences.cli"]
        warnings_as_errors: true
        guards:
          max_deletes: 3
          max_terminations: 0
          protected: [domains/*]
    """

@Suite struct ProjectConfigurationTests {
    @Test func parsesTargetsAndGuards() throws {
        let parsed = ProjectConfigurationLoader.parse(projectText, path: "ngcpctl.yaml")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let configuration = try #require(parsed.configuration)
        #expect(configuration.defaultTarget == "lab")
        #expect(configuration.targets.keys.sorted() == ["lab", "production"])

        let lab = try #require(configuration.targets["lab"])
        #expect(lab.url == "http://127.0.0.1:1443")
        #expect(lab.user == "administrator")
        #expect(lab.defaultBillingProfile == "default")
        #expect(lab.guards.maxDeletes == nil)
        #expect(lab.guards.maxTerminations == 1)
        #expect(lab.guards.allowDomainDelete)

        let production = try #require(configuration.targets["production"])
        #expect(production.passwordEnv == "PROD_PASSWORD")
        #expect(production.reseller == "acme-reseller")
        #expect(production.caFile == "ca.pem")
        #expect(production.ignore == ["subscribers/*:preferences.cli"])
        #expect(production.warningsAsErrors)
        #expect(production.guards.maxDeletes == 3)
        #expect(production.guards.maxTerminations == 0)
        #expect(production.guards.protected == ["domains/*"])
        #expect(production.guards.refuseRemoveAll)
        #expect(production.location == SourceLocation(file: "ngcpctl.yaml", line: 11, column: 5))
    }

    @Test func reportsProblemsWithLocations() {
        let text = """
            default_target: stagin
            targets:
              staging:
                url: ngcp.example.com
                usr: admin
                password_env: 1PASSWORD
                guards:
                  max_deletes: many
                  allow_domain_delete: yes
              "bad name": {}
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        #expect(parsed.configuration == nil)
        let lines = parsed.diagnostics.map(\.description)
        #expect(
            lines == [
                "ngcpctl.yaml:1:17: error: default_target: unknown target 'stagin'; did you mean"
                    + " 'staging'?",
                "ngcpctl.yaml:4:10: error: targets.staging.url: invalid URL 'ngcp.example.com':"
                    + " it must start with https:// or http://",
                "ngcpctl.yaml:5:5: error: targets.staging.usr: unknown field 'usr'; did you mean"
                    + " 'user'?",
                "ngcpctl.yaml:6:19: error: targets.staging.password_env: not a valid"
                    + " environment variable name; the value is not shown, because it may be the"
                    + " password itself",
                "ngcpctl.yaml:8:20: error: targets.staging.guards.max_deletes: expected an"
                    + " integer, found string 'many'",
                "ngcpctl.yaml:9:28: error: targets.staging.guards.allow_domain_delete: expected a"
                    + " boolean, found string 'yes'",
                "ngcpctl.yaml:10:3: error: targets.bad name: target name 'bad name' is not"
                    + " valid; use 1 to 63 letters, digits, '-', '_' or '.', not starting with"
                    + " '.', without '..' and not ending with '.lock'",
            ])
    }

    @Test func passwordInPasswordEnvIsMasked() throws {
        let text = """
            targets:
              lab:
                url: https://127.0.0.1:1443
                password_env: "Qx Cfg!Leak908"  # the password, written in the wrong place
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        let error = try #require(parsed.diagnostics.first)
        #expect(error.location == SourceLocation(file: "ngcpctl.yaml", line: 4, column: 19))

        let rendered = DiagnosticRenderer(sources: ["ngcpctl.yaml": parsed.source])
            .render(parsed.diagnostics)
        #expect(!rendered.contains("Leak908"), "\(rendered)")
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line == "    password_env: (sensitive value)")
        #expect(excerpt.pointed == "(sensitive value)")
    }

    @Test func suggestionForPasswordKeyIsReadable() throws {
        let text = """
            targets:
              lab:
                url: https://127.0.0.1:1443
                password: Target-Secret-41
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        let error = try #require(parsed.diagnostics.first)
        #expect(error.message == "unknown field 'password'; did you mean 'password_env'?")

        let rendered = DiagnosticRenderer(sources: ["ngcpctl.yaml": text])
            .render(parsed.diagnostics)
        #expect(!rendered.contains("Target-Secret-41"), "\(rendered)")
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line == "    password: (sensitive value)")
    }

    @Test func secretsSectionIsReadableInExcerpt() throws {
        let text = """
            targets:
              lab: {url: "https://127.0.0.1:1443"}
            secrets: {env_names: ["*"]}
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        let error = try #require(parsed.diagnostics.first)
        #expect(error.location == SourceLocation(file: "ngcpctl.yaml", line: 3, column: 23))

        let rendered = DiagnosticRenderer(sources: ["ngcpctl.yaml": text])
            .render(parsed.diagnostics)
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line == #"secrets: {env_names: ["*"]}"#)
        #expect(excerpt.pointed == #""*"]}"#)
    }

    @Test func caFileProblemNamesResolvedPath() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = """
            targets:
              lab:
                ca_file: ../ca-x/certs/lab.pem
              folder:
                ca_file: certs
              plain: {url: "https://127.0.0.1:1443"}
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        let configuration = try #require(parsed.configuration)
        func problem(_ name: String) throws -> Diagnostic? {
            ProjectConfigurationLoader.caFileProblem(
                of: try #require(configuration.targets[name]), directory: directory.path)
        }

        let missing = try #require(try problem("lab"))
        let resolved = directory.deletingLastPathComponent().path + "/ca-x/certs/lab.pem"
        #expect(
            missing.message
                == "cannot read the CA file '\(resolved)' of target 'lab': the file does not exist")
        #expect(missing.location == SourceLocation(file: "ngcpctl.yaml", line: 3, column: 14))
        #expect(missing.fieldPath == "targets.lab.ca_file")
        #expect(missing.hint?.contains("relative to the directory of ngcpctl.yaml") == true)

        let folder = try #require(try problem("folder"))
        #expect(folder.message.hasSuffix("of target 'folder': it is a directory"))
        #expect(try problem("plain") == nil)

        try "".write(
            to: directory.appendingPathComponent("certs/ca.pem"), atomically: true,
            encoding: .utf8)
        var present = try #require(configuration.targets["lab"])
        present.caFile = "certs/ca.pem"
        #expect(
            ProjectConfigurationLoader.caFileProblem(of: present, directory: directory.path)
                == nil)
    }

    @Test(arguments: [".", "..", ".hidden", "a..b", "prod.lock"])
    func targetNameGitRefusesIsAnError(name: String) {
        let text = "targets:\n  \"\(name)\": {url: http://127.0.0.1:1}\n"
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        #expect(parsed.configuration == nil)
        #expect(parsed.diagnostics.first?.message.contains("is not valid") == true)
    }

    @Test func controlCharacterInValueIsAnError() {
        let text = "targets:\n  lab:\n    user: \"a\\e[31mb\"\n"
        let parsed = ProjectConfigurationLoader.parse(text, path: "ngcpctl.yaml")
        #expect(parsed.configuration == nil)
        #expect(parsed.diagnostics.map(\.location?.line) == [3])
        #expect(parsed.diagnostics.first?.message.contains("U+001B") == true)
    }

    @Test func missingTargetsIsAnError() {
        let parsed = ProjectConfigurationLoader.parse("default_target: lab\n", path: "p.yaml")
        #expect(parsed.configuration == nil)
        #expect(
            parsed.diagnostics.map(\.description) == [
                "p.yaml:1:1: error: missing required field 'targets'"
            ])
    }

    @Test func protectedPatternsAreChecked() {
        let text = """
            targets:
              lab:
                guards:
                  protected: [customer/gc3, domains, "", "customers/*", "*/acme", "sub*/a*"]
            """
        let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
        #expect(
            parsed.diagnostics.map(\.description) == [
                "p.yaml:4:19: error: targets.lab.guards.protected[0]: pattern 'customer/gc3'"
                    + " protects nothing: 'customer' is no collection; did you mean 'customers'?",
                "p.yaml:4:33: warning: targets.lab.guards.protected[1]: 'domains' has no '/', so"
                    + " it protects objects named 'domains', not the collection",
                "p.yaml:4:42: error: targets.lab.guards.protected[2]: the pattern is empty, so it"
                    + " protects nothing",
            ])
    }

    @Test func ignoreRulesAreChecked() {
        let rules = [
            "subscriber/*:preferences.cli", "subscribers/*:preferencs.cli",
            "subscribers/*:preferences.clr", "customers/*:billing_profile", "domains/*:reseller",
            "subscribers/*", "", "subscribers/*:", "/subscribers:lock", "ringtimout",
            "cft.ringtimout",
        ]
        let text =
            "targets:\n  lab:\n    ignore:\n"
            + rules.map { "      - \"\($0)\"\n" }.joined()
        let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
        let collections =
            "collections: domains, customercontacts, customers, subscribers, callforwards,"
            + " subscriberpreferences"
        let syntax = "write [collection/name:]path, such as subscribers/*:preferences.cli"
        let customerFields =
            "plans compare these fields of customers: status, max_subscribers, vat_rate,"
            + " add_vat, subscriber_email_template_id, passreset_email_template_id,"
            + " invoice_email_template_id, invoice_template_id, billing_profile_id; write"
            + " contact.FIELD for the contact"
        let expected: [(String, String, String?)] = [
            (
                "error",
                "ignore rule 'subscriber/*:preferences.cli' hides nothing: 'subscriber'"
                    + " is no collection; did you mean 'subscribers'?", collections
            ),
            (
                "error",
                "ignore rule 'subscribers/*:preferencs.cli' hides nothing:"
                    + " 'preferencs.cli' matches no field of subscribers; did you mean"
                    + " 'subscribers/*:preferences.cli'?", nil
            ),
            (
                "warning",
                "ignore rule 'subscribers/*:preferences.clr' may hide nothing: 'clr'"
                    + " matches no preference of the built-in catalogue; did you mean"
                    + " 'subscribers/*:preferences.cli'?",
                "the target's catalogue may still have it; otherwise correct the name"
            ),
            (
                "error",
                "ignore rule 'customers/*:billing_profile' hides nothing:"
                    + " 'billing_profile' matches no field of customers; did you mean"
                    + " 'customers/*:billing_profile_id'?", customerFields
            ),
            (
                "error",
                "ignore rule 'domains/*:reseller' hides nothing: plans never update a domain", nil
            ),
            ("error", "ignore rule 'subscribers/*' hides nothing: it names no field path", syntax),
            ("error", "the ignore rule is empty, so it hides nothing", nil),
            ("error", "ignore rule 'subscribers/*:' hides nothing: it names no field path", syntax),
            (
                "error", "ignore rule '/subscribers:lock' hides nothing: '' is no collection",
                collections
            ),
            (
                "warning",
                "ignore rule 'ringtimout' may hide nothing: 'ringtimout' matches no"
                    + " field of any collection and no preference of the built-in catalogue;"
                    + " did you mean 'cft.ringtimeout'?",
                "the target's catalogue may still have it; otherwise correct the name"
            ),
            (
                "error",
                "ignore rule 'cft.ringtimout' hides nothing: 'cft.ringtimout' matches no"
                    + " field of any collection; did you mean 'cft.ringtimeout'?", syntax
            ),
        ]
        #expect(parsed.diagnostics.count == expected.count, "\(parsed.diagnostics)")
        for (position, (severity, message, hint)) in expected.enumerated() {
            let diagnostic = parsed.diagnostics.first {
                $0.fieldPath == "targets.lab.ignore[\(position)]"
            }
            #expect(diagnostic?.severity.rawValue == severity, "rule \(position)")
            #expect(diagnostic?.message == message, "rule \(position)")
            if let hint { #expect(diagnostic?.hint == hint, "rule \(position)") }
            #expect(diagnostic?.location?.line == 4 + position, "rule \(position)")
        }
    }

    @Test func ignoreRulesThatMatchAFieldPass() {
        let rules = [
            "subscribers/*:preferences.cli", "subscribers/*@example.org:external_id",
            "subscribers/*:callforwards.cft.ringtimeout", "subscribers/a@b:callforwards.cfu",
            "customers/x-*:contact.city", "customers/*:max_subscribers", "customercontacts:email",
            "subscriberpreferences/*:*", "subscribers/*:preferences.**", "callforwards/*:*.times",
            "subscribers/*:pbx_*", "cft.ringtimeout", "lock", "clir", "**", "*.destinations",
            "subscribers/*:password", "subscribers/*:pbx_groups", "subscribers/*:pbx_group_ids",
            "pbx_groups",
        ]
        let text =
            "targets:\n  lab:\n    ignore:\n"
            + rules.map { "      - \"\($0)\"\n" }.joined()
        let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.configuration?.targets["lab"]?.ignore == rules)
    }

    @Test func emptyFileIsAnError() {
        for text in ["", "# targets come later\n", "---\n"] {
            let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
            #expect(parsed.configuration == nil)
            #expect(
                parsed.diagnostics.map(\.description) == [
                    "p.yaml:1:1: error: ngcpctl.yaml is empty; define at least one target under"
                        + " 'targets', or delete the file"
                ])
        }
    }

    @Test func unusableTargetURLsAreErrors() {
        let cases = [
            ("http://", "it has no host name"),
            ("http://127.0.0.1:99999", "the port '99999' is not a number from 1 to 65535"),
            ("http://[::1", "the IPv6 address in it has no closing ']'"),
            ("https://ngcp.example/api/?x=1", "it must not have a query or a fragment"),
            ("ftp://ngcp.example", "it must start with https:// or http://"),
            ("http://127.0.0.1:+1443", "the port '+1443' is not a number from 1 to 65535"),
            (
                "http://::1:8443",
                "the host '::1' has a colon; write an IPv6 address in brackets, [::1]"
            ),
            ("http://[zz]:1443", "'[zz]' is not an IPv6 address"),
            ("http://[\u{FF10}::1]", "'[\u{FF10}::1]' is not an IPv6 address"),
            ("http://ngcp.example/a b", "it contains a space"),
        ]
        for (url, problem) in cases {
            let text = "targets:\n  lab:\n    url: \"\(url)\"\n"
            let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
            #expect(parsed.configuration == nil)
            #expect(
                parsed.diagnostics.map(\.description) == [
                    "p.yaml:3:10: error: targets.lab.url: invalid URL '\(url)': \(problem)"
                ])
        }
    }

    @Test func usableTargetURLsAreKept() throws {
        for url in [
            "https://ngcp.example", "https://ngcp.example:1443/", "http://[::1]:1443",
            "https://proxy.example/ngcp/", "HTTPS://NGCP.example:1443",
        ] {
            let text = "targets:\n  lab:\n    url: \"\(url)\"\n"
            let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
            #expect(parsed.diagnostics.isEmpty)
            #expect(parsed.configuration?.targets["lab"]?.url == url)
        }
    }

    @Test func tabIndentationGetsHint() {
        let text = "targets:\n  lab:\n\turl: https://127.0.0.1:1443\n"
        let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
        #expect(parsed.configuration == nil)
        #expect(parsed.diagnostics.map(\.location?.line) == [3])
        #expect(
            parsed.diagnostics.first?.hint == "YAML indents with spaces only: replace the"
                + " tabs at the start of the line with spaces")
    }

    @Test func tabInsideValueGetsNoHint() {
        let text = "targets:\n  lab: {url: [\tx\n"
        let parsed = ProjectConfigurationLoader.parse(text, path: "p.yaml")
        #expect(parsed.diagnostics.count == 1)
        #expect(parsed.diagnostics.first?.hint == nil)
    }

    @Test func selectsNamedDefaultOrOnlyTarget() throws {
        let configuration = try #require(
            ProjectConfigurationLoader.parse(projectText, path: "p.yaml").configuration)
        #expect(
            try ProjectConfigurationLoader.selectTarget("production", in: configuration).name
                == "production")
        #expect(try ProjectConfigurationLoader.selectTarget(nil, in: configuration).name == "lab")

        let single = ProjectConfiguration(targets: ["only": TargetConfiguration(name: "only")])
        #expect(try ProjectConfigurationLoader.selectTarget(nil, in: single).name == "only")
    }

    @Test func unknownTargetListsKnownNames() throws {
        let configuration = try #require(
            ProjectConfigurationLoader.parse(projectText, path: "p.yaml").configuration)
        #expect {
            try ProjectConfigurationLoader.selectTarget("prodution", in: configuration)
        } throws: { error in
            "\(error)"
                == "unknown target 'prodution'; did you mean 'production'?; known targets: lab,"
                + " production"
        }

        var noDefault = configuration
        noDefault.defaultTarget = nil
        #expect {
            try ProjectConfigurationLoader.selectTarget(nil, in: noDefault)
        } throws: { error in
            "\(error)"
                == "ngcpctl.yaml defines several targets and no default_target; pass --target"
                + " NAME (lab, production)"
        }
    }

    @Test func discoveryStopsAtGitRoot() throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("ngcpctl-discovery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = root.appendingPathComponent("repo")
        let manifests = repository.appendingPathComponent("manifests/customers")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: repository.appendingPathComponent(".git"), withIntermediateDirectories: true)
        // A configuration above the git root must not be picked up.
        try "targets: {x: {}}\n".write(
            to: root.appendingPathComponent("ngcpctl.yaml"), atomically: true, encoding: .utf8)

        let found = ProjectConfigurationLoader.discover(
            paths: [manifests.path], baseDirectory: "/")
        #expect(found == nil)

        let configuration = repository.appendingPathComponent("manifests/ngcpctl.yaml")
        try projectText.write(to: configuration, atomically: true, encoding: .utf8)
        let nested = ProjectConfigurationLoader.discover(
            paths: [manifests.appendingPathComponent("acme.yaml").path], baseDirectory: "/")
        #expect(nested == configuration.path)
    }

    @Test func directoryLoadSkipsProjectFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ngcpctl-skip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try projectText.write(
            to: directory.appendingPathComponent("ngcpctl.yaml"), atomically: true,
            encoding: .utf8)
        try "apiVersion: ngcpctl/v1\nkind: Domain\nmetadata: {name: a.example}\n".write(
            to: directory.appendingPathComponent("domain.yaml"), atomically: true,
            encoding: .utf8)

        let result = ManifestLoader().load(paths: [directory.path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.files == [directory.path + "/domain.yaml"])
    }
}

@Suite struct TargetFilterTests {
    private let documents = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata: {name: everywhere.example}
        ---
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata: {name: lab-only.example, targets: [lab]}
        ---
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata: {name: prod-only.example, targets: [production]}
        """

    private func load(target: String?, known: [String]?) -> ManifestLoadResult {
        let options = ManifestLoadOptions(target: target, knownTargets: known)
        return ManifestLoader(options: options).load(documents: [("d.yaml", documents)])
    }

    @Test func selectedTargetKeepsItsDocuments() {
        let result = load(target: "lab", known: ["lab", "production"])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.desired.domains.map(\.domain) == ["everywhere.example", "lab-only.example"])
    }

    @Test func otherTargetsDocumentIsNotChecked() {
        // The customer relies on the lab target's default billing profile, which the
        // production target does not have.
        let text = """
            apiVersion: ngcpctl/v1
            kind: Customer
            metadata: {name: lab-customer, targets: [lab]}
            spec:
              contact: {email: ops@lab.example}
            """
        let options = ManifestLoadOptions(
            target: "production", knownTargets: ["lab", "production"])
        let result = ManifestLoader(options: options).load(documents: [("c.yaml", text)])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.desired.customers.isEmpty)
    }

    @Test func noTargetKeepsEveryDocument() {
        let result = load(target: nil, known: nil)
        #expect(result.desired.domains.count == 3)
    }

    @Test func unknownDocumentTargetIsAnError() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Domain
            metadata: {name: a.example, targets: [lab, prodution]}
            """
        let options = ManifestLoadOptions(target: "lab", knownTargets: ["lab", "production"])
        let result = ManifestLoader(options: options).load(documents: [("d.yaml", text)])
        #expect(
            result.diagnostics.map(\.description) == [
                "d.yaml:3:44: error: metadata.targets[1]: target 'prodution' is not defined in"
                    + " ngcpctl.yaml; did you mean 'production'?"
            ])
        #expect(result.diagnostics.first?.hint == "known targets: lab, production")
    }

    @Test func defaultResellerFillsDomainsWithoutOne() {
        let options = ManifestLoadOptions(defaultReseller: "acme-reseller")
        let result = ManifestLoader(options: options).load(documents: [("d.yaml", documents)])
        #expect(result.desired.domains.allSatisfy { $0.reseller == "acme-reseller" })
    }
}

@Suite struct PlanTimeCheckTests {
    private let subscriber = """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@sip.example.org}
        spec:
          customer: ghost
          primary_number: {cc: 43, ac: 1, sn: 5550100}
          preferences:
            site_pref: 7
        """

    @Test func customerMissingEverywhereIsAnError() {
        let options = ManifestLoadOptions(
            liveCustomers: ["acme"], targetDescription: "https://ngcp.example.com",
            deferUnknownPreferences: true)
        let result = ManifestLoader(options: options).load(documents: [("s.yaml", subscriber)])
        let errors = result.errors.map(\.description)
        #expect(
            errors == [
                "s.yaml:5:13: error: spec.customer: customer 'ghost' is neither declared in these"
                    + " manifests nor present on https://ngcp.example.com"
            ])
    }

    @Test func liveCustomerIsAccepted() {
        let text = subscriber.replacingOccurrences(of: "ghost", with: "acme")
        let options = ManifestLoadOptions(liveCustomers: ["acme"], deferUnknownPreferences: true)
        let result = ManifestLoader(options: options).load(documents: [("s.yaml", text)])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        #expect(result.undeclaredCustomers == ["acme"])
    }

    @Test func domainMissingLiveGetsNoWarning() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@ghost.example}
            spec: {customer: acme, primary_number: {cc: 43, ac: 1, sn: 5550100}}
            ---
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@Live.Example}
            spec: {customer: acme, primary_number: {cc: 43, ac: 1, sn: 5550101}}
            """
        let options = ManifestLoadOptions(liveCustomers: ["acme"], liveDomains: ["live.example"])
        let result = ManifestLoader(options: options).load(documents: [("s.yaml", text)])

        // Planning reports the missing domain as an error, which the warning would repeat.
        #expect(!result.hasErrors, "\(result.diagnostics)")
        #expect(
            result.warnings.map(\.description) == [
                "s.yaml:8:18: warning: metadata.name: domain 'Live.Example' is not declared in"
                    + " these manifests; it must already exist on the target"
            ])
        #expect(result.undeclaredDomains == ["ghost.example", "Live.Example"])
    }

    @Test func unknownPreferenceIsDeferredOffline() throws {
        let options = ManifestLoadOptions(deferUnknownPreferences: true)
        let result = ManifestLoader(options: options).load(documents: [("s.yaml", subscriber)])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        #expect(
            result.warnings.map(\.description).contains(
                "s.yaml:8:5: warning: spec.preferences.site_pref: preference 'site_pref' is not"
                    + " in the built-in catalogue; the target's catalogue decides at plan time"))
        #expect(result.desired.subscribers.first?.preferences == ["site_pref": 7])
    }

    @Test func targetCatalogueDecides() throws {
        let definitions: JSONValue = [
            "site_pref": ["data_type": "string", "max_occur": 1, "read_only": 0],
            "_links": [:],
        ]
        let catalogue = try PreferenceCatalogue(subscriberPreferenceDefs: definitions)
        let options = ManifestLoadOptions(preferenceCatalogue: catalogue)
        let accepted = ManifestLoader(options: options).load(documents: [("s.yaml", subscriber)])
        #expect(accepted.desired.subscribers.first?.preferences == ["site_pref": "7"])

        // A preference of the built-in catalogue that the target lacks is an error there.
        let builtIn = subscriber.replacingOccurrences(of: "site_pref: 7", with: "clir: true")
        let rejected = ManifestLoader(options: options).load(documents: [("s.yaml", builtIn)])
        #expect(
            rejected.errors.map(\.description) == [
                "s.yaml:8:5: error: spec.preferences.clir: unknown preference 'clir'"
            ])
    }
}
