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
