import NGCPCore
import Testing

@Suite struct SubscriberSecretsTests {
    @Test func subscriptReadsAndWritesFields() {
        var secrets: SubscriberSecrets = [:]
        #expect(secrets.isEmpty)
        #expect(secrets.count == 0)

        secrets["webpassword"] = .file("/run/web")
        #expect(secrets.webpassword == .file("/run/web"))
        #expect(secrets["webpassword"] == .file("/run/web"))
        #expect(secrets["password"] == nil)
        #expect(secrets["other"] == nil)
        #expect(!secrets.isEmpty)
        #expect(secrets.count == 1)

        secrets["webpassword"] = nil
        #expect(secrets.isEmpty)
    }

    @Test func iterationListsPasswordFirst() {
        let secrets: SubscriberSecrets = [
            "webpassword": .literal("web"), "password": .environment("SIP_PW"),
        ]
        let entries = Array(secrets)
        #expect(entries.map(\.key) == ["password", "webpassword"])
        #expect(entries.map(\.value) == [.environment("SIP_PW"), .literal("web")])
        #expect(secrets.keys == ["password", "webpassword"])
        #expect(secrets.values == [.environment("SIP_PW"), .literal("web")])
    }

    @Test func iterationSkipsUnsetFields() {
        let secrets = SubscriberSecrets(webpassword: .environment("WEB_PW"))
        #expect(secrets.keys == ["webpassword"])
        #expect(secrets.count == 1)
    }

    @Test func literalEqualsMemberwiseValue() {
        let literal: SubscriberSecrets = ["password": .file("/run/sip")]
        #expect(literal == SubscriberSecrets(password: .file("/run/sip")))
        #expect(literal != SubscriberSecrets(webpassword: .file("/run/sip")))
    }
}
