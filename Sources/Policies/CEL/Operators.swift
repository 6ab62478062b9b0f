extension Evaluator {
    func negate(_ value: CELValue, at node: Node) throws(CELError) -> CELValue {
        switch value {
        case .int(let number):
            guard number != Int.min else { throw error("integer overflow", at: node) }
            return .int(-number)
        case .double(let number):
            return .double(-number)
        default:
            throw noOverload("-", [value], at: node)
        }
    }

    func binary(_ op: BinaryOperator, _ left: CELValue, _ right: CELValue, at node: Node)
        throws(CELError) -> CELValue
    {
        switch op {
        case .equal, .notEqual:
            try chargeForSize(of: left, at: node)
            let equal = CELValue.equal(left, right)
            return .bool(op == .equal ? equal : !equal)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return try compare(op, left, right, at: node)
        case .in:
            return try contains(left, in: right, at: node)
        case .add:
            return try add(left, right, at: node)
        case .subtract, .multiply, .divide, .remainder:
            return try arithmetic(op, left, right, at: node)
        }
    }

    private func chargeForSize(of value: CELValue, at node: Node) throws(CELError) {
        switch value {
        case .list(let items): try charge(items.count, at: node)
        case .map(let members): try charge(members.count, at: node)
        case .string(let text): try charge(text.utf8.count / 64, at: node)
        default: break
        }
    }

    private func compare(_ op: BinaryOperator, _ left: CELValue, _ right: CELValue, at node: Node)
        throws(CELError) -> CELValue
    {
        // -1, 0 or 1; nil means unordered (a NaN), which makes every ordering false.
        let order: Int?
        switch (left, right) {
        case (.int(let a), .int(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.double(let a), .double(let b)):
            order = a.isNaN || b.isNaN ? nil : (a < b ? -1 : (a > b ? 1 : 0))
        case (.int(let a), .double(let b)): order = CELValue.compareNumbers(a, b)
        case (.double(let a), .int(let b)): order = CELValue.compareNumbers(b, a).map { -$0 }
        case (.string(let a), .string(let b)):
            try charge(min(a.utf8.count, b.utf8.count) / 64, at: node)
            let aScalars = a.unicodeScalars.map(\.value)
            let bScalars = b.unicodeScalars.map(\.value)
            if aScalars == bScalars {
                order = 0
            } else {
                order = aScalars.lexicographicallyPrecedes(bScalars) ? -1 : 1
            }
        case (.bool(let a), .bool(let b)): order = a == b ? 0 : (!a ? -1 : 1)
        default: throw noOverload(op.rawValue, [left, right], at: node)
        }

        guard let order else { return .bool(false) }
        switch op {
        case .less: return .bool(order < 0)
        case .lessOrEqual: return .bool(order <= 0)
        case .greater: return .bool(order > 0)
        default: return .bool(order >= 0)
        }
    }

    private func contains(_ element: CELValue, in container: CELValue, at node: Node)
        throws(CELError) -> CELValue
    {
        switch container {
        case .list(let items):
            try charge(items.count, at: node)
            return .bool(items.contains { CELValue.equal($0, element) })
        case .map(let members):
            guard case .string(let key) = element else { return .bool(false) }
            return .bool(members[key] != nil)
        default:
            throw noOverload("in", [element, container], at: node)
        }
    }

    private func add(_ left: CELValue, _ right: CELValue, at node: Node) throws(CELError)
        -> CELValue
    {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let (sum, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw error("integer overflow", at: node) }
            return .int(sum)
        case (.double(let a), .double(let b)):
            return .double(a + b)
        case (.string(let a), .string(let b)):
            try charge((a.utf8.count + b.utf8.count) / 64, at: node)
            return .string(a + b)
        case (.list(let a), .list(let b)):
            try charge(a.count + b.count, at: node)
            return .list(a + b)
        default:
            throw noOverload("+", [left, right], at: node)
        }
    }

    private func arithmetic(
        _ op: BinaryOperator, _ left: CELValue, _ right: CELValue, at node: Node
    ) throws(CELError) -> CELValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                guard b != 0 else { throw error("division by zero", at: node) }
                result = a.dividedReportingOverflow(by: b)
            default:
                guard b != 0 else { throw error("modulus by zero", at: node) }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            guard !result.overflow else { throw error("integer overflow", at: node) }
            return .int(result.partialValue)
        case (.double(let a), .double(let b)) where op != .remainder:
            switch op {
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            default: return .double(a / b)
            }
        default:
            throw noOverload(op.rawValue, [left, right], at: node)
        }
    }
}
