import NGCPCore

/// Reading request fields the lenient way NGCP's forms do: ids may be digit strings, numbers
/// sent for text fields become text, and null counts as absent.
enum Fields {
    /// The text of a scalar, with numbers and booleans stringified; nil for null or absent.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?:
            let whole = number == number.rounded() && abs(number) < 9e15
            return whole ? String(Int(number)) : String(number)
        case .bool(let flag)?: return flag ? "1" : "0"
        default: return nil
        }
    }

    /// The text echoed as `input='...'` in validation messages.
    static func inputText(_ value: JSONValue?) -> String {
        switch value {
        case .object?: return "HASH(0x55d5c3a1e2f8)"
        case .array?: return "ARRAY(0x55d5c3a1e310)"
        default: return text(value) ?? ""
        }
    }

    /// An integer from a number or a string of digits (an optional sign allowed).
    static func integer(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: return number
        case .double(let number)? where number == number.rounded() && abs(number) < 9e15:
            return Int(number)
        case .string(let text)?:
            let trimmed = text.trimmingWhitespace()
            return Int(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
        default: return nil
        }
    }

    /// True for absent, null and empty-string values, which forms treat as "not given".
    static func isBlank(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .string(let text)?: return text.isEmpty
        default: return false
        }
    }

    /// JSON booleans, 0/1 and "0"/"1" as a flag; other values fall back to `fallback`.
    static func flag(_ value: JSONValue?, default fallback: Bool) -> Bool {
        switch value {
        case .bool(let flag)?: return flag
        case .int(let number)?: return number != 0
        case .string(let text)?: return !(text.isEmpty || text == "0")
        default: return fallback
        }
    }

    static func optional(_ text: String?) -> JSONValue {
        text.map { .string($0) } ?? .null
    }

    static func optional(_ number: Int?) -> JSONValue {
        number.map { .int($0) } ?? .null
    }

    /// The message a PosInteger form field gives for a value that is not a positive integer.
    static let positiveIntegerErrors = "Value must be an integer,Value must be a positive integer"

    /// The messages NGCP's form library prints for a missing integer field, including a leaked
    /// Perl warning.
    static let missingIntegerErrors =
        "Use of uninitialized value $value in substitution (s///) at "
        + "/usr/share/perl5/HTML/FormHandler/Field/Integer.pm line 28.\n,"
        + positiveIntegerErrors
}

/// Case-insensitive matching of filter values with `*` (any run) and, where NGCP allows it,
/// `?` (one character) wildcards. Without wildcards the match is exact.
struct WildcardPattern {
    private let parts: [Character]
    private let allowsQuestionMark: Bool

    init(_ pattern: String, allowsQuestionMark: Bool = false) {
        parts = Array(pattern.lowercased())
        self.allowsQuestionMark = allowsQuestionMark
    }

    func matches(_ value: String?) -> Bool {
        guard let value else { return false }
        return Self.match(parts[...], Array(value.lowercased())[...], allowsQuestionMark)
    }

    private static func match(
        _ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>, _ question: Bool
    ) -> Bool {
        var patternIndex = pattern.startIndex
        var textIndex = text.startIndex
        var starPattern: Int? = nil
        var starText = text.startIndex
        while textIndex < text.endIndex {
            if patternIndex < pattern.endIndex,
                pattern[patternIndex] == text[textIndex]
                    || (question && pattern[patternIndex] == "?")
            {
                patternIndex += 1
                textIndex += 1
            } else if patternIndex < pattern.endIndex, pattern[patternIndex] == "*" {
                starPattern = patternIndex
                starText = textIndex
                patternIndex += 1
            } else if let star = starPattern {
                patternIndex = star + 1
                starText += 1
                textIndex = starText
            } else {
                return false
            }
        }
        while patternIndex < pattern.endIndex, pattern[patternIndex] == "*" { patternIndex += 1 }
        return patternIndex == pattern.endIndex
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

extension CollectionQuery {
    /// An integer filter value; a value that is not a number matches nothing.
    func integer(_ name: String) -> Int?? {
        guard let text = value(name) else { return nil }
        return .some(Int(text))
    }

    /// Keeps only the ids whose record passes `test` for a present filter parameter.
    func filter(_ ids: [Int], by name: String, _ test: (Int, String) -> Bool) -> [Int] {
        guard let value = value(name) else { return ids }
        return ids.filter { test($0, value) }
    }
}
