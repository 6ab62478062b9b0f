import Foundation
import NGCPCore
import Testing

@testable import Manifests

/// Password values never appear in rendered diagnostics, however they fail to parse.
@Suite struct SecretRedactionTests {
    static func manifest(password: String, key: String = "password") -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          \(key): \(password)
        """
    }

    static let values = [
        #""Pa55\word!SECRETX""#, "@Pa55SECRETX:", "SECRETX: x: y", "0815", "[SECRETX]",
        "{value: SECRETX}", "{envv: SECRETX}", "SECRETX", "'SECRETX", "|\n    SECRETX",
        "\n    - SECRETX", "{env: SECRETX-1}", "{env: 1SECRETX}", "\n    env: SECRETX-2",
    ]

    @Test("password value masked", arguments: values)
    func passwordMasked(_ value: String) {
        for key in ["password", "webpassword"] {
            let result = loadManifest(Self.manifest(password: value, key: key))
            let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
            #expect(!result.diagnostics.isEmpty)
            #expect(!rendered.contains("SECRETX"), "\(rendered)")
            #expect(!rendered.contains("0815"), "\(rendered)")
            #expect(!rendered.contains("***"), "the mask must not reveal the length")
        }
    }

    @Test func aliasedSecretMaskedElsewhere() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: alice@d.example}
            spec:
              customer: acme
              password: &p SECRETX-alias
              timezone: *p
              email: *p
            """
        let result = loadManifest(text)
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        // The invalid values and the copies of the secret are both reported at each alias.
        #expect(
            result.errors.map(\.fieldPath) == [
                "spec.timezone", "spec.timezone", "spec.email", "spec.email",
            ])
        #expect(result.errors.map(\.location?.line) == [7, 7, 8, 8])
        #expect(!rendered.contains("SECRETX"), "\(rendered)")
    }

    @Test("misspelt password key masked", arguments: ["pasword", "passwd", "web_password"])
    func misspeltKeyMasked(_ key: String) {
        let result = loadManifest(Self.manifest(password: "TOPSECRETX", key: key))
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        #expect(rendered.contains("unknown field '\(key)'"))
        #expect(!rendered.contains("TOPSECRETX"))
    }

    @Test("mapping key under password masked")
    func mappingKeyUnderPasswordMasked() {
        let result = loadManifest(Self.manifest(password: "\n    TOPSECRETY: x"))
        let rendered = DiagnosticRenderer(sources: result.sources).render(result.diagnostics)
        #expect(!result.diagnostics.isEmpty)
        #expect(!rendered.contains("TOPSECRETY"), "\(rendered)")
    }

    @Test("variable name key not masked")
    func variableNameKeyNotMasked() {
        let lines = SourceRedaction.redact(["  password_env: NGCP_PASSWORD"])
        #expect(lines == ["  password_env: NGCP_PASSWORD"])
    }

    @Test(
        "keys about secrets not sensitive",
        arguments: [
            "password_env", "bypass_rtpproxy", "passreset_email_template_id",
            "manager_secretary", "secretary_numbers",
        ])
    func keysAboutSecretsNotSensitive(_ key: String) {
        #expect(!SourceRedaction.isSensitiveKey(key))
    }

    @Test(
        "keys of secrets sensitive",
        arguments: [
            "password", "webpassword", "peer_auth_pass", "otp_secret", "secrets", "api_pwd",
            "bypass_password", "secretary_secret", "passthrough_pass", "peer_auth_pas",
            "peer_auth_pw", "peer_auht_pass",
        ])
    func keysOfSecretsSensitive(_ key: String) {
        #expect(SourceRedaction.isSensitiveKey(key))
    }

    @Test("secrets mapping readable, its secrets masked")
    func secretsMappingReadable() {
        let text = """
            secrets: {env_names: [SIP_*], password: SECRETX1}
            secrets:
              file_directories: [/srv]
            secrets: SECRETX2
            """
        let lines = SourceRedaction.redactLines(in: text).map(\.text)
        #expect(
            lines == [
                "secrets: {env_names: [SIP_*], password: (sensitive value)}",
                "secrets:",
                "  file_directories: [/srv]",
                "secrets: (sensitive value)",
            ])
    }

    @Test("mask has a fixed width")
    func fixedWidthMask() {
        let short = SourceRedaction.redact(["  password: ab"])
        let long = SourceRedaction.redact(["  password: abcdefghijklmnopqrstuvwxyz"])
        #expect(short == ["  password: (sensitive value)"])
        #expect(long == short)
    }

    @Test("flow mapping and quoted keys masked")
    func flowAndQuotedKeys() {
        let lines = SourceRedaction.redact([
            "spec: {customer: acme, password: SECRETX}", #"  "webpassword": SECRETX"#,
            "- password: SECRETX", "  password_env: NGCP_PASSWORD",
        ])
        #expect(lines.allSatisfy { !$0.contains("SECRETX") })
        #expect(lines[3] == "  password_env: NGCP_PASSWORD")
    }

    @Test(
        "secret inside a flow collection masked alone",
        arguments: [
            (
                #"spec: {password: "SECRETX, \" }", customer: acme}"#,
                "spec: {password: (sensitive value), customer: acme}"
            ),
            (
                "spec: {password: 'SECRETX'', x' , customer: acme}",
                "spec: {password: (sensitive value), customer: acme}"
            ),
            (
                "spec: {password: {env: SECRETX, x: [1, '}']}, customer: acme}",
                "spec: {password: (sensitive value), customer: acme}"
            ),
            ("- {password: SECRETX }", "- {password: (sensitive value)}"),
            (
                "[{password: SECRETX}, {webpassword: SECRETX}]",
                "[{password: (sensitive value)}, {webpassword: (sensitive value)}]"
            ),
            ("spec: {a: 1, password: SECRETX, }", "spec: {a: 1, password: (sensitive value), }"),
            (
                #"{password: SECRETX, 'webusername' : x}"#,
                #"{password: (sensitive value), 'webusername' : x}"#
            ),
        ])
    func flowSecretMaskedAlone(line: String, expected: String) {
        #expect(SourceRedaction.redact([Substring(line)]) == [expected])
    }

    /// Where the end of a value is not certain, everything after its key is masked.
    @Test(
        "rest of line masked when the value end is unclear",
        arguments: [
            #"spec: {password: "SECRETX, unclosed"#, "  password: SECRETX, other: x",
            "note: hello {world, password: SECRETX, more}", "spec: {password: SECRETX # x, y}",
            "spec: {password: SECRETX", #"spec: {password: "SECRETX" x, y: 1}"#,
            #"key: "{a", password: SECRETX, b"#, "# {password: SECRETX, x}",
            "spec: {password: SECRETX], x: 1}", "spec: {password: {env: SECRETX, x: 1}",
            "spec: {password: x, y: 1}  # SECRETX", #"spec: {password: x, y: "SECRETX"#,
            "spec: {password: SECRETX,more, x: 1}", "spec: {password: SECRETX}more, x: 1}",
            "spec: {password: SECRETX, ,x: 1}", "spec: {a: [password: SECRETX, b]}",
        ])
    func unclearValueMaskedToLineEnd(line: String) throws {
        let masked = try #require(SourceRedaction.redact([Substring(line)]).first)
        #expect(masked.hasSuffix("password: (sensitive value)"), "\(masked)")
        #expect(!masked.contains("SECRETX"))
    }

    @Test("URL user information masked")
    func userInfoMasked() {
        let lines = SourceRedaction.redact(["    url: https://admin:SECRETX@ngcp.example:1443/"])
        #expect(lines == ["    url: https://(sensitive value)@ngcp.example:1443/"])
    }

    @Test("control characters in a rendered line escaped")
    func controlCharactersEscaped() {
        let diagnostic = Diagnostic(
            .error, "bad \u{1B}[31m name", at: SourceLocation(file: "f", line: 1, column: 1))
        let rendered = DiagnosticRenderer(sources: ["f": "name: a\u{1B}[31mb\rc"])
            .render(diagnostic)
        #expect(!rendered.contains("\u{1B}"))
        #expect(!rendered.contains("\r"))
        #expect(rendered.contains("\\u{1b}"))
    }
}

/// Secrets are found by the keys as YAML decodes them, and only their own characters are
/// masked, in source excerpts, messages and field paths.
@Suite struct ParsedSecretRedactionTests {
    static func subscriber(_ spec: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        \(spec)
        """
    }

    /// Loads `text` and renders its diagnostics as the command line does.
    static func render(_ text: String) -> (result: ManifestLoadResult, rendered: String) {
        let result = loadManifest(text)
        let renderer = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements)
        return (result, renderer.render(result.diagnostics))
    }

    /// Renders the first diagnostic of `result` that `matches`.
    static func excerpt(
        of result: ManifestLoadResult, _ matches: (Diagnostic) -> Bool
    ) throws -> RenderedExcerpt {
        let renderer = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements)
        let found = result.diagnostics.first(where: matches)
        let diagnostic = try #require(found)
        return try #require(RenderedExcerpt(renderer.render(diagnostic)))
    }

    @Test(
        "key spelt with quotes or escapes masked",
        arguments: [
            #""pass\u0077ord""#, #""password""#, "'password'", #""web\x70assword""#,
            #""\x70assword""#, "!!str password", #""peer_auth_p\u0061ss""#,
        ])
    func spelledKeyMasked(_ key: String) throws {
        // The repeated key makes the document invalid YAML, so no value of it is decoded.
        let line = "spec: {password: PPPsecret2, customer: c, \(key): QQQsecret2}"
        let (result, rendered) = Self.render(Self.subscriber(line))
        #expect(!rendered.contains("PPPsecret2"), "\(rendered)")
        #expect(!rendered.contains("QQQsecret2"), "\(rendered)")

        let excerpt = try Self.excerpt(of: result) { $0.location?.line == 4 }
        #expect(
            excerpt.line
                == "spec: {password: (sensitive value), customer: c, \(key): (sensitive value)}")
    }

    @Test("escaped key masked in block style and valid YAML")
    func escapedBlockKeyMasked() throws {
        let spec = """
            spec:
              customer: c
              "web\\x70assword": QQQsecret3
              bogus: 1
            """
        let (result, rendered) = Self.render(Self.subscriber(spec))
        #expect(!rendered.contains("QQQsecret3"), "\(rendered)")
        let excerpt = try Self.excerpt(of: result) { $0.fieldPath == "spec.webpassword" }
        #expect(excerpt.line == #"  "web\x70assword": (sensitive value)"#)
        #expect(excerpt.pointed == "(sensitive value)")
    }

    @Test("secret used as a key through an alias masked in the field path")
    func aliasedKeyMaskedInFieldPath() {
        let spec = """
            spec:
              customer: c
              password: &pw AAA.keysecret
              webpassword: &pw2 BBBkeysecret
              ? *pw
              : 1
              preferences: {*pw2 : 1}
              callforwards: {*pw : {}}
            """
        let (result, rendered) = Self.render(Self.subscriber(spec))
        #expect(!rendered.contains("keysecret"), "\(rendered)")
        let paths = result.errors.compactMap(\.fieldPath)
        #expect(paths.contains("spec.(sensitive value)"), "\(paths)")
        #expect(paths.contains("spec.preferences.(sensitive value)"), "\(paths)")
        #expect(paths.contains("spec.callforwards.(sensitive value)"), "\(paths)")
        #expect(!paths.contains { $0.contains("keysecret") }, "\(paths)")
    }

    @Test("flow scalar over two lines masked on each")
    func multiLineFlowScalarMasked() throws {
        let spec = """
            spec: {customer: c, password: "GGGsecret", webpassword: "HHH
              secret", bogus: 1}
            """
        let (result, rendered) = Self.render(Self.subscriber(spec))
        #expect(!rendered.contains("GGG"), "\(rendered)")
        #expect(!rendered.contains("HHH"), "\(rendered)")
        #expect(!rendered.contains("secret\""), "\(rendered)")

        let warning = try Self.excerpt(of: result) { $0.fieldPath == "spec.webpassword" }
        #expect(
            warning.line
                == "spec: {customer: c, password: (sensitive value), webpassword: (sensitive value)"
        )
        #expect(warning.pointed == "(sensitive value)")

        let error = try Self.excerpt(of: result) { $0.fieldPath == "spec.bogus" }
        #expect(error.line == "  (sensitive value), bogus: 1}")
        #expect(error.pointed == "bogus: 1}")
    }

    @Test(
        "secret source mapping keys readable",
        arguments: [
            "  password: {env: X_PW, extra: DDDsecret}",
            "  password:\n    env: X_PW\n    extra: DDDsecret",
            "  password: {file: /run/secrets/pw, extra: DDDsecret}",
        ])
    func secretSourceKeysReadable(_ field: String) throws {
        let (result, rendered) = Self.render(Self.subscriber("spec:\n  customer: c\n" + field))
        #expect(!rendered.contains("DDDsecret"), "\(rendered)")

        let error = try #require(result.errors.first { $0.message.hasPrefix("unknown field") })
        #expect(error.fieldPath == "spec.password.extra")
        #expect(error.message == "unknown field 'extra'")
        let excerpt = try Self.excerpt(of: result) { $0 == error }
        #expect(excerpt.pointed.hasPrefix("extra: (sensitive value)"), "\(excerpt.line)")
        #expect(!excerpt.line.contains("password: (sensitive value)"))
    }

    @Test("variable name readable, invalid one masked")
    func variableNameReadable() throws {
        let spec = "spec: {customer: c, password: {env: X_PW}, webpassword: {env: 1SECRETX}}"
        let (result, rendered) = Self.render(Self.subscriber(spec))
        #expect(!rendered.contains("SECRETX"), "\(rendered)")
        let excerpt = try Self.excerpt(of: result) { $0.fieldPath == "spec.webpassword.env" }
        #expect(
            excerpt.line
                == "spec: {customer: c, password: {env: X_PW}, webpassword: {env: (sensitive value)}}"
        )
        #expect(excerpt.pointed == "(sensitive value)}}")
    }

    @Test("aliased secret source mapping stays readable")
    func aliasedSecretSourceReadable() throws {
        let spec = """
            spec:
              customer: c
              password: &source {env: SIP_PW}
              webpassword: *source
              bogus: 1
            """
        let result = loadManifest(Self.subscriber(spec))
        #expect(result.errors.map(\.fieldPath) == ["spec.bogus"])
        let rendered = DiagnosticRenderer(sources: result.sources).render(
            Diagnostic(.error, "m", at: SourceLocation(file: "m.yaml", line: 6, column: 1)))
        let excerpt = try #require(RenderedExcerpt(rendered))
        #expect(excerpt.line == "  password: &source {env: SIP_PW}")
    }

    @Test("peer password repeated through an alias masked")
    func peerPasswordAliasMasked() {
        let first = Self.subscriber(
            "spec: {customer: c, preferences: {peer_auth_pass: PEERSECRET}}")
        // The same preferences as the first file, so that their decoded value is shared.
        let second = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata: {name: bob@d.example}
            spec:
              customer: c
              preferences: {peer_auth_pass: &peer PEERSECRET}
              timezone: *peer
              ? *peer
              : 1
            """
        let result = loadManifests([("a.yaml", first), ("b.yaml", second)])
        let rendered = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements
        ).render(result.diagnostics)
        // An unknown field and time zone, and the two copies of the secret.
        #expect(result.errors.count == 4, "\(rendered)")
        #expect(!rendered.contains("PEERSECRET"), "\(rendered)")
        #expect(result.sources.values.allSatisfy { !$0.contains("PEERSECRET") })
    }

    @Test("secret quoted in a hint masked")
    func secretInHintMasked() {
        let spec = "spec:\n  customer: c\n  password: &pw on\n  administrative: *pw"
        let (result, rendered) = Self.render(Self.subscriber(spec))
        let error = result.errors.first { $0.fieldPath == "spec.administrative" }
        #expect(error?.hint?.contains("(sensitive value)") == true, "\(rendered)")
        #expect(!rendered.contains("'on'"), "\(rendered)")
        #expect(!rendered.contains("\"on\""), "\(rendered)")
    }

    /// After a syntax error the text-based masking hides what the parse did not reach.
    @Test(
        "value cut off by a syntax error masked",
        arguments: [
            "spec: {customer: c, password: [a,\n  \"UNCLOSEDSECRET",
            "spec:\n  customer: c\n  password: \"abc\" TRAILSECRET",
            "spec:\n  password: {env: X, extra: [TRAILSECRET\n  customer: c",
            "spec:\n  - password: \"abc\n    TRAILSECRET",
        ])
    func cutOffValueMasked(_ spec: String) {
        let (result, rendered) = Self.render(Self.subscriber(spec))
        #expect(result.hasErrors)
        // Every line of the file, as any later diagnostic may show it.
        let renderer = DiagnosticRenderer(
            sources: result.sources, sourceReplacements: result.sourceReplacements)
        let lines = (1...8).map { line in
            renderer.render(
                Diagnostic(.error, "m", at: SourceLocation(file: "m.yaml", line: line, column: 1)))
        }
        #expect(!rendered.contains("SECRET"), "\(rendered)")
        #expect(!lines.joined().contains("SECRET"), "\(lines.joined())")
    }

    static let sweepValues = [
        "SECRETQ", #""SECRETQ""#, "'SECRETQ'", "\"SEC\n    RETQ\"", "|\n    SECRETQ",
        ">-\n    SECRETQ\n    SECRETQ", "[SECRETQ]", "{a: SECRETQ}", "{env: SECRETQ-}",
        "{env: X, extra: SECRETQ}", "{file: x, e: [SECRETQ]}", "&a SECRETQ", #""SECRETQ"#,
        "[SECRETQ,\n  SECRETQ", "SECRETQ # SECRETQ", #""SECRETQ" SECRETQ"#,
        "{env: X, extra: [SECRETQ\n  SECRETQ]}", "\"SECRETQ\\\n    SECRETQ\"",
        "# SECRETQ\n    SECRETQ",
    ]

    /// Places `entry` in a block mapping, a flow mapping, the preferences and a list item.
    static func sweepSpecs(_ entry: String) -> [String] {
        let indented = entry.replacingOccurrences(of: "\n    ", with: "\n        ")
        return [
            "spec:\n  customer: c\n  \(entry)\n  bogus: 1\n",
            "spec: {customer: c, \(entry), bogus: 1}\n",
            "spec:\n  customer: c\n  preferences: {\(entry)}\n  bogus: 1\n",
            "spec:\n  customer: c\n  callforwards:\n    - \(indented)\n      x: 1\n  bogus: 1\n",
        ]
    }

    /// Every line that a diagnostic can point at is checked: those of the file up to its
    /// first YAML syntax error, after which nothing is decoded.
    @Test(
        "secret hidden in every layout",
        arguments: [
            "password", #""password""#, "'webpassword'", #""pass\u0077ord""#, "pasword",
            "peer_auth_pass", "!!str password", "? password\n  ",
        ])
    func secretHiddenInEveryLayout(_ key: String) {
        for value in Self.sweepValues {
            for spec in Self.sweepSpecs("\(key): \(value)") {
                let text = Self.subscriber(spec)
                let (result, rendered) = Self.render(text)
                let renderer = DiagnosticRenderer(
                    sources: result.sources, sourceReplacements: result.sourceReplacements)
                let syntaxError = result.errors.first { $0.message.hasPrefix("invalid YAML") }
                let lastLine = syntaxError?.location?.line ?? text.sourceLines().count
                let lines = (1...lastLine).map { line in
                    renderer.render(
                        Diagnostic(
                            .error, "m", at: SourceLocation(file: "m.yaml", line: line, column: 1))
                    )
                }
                #expect(!rendered.contains("RETQ"), "\(text)\n\(rendered)")
                #expect(!lines.joined().contains("RETQ"), "\(text)\n\(lines.joined())")
            }
        }
    }

    @Test("commented-out secret masked")
    func commentedSecretMasked() {
        let spec = "spec:\n  customer: c\n  # password: COMMENTSECRET\n  bogus: 1"
        let result = loadManifest(Self.subscriber(spec))
        let rendered = DiagnosticRenderer(sources: result.sources).render(
            Diagnostic(.error, "m", at: SourceLocation(file: "m.yaml", line: 6, column: 1)))
        #expect(rendered.contains("# password: (sensitive value)"), "\(rendered)")
    }

    /// Marks count Unicode scalars, and a character may have several.
    @Test("mask exact after combining characters and a byte order mark")
    func maskExactAfterCombiningCharacters() throws {
        let text = "\u{FEFF}spec: {x: \"e\u{301}\u{301}\", password: BOMSECRET, bogus: 1}\n"
        let result = loadManifest(text)
        let renderer = DiagnosticRenderer(sources: result.sources)
        let rendered = renderer.render(result.diagnostics)
        #expect(!rendered.contains("BOMSECRET"), "\(rendered)")
        #expect(
            rendered.contains(
                "spec: {x: \"e\u{301}\u{301}\", password: (sensitive value), bogus: 1}"),
            "\(rendered)")
    }
}

/// Strings with control characters are rejected when the manifests are loaded.
@Suite struct ControlCharacterTests {
    static func customer(name: String, contactEmail: String = "ops@example.org") -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata:
          name: \(name)
        spec:
          billing_profile: default
          contact: {email: "\(contactEmail)"}
        """
    }

    @Test(
        "control character in metadata.name rejected",
        arguments: [#""esc\e[31mRED""#, #""cr\rOVER""#, #""nul\0x""#, #""tab\tx""#])
    func nameRejected(_ name: String) {
        let result = loadManifest(Self.customer(name: name))
        let error = result.errors.first { $0.fieldPath == "metadata.name" }
        #expect(error?.message.contains("control character") == true, "\(result.diagnostics)")
        #expect(result.desired.customers.isEmpty)
    }

    @Test("control character in a nested field rejected")
    func nestedFieldRejected() {
        let result = loadManifest(Self.customer(name: "acme", contactEmail: #"a\e@example.org"#))
        #expect(result.errors.contains { $0.fieldPath == "spec.contact.email" })
        #expect(result.errors.contains { $0.message.contains("U+001B") })
    }

    @Test(
        "C1 control characters found",
        arguments: [
            ("a\u{85}b", UInt32(0x85)), ("\u{9B}31m", 0x9B), ("\u{7F}", 0x7F),
            ("caf\u{E9}", nil), ("no\u{A0}break", nil), ("\u{80}", 0x80), ("\u{100}", nil),
        ] as [(String, UInt32?)])
    func c1Controls(_ text: String, expected: UInt32?) {
        let found = ControlCharacterCheck.firstControlCharacter(text, allowingWhitespace: true)
        #expect(found?.value == expected)
    }

    @Test("tab in key rejected")
    func tabInKey() {
        let text = Self.customer(name: "acme") + "\n  \"bad\\tkey\": {x: \"a\\tb\", y: \"a\\eb\"}\n"
        let result = loadManifest(text)
        let paths = result.errors.filter { $0.message.contains("control character") }
            .map(\.fieldPath)
        #expect(paths == ["spec", "spec.bad?key.y"], "\(result.diagnostics)")
    }

    @Test("plain names still load")
    func plainNameLoads() {
        let result = loadManifest(Self.customer(name: "acme-1"))
        #expect(!result.errors.contains { $0.message.contains("control character") })
    }
}

/// Directories reached through symbolic links are searched; broken links are errors.
@Suite struct SymlinkDirectoryTests {
    static let domain = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata:
          name: d.example.org
        """

    /// A directory `root` with `real/domains.yaml` and an empty `manifests` directory.
    final class Tree {
        let root: String
        var manifests: String { root + "/manifests" }

        init() throws {
            root = FileManager.default.temporaryDirectory.path + "/symlink-walk-\(UUID())"
            for directory in [root + "/real", root + "/manifests"] {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true)
            }
            try SymlinkDirectoryTests.domain.write(
                toFile: root + "/real/domains.yaml", atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        func link(_ name: String, to destination: String) throws {
            try FileManager.default.createSymbolicLink(
                atPath: manifests + "/" + name, withDestinationPath: destination)
        }

        func load() -> ManifestLoadResult {
            ManifestLoader(options: ManifestLoadOptions(baseDirectory: root)).load(
                paths: [manifests])
        }
    }

    @Test("symlinked directory followed")
    func symlinkedDirectoryFollowed() throws {
        let tree = try Tree()
        try tree.link("linkdir", to: "../real")
        let result = tree.load()
        #expect(result.errors.isEmpty, "\(result.diagnostics)")
        #expect(result.desired.domains.map(\.domain) == ["d.example.org"])
        #expect(result.files == [tree.manifests + "/linkdir/domains.yaml"])
    }

    @Test("file reached twice loaded once")
    func fileReachedTwiceLoadedOnce() throws {
        let tree = try Tree()
        try tree.link("one", to: "../real")
        try tree.link("two", to: "../real")
        let result = tree.load()
        #expect(result.errors.isEmpty, "\(result.diagnostics)")
        #expect(result.files.count == 1)
    }

    @Test("dangling link is an error naming it")
    func danglingLinkRejected() throws {
        let tree = try Tree()
        try tree.link("gone.yaml", to: "../missing.yaml")
        try FileManager.default.copyItem(
            atPath: tree.root + "/real/domains.yaml", toPath: tree.manifests + "/d.yaml")
        let result = tree.load()
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.message.contains("gone.yaml") == true)
        #expect(result.errors.first?.message.contains("does not exist") == true)
    }

    @Test("link to a directory above is an error", arguments: ["..", "/", "."])
    func linkAboveRejected(_ destination: String) throws {
        let tree = try Tree()
        try tree.link("up", to: destination)
        let result = tree.load()
        #expect(result.errors.contains { $0.message.contains("leads back") }, "\(result.errors)")
    }
}
