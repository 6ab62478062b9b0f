import NGCPClient
import NGCPCore

/// The plan's JSON with a top-level `requests` member: `{"reads": N, "writes": N,
/// "by_collection": {...}}`.
enum RequestReport {
    static func planJSON(_ plan: Plan, requests: RequestStatistics) -> String {
        guard case .object(var members) = plan.jsonValue else {
            return plan.jsonValue.serialized(pretty: true) + "\n"
        }
        members["requests"] = requests.json
        return JSONValue.object(members).serialized(pretty: true) + "\n"
    }
}
