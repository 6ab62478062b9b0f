import Manifests
import NGCPCore
import Testing

/// A YAML alias or merge key that copies a literal secret into a field that is not a secret
/// is an error at the alias, because that field would show the value in plans and exports.
@Suite struct SecretAliasTests {
    static let base = """
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
        """

    /// Returns a valid subscriber with `lines` added to its spec from line 7 on.
    static func subscriber(_ lines: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          primary_number: {cc: 43, sn: 100}

        """ + lines
    }

    static let secret = "Alias-Literal-Secret-1"

    static func load(_ lines: String) -> ManifestLoadResult {
        loadManifests([("base.yaml", base), ("m.yaml", subscriber(lines))])
    }

    static func error(_ line: Int, _ column: Int, _ path: String, _ message: String) -> Diagnostic {
        let hint =
            "write 'spec.password' as {env: NAME} or {file: PATH}, and give this field a value"
            + " of its own"
        return Diagnostic(
            .error, message, at: SourceLocation(file: "m.yaml", line: line, column: column),
            fieldPath: path, hint: hint)
    }

    static let copied =
        "the YAML alias copies the literal secret of 'spec.password' into a field that is not a"
        + " secret"

    /// Returns the errors of `result` about copied secrets.
    static func aliasErrors(_ result: ManifestLoadResult) -> [Diagnostic] {
        result.errors.filter { $0.message.contains("literal secret of") }
    }

    @Test func aliasIntoPlainFieldsRejected() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              external_id: *pw
              preferences:
                display_name: *pw
            """)
        #expect(
            Self.aliasErrors(result) == [
                Self.error(8, 16, "spec.external_id", Self.copied),
                Self.error(10, 19, "spec.preferences.display_name", Self.copied),
            ])
        #expect(result.errors.count == 2, "\(result.errors)")
        #expect(result.desired.subscribers.isEmpty)
        #expect(!result.diagnostics.description.contains(Self.secret))
    }

    @Test func aliasIntoSecretFieldAllowed() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              webpassword: *pw
            """)
        #expect(!result.hasErrors, "\(result.errors)")
        #expect(result.desired.subscribers.count == 1)
    }

    @Test func secretSourceAliasAllowed() {
        let result = Self.load(
            """
              password: &source {env: ALICE_PW}
              webpassword: *source
            """)
        #expect(!result.hasErrors, "\(result.errors)")
    }

    @Test func valueWrittenInPlainFieldRejected() {
        let result = Self.load(
            """
              external_id: &pw "\(Self.secret)"
              password: *pw
            """)
        let message =
            "a YAML alias makes this value the literal secret of 'spec.password', but this field"
            + " is not a secret"
        #expect(Self.aliasErrors(result) == [Self.error(7, 16, "spec.external_id", message)])
        #expect(result.errors.count == 1, "\(result.errors)")
    }

    @Test func mergeKeyCopiesRejected() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              preferences:
                <<: {display_name: *pw}
            """)
        #expect(
            Self.aliasErrors(result) == [
                Self.error(9, 24, "spec.preferences.display_name", Self.copied)
            ])
    }

    @Test func mergedUnderSecretKeyNamesTheSourceField() {
        let text = """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            spec: &spec
              customer: acme
              primary_number: {cc: 43, sn: 100}
              password: \(Self.secret)
            metadata:
              name: alice@d.example
              annotations:
                <<: *spec
            """
        let result = loadManifests([("base.yaml", Self.base), ("m.yaml", text)])
        let error = result.errors.first { $0.fieldPath == "metadata.annotations.password" }
        // The copied field's path contains a secret key, so the message's quoted values are
        // masked. The name of the field that the secret came from stays readable.
        #expect(
            error?.message.contains("the literal secret of 'spec.password'") == true,
            "\(result.errors)")
        #expect(!result.diagnostics.contains { $0.message.contains(Self.secret) })
    }

    @Test func mergedSourceReportedAtItsAlias() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              preferences: &prefs
                display_name: *pw
              callforwards:
                <<: *prefs
            """)
        #expect(
            Self.aliasErrors(result) == [
                Self.error(9, 19, "spec.preferences.display_name", Self.copied),
                Self.error(11, 9, "spec.callforwards.display_name", Self.copied),
            ])
    }

    @Test func overriddenMergeAccepted() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              preferences:
                <<: [{display_name: Alice}, {display_name: *pw}]
            """)
        #expect(!result.hasErrors, "\(result.errors)")
        let preferences = result.desired.subscribers.first?.preferences
        #expect(preferences?["display_name"] == .string("Alice"))
    }

    @Test func aliasAsKeyRejected() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              preferences:
                *pw : 1
            """)
        let message =
            "the YAML alias copies the literal secret of 'spec.password' into a mapping key"
        #expect(
            Self.aliasErrors(result) == [
                Self.error(9, 5, "spec.preferences.(sensitive value)", message)
            ])
    }

    @Test func oneErrorPerAlias() {
        let result = Self.load(
            """
              password: &pw "\(Self.secret)"
              alias_numbers: &numbers [{cc: 43, sn: *pw}, {cc: 43, ac: *pw, sn: 1}]
              preferences:
                block_in_list: *numbers
            """)
        let paths = Self.aliasErrors(result).map(\.fieldPath)
        #expect(
            paths == [
                "spec.alias_numbers[0].sn", "spec.alias_numbers[1].ac",
                "spec.preferences.block_in_list[0].sn",
            ])
    }

    @Test(arguments: secretPreferenceNames.sorted())
    func secretPreferenceCopyRejected(_ name: String) throws {
        let result = Self.load(
            """
              password: {env: ALICE_PW}
              preferences:
                \(name): &peer "\(Self.secret)"
                display_name: *peer
            """)
        let error = try #require(Self.aliasErrors(result).first)
        #expect(Self.aliasErrors(result).count == 1)
        #expect(error.fieldPath == "spec.preferences.display_name")
        #expect(error.location?.line == 10)
        #expect(
            error.message
                == "the YAML alias copies the literal secret of 'spec.preferences.\(name)'"
                + " into a field that is not a secret")
        #expect(
            error.hint
                == "write 'spec.preferences.\(name)' as {env: NAME} or {file: PATH}, and give"
                + " this field a value of its own")
        #expect(!result.diagnostics.description.contains(Self.secret))
    }

    @Test func otherAliasesUnaffected() {
        let result = Self.load(
            """
              password: "\(Self.secret)"
              external_id: &id ext-1
              preferences:
                display_name: *id
            """)
        #expect(!result.hasErrors, "\(result.errors)")
        #expect(result.desired.subscribers.first?.fields["external_id"] == .string("ext-1"))
    }
}
