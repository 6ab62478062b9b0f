/// A problem found in the input, reported the way a compiler reports one.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public var severity: Severity
    /// What is wrong, quoting the offending value.
    public var message: String
    public var location: SourceLocation?
    /// A dotted field path inside the document, such as `spec.primary_number.cc`.
    public var fieldPath: String?
    /// What to do about it, when that is not obvious from the message.
    public var hint: String?

    public init(
        _ severity: Severity, _ message: String, at location: SourceLocation? = nil,
        fieldPath: String? = nil, hint: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.fieldPath = fieldPath
        self.hint = hint
    }

    /// One line: `file:line:col: error: spec.field: message`.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): "
        if let fieldPath { text += "\(fieldPath): " }
        text += message
        return text
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}
