import NGCPCore

/// Request body checks in the order ngcp-panel applies them.
enum BodyParsing {
    static let malformedPrefix = "The entity is not a well-formed 'application/json' document."

    /// Checks the Content-Type of a POST or PUT (prefix match, case-sensitive like NGCP).
    static func requireJSONMediaType(_ request: HTTPRequest) throws(APIError) {
        let type = request.header("content-type")
        guard let type, type.hasPrefix("application/json") else {
            throw APIError(
                415,
                "Unsupported media type '\(type ?? "undefined")', accepting application/json only."
            )
        }
    }

    static func requirePatchMediaType(_ request: HTTPRequest) throws(APIError) {
        let type = request.header("content-type")
        guard let type, type.hasPrefix("application/json-patch+json") else {
            throw APIError(
                415,
                "Unsupported media type '\(type ?? "undefined")', accepting "
                    + "application/json-patch+json only.")
        }
    }

    /// Parses the body as JSON; only arrays and objects are accepted at the top level.
    static func parse(_ body: [UInt8]) throws(APIError) -> JSONValue {
        let isBlank = body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if isBlank {
            throw APIError(400, malformedPrefix + " Malformed JSON: Missing or empty input")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            let detail = JSONSyntaxDiagnosis.describe(body) ?? error.message
            throw APIError(400, malformedPrefix + " Malformed JSON: " + detail)
        }
        switch value {
        case .object, .array:
            return value
        default:
            throw APIError(400, malformedPrefix + " Malformed JSON: Expected array or object")
        }
    }

    /// Parses a POST or PUT body, which must be an object. A JSON array makes the real server
    /// fail internally, and that 500 is reproduced on purpose.
    static func parseObject(_ body: [UInt8]) throws(APIError) -> [String: JSONValue] {
        let value = try parse(body)
        guard let object = value.objectValue else { throw APIError.internalServerError() }
        return object
    }
}

/// Describes the first JSON syntax error in the words ngcp-panel's validator uses, with a
/// 1-based line and a 0-based byte offset.
enum JSONSyntaxDiagnosis {
    static func describe(_ bytes: [UInt8]) -> String? {
        var scanner = Scanner(bytes: bytes)
        do throws(Failure) {
            scanner.skipSpace()
            try scanner.value()
            scanner.skipSpace()
            if scanner.position < bytes.count {
                throw scanner.failure("Unexpected data after JSON value")
            }
            // The scan found nothing wrong, so the parser objected to something else
            // (a duplicate key, for instance).
            return nil
        } catch {
            return error.text
        }
    }

    private struct Failure: Error {
        let text: String
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) {
                position += 1
            }
        }

        func failure(_ what: String) -> Failure {
            let line = bytes[0..<min(position, bytes.count)].filter { $0 == 0x0A }.count + 1
            return Failure(text: "\(what) at line \(line), offset \(position)")
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func value() throws(Failure) {
            switch current {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case let byte? where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte):
                number()
            default: throw failure("Unexpected character while parsing value")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            for byte in word.utf8 {
                guard current == byte else { throw failure("Unexpected character in literal") }
                position += 1
            }
        }

        mutating func number() {
            while let byte = current, "+-0123456789.eE".utf8.contains(byte) { position += 1 }
        }

        mutating func string() throws(Failure) {
            position += 1
            while let byte = current {
                position += 1
                if byte == UInt8(ascii: "\\") {
                    position += 1
                } else if byte == UInt8(ascii: "\"") {
                    return
                }
            }
            throw failure("Unterminated string")
        }

        mutating func object() throws(Failure) {
            position += 1
            skipSpace()
            if current == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else {
                    throw failure("Expected string while parsing object")
                }
                try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else {
                    throw failure("Expected colon while parsing object")
                }
                position += 1
                skipSpace()
                try value()
                skipSpace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if current == UInt8(ascii: "}") {
                    position += 1
                    return
                }
                throw failure("Expected comma or right curly bracket while parsing object")
            }
        }

        mutating func array() throws(Failure) {
            position += 1
            skipSpace()
            if current == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                skipSpace()
                try value()
                skipSpace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if current == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                throw failure("Expected comma or right square bracket while parsing array")
            }
        }
    }
}
