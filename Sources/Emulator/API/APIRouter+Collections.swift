import NGCPCore

/// Collection requests: listing with paging, filters and ordering, OPTIONS and POST.
extension APIRouter {

    func collection(
        _ resource: any Resource, _ request: HTTPRequest, _ context: RequestContext
    ) throws(APIError) -> HTTPResponse {
        let allowed = resource.collectionMethods + ["OPTIONS", "HEAD"]
        switch request.method {
        case "OPTIONS":
            return options(
                allowed,
                extra: [
                    (
                        "Accept-Post",
                        "application/hal+json; profile=\(HAL.profile)#rel-\(resource.name)"
                    )
                ])
        case "GET" where allowed.contains("GET"), "HEAD" where allowed.contains("GET"):
            return try list(resource, request, context)
        case "POST" where allowed.contains("POST"):
            try BodyParsing.requireJSONMediaType(request)
            let body = try BodyParsing.parseObject(request.body)
            let id = try store.write { (state: inout State) throws(APIError) -> Int in
                try resource.create(body, in: &state, context: context)
            }
            return HAL.created(location: "/api/\(resource.name)/\(id)")
        default:
            throw APIError.pathNotFound()
        }
    }

    func options(_ methods: [String], extra: [(String, String)] = []) -> HTTPResponse {
        var response = HAL.json(
            200, ["methods": .array(methods.map { .string($0) })],
            contentType: "application/json")
        response.headers.append(("Allow", methods.joined(separator: ", ")))
        response.headers += extra.map { ($0.0, $0.1) }
        return response
    }

    func successContentType(_ request: HTTPRequest) -> String {
        request.header("accept") == "application/json" ? "application/json" : HAL.halContentType
    }

    /// Reads `page` or `rows`: absent gives the default, 0 is a 400, and anything that is not
    /// a number (negative values included) makes the real server fail with a 500.
    func pagingValue(_ name: String, default fallback: Int, _ request: HTTPRequest)
        throws(APIError) -> Int
    {
        guard let text = request.queryValue(name) else { return fallback }
        guard let value = Int(text), value >= 0 else { throw APIError.internalServerError() }
        if value == 0 {
            throw APIError(
                400, "Query parameters 'page' and 'rows', when specified, must be greater than 0.")
        }
        // Capped so that page * rows cannot overflow; no collection is that large.
        return min(value, 1_000_000_000)
    }

    func list(_ resource: any Resource, _ request: HTTPRequest, _ context: RequestContext)
        throws(APIError) -> HTTPResponse
    {
        let page = try pagingValue("page", default: 1, request)
        let rows = try pagingValue("rows", default: 10, request)
        if let special = resource as? any SingleDocumentResource {
            let body = try store.read { (state: inout State) throws(APIError) -> JSONValue in
                special.document(in: state, context: context)
            }
            return HAL.json(200, body, contentType: successContentType(request))
        }

        let body = try store.read { (state: inout State) throws(APIError) -> JSONValue in
            var ids = resource.matchingIDs(in: &state, context: context)
            ids = order(ids, resource, state, context)
            let total = ids.count
            let start = min((page - 1) * rows, total)
            let end = min(start + rows, total)
            var items: [JSONValue] = []
            items.reserveCapacity(end - start)
            for id in ids[start..<end] {
                guard var fields = resource.representation(of: id, in: state, context: context)
                else { continue }
                let relations = resource.relations(of: id, in: state, context: context)
                fields["_links"] = HAL.itemLinks(resource: resource, id: id, relations: relations)
                items.append(.object(fields))
            }
            return collectionBody(
                resource, items: items, ids: Array(ids[start..<end]), total: total, page: page,
                rows: rows, request: request)
        }
        return HAL.json(200, body, contentType: successContentType(request))
    }

    func order(
        _ ids: [Int], _ resource: any Resource, _ state: State, _ context: RequestContext
    ) -> [Int] {
        let descending = context.query.value("order_by_direction")?.lowercased() == "desc"
        guard let column = context.query.value("order_by"), column != "id" else {
            return descending ? ids.reversed() : ids
        }
        var keyed: [(id: Int, key: JSONValue?)] = ids.map { id in
            (id, resource.representation(of: id, in: state, context: context)?[column])
        }
        // Only real columns order the list; an unknown name leaves the id order.
        guard keyed.contains(where: { $0.key != nil }) else { return ids }
        keyed.sort { left, right in
            let comparison = Self.compare(left.key, right.key)
            if comparison == 0 { return left.id < right.id }
            return descending ? comparison > 0 : comparison < 0
        }
        return keyed.map(\.id)
    }

    /// Orders like MySQL: NULL first, numbers numerically, strings case-insensitively.
    static func compare(_ left: JSONValue?, _ right: JSONValue?) -> Int {
        switch (left, right) {
        case (nil, nil), (.null?, .null?), (nil, .null?), (.null?, nil): return 0
        case (nil, _), (.null?, _): return -1
        case (_, nil), (_, .null?): return 1
        case (.int(let a)?, .int(let b)?): return a == b ? 0 : (a < b ? -1 : 1)
        default:
            let a = Self.sortText(left)
            let b = Self.sortText(right)
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    static func sortText(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text.lowercased()
        case let other?: return other.serialized()
        case nil: return ""
        }
    }

    func collectionBody(
        _ resource: any Resource, items: [JSONValue], ids: [Int], total: Int, page: Int, rows: Int,
        request: HTTPRequest
    ) -> JSONValue {
        let extra = request.query.filter { $0.name != "page" && $0.name != "rows" }
            .map {
                "&" + HAL.encodeQueryComponent($0.name) + "=" + HAL.encodeQueryComponent($0.value)
            }
            .joined()
        func href(_ page: Int) -> JSONValue {
            ["href": .string("/api/\(resource.name)/?page=\(page)&rows=\(rows)\(extra)")]
        }
        var links: [String: JSONValue] = [
            "self": href(page), "profile": ["href": .string(HAL.profile)], "curies": HAL.curies,
        ]
        if total > page * rows { links["next"] = href(page + 1) }
        if page > 1 { links["prev"] = href(page - 1) }
        var body: [String: JSONValue] = ["total_count": .int(total)]
        // no_count skips the count: total_count is null, and next still shows more rows.
        let noCount = request.queryValue("no_count")
        if noCount == "1" || noCount?.lowercased() == "true" { body["total_count"] = .null }
        if !items.isEmpty {
            links["ngcp:\(resource.name)"] = .array(
                ids.map { ["href": .string("/api/\(resource.name)/\($0)")] })
            body["_embedded"] = ["ngcp:\(resource.name)": .array(items)]
        }
        body["_links"] = .object(links)
        return .object(body)
    }
}
