/// A recursive-descent parser for the supported CEL subset.
///
/// Grammar, from lowest to highest precedence:
///
///     expr     = or ["?" or ":" expr]
///     or       = and {"||" and}
///     and      = relation {"&&" relation}
///     relation = addition {("<" | "<=" | ">" | ">=" | "==" | "!=" | "in") addition}
///     addition = multiply {("+" | "-") multiply}
///     multiply = unary {("*" | "/" | "%") unary}
///     unary    = member | "!" {"!"} member | "-" {"-"} member
///     member   = primary {"." IDENT ["(" [args] ")"] | "[" expr "]"}
///     primary  = ["."] IDENT ["(" [args] ")"] | "(" expr ")" | list | map | literal
///
/// Macros (`has`, `all`, `exists`, `exists_one`, `filter`, `map`) are expanded while parsing.
struct Parser {
    private let expression: String
    private let tokens: [Token]
    private let limits: CELLimits
    private var position = 0
    private var nesting = 0

    /// Identifiers that CEL reserves; they cannot name variables or functions.
    private static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
        "loop", "package", "namespace", "return", "var", "void", "while",
    ]

    static func parse(_ expression: String, limits: CELLimits) throws(CELError) -> Node {
        let length = expression.unicodeScalars.count
        guard length <= limits.maxExpressionLength else {
            throw CELError(
                .limit,
                "expression is \(length) characters long, more than the limit of "
                    + "\(limits.maxExpressionLength)",
                expression: expression, offset: limits.maxExpressionLength)
        }
        var parser = Parser(
            expression: expression, tokens: try Lexer.tokenize(expression), limits: limits)
        let node = try parser.parseExpression()
        guard case .end = parser.current.kind else {
            throw parser.unexpected(expected: "end of expression")
        }
        return node
    }

    private init(expression: String, tokens: [Token], limits: CELLimits) {
        self.expression = expression
        self.tokens = tokens
        self.limits = limits
    }

    // MARK: - Tokens

    private var current: Token { tokens[position] }

    private func isPunctuation(_ text: String) -> Bool {
        current.kind == .punctuation(text)
    }

    private mutating func consume(_ text: String) -> Bool {
        guard isPunctuation(text) else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ text: String) throws(CELError) {
        guard consume(text) else { throw unexpected(expected: "'\(text)'") }
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier(let name): return "'\(name)'"
        case .int, .double: return "number"
        case .string: return "string"
        case .punctuation(let text): return "'\(text)'"
        case .end: return "end of expression"
        }
    }

    private func unexpected(expected: String) -> CELError {
        let found = describe(current)
        return error("expected \(expected) but found \(found)", at: current.offset)
    }

    private func error(_ message: String, at offset: Int) -> CELError {
        CELError(.syntax, message, expression: expression, offset: offset)
    }

    /// Builds a node and checks that the tree stays within the nesting limit.
    private func node(_ kind: Node.Kind, at offset: Int, children: [Node] = []) throws(CELError)
        -> Node
    {
        let depth = 1 + (children.map(\.depth).max() ?? 0)
        guard depth <= limits.maxNesting else { throw nestingError(at: offset) }
        return Node(kind: kind, offset: offset, depth: depth)
    }

    private func nestingError(at offset: Int) -> CELError {
        CELError(
            .limit, "expression nests deeper than the limit of \(limits.maxNesting) levels",
            expression: expression, offset: offset)
    }

    // MARK: - Operators

    private mutating func parseExpression() throws(CELError) -> Node {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= limits.maxNesting else { throw nestingError(at: current.offset) }

        let condition = try parseOr()
        guard isPunctuation("?") else { return condition }
        let offset = current.offset
        position += 1
        let whenTrue = try parseOr()
        try expect(":")
        let whenFalse = try parseExpression()
        return try node(
            .conditional(condition, whenTrue, whenFalse), at: offset,
            children: [condition, whenTrue, whenFalse])
    }

    private mutating func parseOr() throws(CELError) -> Node {
        var left = try parseAnd()
        while isPunctuation("||") {
            let offset = current.offset
            position += 1
            let right = try parseAnd()
            left = try node(.or(left, right), at: offset, children: [left, right])
        }
        return left
    }

    private mutating func parseAnd() throws(CELError) -> Node {
        var left = try parseRelation()
        while isPunctuation("&&") {
            let offset = current.offset
            position += 1
            let right = try parseRelation()
            left = try node(.and(left, right), at: offset, children: [left, right])
        }
        return left
    }

    private mutating func parseRelation() throws(CELError) -> Node {
        var left = try parseAddition()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .punctuation("<"): op = .less
            case .punctuation("<="): op = .lessOrEqual
            case .punctuation(">"): op = .greater
            case .punctuation(">="): op = .greaterOrEqual
            case .punctuation("=="): op = .equal
            case .punctuation("!="): op = .notEqual
            case .identifier("in"): op = .in
            default: return left
            }
            let offset = current.offset
            position += 1
            let right = try parseAddition()
            left = try node(.binary(op, left, right), at: offset, children: [left, right])
        }
    }

    private mutating func parseAddition() throws(CELError) -> Node {
        var left = try parseMultiplication()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .punctuation("+"): op = .add
            case .punctuation("-"): op = .subtract
            default: return left
            }
            let offset = current.offset
            position += 1
            let right = try parseMultiplication()
            left = try node(.binary(op, left, right), at: offset, children: [left, right])
        }
    }

    private mutating func parseMultiplication() throws(CELError) -> Node {
        var left = try parseUnary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .punctuation("*"): op = .multiply
            case .punctuation("/"): op = .divide
            case .punctuation("%"): op = .remainder
            default: return left
            }
            let offset = current.offset
            position += 1
            let right = try parseUnary()
            left = try node(.binary(op, left, right), at: offset, children: [left, right])
        }
    }

    private mutating func parseUnary() throws(CELError) -> Node {
        let offset = current.offset
        if consume("!") {
            let operand = try parseUnaryOperand("!")
            return try node(.not(operand), at: offset, children: [operand])
        }
        if consume("-") {
            // A minus directly before an integer literal is part of the literal, so that the
            // smallest Int can be written.
            if case .int(let magnitude) = current.kind {
                position += 1
                guard magnitude <= UInt64(Int.max) + 1 else {
                    throw error("integer literal is out of range", at: offset)
                }
                let value = magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
                return try parseMemberSuffixes(try node(.literal(.int(value)), at: offset))
            }
            let operand = try parseUnaryOperand("-")
            return try node(.negate(operand), at: offset, children: [operand])
        }
        return try parseMember()
    }

    private mutating func parseUnaryOperand(_ op: String) throws(CELError) -> Node {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= limits.maxNesting else { throw nestingError(at: current.offset) }
        return try parseUnary()
    }

    // MARK: - Members and primaries

    private mutating func parseMember() throws(CELError) -> Node {
        try parseMemberSuffixes(try parsePrimary())
    }

    private mutating func parseMemberSuffixes(_ start: Node) throws(CELError) -> Node {
        var operand = start
        while true {
            if isPunctuation(".") {
                position += 1
                let nameOffset = current.offset
                guard case .identifier(let name) = current.kind else {
                    throw unexpected(expected: "a field or method name after '.'")
                }
                position += 1
                if isPunctuation("(") {
                    position += 1
                    let arguments = try parseArguments(closing: ")")
                    operand = try methodCall(
                        name, target: operand, arguments: arguments, at: nameOffset)
                } else {
                    operand = try node(
                        .select(operand, field: name), at: nameOffset, children: [operand])
                }
            } else if isPunctuation("[") {
                let offset = current.offset
                position += 1
                let key = try parseExpression()
                try expect("]")
                operand = try node(.index(operand, key), at: offset, children: [operand, key])
            } else {
                return operand
            }
        }
    }

    private mutating func parsePrimary() throws(CELError) -> Node {
        let token = current
        switch token.kind {
        case .int(let magnitude):
            position += 1
            guard magnitude <= UInt64(Int.max) else {
                throw error("integer literal is out of range", at: token.offset)
            }
            return try node(.literal(.int(Int(magnitude))), at: token.offset)
        case .double(let value):
            position += 1
            return try node(.literal(.double(value)), at: token.offset)
        case .string(let value):
            position += 1
            return try node(.literal(.string(value)), at: token.offset)
        case .identifier(let name):
            position += 1
            return try parseIdentifier(name, at: token.offset)
        case .punctuation("."):
            // A leading dot names a variable in the root scope; there are no nested scopes here
            // other than macro variables, which a leading dot skips.
            position += 1
            guard case .identifier(let name) = current.kind else {
                throw unexpected(expected: "an identifier after '.'")
            }
            let offset = current.offset
            position += 1
            return try parseIdentifier(name, at: offset)
        case .punctuation("("):
            position += 1
            let inner = try parseExpression()
            try expect(")")
            return inner
        case .punctuation("["):
            position += 1
            let items = try parseArguments(closing: "]")
            return try node(.list(items), at: token.offset, children: items)
        case .punctuation("{"):
            position += 1
            return try parseMap(at: token.offset)
        default:
            throw unexpected(expected: "an expression")
        }
    }

    private mutating func parseIdentifier(_ name: String, at offset: Int) throws(CELError)
        -> Node
    {
        switch name {
        case "true": return try node(.literal(.bool(true)), at: offset)
        case "false": return try node(.literal(.bool(false)), at: offset)
        case "null": return try node(.literal(.null), at: offset)
        case "in": throw error("unexpected 'in'", at: offset)
        default: break
        }
        guard !Self.reserved.contains(name) else {
            throw error("'\(name)' is a reserved word", at: offset)
        }
        guard isPunctuation("(") else { return try node(.identifier(name), at: offset) }

        position += 1
        let arguments = try parseArguments(closing: ")")
        if name == "has" {
            guard arguments.count == 1, case .select(let operand, let field) = arguments[0].kind
            else {
                throw error("has() needs one field selection such as has(a.b)", at: offset)
            }
            return try node(
                .presence(operand, field: field), at: offset, children: [operand])
        }
        return try node(
            .call(name, target: nil, arguments: arguments), at: offset, children: arguments)
    }

    /// Parses a comma-separated list up to `closing`; a trailing comma is allowed.
    private mutating func parseArguments(closing: String) throws(CELError) -> [Node] {
        var items: [Node] = []
        if consume(closing) { return items }
        while true {
            items.append(try parseExpression())
            if consume(closing) { return items }
            try expect(",")
            if consume(closing) { return items }
        }
    }

    private mutating func parseMap(at offset: Int) throws(CELError) -> Node {
        var entries: [MapEntry] = []
        var children: [Node] = []
        if !consume("}") {
            while true {
                let key = try parseExpression()
                try expect(":")
                let value = try parseExpression()
                entries.append(MapEntry(key: key, value: value))
                children += [key, value]
                if consume("}") { break }
                try expect(",")
                if consume("}") { break }
            }
        }
        return try node(.map(entries), at: offset, children: children)
    }

    /// Expands list macros; every other receiver call stays a call.
    private func methodCall(
        _ name: String, target: Node, arguments: [Node], at offset: Int
    ) throws(CELError) -> Node {
        guard let macro = Comprehension.Macro(rawValue: name) else {
            return try node(
                .call(name, target: target, arguments: arguments), at: offset,
                children: [target] + arguments)
        }

        let allowedCounts = macro == .map ? [2, 3] : [2]
        guard allowedCounts.contains(arguments.count) else {
            let expected = macro == .map ? "2 or 3 arguments" : "2 arguments"
            throw error("\(name)() takes \(expected), got \(arguments.count)", at: offset)
        }
        guard case .identifier(let variable) = arguments[0].kind else {
            throw error(
                "the first argument of \(name)() must be a variable name", at: arguments[0].offset)
        }

        let comprehension: Comprehension
        switch (macro, arguments.count) {
        case (.map, 2):
            comprehension = Comprehension(
                macro: .map, range: target, variable: variable, predicate: nil,
                transform: arguments[1])
        case (.map, _):
            comprehension = Comprehension(
                macro: .map, range: target, variable: variable, predicate: arguments[1],
                transform: arguments[2])
        default:
            comprehension = Comprehension(
                macro: macro, range: target, variable: variable, predicate: arguments[1],
                transform: nil)
        }
        return try node(
            .comprehension(comprehension), at: offset, children: [target] + arguments)
    }
}
