import Foundation

extension Evaluator {
    /// Calls a built-in function. `argumentNodes` gives the positions for error messages.
    func call(
        _ name: String, receiver: CELValue?, arguments: [CELValue], argumentNodes: [Node],
        at node: Node
    ) throws(CELError) -> CELValue {
        let values = (receiver.map { [$0] } ?? []) + arguments
        let first: CELValue? = values.count > 0 ? values[0] : nil
        let second: CELValue? = values.count > 1 ? values[1] : nil

        switch (name, receiver == nil, values.count, first, second) {
        case ("size", _, 1, let value?, _):
            return try size(of: value, at: node)
        case ("int", true, 1, let value?, _):
            return try toInt(value, at: node)
        case ("double", true, 1, let value?, _):
            return try toDouble(value, at: node)
        case ("string", true, 1, let value?, _):
            return try toString(value, at: node)
        case ("bool", true, 1, .bool(let flag)?, _):
            return .bool(flag)
        case ("bool", true, 1, .string(let text)?, _):
            switch text {
            case "true", "True", "TRUE", "t", "1": return .bool(true)
            case "false", "False", "FALSE", "f", "0": return .bool(false)
            default: throw error("cannot convert '\(text)' to bool", at: node)
            }
        case ("type", true, 1, let value?, _):
            return .type(value.type)
        case ("dyn", true, 1, let value?, _):
            return value
        case ("matches", _, 2, .string(let subject)?, .string(let pattern)?):
            return .bool(
                try matches(subject, pattern: pattern, patternNode: argumentNodes.last, at: node))
        case ("startsWith", false, 2, .string(let text)?, .string(let prefix)?):
            try charge(text.utf8.count / 64, at: node)
            return .bool(text.unicodeScalars.starts(with: prefix.unicodeScalars))
        case ("endsWith", false, 2, .string(let text)?, .string(let suffix)?):
            try charge(text.utf8.count / 64, at: node)
            return .bool(
                text.unicodeScalars.reversed().starts(with: suffix.unicodeScalars.reversed()))
        case ("contains", false, 2, .string(let text)?, .string(let part)?):
            try charge(text.utf8.count / 64 * max(1, part.utf8.count / 16), at: node)
            return .bool(part.isEmpty || scalarsContain(text, part))
        case ("flatten", false, 1, .list(let items)?, _):
            try charge(items.count, at: node)
            return .list(
                items.flatMap { item -> [CELValue] in
                    if case .list(let inner) = item { return inner }
                    return [item]
                })
        case ("split", false, 2, .string(let text)?, .string(let separator)?):
            try charge(text.utf8.count / 64, at: node)
            return .list(split(text, separator).map(CELValue.string))
        case ("join", false, 1, .list(let items)?, _),
            ("join", false, 2, .list(let items)?, .string?):
            let separator = second.flatMap { if case .string(let text) = $0 { text } else { nil } }
            return try join(items, separator: separator ?? "", at: node)
        case ("trim", false, 1, .string(let text)?, _):
            return .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("replace", false, 3, .string(let text)?, .string(let old)?):
            guard case .string(let new) = values[2] else {
                throw noOverload(name, values, at: node)
            }
            try charge(text.utf8.count / 64, at: node)
            return .string(old.isEmpty ? text : text.replacingOccurrences(of: old, with: new))
        case ("substring", false, 2, .string(let text)?, .int(let start)?):
            return try substring(text, start, nil, at: node)
        case ("substring", false, 3, .string(let text)?, .int(let start)?):
            guard case .int(let end) = values[2] else { throw noOverload(name, values, at: node) }
            return try substring(text, start, end, at: node)
        case ("indexOf", false, 2, .string(let text)?, .string(let part)?):
            try charge(text.utf8.count / 64, at: node)
            return .int(indexOf(part, in: text))
        case ("lowerAscii", false, 1, .string(let text)?, _):
            return .string(mapASCII(text, lower: true))
        case ("upperAscii", false, 1, .string(let text)?, _):
            return .string(mapASCII(text, lower: false))
        case ("e164", true, 1, .string(let destination)?, _):
            return .string(normalizedNumber(destination, countryCode: nil))
        case ("e164", true, 2, .string(let destination)?, .string(let countryCode)?):
            return .string(
                normalizedNumber(
                    destination, countryCode: try digits(countryCode, at: node)))
        case ("e164", true, 2, .string(let destination)?, .int(let countryCode)?):
            return .string(
                normalizedNumber(
                    destination, countryCode: try digits(String(countryCode), at: node)))
        default:
            throw noOverload(name, values, at: node)
        }
    }

    private func size(of value: CELValue, at node: Node) throws(CELError) -> CELValue {
        switch value {
        case .string(let text): return .int(text.unicodeScalars.count)
        case .list(let items): return .int(items.count)
        case .map(let members): return .int(members.count)
        default: throw noOverload("size", [value], at: node)
        }
    }

    private func toInt(_ value: CELValue, at node: Node) throws(CELError) -> CELValue {
        switch value {
        case .int: return value
        case .double(let number):
            // Truncation toward zero, as CEL defines int(double).
            guard number.isFinite, let whole = Int(exactly: number.rounded(.towardZero)) else {
                throw error("\(number) is out of the int range", at: node)
            }
            return .int(whole)
        case .string(let text):
            guard let number = Int(text) else {
                throw error("cannot convert '\(text)' to int", at: node)
            }
            return .int(number)
        default:
            throw noOverload("int", [value], at: node)
        }
    }

    private func toDouble(_ value: CELValue, at node: Node) throws(CELError) -> CELValue {
        switch value {
        case .double: return value
        case .int(let number): return .double(Double(number))
        case .string(let text):
            guard let number = Double(text) else {
                throw error("cannot convert '\(text)' to double", at: node)
            }
            return .double(number)
        default:
            throw noOverload("double", [value], at: node)
        }
    }

    private func toString(_ value: CELValue, at node: Node) throws(CELError) -> CELValue {
        switch value {
        case .string: return value
        case .int(let number): return .string(String(number))
        case .double(let number): return .string(String(describing: number))
        case .bool(let flag): return .string(flag ? "true" : "false")
        default: throw noOverload("string", [value], at: node)
        }
    }

    private func matches(_ subject: String, pattern: String, patternNode: Node?, at node: Node)
        throws(CELError) -> Bool
    {
        let limits = program.limits
        let length = subject.unicodeScalars.count
        guard length <= limits.maxMatchSubjectLength else {
            throw CELError(
                .limit,
                "matches() subject is \(length) characters long, more than the limit of "
                    + "\(limits.maxMatchSubjectLength)",
                expression: expression, offset: node.offset)
        }
        try charge(1 + length / 16, at: node)

        if let compiled = program.patterns[pattern] { return compiled.matches(subject) }
        // A pattern computed at run time is compiled on every call.
        let compiled = try CELProgram.compilePattern(
            pattern, limits: limits, expression: expression,
            offset: (patternNode ?? node).offset)
        return compiled.matches(subject)
    }

    private func join(_ items: [CELValue], separator: String, at node: Node) throws(CELError)
        -> CELValue
    {
        var parts: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                throw error("join() needs a list of strings, found \(item.type.rawValue)", at: node)
            }
            parts.append(text)
        }
        try charge(parts.count, at: node)
        return .string(parts.joined(separator: separator))
    }

    /// The code points from `start` up to `end` (exclusive), as CEL's strings extension
    /// defines substring().
    private func substring(_ text: String, _ start: Int, _ end: Int?, at node: Node)
        throws(CELError) -> CELValue
    {
        let scalars = Array(text.unicodeScalars)
        let end = end ?? scalars.count
        guard start >= 0, start <= end, end <= scalars.count else {
            throw error(
                "substring range \(start)..<\(end) is out of bounds for a string of length"
                    + " \(scalars.count)", at: node)
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[start..<end])
        return .string(result)
    }

    private func digits(_ text: String, at node: Node) throws(CELError) -> String {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw error("country code '\(text)' must be digits only", at: node)
        }
        return text
    }
}

/// Splits at each occurrence of `separator`; an empty separator splits into code points.
private func split(_ text: String, _ separator: String) -> [String] {
    guard !separator.isEmpty else { return text.unicodeScalars.map { String($0) } }
    return text.components(separatedBy: separator)
}

/// The code point offset of the first occurrence of `part`, or -1.
private func indexOf(_ part: String, in text: String) -> Int {
    let haystack = Array(text.unicodeScalars)
    let needle = Array(part.unicodeScalars)
    guard needle.count <= haystack.count else { return -1 }
    for start in 0...(haystack.count - needle.count)
    where haystack[start..<(start + needle.count)].elementsEqual(needle) {
        return start
    }
    return -1
}

private func scalarsContain(_ text: String, _ part: String) -> Bool {
    let haystack = Array(text.unicodeScalars)
    let needle = Array(part.unicodeScalars)
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count)
    where haystack[start..<(start + needle.count)].elementsEqual(needle) {
        return true
    }
    return false
}

private func mapASCII(_ text: String, lower: Bool) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        let range: ClosedRange<Unicode.Scalar> = lower ? "A"..."Z" : "a"..."z"
        if range.contains(scalar),
            let mapped = Unicode.Scalar(lower ? scalar.value + 32 : scalar.value - 32)
        {
            result.unicodeScalars.append(mapped)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// Normalises a telephone number to its digits in international form without `+`, for
/// `e164()`.
///
/// Accepts `sip:`, `sips:` and `tel:` URIs (the user part is used), `+CC…`, `00CC…`, national
/// numbers with one leading `0` (converted when a country code is given, kept as written
/// otherwise) and plain digits, which NGCP stores as CC+AC+SN already. Spaces, `-`, `.`, `/`,
/// brackets and a bracketed trunk prefix `(0)` are ignored. Anything else, such as
/// `voicebox`, yields the empty string.
func normalizedNumber(_ destination: String, countryCode: String?) -> String {
    var text = Substring(destination.trimmingCharacters(in: .whitespaces))
    for scheme in ["sip:", "sips:", "tel:"] where text.lowercased().hasPrefix(scheme) {
        text = text.dropFirst(scheme.count)
        break
    }
    if let end = text.firstIndex(where: { $0 == "@" || $0 == ";" }) {
        text = text[..<end]
    }
    // "+43 (0) 732 ..." writes the national trunk prefix in brackets; it is not dialled.
    let withoutTrunkPrefix = text.replacingOccurrences(of: "(0)", with: "")
    let separators: Set<Character> = [" ", "-", ".", "/", "(", ")"]
    var number = String(withoutTrunkPrefix.filter { !separators.contains($0) })

    if number.hasPrefix("+") {
        number.removeFirst()
    } else if number.hasPrefix("00") {
        number.removeFirst(2)
    } else if number.hasPrefix("0"), let countryCode {
        number = countryCode + number.dropFirst()
    }

    guard !number.isEmpty, number.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
        return ""
    }
    return number
}
