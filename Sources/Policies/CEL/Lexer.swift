/// A token of a CEL expression with its 0-based offset in Unicode scalars.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        /// An unsigned magnitude, so that `-9223372036854775808` can be negated by the parser.
        case int(UInt64)
        case double(Double)
        case string(String)
        case punctuation(String)
        case end
    }

    let kind: Kind
    let offset: Int
}

/// Splits an expression into tokens; `//` comments and whitespace are skipped.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let expression: String
    private var position = 0

    init(_ expression: String) {
        self.expression = expression
        self.scalars = Array(expression.unicodeScalars)
    }

    static func tokenize(_ expression: String) throws(CELError) -> [Token] {
        var lexer = Lexer(expression)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }

    private func error(_ message: String, at offset: Int) -> CELError {
        CELError(.syntax, message, expression: expression, offset: offset)
    }

    mutating func next() throws(CELError) -> Token {
        skipWhitespaceAndComments()
        let start = position
        guard let scalar = peek() else { return Token(kind: .end, offset: start) }

        if isIdentifierStart(scalar) {
            // A quote right after r/R or b/B starts a raw or bytes string literal.
            if let quote = peek(1), quote == "\"" || quote == "'" {
                if scalar == "r" || scalar == "R" {
                    position += 1
                    return Token(kind: .string(try string(raw: true, start: start)), offset: start)
                }
                if scalar == "b" || scalar == "B" {
                    throw error("bytes literals are not supported", at: start)
                }
            }
            var name = ""
            while let next = peek(), isIdentifierStart(next) || isDigit(next) {
                name.unicodeScalars.append(next)
                position += 1
            }
            return Token(kind: .identifier(name), offset: start)
        }

        if isDigit(scalar) || (scalar == "." && peek(1).map(isDigit) == true) {
            return try number(start: start)
        }

        if scalar == "\"" || scalar == "'" {
            return Token(kind: .string(try string(raw: false, start: start)), offset: start)
        }

        return Token(kind: .punctuation(try punctuation(start: start)), offset: start)
    }

    private mutating func skipWhitespaceAndComments() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                position += 1
            } else if scalar == "/" && peek(1) == "/" {
                while let next = peek(), next != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func punctuation(start: Int) throws(CELError) -> String {
        guard let first = peek() else { throw error("unexpected end of expression", at: start) }
        let pair = String(first) + (peek(1).map { String($0) } ?? "")
        if ["<=", ">=", "==", "!=", "&&", "||"].contains(pair) {
            position += 2
            return pair
        }
        let single = String(first)
        if "()[]{}.,:?+-*/%!<>".unicodeScalars.contains(first) {
            position += 1
            return single
        }
        switch first {
        case "=": throw error("unexpected '='; use '==' to compare values", at: start)
        case "&": throw error("unexpected '&'; use '&&' for logical and", at: start)
        case "|": throw error("unexpected '|'; use '||' for logical or", at: start)
        default: throw error("unexpected character '\(single)'", at: start)
        }
    }

    private mutating func number(start: Int) throws(CELError) -> Token {
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            position += 2
            var digits = ""
            while let next = peek(), next.properties.isASCIIHexDigit {
                digits.unicodeScalars.append(next)
                position += 1
            }
            guard !digits.isEmpty else {
                throw error("hexadecimal literal has no digits", at: start)
            }
            guard let value = UInt64(digits, radix: 16) else {
                throw error("integer literal '0x\(digits)' is out of range", at: start)
            }
            try rejectUnsignedSuffix(start: start)
            return Token(kind: .int(value), offset: start)
        }

        var text = ""
        var isDouble = false
        appendDigits(to: &text)
        if peek() == ".", peek(1).map(isDigit) == true {
            isDouble = true
            text += "."
            position += 1
            appendDigits(to: &text)
        }
        if peek() == "e" || peek() == "E" {
            var exponent = "e"
            var ahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                ahead = 2
            }
            if peek(ahead).map(isDigit) == true {
                isDouble = true
                position += ahead
                text += exponent
                appendDigits(to: &text)
            }
        }

        if isDouble {
            guard let value = Double(text.hasPrefix(".") ? "0" + text : text) else {
                throw error("invalid number '\(text)'", at: start)
            }
            return Token(kind: .double(value), offset: start)
        }
        guard let value = UInt64(text) else {
            throw error("integer literal '\(text)' is out of range", at: start)
        }
        try rejectUnsignedSuffix(start: start)
        return Token(kind: .int(value), offset: start)
    }

    private mutating func rejectUnsignedSuffix(start: Int) throws(CELError) {
        if peek() == "u" || peek() == "U" {
            throw error("unsigned integer literals are not supported", at: start)
        }
    }

    private mutating func appendDigits(to text: inout String) {
        while let next = peek(), isDigit(next) {
            text.unicodeScalars.append(next)
            position += 1
        }
    }

    private mutating func string(raw: Bool, start: Int) throws(CELError) -> String {
        guard let quote = peek() else { throw error("unterminated string literal", at: start) }
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1

        var value = ""
        while true {
            guard let scalar = peek() else { throw error("unterminated string literal", at: start) }
            if scalar == quote {
                if !triple {
                    position += 1
                    return value
                }
                if peek(1) == quote && peek(2) == quote {
                    position += 3
                    return value
                }
            }
            if !triple && (scalar == "\n" || scalar == "\r") {
                throw error("unterminated string literal", at: start)
            }
            if scalar == "\\" && !raw {
                value.unicodeScalars.append(try escape())
                continue
            }
            value.unicodeScalars.append(scalar)
            position += 1
        }
    }

    /// Decodes the escape sequence at the current backslash.
    private mutating func escape() throws(CELError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let kind = peek() else { throw error("unterminated string literal", at: start) }
        position += 1

        switch kind {
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        case "\\", "'", "\"", "`", "?": return kind
        case "x", "X": return try codePoint(digits: 2, radix: 16, start: start)
        case "u": return try codePoint(digits: 4, radix: 16, start: start)
        case "U": return try codePoint(digits: 8, radix: 16, start: start)
        case "0"..."3":
            position -= 1
            return try codePoint(digits: 3, radix: 8, start: start)
        default: throw error("invalid escape sequence '\\\(kind)'", at: start)
        }
    }

    private mutating func codePoint(digits: Int, radix: Int, start: Int) throws(CELError)
        -> Unicode.Scalar
    {
        var text = ""
        for _ in 0..<digits {
            guard let next = peek() else { break }
            text.unicodeScalars.append(next)
            position += 1
        }
        guard text.count == digits, let value = UInt32(text, radix: radix),
            let scalar = Unicode.Scalar(value)
        else {
            throw error("invalid escape sequence", at: start)
        }
        return scalar
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }
}
