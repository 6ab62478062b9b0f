import NGCPCore
import Testing

@testable import Planning

/// One comparison case: a desired value, a live value as NGCP returns it, and whether they
/// must compare equal.
struct EqualityCase: CustomTestStringConvertible, Sendable {
    var id: String
    var desired: JSONValue
    var live: JSONValue
    var equal: Bool

    var testDescription: String { id }
}

@Suite("Normalisation rules")
struct NormalizationTests {
    @Test(
        "booleans equal 0/1",
        arguments: [
            EqualityCase(id: "true vs 1", desired: true, live: 1, equal: true),
            EqualityCase(id: "false vs 0", desired: false, live: 0, equal: true),
            EqualityCase(id: "true vs \"1\"", desired: true, live: "1", equal: true),
            EqualityCase(id: "true vs 0", desired: true, live: 0, equal: false),
            EqualityCase(id: "false vs 1", desired: false, live: 1, equal: false),
            EqualityCase(id: "true vs \"yes\"", desired: true, live: "yes", equal: false),
        ])
    func booleans(_ testCase: EqualityCase) {
        #expect(Normalization.looselyEqual(testCase.desired, testCase.live) == testCase.equal)
    }

    @Test(
        "numeric strings equal numbers",
        arguments: [
            EqualityCase(id: "cc 43 vs \"43\"", desired: 43, live: "43", equal: true),
            EqualityCase(id: "lock \"4\" vs 4", desired: 4, live: "4", equal: true),
            EqualityCase(id: "5 vs 5.0", desired: 5, live: 5.0, equal: true),
            EqualityCase(id: "43 vs \"44\"", desired: 43, live: "44", equal: false),
            EqualityCase(id: "7 vs \"seven\"", desired: 7, live: "seven", equal: false),
        ])
    func numericStrings(_ testCase: EqualityCase) {
        #expect(Normalization.looselyEqual(testCase.desired, testCase.live) == testCase.equal)
    }

    @Test("absent member equals null")
    func absentEqualsNull() {
        #expect(Normalization.optionalEqual(nil, .null))
        #expect(Normalization.looselyEqual(["a": 1], ["a": 1, "b": .null]))
        #expect(!Normalization.looselyEqual(["a": 1], ["a": 1, "b": 2]))
    }

    @Test(
        "number components",
        arguments: [
            EqualityCase(
                id: "cc number vs string", desired: ["cc": "43", "ac": "1", "sn": "234"],
                live: ["cc": 43, "ac": "1", "sn": "234", "number_id": 68], equal: true),
            EqualityCase(
                id: "cc with plus", desired: ["cc": "+43", "ac": "1", "sn": "234"],
                live: ["cc": 43, "ac": "1", "sn": "234"], equal: true),
            EqualityCase(
                id: "numeric sn", desired: ["cc": 43, "ac": 1, "sn": 234],
                live: ["cc": 43, "ac": "1", "sn": "234"], equal: true),
            EqualityCase(
                id: "absent ac vs empty", desired: ["cc": 43, "sn": "234"],
                live: ["cc": 43, "ac": "", "sn": "234"], equal: true),
            EqualityCase(
                id: "different sn", desired: ["cc": 43, "ac": "1", "sn": "235"],
                live: ["cc": 43, "ac": "1", "sn": "234"], equal: false),
        ])
    func numbers(_ testCase: EqualityCase) {
        let equal =
            Normalization.number(testCase.desired) == Normalization.number(testCase.live)
        #expect(equal == testCase.equal)
    }

    @Test(
        "alias numbers as a set",
        arguments: [
            EqualityCase(
                id: "order and number_id ignored",
                desired: [
                    ["cc": "43", "ac": "1", "sn": "2"], ["cc": "43", "ac": "1", "sn": "1"],
                ],
                live: [Fixture.alias("1", numberID: 7), Fixture.alias("2", numberID: 8)],
                equal: true),
            EqualityCase(
                id: "is_devid ignored when not declared",
                desired: [["cc": "43", "ac": "1", "sn": "1"]],
                live: [["cc": 43, "ac": "1", "sn": "1", "is_devid": true, "number_id": 3]],
                equal: true),
            EqualityCase(
                id: "declared is_devid compared",
                desired: [["cc": "43", "ac": "1", "sn": "1", "is_devid": true]],
                live: [Fixture.alias("1")], equal: false),
            EqualityCase(
                id: "removed alias", desired: [["cc": "43", "ac": "1", "sn": "1"]],
                live: [Fixture.alias("1"), Fixture.alias("2")], equal: false),
            EqualityCase(id: "both empty", desired: [], live: [], equal: true),
        ])
    func aliasNumbers(_ testCase: EqualityCase) {
        let equal = Normalization.aliasNumbersEqual(desired: testCase.desired, live: testCase.live)
        #expect(equal == testCase.equal)
    }

    @Test(
        "lock level text",
        arguments: [
            EqualityCase(id: "4 vs \"4\"", desired: 4, live: "4", equal: true),
            EqualityCase(id: "null vs null", desired: .null, live: .null, equal: true),
            EqualityCase(id: "3 vs \"4\"", desired: 3, live: "4", equal: false),
            EqualityCase(id: "null vs \"4\"", desired: .null, live: "4", equal: false),
        ])
    func lockLevels(_ testCase: EqualityCase) {
        let equal =
            Normalization.lockLevel(testCase.desired) == Normalization.lockLevel(testCase.live)
        #expect(equal == testCase.equal)
    }

    @Test("locked status implies lock level 4")
    func lockImpliedByStatus() {
        #expect(
            Normalization.lockImpliedByStatus(desiredLock: nil, desiredStatus: "locked", live: "4"))
        #expect(
            Normalization.lockImpliedByStatus(
                desiredLock: .null, desiredStatus: "locked", live: "4"))
        #expect(
            !Normalization.lockImpliedByStatus(desiredLock: 3, desiredStatus: "locked", live: "4"))
        #expect(
            !Normalization.lockImpliedByStatus(desiredLock: nil, desiredStatus: "active", live: "4")
        )
        #expect(
            !Normalization.lockImpliedByStatus(desiredLock: nil, desiredStatus: "locked", live: "3")
        )
    }

    @Test("customer lock cascade owns status and lock")
    func customerLockCascade() {
        #expect(Normalization.isSetByCustomerLock(field: "lock", customerStatus: "locked"))
        #expect(Normalization.isSetByCustomerLock(field: "status", customerStatus: "locked"))
        #expect(!Normalization.isSetByCustomerLock(field: "lock", customerStatus: "active"))
        #expect(!Normalization.isSetByCustomerLock(field: "external_id", customerStatus: "locked"))
    }

    struct DestinationCase: CustomTestStringConvertible, Sendable {
        var desired: String
        var live: String
        var testDescription: String { "\(desired) ≙ \(live)" }
    }

    @Test(
        "forward destinations",
        arguments: [
            DestinationCase(desired: "4311", live: "sip:4311@example.org"),
            DestinationCase(desired: "+4311", live: "sip:+4311@example.org"),
            DestinationCase(desired: "sip:4311@example.org", live: "sip:4311@example.org"),
            DestinationCase(desired: "sips:4311@EXAMPLE.org", live: "sip:4311@example.org"),
            DestinationCase(desired: "localuser", live: "sip:localuser@example.org"),
            DestinationCase(desired: "voicebox", live: "voicebox"),
            DestinationCase(desired: "voicebox", live: "sip:vmu43112345@voicebox.local"),
            DestinationCase(desired: "fax2mail", live: "sip:fax=43112345@fax2mail.local"),
            DestinationCase(desired: "conference", live: "conference"),
            DestinationCase(desired: "x@y.example.net", live: "sip:x@y.example.net"),
        ])
    func destinations(_ testCase: DestinationCase) {
        let desired = Normalization.destination(testCase.desired, subscriberDomain: "example.org")
        let live = Normalization.destination(testCase.live, subscriberDomain: "example.org")
        #expect(desired == live)
    }

    @Test("different destinations stay different")
    func differentDestinations() {
        let domain = "example.org"
        #expect(
            Normalization.destination("4311", subscriberDomain: domain)
                != Normalization.destination("sip:4311@other.example", subscriberDomain: domain))
        #expect(
            Normalization.destination("voicebox", subscriberDomain: domain)
                != Normalization.destination("4311", subscriberDomain: domain))
    }

    @Test("destination timeout and priority defaults")
    func destinationDefaults() {
        let desired = Normalization.canonicalForward(
            ["destinations": [["destination": "4311"]]], subscriberDomain: "example.org")
        let live = Normalization.canonicalForward(
            Fixture.liveForward([Fixture.liveDestination("4311")]),
            subscriberDomain: "example.org")
        #expect(desired == live)

        let shorter = Normalization.canonicalForward(
            ["destinations": [["destination": "4311", "timeout": 30]]],
            subscriberDomain: "example.org")
        #expect(shorter != live)
    }

    @Test("destinations compared by priority")
    func destinationOrder() {
        let desired = Normalization.canonicalForward(
            [
                "destinations": [
                    ["destination": "4312", "priority": 2], ["destination": "4311", "priority": 1],
                ]
            ], subscriberDomain: "example.org")
        let live = Normalization.canonicalForward(
            Fixture.liveForward([
                Fixture.liveDestination("4311", priority: 1),
                Fixture.liveDestination("4312", priority: 2),
            ]), subscriberDomain: "example.org")
        #expect(desired == live)
    }

    @Test("absent forward type equals empty")
    func absentForwardType() {
        #expect(Normalization.canonicalForward(nil, subscriberDomain: "d") == [:])
        #expect(Normalization.canonicalForward([:], subscriberDomain: "d") == [:])
        #expect(
            Normalization.canonicalForward(["destinations": []], subscriberDomain: "d") == [:])
    }

    @Test("source set regex flag 0/1 and mode default")
    func sourceSetDefaults() {
        var live = Fixture.liveForward([Fixture.liveDestination("4311")]).objectValue ?? [:]
        live["sources"] = [["source": "43*"]]
        live["sources_is_regex"] = 0
        let desired: JSONValue = [
            "destinations": [["destination": "4311"]], "sources": [["source": "43*"]],
        ]
        #expect(
            Normalization.canonicalForward(desired, subscriberDomain: "example.org")
                == Normalization.canonicalForward(.object(live), subscriberDomain: "example.org"))
    }

    @Test("ring timeout compared only when declared")
    func ringTimeout() {
        let destinations: JSONValue = [["destination": "4311"]]
        let undeclared: JSONValue = ["destinations": destinations]
        #expect(!Normalization.ringTimeoutDiffers(desiredForward: undeclared, live: 20))
        let thirty: JSONValue = ["destinations": destinations, "ringtimeout": 30]
        #expect(Normalization.ringTimeoutDiffers(desiredForward: thirty, live: 20))
        let twenty: JSONValue = ["destinations": destinations, "ringtimeout": 20]
        #expect(!Normalization.ringTimeoutDiffers(desiredForward: twenty, live: "20"))
        let cleared: JSONValue = ["destinations": [], "ringtimeout": 30]
        #expect(!Normalization.ringTimeoutDiffers(desiredForward: cleared, live: .null))
    }

    @Test("display name stored only for PBX")
    func displayNameRule() {
        #expect(Normalization.fieldsStoredOnlyForPBX == ["display_name"])
    }

    @Test("server-owned fields never compared")
    func serverOwnedFields() {
        for field in ["id", "uuid", "create_timestamp", "modify_timestamp", "_links"] {
            #expect(!Normalization.isComparedField(field, references: []))
        }
        #expect(Normalization.isComparedField("external_id", references: []))
        #expect(!Normalization.isComparedField("customer_id", references: ["customer_id"]))
    }
}
