/// One evaluation of a program: the variables, the macro variables in scope and the cost spent.
final class Evaluator {
    let program: CELProgram
    private let variables: [String: CELValue]
    private var locals: [(name: String, value: CELValue)] = []
    private var cost = 0

    init(program: CELProgram, variables: [String: CELValue]) {
        self.program = program
        self.variables = variables
    }

    var expression: String { program.expression }

    func error(_ message: String, at node: Node) -> CELError {
        CELError(.evaluation, message, expression: expression, offset: node.offset)
    }

    func noOverload(_ function: String, _ values: [CELValue], at node: Node) -> CELError {
        .noMatchingOverload(
            function, values.map(\.type), expression: expression, offset: node.offset)
    }

    /// Adds `units` to the cost and fails once the limit is passed.
    func charge(_ units: Int, at node: Node) throws(CELError) {
        cost += units
        guard cost <= program.limits.maxCost else {
            throw CELError(
                .limit,
                "evaluation cost exceeds the limit of \(program.limits.maxCost) steps",
                expression: expression, offset: node.offset)
        }
    }

    /// Evaluates `node` and returns its value or its error, so that `&&`, `||` and the
    /// `all`/`exists` macros can let a definite operand decide despite an error in another.
    /// Limit errors are never absorbed this way.
    private func attempt(_ node: Node) throws(CELError) -> Result<CELValue, CELError> {
        do {
            return .success(try evaluate(node))
        } catch {
            if error.kind == .limit { throw error }
            return .failure(error)
        }
    }

    func evaluate(_ node: Node) throws(CELError) -> CELValue {
        try charge(1, at: node)

        switch node.kind {
        case .literal(let value):
            return value
        case .identifier(let name):
            return try resolve(name, at: node)
        case .select(let operand, let field):
            return try select(field, from: try evaluate(operand), at: node)
        case .presence(let operand, let field):
            let value = try evaluate(operand)
            guard case .map(let members) = value else {
                throw error(
                    "has() cannot test field '\(field)' on a value of type \(value.type.rawValue)",
                    at: node)
            }
            return .bool(members[field] != nil)
        case .index(let operand, let key):
            return try index(try evaluate(operand), try evaluate(key), at: node)
        case .call(let name, let target, let arguments):
            let receiver = try target.map { (target) throws(CELError) in try evaluate(target) }
            var values: [CELValue] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            return try call(
                name, receiver: receiver, arguments: values, argumentNodes: arguments, at: node)
        case .list(let items):
            var values: [CELValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .map(let entries):
            return try map(entries, at: node)
        case .not(let operand):
            let value = try evaluate(operand)
            guard case .bool(let flag) = value else { throw noOverload("!", [value], at: node) }
            return .bool(!flag)
        case .negate(let operand):
            return try negate(try evaluate(operand), at: node)
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left), try evaluate(right), at: node)
        case .and(let left, let right):
            return try logical(left, right, decisive: false, symbol: "&&", at: node)
        case .or(let left, let right):
            return try logical(left, right, decisive: true, symbol: "||", at: node)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let value = try evaluate(condition)
            guard case .bool(let flag) = value else {
                throw noOverload("?:", [value], at: node)
            }
            return try evaluate(flag ? whenTrue : whenFalse)
        case .comprehension(let comprehension):
            return try comprehend(comprehension, at: node)
        }
    }

    // MARK: - Names, fields and indexes

    private func resolve(_ name: String, at node: Node) throws(CELError) -> CELValue {
        if let local = locals.last(where: { $0.name == name }) { return local.value }
        if let value = variables[name] { return value }
        if let type = CELProgram.typeNames[name] { return .type(type) }
        throw error("undeclared reference to '\(name)'", at: node)
    }

    private func select(_ field: String, from value: CELValue, at node: Node) throws(CELError)
        -> CELValue
    {
        guard case .map(let members) = value else {
            throw error(
                "cannot select field '\(field)' from a value of type \(value.type.rawValue)",
                at: node)
        }
        guard let member = members[field] else {
            throw error("no such key: '\(field)'", at: node)
        }
        return member
    }

    private func index(_ container: CELValue, _ key: CELValue, at node: Node) throws(CELError)
        -> CELValue
    {
        switch (container, key) {
        case (.list(let items), .int(let position)):
            guard items.indices.contains(position) else {
                throw error(
                    "index \(position) is out of range for a list of size \(items.count)",
                    at: node)
            }
            return items[position]
        case (.list(let items), .double(let position)):
            guard position == position.rounded(), let whole = Int(exactly: position) else {
                throw error("index \(position) is not a whole number", at: node)
            }
            return try index(.list(items), .int(whole), at: node)
        case (.map(let members), .string(let name)):
            guard let member = members[name] else {
                throw error("no such key: '\(name)'", at: node)
            }
            return member
        case (.map, _):
            throw error("no such key: \(key.literal)", at: node)
        default:
            throw noOverload("[]", [container, key], at: node)
        }
    }

    private func map(_ entries: [MapEntry], at node: Node) throws(CELError) -> CELValue {
        var members: [String: CELValue] = [:]
        for entry in entries {
            let key = try evaluate(entry.key)
            guard case .string(let name) = key else {
                throw error(
                    "map keys must be strings, not \(key.type.rawValue)", at: entry.key)
            }
            guard members[name] == nil else {
                throw error("duplicate map key '\(name)'", at: entry.key)
            }
            members[name] = try evaluate(entry.value)
        }
        return .map(members)
    }

    // MARK: - Logic and macros

    /// `&&` (decisive value false) and `||` (decisive value true), commutative over errors:
    /// a decisive operand wins even when the other operand fails.
    private func logical(
        _ left: Node, _ right: Node, decisive: Bool, symbol: String, at node: Node
    ) throws(CELError) -> CELValue {
        let leftResult = try attempt(left)
        if case .success(.bool(decisive)) = leftResult { return .bool(decisive) }
        let rightResult = try attempt(right)
        if case .success(.bool(decisive)) = rightResult { return .bool(decisive) }

        switch (leftResult, rightResult) {
        case (.failure(let failure), _), (_, .failure(let failure)):
            throw failure
        case (.success(.bool), .success(.bool)):
            return .bool(!decisive)
        case (.success(let a), .success(let b)):
            throw noOverload(symbol, [a, b], at: node)
        }
    }

    private func comprehend(_ comprehension: Comprehension, at node: Node) throws(CELError)
        -> CELValue
    {
        let range = try evaluate(comprehension.range)
        let elements: [CELValue]
        switch range {
        case .list(let items): elements = items
        case .map(let members): elements = members.keys.sorted().map(CELValue.string)
        default: throw noOverload(comprehension.macro.rawValue, [range], at: node)
        }

        var firstFailure: CELError?
        var matches = 0
        var results: [CELValue] = []
        for element in elements {
            try charge(1, at: node)
            locals.append((comprehension.variable, element))
            defer { locals.removeLast() }

            switch comprehension.macro {
            case .all, .exists:
                let decisive = comprehension.macro == .exists
                switch try attempt(comprehension.predicate!) {
                case .success(.bool(let flag)) where flag == decisive:
                    return .bool(decisive)
                case .success(.bool):
                    break
                case .success(let other):
                    firstFailure =
                        firstFailure
                        ?? noOverload(comprehension.macro.rawValue, [other], at: node)
                case .failure(let failure):
                    firstFailure = firstFailure ?? failure
                }
            case .existsOne:
                if try predicate(comprehension.predicate!, at: node) { matches += 1 }
            case .filter:
                if try predicate(comprehension.predicate!, at: node) { results.append(element) }
            case .map:
                if let filter = comprehension.predicate {
                    guard try predicate(filter, at: node) else { continue }
                }
                results.append(try evaluate(comprehension.transform!))
            }
        }

        switch comprehension.macro {
        case .all, .exists:
            if let firstFailure { throw firstFailure }
            return .bool(comprehension.macro == .all)
        case .existsOne:
            return .bool(matches == 1)
        case .filter, .map:
            return .list(results)
        }
    }

    private func predicate(_ predicate: Node, at node: Node) throws(CELError) -> Bool {
        let value = try evaluate(predicate)
        guard case .bool(let flag) = value else {
            throw error("macro condition must be bool, not \(value.type.rawValue)", at: node)
        }
        return flag
    }
}
