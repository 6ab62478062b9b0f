/// A node of a parsed CEL expression.
struct Node: Sendable {
    indirect enum Kind: Sendable {
        case literal(CELValue)
        case identifier(String)
        /// `operand.field`
        case select(Node, field: String)
        /// `has(operand.field)`
        case presence(Node, field: String)
        /// `operand[key]`
        case index(Node, Node)
        /// `name(args)` or `target.name(args)`
        case call(String, target: Node?, arguments: [Node])
        case list([Node])
        case map([MapEntry])
        case not(Node)
        case negate(Node)
        case binary(BinaryOperator, Node, Node)
        case and(Node, Node)
        case or(Node, Node)
        case conditional(Node, Node, Node)
        case comprehension(Comprehension)
    }

    let kind: Kind
    /// The 0-based offset, in Unicode scalars, that errors about this node point at.
    let offset: Int
    /// The height of the subtree; evaluation recurses this deep.
    let depth: Int
}

struct MapEntry: Sendable {
    let key: Node
    let value: Node
}

enum BinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
}

/// A list macro (`all`, `exists`, `exists_one`, `filter`, `map`) after expansion.
struct Comprehension: Sendable {
    enum Macro: String, Sendable {
        case all
        case exists
        case existsOne = "exists_one"
        case filter
        case map
    }

    let macro: Macro
    let range: Node
    let variable: String
    /// The condition of all, exists, exists_one and filter, and the optional filter of the
    /// three-argument map.
    let predicate: Node?
    /// The value that map produces for each element.
    let transform: Node?
}
