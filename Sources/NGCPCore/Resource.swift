/// The API collections that ngcpctl manages, named as NGCP names them under `/api/`.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case domains
    case customercontacts
    case customers
    case subscribers
    case callforwards
    case subscriberpreferences

    /// Position in the apply order: what a later kind refers to is created first.
    public var applyRank: Int {
        switch self {
        case .domains: return 0
        case .customercontacts: return 1
        case .customers: return 2
        case .subscribers: return 3
        case .callforwards: return 4
        case .subscriberpreferences: return 5
        }
    }

    /// The manifest kind that declares objects of this collection.
    public var manifestKind: String {
        switch self {
        case .domains: return "Domain"
        case .customercontacts, .customers: return "Customer"
        case .subscribers, .callforwards, .subscriberpreferences: return "Subscriber"
        }
    }

    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool {
        lhs.applyRank < rhs.applyRank
    }
}

/// The identity of a managed object: its collection and its natural key.
///
/// Natural keys are a domain's name, a customer's `external_id` and a subscriber's
/// `username@domain`. Contacts, call forwards and preferences belong to one owner and carry
/// the owner's key. Server ids never form part of an identity, because they differ between
/// targets and change when an object is recreated.
public struct ResourceID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let kind: ResourceKind
    public let name: String

    public init(_ kind: ResourceKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// The one text form, `collection/name`, used in output, journals and policies.
    public var description: String { "\(kind.rawValue)/\(name)" }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        return lhs.name < rhs.name
    }
}

/// A position in a source file; line and column are 1-based.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
