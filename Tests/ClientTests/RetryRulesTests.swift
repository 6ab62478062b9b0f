import Foundation
import NGCPClient
import NGCPCore
import Synchronization
import Testing

@testable import Apply

/// Which failed requests are repeated, and how the executor settles writes whose outcome is
/// unknown, against a scripted loopback server.
@Suite struct RetryRulesTests {
    private func client(_ server: ScriptedHTTPServer, attempts: Int = 4) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: server.baseURL, user: "administrator", password: SecretValue("pw"),
            transport: TransportOptions(connections: 2),
            retryPolicy: RetryPolicy(maxAttempts: attempts, initialDelay: 0.01))
    }

    private static func json(_ status: Int, _ body: String) -> ScriptedHTTPServer.Reply {
        .respond(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    private static let serverError = json(500, #"{"code":500,"message":"internal error"}"#)
    private static let emptyPage = json(200, #"{"total_count":0}"#)

    @Test(arguments: [500, 502, 503, 504])
    func getRetriedAfterServerError(_ status: Int) async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1
                ? Self.json(status, #"{"code":\#(status),"message":"failed"}"#)
                : Self.json(200, #"{"id":7}"#)
        }
        defer { server.stop() }

        let body = try await client(server).get("/api/domains/7")
        #expect(body["id"] == 7)
        #expect(server.requests.count == 2)
    }

    @Test func idempotentPatchRetriedAfter500() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1 ? Self.serverError : Self.json(200, "")
        }
        defer { server.stop() }

        try await client(server).patch(
            "/api/subscriberpreferences/4",
            operations: [["op": "add", "path": "/block_in_clir", "value": true]],
            idempotent: true)
        #expect(server.requests.count == 2)
    }

    /// A retried remove meets 422 once the first attempt took effect, so the outcome of the
    /// request as a whole stays unknown.
    @Test func errorAfterUnknownAttemptIsUnknown() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1
                ? Self.serverError
                : Self.json(422, #"{"code":422,"message":"no such member"}"#)
        }
        defer { server.stop() }

        let error = await #expect(throws: NGCPAPIError.self) {
            try await client(server).patch(
                "/api/subscriberpreferences/4",
                operations: [["op": "remove", "path": "/block_in_clir"]], idempotent: true)
        }
        #expect(error?.status == 422)
        #expect(error?.outcomeUnknown == true)
        #expect(server.requests.count == 2)
    }

    /// A DELETE that took effect but got 500 is repeated, and the 404 that follows counts
    /// as its own deletion.
    @Test func deleteAfterUnknownAttemptIsDeleted() async throws {
        let server = try ScriptedHTTPServer { _, number in
            number == 1
                ? Self.serverError
                : Self.json(404, #"{"code":404,"message":"Entity 'subscriber' not found."}"#)
        }
        defer { server.stop() }

        let deletion = try await client(server).delete(
            "/api/subscribers/9", notFoundIsDone: true)
        #expect(deletion == .deleted)
        #expect(server.requests.count == 2)
    }

    @Test func patchIdempotenceByOperation() {
        let cases: [(JSONValue, Bool)] = [
            (["op": "replace", "path": "/concurrent_max", "value": 3], true),
            (["op": "add", "path": "/block_in_clir", "value": true], true),
            (["op": "remove", "path": "/block_in_clir"], true),
            (["op": "add", "path": "/cli", "value": ["1"], "mode": "append"], false),
            (["op": "add", "path": "/allowed_ips/-", "value": "10.0.0.1"], false),
            (["op": "add", "path": "/allowed_ips/0", "value": "10.0.0.1"], false),
            (["op": "remove", "path": "/allowed_ips", "value": "10.0.0.1", "index": 0], false),
            (["op": "copy", "from": "/a", "path": "/b"], false),
        ]
        for (patch, idempotent) in cases {
            #expect(
                PlanExecutor.isIdempotentPatch(patch) == idempotent, "\(patch.serialized())")
        }
    }

    // MARK: The executor

    private func createDomain() -> Plan {
        Plan(operations: [
            PlannedOperation(
                id: 1, action: .create, resource: .domains, name: "retry.example.org",
                method: .post, path: "/api/domains/",
                body: ["domain": "retry.example.org", "reseller_id": 1])
        ])
    }

    private func patchPreference(_ patch: JSONValue) -> Plan {
        Plan(operations: [
            PlannedOperation(
                id: 1, action: .update, resource: .subscriberpreferences,
                name: "a@retry.example.org", method: .patch,
                path: "/api/subscriberpreferences/4", body: [patch])
        ])
    }

    /// A 502 whose lookup finds no object did not take effect, so the create is sent again.
    @Test func absentCreateIsPostedAgain() async throws {
        let server = try ScriptedHTTPServer { request, number in
            if request.method == "GET" { return Self.emptyPage }
            return number == 1
                ? Self.json(502, #"{"code":502,"message":"bad gateway"}"#)
                : .respond(status: 201, headers: ["Location": "/api/domains/12"], body: "")
        }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(createDomain())

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .created, "\(operation.error ?? "")")
        #expect(operation.createdID == 12)
        #expect(server.requests.map(\.method) == ["POST", "GET", "POST"])
    }

    /// After a 504 the server may still be creating the object, so the create is not repeated
    /// even though the lookup finds nothing.
    @Test func gatewayTimeoutCreateIsNotRepeated() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            request.method == "GET"
                ? Self.emptyPage : Self.json(504, #"{"code":504,"message":"timeout"}"#)
        }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(createDomain())

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .failed)
        #expect(operation.outcomeUnknown)
        #expect(operation.error?.contains("may still be creating it") == true)
        #expect(server.requests.map(\.method) == ["POST", "GET"])
    }

    /// A PATCH that keeps server with 500 is read back; the member it set is there.
    @Test func unknownPatchConfirmedByReadBack() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            request.method == "GET"
                ? Self.json(200, #"{"id":4,"block_in_clir":true}"#) : Self.serverError
        }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(
            patchPreference(["op": "add", "path": "/block_in_clir", "value": true]))

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .updated, "\(operation.error ?? "")")
        #expect(operation.note?.contains("reading the object back") == true)
        #expect(server.requests.filter { $0.method == "PATCH" }.count == 4)
    }

    /// A remove whose retry meets 422 is confirmed by the member's absence.
    @Test func retriedRemoveConfirmedByAbsence() async throws {
        let server = try ScriptedHTTPServer { request, number in
            if request.method == "GET" { return Self.json(200, #"{"id":4}"#) }
            return number == 1
                ? Self.serverError
                : Self.json(422, #"{"code":422,"message":"no such member"}"#)
        }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(
            patchPreference(["op": "remove", "path": "/block_in_clir"]))

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .updated, "\(operation.error ?? "")")
    }

    /// When neither the write nor the read-back gets through, the outcome stays unknown and
    /// the result counts as a possible change.
    @Test func unsettledWriteIsUnknown() async throws {
        let server = try ScriptedHTTPServer { _, _ in Self.serverError }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(
            patchPreference(["op": "replace", "path": "/concurrent_max", "value": 3]))

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .failed)
        #expect(operation.outcomeUnknown)
        #expect(result.unknownOutcomes.map(\.operationID) == [1])
        #expect(result.mayHaveChangedTarget)
    }

    /// A write that succeeded but could not be read back is an update with a warning, and
    /// no field counts as stored differently.
    @Test func failedReadBackIsMarked() async throws {
        let server = try ScriptedHTTPServer { request, _ in
            request.method == "GET" ? Self.serverError : Self.json(200, "")
        }
        defer { server.stop() }

        let executor = PlanExecutor(client: client(server, attempts: 1))
        let result = await executor.execute(
            patchPreference(["op": "replace", "path": "/concurrent_max", "value": 3]))

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .updated, "\(operation.error ?? "")")
        #expect(operation.readBackFailed)
        #expect(operation.warnings.count == 1)
        #expect(operation.warnings.first?.contains("could not read") == true)
    }

    /// A 422 on the only attempt is a definite failure: nothing changed.
    @Test func definiteFailureIsNoChange() async throws {
        let server = try ScriptedHTTPServer { _, _ in
            Self.json(422, #"{"code":422,"message":"invalid value"}"#)
        }
        defer { server.stop() }

        let executor = PlanExecutor(
            client: client(server), options: PlanExecutor.Options(verifyWrites: false))
        let result = await executor.execute(
            patchPreference(["op": "replace", "path": "/concurrent_max", "value": -1]))

        let operation = try #require(result.operations.first)
        #expect(operation.outcome == .failed)
        #expect(!operation.outcomeUnknown)
        #expect(!result.mayHaveChangedTarget)
        #expect(server.requests.count == 1)
    }
}
