import Foundation
import NGCPCore

/// Turns HTTP requests into resource calls the way ngcp-panel's dispatcher does: path
/// resolution, Basic auth, trailing-slash redirects, method checks (404, never 405), media
/// types, paging and the HAL envelopes.
final class APIRouter: HTTPRequestHandler {
    let store: Store
    private let accounts: [String: EmulatorAccount]
    private let faults: FaultInjector
    private let resources: [String: any Resource]

    init(store: Store, accounts: [EmulatorAccount], faults: FaultSettings) {
        self.store = store
        var byName: [String: EmulatorAccount] = [:]
        for account in accounts { byName[account.username] = account }
        self.accounts = byName
        self.faults = FaultInjector(settings: faults)
        var resources: [String: any Resource] = [:]
        for resource in ResourceCatalog.all { resources[resource.name] = resource }
        self.resources = resources
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        var request = request
        if let override = Self.methodOverride(request) { request.method = override }
        let isWrite = ["POST", "PUT", "PATCH", "DELETE"].contains(request.method)
        let decision = faults.decide(isWrite: isWrite)
        if let early = decision.earlyResponse { return early }

        var response = route(request)
        if decision.failAfterCommit {
            response = HAL.error(.internalServerError())
        }
        if request.method == "HEAD" { response.body = [] }
        if decision.truncateResponse { response.truncated = true }
        return response
    }

    private static func methodOverride(_ request: HTTPRequest) -> String? {
        for name in [
            "x-http-method", "x-http-method-override", "x-method-override",
            "x-tunneled-method",
        ] {
            if let value = request.header(name), !value.isEmpty { return value.uppercased() }
        }
        return nil
    }

    // MARK: Routing

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        guard path.hasPrefix("/api/") else {
            if path == "/api" { return redirect(request, to: "/api/") }
            return HAL.html(404, Self.notFoundPage)
        }
        let rest = String(path.dropFirst("/api/".count))
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)

        if rest.isEmpty {
            guard authenticate(request) != nil else { return HAL.unauthorized() }
            return apiRoot(request)
        }
        guard let resource = resources[segments[0]] else {
            return HAL.error(.pathNotFound())
        }
        guard let role = authenticate(request) else { return unauthorized(request) }
        if resource.isAdminOnly && role != .admin {
            return HAL.error(APIError(403, "Invalid user"))
        }
        if ["POST", "PUT", "PATCH"].contains(request.method), request.header("link") != nil {
            return HAL.error(
                APIError(
                    400,
                    "The request must not contain 'Link' headers. Instead assert relationships "
                        + "in the entity body."))
        }
        let context = RequestContext(role: role, query: CollectionQuery(parameters: request.query))

        do {
            return try dispatch(resource, segments, request, context)
        } catch {
            return HAL.error(error)
        }
    }

    private func dispatch(
        _ resource: any Resource, _ segments: [String], _ request: HTTPRequest,
        _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        if segments.count == 1 {
            return redirect(request, to: "/api/\(resource.name)/")
        }
        if segments.count == 2 && segments[1].isEmpty {
            return try collection(resource, request, context)
        }
        // Item URLs work with and without a trailing slash.
        if segments.count == 2 || (segments.count == 3 && segments[2].isEmpty) {
            return try item(resource, idText: segments[1], request, context)
        }
        throw APIError.pathNotFound()
    }

    private func authenticate(_ request: HTTPRequest) -> Role? {
        guard let header = request.header("authorization"), header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        let username = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard let account = accounts[username], account.password == password else { return nil }
        if let resellerID = account.resellerID { return .reseller(resellerID) }
        return .admin
    }

    private func unauthorized(_ request: HTTPRequest) -> HTTPResponse {
        var response = HAL.unauthorized()
        // With "Accept: application/json" NGCP relabels even this plain-text body.
        if request.header("accept") == "application/json" {
            response.headers = response.headers.map {
                $0.name == "Content-Type" ? ($0.name, "application/json") : $0
            }
        }
        return response
    }

    private func redirect(_ request: HTTPRequest, to path: String) -> HTTPResponse {
        let host = request.header("host") ?? "127.0.0.1"
        var location = "http://\(host)\(path)"
        if !request.query.isEmpty {
            location +=
                "?"
                + request.query.map {
                    HAL.encodeQueryComponent($0.name) + "=" + HAL.encodeQueryComponent($0.value)
                }.joined(separator: "&")
        }
        let page = """
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" \
            "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
                <html xmlns="http://www.w3.org/1999/xhtml">
                <head>
                <title>Moved</title>
                </head>
                <body>
               <p>This item has moved <a href="\(location)">here</a>.</p>
            </body>
            </html>

            """
        return HAL.html(301, page, headers: [("Location", location)])
    }

    private func apiRoot(_ request: HTTPRequest) -> HTTPResponse {
        if request.header("accept") == "application/json" {
            var collections: [String: JSONValue] = [:]
            for (name, resource) in resources {
                collections[name] = [
                    "collection_methods": .array(resource.collectionMethods.map { .string($0) }),
                    "item_methods": .array(resource.itemMethods.map { .string($0) }),
                ]
            }
            return HAL.json(200, .object(collections), contentType: "application/json")
        }
        let names = resources.keys.sorted().map { "<li>/api/\($0)/</li>" }.joined()
        return HAL.html(200, "<html><body><h1>NGCP REST API</h1><ul>\(names)</ul></body></html>")
    }

    private static let notFoundPage =
        "<!DOCTYPE HTML>\n<html><head><title>Not found</title></head>"
        + "<body><p>Page not found</p></body></html>\n"

    // MARK: Items

    private func item(
        _ resource: any Resource, idText: String, _ request: HTTPRequest, _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        guard !resource.itemMethods.isEmpty else { throw APIError.pathNotFound() }
        let allowed = ["GET", "OPTIONS", "HEAD"] + resource.itemMethods.filter { $0 != "GET" }
        if request.method == "OPTIONS" { return options(allowed) }
        guard allowed.contains(request.method) else { throw APIError.pathNotFound() }
        guard let id = Self.parseID(idText) else { throw APIError.invalidID() }

        switch request.method {
        case "GET", "HEAD":
            return try get(resource, id, request, context)
        case "PUT":
            return try put(resource, id, request, context)
        case "PATCH":
            return try patch(resource, id, request, context)
        case "DELETE":
            try store.write { (state: inout State) throws(APIError) in
                try requireVisible(resource, id, state, context)
                try resource.delete(id, in: &state, context: context)
            }
            return HTTPResponse(status: 204)
        default:
            throw APIError.pathNotFound()
        }
    }

    /// Accepts what NGCP's id check accepts (`^[+-]?\d+$`); a negative id is simply not found.
    private static func parseID(_ text: String) -> Int? {
        var digits = Substring(text)
        var sign = 1
        if let first = digits.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return (Int(digits) ?? Int.max) * sign
    }

    private func requireVisible(
        _ resource: any Resource, _ id: Int, _ state: State, _ context: RequestContext
    ) throws(APIError) {
        guard resource.representation(of: id, in: state, context: context) != nil else {
            throw APIError.entityNotFound(resource.entityName)
        }
    }

    private func renderItem(
        _ resource: any Resource, _ id: Int, _ state: State, _ context: RequestContext,
        status: Int, forGet: Bool, request: HTTPRequest
    ) throws(APIError) -> HTTPResponse {
        guard var fields = resource.representation(of: id, in: state, context: context) else {
            throw APIError.entityNotFound(resource.entityName)
        }
        let relations = resource.relations(of: id, in: state, context: context)
        fields["_links"] = HAL.itemLinks(resource: resource, id: id, relations: relations)
        var response = HAL.json(status, .object(fields), contentType: successContentType(request))
        if resource.sendsLinkHeaders {
            response.headers += HAL.linkHeaders(
                resource: resource, id: id, relations: relations, forGet: forGet)
        }
        return response
    }

    private func get(
        _ resource: any Resource, _ id: Int, _ request: HTTPRequest, _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        // NGCP's generic item handlers only produce JSON and fail on any other Accept.
        if resource.marksAllItemLinks, let accept = request.header("accept"),
            !accept.contains("*/*"), !accept.contains("application/json")
        {
            throw APIError(
                500, "Requested unknown type '\(accept)', supported types: application/json.")
        }
        return try store.read { (state: inout State) throws(APIError) -> HTTPResponse in
            try renderItem(
                resource, id, state, context, status: 200, forGet: true, request: request)
        }
    }

    private func wantsRepresentation(_ request: HTTPRequest) -> Bool {
        request.header("prefer")?.trimmingCharacters(in: .whitespaces) == "return=representation"
    }

    private func updated(
        _ resource: any Resource, _ id: Int, _ state: State, _ request: HTTPRequest,
        _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        guard wantsRepresentation(request) else { return HAL.noContent(preferenceApplied: true) }
        var response = try renderItem(
            resource, id, state, context, status: 200, forGet: false, request: request)
        response.headers.append(("Preference-Applied", "return=representation"))
        return response
    }

    private func put(
        _ resource: any Resource, _ id: Int, _ request: HTTPRequest, _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        // Hand-written NGCP handlers look the item up before they read the body.
        if resource is any LegacyResource {
            try store.read { (state: inout State) throws(APIError) in
                try requireVisible(resource, id, state, context)
            }
        }
        try BodyParsing.requireJSONMediaType(request)
        let body = try BodyParsing.parseObject(request.body)
        return try store.write { (state: inout State) throws(APIError) -> HTTPResponse in
            try requireVisible(resource, id, state, context)
            try resource.replace(id, with: body, in: &state, context: context)
            return try updated(resource, id, state, request, context)
        }
    }

    private func patch(
        _ resource: any Resource, _ id: Int, _ request: HTTPRequest, _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        try BodyParsing.requirePatchMediaType(request)
        let document = try BodyParsing.parse(request.body)
        let operations = try JSONPatch.validate(document, allowed: resource.patchOperations)
        return try store.write { (state: inout State) throws(APIError) -> HTTPResponse in
            guard let original = resource.patchDocument(of: id, in: state, context: context) else {
                throw APIError.entityNotFound(resource.entityName)
            }
            // An empty operation list makes the real server fail after the lookup.
            if operations.isEmpty { throw APIError.internalServerError() }
            let patched = try JSONPatch.apply(operations, to: .object(original))
            guard let patchedObject = patched.objectValue else {
                throw APIError(
                    422, "The entity could not be processed: the result is not an object")
            }
            try resource.applyPatched(
                id, document: patchedObject, original: original, in: &state, context: context)
            return try updated(resource, id, state, request, context)
        }
    }
}

/// Marks the resources whose PUT looks the item up before checking the body.
protocol LegacyResource {}

/// A resource whose collection GET is one document rather than a paged list.
protocol SingleDocumentResource: Resource {
    func document(in state: State, context: RequestContext) -> JSONValue
}
