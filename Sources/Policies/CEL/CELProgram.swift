import Foundation
import NGCPCore

/// Bounds on one expression: its size when compiled and its work when evaluated.
public struct CELLimits: Sendable, Hashable {
    /// Maximum expression length in Unicode scalars.
    public var maxExpressionLength: Int
    /// Maximum nesting of the parsed expression (operators, calls, brackets).
    public var maxNesting: Int
    /// Maximum evaluation cost: one unit per evaluated node and per macro iteration, plus the
    /// element count of list searches and concatenations and a share of the length of string
    /// searches.
    public var maxCost: Int
    /// Maximum length of a regular expression pattern.
    public var maxPatternLength: Int
    /// Maximum length of a string that `matches` searches.
    public var maxMatchSubjectLength: Int

    public init(
        maxExpressionLength: Int = 4096, maxNesting: Int = 64, maxCost: Int = 100_000,
        maxPatternLength: Int = 512, maxMatchSubjectLength: Int = 4096
    ) {
        self.maxExpressionLength = maxExpressionLength
        self.maxNesting = maxNesting
        self.maxCost = maxCost
        self.maxPatternLength = maxPatternLength
        self.maxMatchSubjectLength = maxMatchSubjectLength
    }
}

/// A compiled regular expression, shared between evaluations.
///
/// NSRegularExpression is immutable after creation and documented as safe to use from several
/// threads, so sharing it is sound.
final class CompiledPattern: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ regex: NSRegularExpression) {
        self.regex = regex
    }

    func matches(_ subject: String) -> Bool {
        let range = NSRange(subject.startIndex..<subject.endIndex, in: subject)
        return regex.firstMatch(in: subject, options: [], range: range) != nil
    }
}

/// A parsed and checked CEL expression, ready to evaluate any number of times.
public struct CELProgram: Sendable {
    public let expression: String
    public let limits: CELLimits
    let root: Node
    /// Regular expressions written as literals, compiled once here.
    let patterns: [String: CompiledPattern]

    /// Global functions (called as `f(x)`) and receiver functions (called as `x.f()`).
    static let globalFunctions: Set<String> = [
        "size", "int", "double", "string", "bool", "type", "dyn", "matches", "e164",
    ]
    static let receiverFunctions: Set<String> = [
        "size", "startsWith", "endsWith", "contains", "matches", "lowerAscii", "upperAscii",
        "flatten", "split", "join", "trim", "replace", "substring", "indexOf",
    ]
    static let typeNames: [String: CELType] = Dictionary(
        uniqueKeysWithValues: CELType.allCases.map { ($0.rawValue, $0) })

    /// Parses `expression` and checks it.
    ///
    /// - Parameter variables: the names the expression may use; nil allows any name and
    ///   reports an unknown one only when it is evaluated.
    public init(
        _ expression: String, variables: Set<String>? = nil, limits: CELLimits = CELLimits()
    ) throws(CELError) {
        self.expression = expression
        self.limits = limits
        root = try Parser.parse(expression, limits: limits)

        var checker = Checker(expression: expression, variables: variables, limits: limits)
        try checker.check(root, scope: [])
        patterns = checker.patterns
    }

    /// Evaluates the expression with the given variables.
    public func evaluate(_ variables: [String: CELValue]) throws(CELError) -> CELValue {
        let evaluator = Evaluator(program: self, variables: variables)
        return try evaluator.evaluate(root)
    }

    /// Evaluates the expression with JSON variables and returns JSON.
    public func evaluate(json variables: [String: JSONValue]) throws(CELError) -> JSONValue {
        try evaluate(variables.mapValues(CELValue.init)).json
    }

    static func compilePattern(
        _ pattern: String, limits: CELLimits, expression: String, offset: Int
    ) throws(CELError) -> CompiledPattern {
        let length = pattern.unicodeScalars.count
        guard length <= limits.maxPatternLength else {
            throw CELError(
                .limit,
                "regular expression is \(length) characters long, more than the limit of "
                    + "\(limits.maxPatternLength)",
                expression: expression, offset: offset)
        }
        if hasNestedQuantifier(pattern) {
            throw CELError(
                .syntax,
                "regular expression '\(pattern)' repeats a group that itself repeats, such as"
                    + " (a+)+, which can take exponential time; rewrite it without the nesting",
                expression: expression, offset: offset)
        }
        do {
            return CompiledPattern(try NSRegularExpression(pattern: pattern))
        } catch {
            throw CELError(
                .syntax, "invalid regular expression '\(pattern)'", expression: expression,
                offset: offset)
        }
    }
}

/// True when a group that contains `*`, `+` or `{` is itself followed by `*`, `+` or `{`.
///
/// NSRegularExpression backtracks and has no time limit, and such nesting is the usual cause
/// of exponential matching time. NOTE: this catches the common forms only; alternations of
/// overlapping branches under a quantifier, such as (a|a)*, can still be slow.
func hasNestedQuantifier(_ pattern: String) -> Bool {
    let scalars = Array(pattern.unicodeScalars)
    // For each open group, whether it contains a quantifier so far.
    var groups: [Bool] = []
    var index = 0
    var inClass = false

    while index < scalars.count {
        let scalar = scalars[index]
        if scalar == "\\" {
            index += 2
            continue
        }
        if inClass {
            if scalar == "]" { inClass = false }
            index += 1
            continue
        }

        switch scalar {
        case "[":
            inClass = true
        case "(":
            groups.append(false)
        case ")":
            let repeated = groups.popLast() ?? false
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            let quantified = next == "*" || next == "+" || next == "{"
            if repeated && quantified { return true }
            if repeated || quantified, !groups.isEmpty { groups[groups.count - 1] = true }
        case "*", "+", "{":
            if !groups.isEmpty { groups[groups.count - 1] = true }
        default:
            break
        }
        index += 1
    }
    return false
}

/// Checks names and compiles literal patterns after parsing.
private struct Checker {
    let expression: String
    let variables: Set<String>?
    let limits: CELLimits
    var patterns: [String: CompiledPattern] = [:]

    init(expression: String, variables: Set<String>?, limits: CELLimits) {
        self.expression = expression
        self.variables = variables
        self.limits = limits
    }

    private func error(_ message: String, at offset: Int) -> CELError {
        CELError(.syntax, message, expression: expression, offset: offset)
    }

    mutating func check(_ node: Node, scope: [String]) throws(CELError) {
        switch node.kind {
        case .literal:
            return
        case .identifier(let name):
            guard let variables, !scope.contains(name), !variables.contains(name),
                CELProgram.typeNames[name] == nil
            else { return }
            var message = "undeclared reference to '\(name)'"
            if let suggestion = closestName(to: name, in: variables.union(scope)) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw error(message, at: node.offset)
        case .select(let operand, _), .presence(let operand, _), .not(let operand),
            .negate(let operand):
            try check(operand, scope: scope)
        case .index(let operand, let key):
            try check(operand, scope: scope)
            try check(key, scope: scope)
        case .call(let name, let target, let arguments):
            try checkCall(name, target: target, arguments: arguments, at: node.offset)
            if let target { try check(target, scope: scope) }
            for argument in arguments { try check(argument, scope: scope) }
        case .list(let items):
            for item in items { try check(item, scope: scope) }
        case .map(let entries):
            for entry in entries {
                try check(entry.key, scope: scope)
                try check(entry.value, scope: scope)
            }
        case .binary(_, let left, let right), .and(let left, let right),
            .or(let left, let right):
            try check(left, scope: scope)
            try check(right, scope: scope)
        case .conditional(let condition, let whenTrue, let whenFalse):
            try check(condition, scope: scope)
            try check(whenTrue, scope: scope)
            try check(whenFalse, scope: scope)
        case .comprehension(let comprehension):
            try check(comprehension.range, scope: scope)
            let inner = scope + [comprehension.variable]
            if let predicate = comprehension.predicate { try check(predicate, scope: inner) }
            if let transform = comprehension.transform { try check(transform, scope: inner) }
        }
    }

    private mutating func checkCall(
        _ name: String, target: Node?, arguments: [Node], at offset: Int
    ) throws(CELError) {
        let known =
            target == nil
            ? CELProgram.globalFunctions.contains(name)
            : CELProgram.receiverFunctions.contains(name)
        guard known else {
            let style = target == nil ? "function" : "method"
            let candidates =
                target == nil ? CELProgram.globalFunctions : CELProgram.receiverFunctions
            var message = "undeclared \(style) '\(name)'"
            if let suggestion = closestName(to: name, in: candidates) {
                message += "; did you mean '\(suggestion)'?"
            }
            throw error(message, at: offset)
        }

        // The pattern is the last argument of both matches(s, re) and s.matches(re).
        if name == "matches", let pattern = arguments.last,
            case .literal(.string(let text)) = pattern.kind, patterns[text] == nil
        {
            patterns[text] = try CELProgram.compilePattern(
                text, limits: limits, expression: expression, offset: pattern.offset)
        }
    }
}

/// Returns the candidate nearest to `name` by edit distance, when it is close enough to be a
/// typo.
func closestName(to name: String, in candidates: some Collection<String>) -> String? {
    let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
    return best.1 <= max(1, name.count / 3) ? best.0 : nil
}

/// Computes the Levenshtein distance between two strings, counted in characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var row = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            row[j] = min(previous[j] + 1, row[j - 1] + 1, substitution)
        }
        previous = row
    }
    return previous[b.count]
}

extension CELProgram {
    /// True when the expression reads the variable `name` outside any macro that rebinds it.
    public func references(_ name: String) -> Bool {
        Self.references(name, in: root)
    }

    private static func references(_ name: String, in node: Node) -> Bool {
        switch node.kind {
        case .literal:
            return false
        case .identifier(let identifier):
            return identifier == name
        case .select(let operand, _), .presence(let operand, _), .not(let operand),
            .negate(let operand):
            return references(name, in: operand)
        case .index(let left, let right), .binary(_, let left, let right),
            .and(let left, let right),
            .or(let left, let right):
            return references(name, in: left) || references(name, in: right)
        case .call(_, let target, let arguments):
            return (target.map { references(name, in: $0) } ?? false)
                || arguments.contains { references(name, in: $0) }
        case .list(let items):
            return items.contains { references(name, in: $0) }
        case .map(let entries):
            return entries.contains {
                references(name, in: $0.key) || references(name, in: $0.value)
            }
        case .conditional(let condition, let whenTrue, let whenFalse):
            return references(name, in: condition) || references(name, in: whenTrue)
                || references(name, in: whenFalse)
        case .comprehension(let comprehension):
            if references(name, in: comprehension.range) { return true }
            guard comprehension.variable != name else { return false }
            return (comprehension.predicate.map { references(name, in: $0) } ?? false)
                || (comprehension.transform.map { references(name, in: $0) } ?? false)
        }
    }
}
