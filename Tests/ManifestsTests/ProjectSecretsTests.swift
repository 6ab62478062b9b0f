import Manifests
import NGCPCore
import Testing

/// The `secrets` section of ngcpctl.yaml and URLs with user information.
@Suite struct ProjectSecretsTests {
    @Test("secrets section read")
    func secretsSectionRead() throws {
        let parsed = ProjectConfigurationLoader.parse(
            """
            targets: {lab: {url: "http://127.0.0.1:1443"}}
            secrets:
              env_names: ["NGCP_PW_*", SIP_PASSWORD]
              file_directories: [/run/secrets]
            """, path: "ngcpctl.yaml")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let configuration = try #require(parsed.configuration)
        #expect(configuration.secretEnvironmentPatterns == ["NGCP_PW_*", "SIP_PASSWORD"])
        #expect(configuration.secretFileDirectories == ["/run/secrets"])
    }

    @Test("pattern that allows every name rejected", arguments: ["\"*\"", "\"**\"", "A-B"])
    func invalidPatternRejected(_ pattern: String) {
        let parsed = ProjectConfigurationLoader.parse(
            """
            targets: {lab: {}}
            secrets: {env_names: [\(pattern)]}
            """, path: "ngcpctl.yaml")
        #expect(parsed.configuration == nil)
        #expect(parsed.diagnostics.contains { $0.fieldPath == "secrets.env_names[0]" })
    }

    @Test("URL with user information rejected without the password")
    func urlWithUserInfoRejected() {
        let parsed = ProjectConfigurationLoader.parse(
            "targets: {lab: {url: \"https://admin:SECRETX@ngcp.example:1443\"}}\n",
            path: "ngcpctl.yaml")
        #expect(parsed.configuration == nil)
        let error = parsed.diagnostics.first { $0.fieldPath == "targets.lab.url" }
        #expect(error?.message.contains("NGCP_PASSWORD") == true)
        #expect(error?.message.contains("SECRETX") == false)
        #expect(APIURL.redacted("https://a:b@h/x") == "https://***@h/x")
        #expect(!APIURL.hasUserInfo("https://h:1443/api/?q=a@b"))
    }

    /// A combining mark after a delimiter makes one `Character` with it, but HTTP clients
    /// still split the URL at the delimiter, so the checks must too.
    @Test func delimiterWithCombiningMarkStillSplits() {
        let url = "https://admin:SECRETX@\u{301}ngcp.example"
        #expect(APIURL.hasUserInfo(url))
        #expect(!APIURL.userInfoMessage(url).contains("SECRETX"))
        #expect(APIURL.redacted(url) == "https://***@\u{301}ngcp.example")

        let problems = [
            (
                "http://ngcp.example:\u{301}80",
                "the port '\u{301}80' is not a number from 1 to 65535"
            ),
            ("http://ngcp.example/?\u{301}", "it must not have a query or a fragment"),
            ("http://ngcp.example/a \u{301}b", "it contains a space"),
            (
                "http://::\u{301}1:80",
                "the host '::\u{301}1' has a colon; write an IPv6 address in brackets, [::1]"
            ),
        ]
        for (url, problem) in problems {
            #expect(APIURL.problem(url) == problem, "\(url.unicodeScalars.map(\.value))")
        }
        #expect(APIURL.normalized("HTTP://NGCP.EXAMPLE/\u{301}A") == "http://ngcp.example/\u{301}A")
    }

    @Test func urlWithLineBreakOrBadIPv6IsRejected() {
        let control = "it contains a line break or another control character"
        #expect(APIURL.problem("http://ab/x\ny") == control)
        #expect(APIURL.problem("http://ab/x\u{7F}") == control)
        #expect(APIURL.problem("http://[:::::]:1") == "'[:::::]' is not an IPv6 address")
        #expect(APIURL.problem("http://[1.2.3.4]") == "'[1.2.3.4]' is not an IPv6 address")
        #expect(APIURL.problem("http://[::ffff:1.2.3.4]:8443") == nil)
        #expect(APIURL.problem("http://[fe80::1]") == nil)
    }

    @Test func urlHasOneSpelling() {
        #expect(APIURL.normalized("HTTPS://NGCP.Example:1443/Api/") == "https://ngcp.example:1443")
        #expect(APIURL.normalized("https://proxy.example/NGCP/") == "https://proxy.example/NGCP")
        #expect(APIURL.normalized("http://127.0.0.1:8443") == "http://127.0.0.1:8443")
        #expect(APIURL.normalized("HTTP://[::1]") == "http://[::1]")
    }
}

/// `checkSecretAccess` finds rejected sources without reading any secret.
@Suite struct SecretAccessCheckTests {
    static func subscriber(password: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          password: \(password)
        """
    }

    static let access = SecretAccess(
        environmentPatterns: SecretAccess.defaultEnvironmentPatterns, fileDirectories: ["/srv"])

    @Test(
        "rejected sources reported",
        arguments: [
            "{env: NGCP_PASSWORD}", "{env: AWS_SECRET_ACCESS_KEY}", "{file: /proc/self/environ}",
        ])
    func rejectedSourceReported(_ source: String) {
        let result = loadManifest(Self.subscriber(password: source))
        let diagnostics = checkSecretAccess(in: result.desired, access: Self.access)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.fieldPath == "spec.password")
        #expect(diagnostics.first?.location?.file == "m.yaml")
    }

    @Test(
        "unset variable and missing file pass",
        arguments: ["{env: ALICE_PASSWORD}", "{file: /srv/none.pw}"])
    func absentSecretPasses(_ source: String) {
        let result = loadManifest(Self.subscriber(password: source))
        #expect(checkSecretAccess(in: result.desired, access: Self.access).isEmpty)
    }
}
