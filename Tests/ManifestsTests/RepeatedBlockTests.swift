import Manifests
import NGCPCore
import Testing
import YAMLReader

/// Blocks that many subscribers repeat are decoded once per load and shared. These tests
/// check that sharing never changes a value or hides a diagnostic.
@Suite struct RepeatedBlockTests {
    /// Returns a manifest with one subscriber per block, all of customer `acme` in
    /// `sip.example.org`.
    private func subscribers(_ blocks: [String], prefix: String = "user") -> String {
        blocks.enumerated().map { position, block in
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: \(prefix)\(position)@sip.example.org
            spec:
              customer: acme
            \(block)
            """
        }.joined(separator: "\n---\n")
    }

    @Test func repeatedCallForwardsDecodeAlike() throws {
        let block = """
              callforwards:
                cfu:
                  destinations: [{destination: voicebox, priority: 1}]
                  times: [{wday: 2-6, hour: 8-17}]
            """
        let result = loadManifests([
            ("a.yaml", subscribers([block, block])),
            ("b.yaml", subscribers([block], prefix: "other")),
        ])

        #expect(result.errors.isEmpty)
        let forwards = result.desired.subscribers.map(\.callforwards)
        #expect(forwards.count == 3)
        let cfu = try #require(forwards.first??["cfu"]?.objectValue)
        #expect(
            cfu["destinations"] == [
                [
                    "destination": "voicebox", "priority": 1, "timeout": 300,
                    "announcement_id": .null,
                ]
            ])
        #expect(cfu["times"]?.arrayValue?.first?.objectValue?["hour"] == "8-17")
        #expect(forwards.allSatisfy { $0 == forwards.first })
    }

    /// Each block is compared with the block found last before any hashing, so runs of one
    /// block, alternations and new blocks must each get their own value.
    @Test func alternatingBlocksKeepTheirValues() {
        func block(_ destination: String) -> String {
            """
              callforwards:
                cfu: {destinations: [{destination: \(destination)}]}
            """
        }
        let order = ["voicebox", "voicebox", "4311", "voicebox", "4322", "4322", "4311"]
        let result = loadManifest(subscribers(order.map(block)))

        #expect(result.errors.isEmpty)
        let destinations = result.desired.subscribers.map {
            $0.callforwards?["cfu"]?.objectValue?["destinations"]?.arrayValue?.first?
                .objectValue?["destination"]?.stringValue
        }
        #expect(destinations == order)
    }

    @Test func repeatedInvalidBlockIsReportedEachTime() {
        let block = """
              callforwards:
                cfu: {destinations: []}
            """
        let result = loadManifest(subscribers([block, block]))

        let errors = result.errors.filter {
            $0.message == "call forward 'cfu' needs at least one destination"
        }
        #expect(errors.count == 2)
        #expect(Set(errors.compactMap(\.location?.line)).count == 2)
    }

    @Test func repeatedBlockWithWarningWarnsEachTime() {
        let block = """
              preferences:
                not_in_catalogue: 1
            """
        let options = ManifestLoadOptions(baseDirectory: "/", deferUnknownPreferences: true)
        let result = ManifestLoader(options: options).load(documents: [
            ("m.yaml", subscribers([block, block]))
        ])

        let warnings = result.warnings.filter {
            $0.fieldPath == "spec.preferences.not_in_catalogue"
        }
        #expect(warnings.count == 2)
        #expect(
            result.desired.subscribers.map(\.preferences) == [
                ["not_in_catalogue": 1], ["not_in_catalogue": 1],
            ])
    }

    @Test func blocksDifferingOnlyInTextDecodeApart() {
        // Both numbers resolve to the integer 720, but a source is read as written.
        let blocks = ["0720", "720"].map { source in
            """
              callforwards:
                cfu:
                  destinations: [{destination: voicebox}]
                  sources: [{source: \(source)}]
            """
        }
        let result = loadManifest(subscribers(blocks))

        #expect(result.errors.isEmpty)
        let sources = result.desired.subscribers.map {
            $0.callforwards?["cfu"]?.objectValue?["sources"]
        }
        #expect(sources == [[["source": "0720"]], [["source": "720"]]])
    }
}

@Suite struct SharedWarningTests {
    private func customer(_ name: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata:
          name: \(name)
        spec:
          billing_profile: default
          contact:
            email: ops@\(name).example
        """
    }

    private func subscriber(_ name: String, customer: String) -> String {
        """
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata:
          name: \(name)@sip.example.org
        spec:
          customer: \(customer)
          display_name: \(name)
        """
    }

    @Test func displayNameWarningNamesEachCustomer() {
        let text = [
            customer("acme"), customer("beta"), subscriber("a1", customer: "acme"),
            subscriber("b1", customer: "beta"), subscriber("a2", customer: "acme"),
        ].joined(separator: "\n---\n")
        let result = loadManifest(text)

        let warnings = result.warnings.filter { $0.fieldPath == "spec.display_name" }
        #expect(
            warnings.map(\.message)
                == ["acme", "beta", "acme"].map {
                    "display_name is only stored for PBX customers, and customer '\($0)' is a"
                        + " sipaccount"
                })
        #expect(warnings.compactMap(\.location?.line) == [25, 33, 41])
    }
}

@Suite struct NodeContentTests {
    private func mapping(_ text: String) throws -> YAMLNode.Pairs {
        let document = try #require(try YAMLParser.parse(text).first)
        return try #require(document.root.mapping)
    }

    @Test func contentIgnoresMarksAndCollectionStyle() throws {
        let pairs = try mapping("a: [1, x, {k: v}]\nb:\n  - 1\n  - x\n  - k: v\n")
        let (a, b) = (pairs[0].value, pairs[1].value)

        #expect(a.hasSameContent(as: b))
        #expect(a.contentHash(maxNodes: 10) == b.contentHash(maxNodes: 10))
        #expect(a.contentHash(maxNodes: 10) != nil)
    }

    @Test func contentIncludesScalarStyleTextAndValue() throws {
        let pairs = try mapping("a: [1]\nb: ['1']\nc: [01]\nd: [2]\ne: [1, 1]\n")
        let a = pairs[0].value

        for other in pairs.dropFirst().map(\.value) {
            #expect(!a.hasSameContent(as: other))
            #expect(a.contentHash(maxNodes: 10) != other.contentHash(maxNodes: 10))
        }
    }

    @Test func contentHashStopsAtNodeLimit() throws {
        let pairs = try mapping("a: [1, 2, 3]\n")

        #expect(pairs[0].value.contentHash(maxNodes: 3) == nil)
        #expect(pairs[0].value.contentHash(maxNodes: 4) != nil)
    }

    @Test func detachedNodeKeepsContentAndMarks() throws {
        let pairs = try mapping("a: 1\nb:\n  x: &n [y, 'z']\n  w: *n\n")
        let node = pairs[1].value
        let copy = node.detached()

        #expect(copy.hasSameContent(as: node))
        #expect(copy == node)
        #expect(copy["w"]?.mark == node["w"]?.mark)
        #expect(copy["w"]?.sequence?.last?.scalar?.style == .singleQuoted)
    }
}
