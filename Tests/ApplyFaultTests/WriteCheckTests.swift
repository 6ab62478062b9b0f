import NGCPCore
import Testing

@testable import Apply

/// The read-after-write comparison.
@Suite struct WriteCheckTests {
    @Test func serverSpellingsAreNotReported() {
        let sent: JSONValue = [
            "max_subscribers": 10, "is_devid": false, "cc": 43, "password": "x",
            "primary_number": ["cc": 43, "ac": "2732", "sn": "77100"],
        ]
        let live: JSONValue = [
            "max_subscribers": "10", "is_devid": 0, "cc": "43",
            "primary_number": ["cc": "43", "ac": "2732", "sn": "77100", "number_id": 5],
            "id": 9,
        ]
        #expect(WriteCheck.differences(sent: sent, method: .post, live: live).isEmpty)
    }

    @Test func groupsCompareInAnyOrder() {
        let sent: JSONValue = [["op": "replace", "path": "/pbx_group_ids", "value": [5, 3]]]
        #expect(
            WriteCheck.differences(sent: sent, method: .patch, live: ["pbx_group_ids": [3, 5]])
                .isEmpty)
        let found = WriteCheck.differences(
            sent: sent, method: .patch, live: ["pbx_group_ids": [3]])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("pbx_group_ids:") == true)
    }

    @Test(arguments: ["peer_auth_pass", "password"])
    func secretDifferenceHidesValues(_ field: String) {
        let sent: JSONValue = [["op": "add", "path": .string("/\(field)"), "value": "Sent-Pass-1"]]
        let live: JSONValue = .object([field: "Stored-Pass-2"])
        let found = WriteCheck.differences(sent: sent, method: .patch, live: live)
        #expect(found == ["\(field): the server stored a value other than the one sent"])
    }

    @Test func rewrittenFieldIsReportedWithItsPath() {
        let sent: JSONValue = ["company": "Acme", "primary_number": ["sn": "100"]]
        let live: JSONValue = ["company": "ACME", "primary_number": ["sn": "0100"]]
        let found = WriteCheck.differences(sent: sent, method: .put, live: live)
        #expect(found.count == 2)
        #expect(found[0].hasPrefix("company:"))
        #expect(found[1].hasPrefix("primary_number.sn:"))
    }

    @Test func patchValuesAreComparedPerField() {
        let sent: JSONValue = [
            ["op": "add", "path": "/concurrent_max", "value": 4],
            ["op": "add", "path": "/block_in_clir", "value": true],
        ]
        let live: JSONValue = ["concurrent_max": 5, "block_in_clir": 1]
        let found = WriteCheck.differences(sent: sent, method: .patch, live: live)
        #expect(found == ["concurrent_max: sent 4, the server stored 5"])
    }

    @Test func forwardKeywordMatchesItsInternalURI() {
        let sent: JSONValue = ["cfu": ["destinations": [["destination": "voicebox"]]]]
        let live: JSONValue = [
            "cfu": ["destinations": [["destination": "sip:vmu4312@voicebox.local"]]]
        ]
        #expect(WriteCheck.differences(sent: sent, method: .put, live: live).isEmpty)
        let missing: JSONValue = ["cfu": ["destinations": []]]
        #expect(WriteCheck.differences(sent: sent, method: .put, live: missing).count == 1)
    }
}
