import NGCPCore
import Testing

@testable import Manifests

/// The checks of `username@domain` subscriber names, and the sharing of repeated names.
@Suite struct SubscriberNameTests {
    private static func subscriber(named name: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: "\(name)"}
        spec: {customer: acme}
        """
    }

    @Test(
        arguments: [
            ("alice@d.example", nil),
            ("a.b+c=d,e;f_g~h'i(j)k!l*m-n@d.example", nil),
            ("user@name@d.example", "is invalid; use at most 127 ASCII"),
            (String(repeating: "a", count: 127) + "@d.example", nil),
            (
                String(repeating: "a", count: 128) + "@d.example",
                "is invalid; use at most 127 ASCII"
            ),
            (".alice@d.example", "is invalid; use at most 127 ASCII"),
            ("alice.@d.example", "is invalid; use at most 127 ASCII"),
            ("al..ice@d.example", "is invalid; use at most 127 ASCII"),
            ("al#ice@d.example", "is invalid; use at most 127 ASCII"),
            ("alicé@d.example", "is invalid; use at most 127 ASCII"),
            ("al\u{A0}ice@d.example", "contains a space"),
            ("alice@d example", "contains a space"),
            ("alice@", "is not of the form username@domain"),
            ("@d.example", "is not of the form username@domain"),
            ("alice", "is not of the form username@domain"),
        ] as [(String, String?)])
    func nameChecked(name: String, expectedProblem: String?) {
        let result = loadManifest(Self.subscriber(named: name))
        let nameErrors = result.errors.filter { $0.fieldPath == "metadata.name" }
        if let expectedProblem {
            #expect(nameErrors.count == 1)
            #expect(nameErrors.first?.message.contains(expectedProblem) == true)
        } else {
            #expect(nameErrors.isEmpty)
        }
    }

    @Test func partsSplitAtLastAt() {
        let result = loadManifest(Self.subscriber(named: "alice@sip.example.org"))
        let subscriber = result.desired.subscribers.first
        #expect(subscriber?.username == "alice")
        #expect(subscriber?.domain == "sip.example.org")
        #expect(result.metadata[ResourceID(.subscribers, "alice@sip.example.org")] != nil)
    }

    @Test func repeatedNamesShareStorage() {
        let strings = SharedStrings()
        let bytes = Array("voice.platform.example.org".utf8)
        let first = bytes.withUnsafeBufferPointer { strings.string($0) }
        let second = bytes.withUnsafeBufferPointer { strings.string($0) }
        #expect(first == "voice.platform.example.org")
        #expect(second == first)
        #expect(Self.storageAddress(of: first) == Self.storageAddress(of: second))

        let text = String(decoding: bytes, as: UTF8.self)
        let third = strings.string(text)
        #expect(Self.storageAddress(of: third) == Self.storageAddress(of: first))
    }

    @Test func manyDistinctNamesStayCorrect() {
        let strings = SharedStrings()
        for round in 0..<2 {
            for number in 0..<(3 * SharedStrings.slotCount) {
                let name = "domain-\(number).platform.example.org"
                let bytes = Array(name.utf8)
                let shared = bytes.withUnsafeBufferPointer { strings.string($0) }
                #expect(shared == name, "round \(round)")
                #expect(strings.string(name) == name, "round \(round)")
            }
        }
    }

    /// Precomposed and decomposed forms are equal strings with different bytes. Even in one
    /// slot, each keeps its own bytes.
    @Test func equivalentNamesKeepTheirBytes() throws {
        func slot(_ text: String) -> Int {
            Array(text.utf8).withUnsafeBufferPointer(SharedStrings.slot(of:))
        }
        let number = try #require(
            (0..<100_000).first { number in
                slot("caf\u{E9}-\(number).example.org") == slot("cafe\u{301}-\(number).example.org")
            })
        let precomposed = "caf\u{E9}-\(number).example.org"
        let decomposed = "cafe\u{301}-\(number).example.org"
        #expect(precomposed == decomposed)

        let strings = SharedStrings()
        #expect(Array(strings.string(precomposed).utf8) == Array(precomposed.utf8))
        #expect(Array(strings.string(decomposed).utf8) == Array(decomposed.utf8))
        let bytes = Array(precomposed.utf8)
        let shared = bytes.withUnsafeBufferPointer { strings.string($0) }
        #expect(Array(shared.utf8) == bytes)
    }

    private static func storageAddress(of text: String) -> UnsafeRawPointer? {
        text.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }
}
