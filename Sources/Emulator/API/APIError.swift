import NGCPCore

/// An error response in NGCP's shape: `{"code": N, "message": "..."}`.
struct APIError: Error, Sendable {
    let status: Int
    let message: String

    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    static func internalServerError() -> APIError {
        APIError(500, "Internal Server Error")
    }

    static func pathNotFound() -> APIError {
        APIError(404, "Path not found")
    }

    static func entityNotFound(_ name: String) -> APIError {
        APIError(404, "Entity '\(name)' not found.")
    }

    static func invalidID() -> APIError {
        APIError(400, "Invalid id in request URI")
    }

    /// A form validation failure for one field, with the input echoed like NGCP does.
    static func validation(field: String, input: String, errors: String) -> APIError {
        validation([validationText(field: field, input: input, errors: errors)])
    }

    static func validationText(field: String, input: String, errors: String) -> String {
        "field='\(field)', input='\(input)', errors='\(errors)'"
    }

    /// Several field failures joined the way NGCP joins them.
    static func validation(_ parts: [String]) -> APIError {
        APIError(422, "Validation failed. " + parts.joined(separator: "; "))
    }

    static func unprocessable(_ message: String) -> APIError {
        APIError(422, message)
    }

    var body: JSONValue {
        ["code": .int(status), "message": .string(message)]
    }
}

/// Collects field failures so that one 422 can name all of them.
struct ValidationErrors {
    private(set) var parts: [String] = []

    mutating func add(field: String, input: String, errors: String) {
        parts.append(APIError.validationText(field: field, input: input, errors: errors))
    }

    func check() throws(APIError) {
        if !parts.isEmpty { throw APIError.validation(parts) }
    }
}
