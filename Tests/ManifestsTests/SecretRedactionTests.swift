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
        #expect(result.errors.map(\.fieldPath) == ["spec.timezone", "spec.email"])
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
