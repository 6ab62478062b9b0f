import Foundation
import NGCPCore
import Testing

@testable import Manifests

/// Load-time checks of values that NGCP would reject or silently override at apply: time
/// zones, name-mapped preferences, and subscriber fields of a locked customer.
@Suite struct ValueCheckTests {
    private static let lockedCustomer = """
        apiVersion: ngcpctl/v1
        kind: Domain
        metadata: {name: d.example}
        ---
        apiVersion: ngcpctl/v1
        kind: Customer
        metadata: {name: acme}
        spec:
          billing_profile: default
          type: pbxaccount
          status: locked
          contact: {email: ops@acme.example}
        ---
        apiVersion: ngcpctl/v1
        kind: Subscriber
        metadata: {name: alice@d.example}
        spec:
          customer: acme
          password: {env: P}
          lock: 2
          status: active
          pbx_extension: "10"

        """

    @Test func lockedCustomerWarnsAboutLockAndStatus() {
        let result = loadManifest(Self.lockedCustomer)
        #expect(!result.hasErrors)
        let warnings = result.warnings.filter { $0.message.contains("declared locked") }
        #expect(warnings.map(\.fieldPath) == ["spec.lock", "spec.status"])
        #expect(warnings.map(\.location?.line) == [20, 21])
        #expect(
            warnings.first?.message
                == "lock is not applied while customer 'acme' is declared locked: NGCP locks "
                + "every subscriber of a locked customer with status locked and lock 4")
    }

    @Test func activeCustomerDoesNotWarnAboutLock() {
        let text = Self.lockedCustomer.replacingOccurrences(
            of: "  status: locked\n", with: "  status: active\n")
        let result = loadManifest(text)
        #expect(result.diagnostics.filter { $0.message.contains("declared locked") }.isEmpty)
    }

    @Test func nameMappedPreferenceWarns() throws {
        let text =
            Self.lockedCustomer.replacingOccurrences(of: "  status: locked\n", with: "")
            + "  preferences: {ncos: gold, concurrent_max: 2}\n"
        let result = loadManifest(text)
        #expect(!result.hasErrors)
        let warning = try #require(
            result.warnings.first { $0.fieldPath == "spec.preferences.ncos" })
        #expect(
            warning.message
                == "preference 'ncos' names an object on the target, which is not checked "
                + "before apply")
        #expect(result.warnings.allSatisfy { $0.fieldPath != "spec.preferences.concurrent_max" })
    }

    @Test func timeZoneLookupUsesDatabaseFiles() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoneinfo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("Europe"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("TZif".utf8).write(to: directory.appendingPathComponent("Europe/Vienna"))
        try Data("TZif".utf8).write(to: directory.appendingPathComponent("UTC"))

        #expect(ReferenceData.isKnownTimeZone("Europe/Vienna", zoneInfo: directory.path) == true)
        #expect(ReferenceData.isKnownTimeZone("UTC", zoneInfo: directory.path) == true)
        #expect(ReferenceData.isKnownTimeZone("Mars/Olympus", zoneInfo: directory.path) == false)
        #expect(ReferenceData.isKnownTimeZone("Europe", zoneInfo: directory.path) == false)
        #expect(ReferenceData.isKnownTimeZone("../zoneinfo/UTC", zoneInfo: directory.path) == false)
        #expect(ReferenceData.isKnownTimeZone("UTC", zoneInfo: directory.path + "/none") == nil)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/UTC")))
    func unknownTimeZonesAreErrors() {
        let text =
            Self.lockedCustomer.replacingOccurrences(
                of: "contact: {email: ops@acme.example}",
                with: "contact: {email: ops@acme.example, timezone: Mars/Olympus}"
            )
            .replacingOccurrences(of: "  status: locked\n", with: "")
            + "  timezone: Nowhere\n"
        let result = loadManifest(text)
        #expect(
            result.errors.map(\.fieldPath) == ["spec.contact.timezone", "spec.timezone"])
        #expect(result.errors.map(\.message).last == "unknown time zone 'Nowhere'")

        let valid =
            Self.lockedCustomer.replacingOccurrences(of: "  status: locked\n", with: "")
            + "  timezone: Europe/Vienna\n"
        #expect(!loadManifest(valid).hasErrors)
    }

    @Test func countryMustBeAssignedCode() {
        for (country, valid) in [("AT", true), ("at", true), ("XX", false), ("UK", false)] {
            let text = Self.lockedCustomer.replacingOccurrences(
                of: "contact: {email: ops@acme.example}",
                with: "contact: {email: ops@acme.example, country: \(country)}")
            #expect(loadManifest(text).hasErrors == !valid, "\(country)")
        }
    }

    @Test func longSourceLineIsCutAroundColumn() {
        let line = String(repeating: "a", count: 70_000) + "X" + String(repeating: "b", count: 10)
        let excerpt = SourceExcerpt(line: line, column: 70_001)
        #expect(excerpt.text.count <= SourceExcerpt.maxWidth + 6)
        #expect(excerpt.text.hasPrefix("..."))
        #expect(!excerpt.text.hasSuffix("..."))
        let caret = excerpt.text.index(excerpt.text.startIndex, offsetBy: excerpt.column - 1)
        #expect(excerpt.text[caret] == "X")

        let short = SourceExcerpt(line: "  password: x", column: 3)
        #expect(short == SourceExcerpt(line: "  password: x", column: 3, maxWidth: 1_000))
        #expect(short.text == "  password: x")
    }

    @Test func renderedDiagnosticOfLongLineIsShort() {
        let long = "  display_name: " + String(repeating: "x", count: 70_000) + "\n"
        let source = "a: 1\n" + long
        let diagnostic = Diagnostic(
            .error, "too long", at: SourceLocation(file: "m.yaml", line: 2, column: 17))
        let text = DiagnosticRenderer(sources: ["m.yaml": source]).render(diagnostic)
        #expect(text.count < 500)
        #expect(text.contains("2 | "))
    }

    @Test func editDistanceCountsSwapsAsOneEdit() {
        #expect(editDistance("emial", "email") == 1)
        #expect(editDistance("abc", "abc") == 0)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(nearestName(to: "emial", in: ["email", "phonenumber"]) == "email")
        #expect(nearestName(to: "prio", in: ["destination", "priority", "timeout"]) == "priority")
        #expect(nearestName(to: "pb", in: ["pbxaccount"]) == nil)
        #expect(nearestName(to: "ncos", in: ["ncos_id", "ncos_set"]) == nil)
    }

    @Test func quotedPartsPairEveryQuote() {
        let parts = NodeReader.quotedParts(of: "value 'a'b' here", lengths: [1, 3])
        #expect(parts == ["a", "a'b", "b"])
        #expect(NodeReader.quotedParts(of: "no quotes", lengths: [1]) == [])
        let crowded = String(repeating: "'", count: 65)
        #expect(NodeReader.quotedParts(of: crowded, lengths: [0]) == nil)
    }

    @Test func equallyNearNamePrefersSameLength() {
        #expect(nearestName(to: "clri", in: ["cli", "clir"]) == "clir")
        #expect(nearestName(to: "clri", in: ["clir", "cli"]) == "clir")
        #expect(nearestName(to: "cfx", in: ["cfu", "cfb"]) == "cfu")
    }
}
