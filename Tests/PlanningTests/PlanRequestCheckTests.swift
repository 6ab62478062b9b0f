import NGCPCore
import Testing

@testable import Planning

/// Saved plans whose request paths or methods were edited are rejected with the JSON path.
@Suite("Plan request checks")
struct PlanRequestCheckTests {
    /// The sample plan's document with the first operation of `action` edited.
    static func rejection(
        action: String, edit: (inout [String: JSONValue]) -> Void
    ) throws -> PlanJSONError {
        var document = try #require(try PlanJSONTests.samplePlan().jsonValue.objectValue)
        let operations = try #require(document["operations"]?.arrayValue)
        let index = try #require(
            operations.firstIndex { $0["action"]?.stringValue == action })
        document.editOperation(index, edit)
        return try #require(throws: PlanJSONError.self) { try Plan(json: .object(document)) }
    }

    @Test(
        "path outside the resource rejected",
        arguments: [
            "/api/../../etc/passwd", "/api/subscribers/../domains/1", "/api/domains/",
            "/api/subscribers/40?force=1", "/api/subscribers/40#x", "/api/subscribers/4 0",
            "/api/subscribers/{id:1}/x", "https://elsewhere.example/api/subscribers/40",
            "/api/subscribers/40/",
        ])
    func pathRejected(_ path: String) throws {
        let error = try Self.rejection(action: "update") { operation in
            operation["resource"] = "subscribers"
            operation["method"] = "PATCH"
            operation["path"] = .string(path)
        }
        #expect(error.path.hasSuffix(".path"))
        #expect(error.message.contains(path))
    }

    @Test("method that does not fit the action rejected")
    func methodRejected() throws {
        let error = try Self.rejection(action: "create") { operation in
            operation["method"] = "DELETE"
        }
        #expect(error.path.hasSuffix(".method"))
        #expect(error.message.contains("expected POST"))
    }

    @Test("delete with a collection path rejected")
    func deleteOfCollectionRejected() throws {
        let error = try Self.rejection(action: "delete") { operation in
            operation["resource"] = "subscribers"
            operation["method"] = "DELETE"
            operation["path"] = "/api/subscribers/"
        }
        #expect(error.path.hasSuffix(".method"))
    }

    @Test("name with control characters rejected")
    func controlCharacterNameRejected() throws {
        let error = try Self.rejection(action: "create") { operation in
            operation["name"] = "esc\u{1B}[31mred"
        }
        #expect(error.path.hasSuffix(".name"))
    }

    @Test("planned requests pass unchanged")
    func plannedRequestsPass() throws {
        let plan = try PlanJSONTests.samplePlan()
        let decoded = try Plan(json: plan.jsonValue)
        #expect(decoded.operations.map(\.path) == plan.operations.map(\.path))
    }
}
