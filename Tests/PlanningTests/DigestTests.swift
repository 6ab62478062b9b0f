import NGCPCore
import Testing

@testable import Planning

@Suite struct DigestTests {
    @Test(
        "SHA-256 known answers",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "The quick brown fox jumps over the lazy dog",
                "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
            ),
        ])
    func sha256(_ input: String, _ expected: String) {
        #expect(SHA256.hexHash(input) == expected)
    }

    @Test("SHA-256 of a million 'a' crosses many blocks")
    func sha256Long() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(
            SHA256.hex(SHA256.hash(input))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("SHA-256 at the padding boundaries differs by length")
    func paddingBoundaries() {
        let digests = Set((54...66).map { SHA256.hexHash(String(repeating: "x", count: $0)) })
        #expect(digests.count == 13)
    }

    // RFC 4231 test cases 1, 2, 6 and 7.
    @Test("HMAC-SHA256 known answers")
    func hmac() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            HMACSHA256.hexCode(key: key1, message: Array("Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            HMACSHA256.hexCode(
                key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(
            HMACSHA256.hexCode(
                key: longKey,
                message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        let message =
            "This is a test using a larger than block-size key and a larger than block-size "
            + "data. The key needs to be hashed before being used by the HMAC algorithm."
        #expect(
            HMACSHA256.hexCode(key: longKey, message: Array(message.utf8))
                == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }
}

@Suite struct SecretDigestTests {
    static let key = SecretDigest.key(
        apiUser: "administrator", apiPassword: SecretValue("api-secret"),
        target: "https://ngcp.example.org:1443/api/")

    static func plan() -> Plan {
        let owner = ResourceID(.subscribers, "alice@example.org")
        return Plan(operations: [
            PlannedOperation(
                id: 1, action: .update, resource: .subscribers, name: owner.name, method: .patch,
                path: "/api/subscribers/40",
                body: [
                    [
                        "op": "replace", "path": "/password",
                        "value": PlanPlaceholder.secret(
                            .environment("ALICE_PASSWORD"), owner: owner, field: "password"),
                    ]
                ])
        ])
    }

    @Test("the digest depends on key, owner, field and value")
    func inputs() {
        let value = SecretValue("Passw0rd")
        let base = SecretDigest.digest(value, owner: "a", field: "password", key: Self.key)
        let otherKey = SecretDigest.key(
            apiUser: "administrator", apiPassword: SecretValue("other"),
            target: "https://ngcp.example.org:1443/api/")
        #expect(base.hasPrefix("hmac-sha256:"))
        #expect(base != SecretDigest.digest(value, owner: "b", field: "password", key: Self.key))
        #expect(
            base != SecretDigest.digest(value, owner: "a", field: "webpassword", key: Self.key))
        #expect(base != SecretDigest.digest(value, owner: "a", field: "password", key: otherKey))
        #expect(
            base
                != SecretDigest.digest(
                    SecretValue("Passw0rd2"), owner: "a", field: "password", key: Self.key))
        // Without the key, the digest is not the plain hash of the value.
        #expect(!base.contains(SHA256.hexHash("Passw0rd")))
    }

    @Test("recorded digests match the same value and catch a changed one")
    func recordAndCheck() {
        var plan = Self.plan()
        #expect(SecretDigest.references(in: plan).map(\.source) == ["env:ALICE_PASSWORD"])
        plan.secretDigests = SecretDigest.record(plan, key: Self.key) { _ in
            SecretValue("Passw0rd")
        }
        #expect(plan.secretDigests.count == 1)
        #expect(!plan.jsonValue.serialized().contains("Passw0rd"))

        let same = SecretDigest.changed(plan, key: Self.key) { _ in SecretValue("Passw0rd") }
        #expect(same.isEmpty)
        let changed = SecretDigest.changed(plan, key: Self.key) { _ in SecretValue("new") }
        #expect(changed.map(\.sourceDescription) == ["environment variable ALICE_PASSWORD"])
        let missing = SecretDigest.changed(plan, key: Self.key) { _ in nil }
        #expect(missing.count == 1)

        // A plan file read back keeps its digests.
        let reread = try? Plan(json: plan.jsonValue)
        #expect(reread?.secretDigests == plan.secretDigests)
    }
}
