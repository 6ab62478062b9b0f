import NGCPCore

/// HAL envelopes and response helpers shared by every resource.
enum HAL {
    static let profile = "http://purl.org/sipwise/ngcp-api/"
    static let halContentType =
        "application/hal+json; profile=\"http://purl.org/sipwise/ngcp-api/\"; charset=utf-8"
    static let curies: JSONValue = [
        "href": "http://purl.org/sipwise/ngcp-api/#rel-{rel}", "name": "ngcp", "templated": true,
    ]

    /// The `_links` of one item: standard relations plus the resource's own, arrays forced.
    static func itemLinks(resource: any Resource, id: Int, relations: [Relation]) -> JSONValue {
        let selfHref = "/api/\(resource.name)/\(id)"
        var links: [String: JSONValue] = [
            "self": ["href": .string(selfHref)],
            "collection": ["href": .string("/api/\(resource.name)/")],
            "profile": ["href": .string(profile)],
            "curies": curies,
        ]
        for relation in allRelations(resource: resource, id: id, relations: relations) {
            links["ngcp:\(relation.name)"] = .array(
                relation.hrefs.map { ["href": .string($0)] })
        }
        return .object(links)
    }

    private static func allRelations(resource: any Resource, id: Int, relations: [Relation])
        -> [Relation]
    {
        var all: [Relation] = []
        if resource.hasSelfRelation {
            all.append(Relation(resource.name, "/api/\(resource.name)/\(id)"))
        }
        all += relations
        if resource.hasJournal {
            all.append(Relation("journal", "/api/\(resource.name)/\(id)/journal/"))
        }
        return all
    }

    /// HTTP Link headers for an item response. A GET marks `self` (and, for generic handlers,
    /// every relation) with "item"; representations returned by PUT or PATCH do not.
    static func linkHeaders(
        resource: any Resource, id: Int, relations: [Relation], forGet: Bool
    ) -> [(name: String, value: String)] {
        var values = [
            "</api/\(resource.name)/>; rel=collection",
            "<\(profile)>; rel=profile",
            forGet
                ? "</api/\(resource.name)/\(id)>; rel=\"item self\""
                : "</api/\(resource.name)/\(id)>; rel=self",
        ]
        let prefix = forGet && resource.marksAllItemLinks ? "item " : ""
        for relation in allRelations(resource: resource, id: id, relations: relations) {
            for href in relation.hrefs {
                values.append("<\(href)>; rel=\"\(prefix)\(profile)#rel-\(relation.name)\"")
            }
        }
        return values.map { ("Link", $0) }
    }

    static func json(_ status: Int, _ body: JSONValue, contentType: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", contentType)],
            body: JSONWriter.bytes(body))
    }

    static func error(_ error: APIError) -> HTTPResponse {
        json(error.status, error.body, contentType: "application/json")
    }

    static func created(location: String) -> HTTPResponse {
        HTTPResponse(status: 201, headers: [("Location", location)])
    }

    static func noContent(preferenceApplied: Bool) -> HTTPResponse {
        HTTPResponse(
            status: 204,
            headers: preferenceApplied ? [("Preference-Applied", "return=minimal")] : [])
    }

    static func unauthorized() -> HTTPResponse {
        HTTPResponse(
            status: 401,
            headers: [
                ("WWW-Authenticate", "Basic realm=\"api_admin_http\""),
                ("Content-Type", "text/plain; charset=UTF-8"),
            ],
            body: Array("Authorization required.".utf8))
    }

    static func html(_ status: Int, _ text: String, headers: [(String, String)] = [])
        -> HTTPResponse
    {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", "text/html; charset=utf-8")] + headers.map { ($0.0, $0.1) },
            body: Array(text.utf8))
    }

    /// Percent-encodes the characters that would break a query string.
    static func encodeQueryComponent(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "#"), UInt8(ascii: "+"),
                UInt8(ascii: "%"), UInt8(ascii: " "), 0..<0x20, 0x7F...0xFF:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (byte < 16 ? "0" + hex : hex)
            default:
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }
}
