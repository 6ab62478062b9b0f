/// One option or flag that a command accepts.
public struct OptionSpec: Sendable, Hashable {
    /// The long name without dashes, such as `url`.
    public let name: String
    /// The placeholder shown in help for an option that takes a value; nil for a flag.
    public let valueName: String?
    public let help: String
    /// Whether the option may be given more than once.
    public let repeatable: Bool

    public static func flag(_ name: String, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help, repeatable: false)
    }

    public static func option(
        _ name: String, value: String, help: String, repeatable: Bool = false
    ) -> OptionSpec {
        OptionSpec(name: name, valueName: value, help: help, repeatable: repeatable)
    }

    public var takesValue: Bool { valueName != nil }
}

/// A command's arguments: its options and flags, and what its positional arguments mean.
public struct CommandSpec: Sendable {
    public let name: String
    public let summary: String
    /// The positional part of the usage line, such as `PATH...`.
    public let positionalUsage: String
    public let options: [OptionSpec]
    /// Extra help text printed after the option list.
    public let discussion: String

    public init(
        name: String, summary: String, positionalUsage: String = "", options: [OptionSpec],
        discussion: String = ""
    ) {
        self.name = name
        self.summary = summary
        self.positionalUsage = positionalUsage
        self.options = options + [.flag("help", help: "Show this help and exit.")]
        self.discussion = discussion
    }

    /// The help text: usage line, summary, options and discussion.
    public var helpText: String {
        var text = "Usage: \(name)"
        if !options.isEmpty { text += " [options]" }
        if !positionalUsage.isEmpty { text += " \(positionalUsage)" }
        text += "\n\n\(summary)\n"
        if !options.isEmpty {
            text += "\nOptions:\n"
            let labels = options.map { option in
                option.takesValue ? "--\(option.name) \(option.valueName!)" : "--\(option.name)"
            }
            let width = min((labels.map(\.count).max() ?? 0) + 2, 32)
            for (option, label) in zip(options, labels) {
                let padding = String(repeating: " ", count: max(width - label.count, 2))
                text += "  \(label)\(padding)\(option.help)\n"
            }
        }
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        return text
    }
}

/// A command line that did not match the command's specification.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The parsed arguments of one command.
public struct ParsedArguments: Sendable {
    public private(set) var values: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The last value given for an option, or nil when it was not given.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable option, in order.
    public func allValues(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of an integer option, or nil when it was not given.
    public func integer(_ name: String, range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(
                "invalid value '\(text)' for '--\(name)': expected an integer from "
                    + "\(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The value of an option restricted to a fixed set of words.
    public func choice(_ name: String, from choices: [String]) throws(UsageError) -> String? {
        guard let text = value(name) else { return nil }
        guard choices.contains(text) else {
            throw UsageError(
                "invalid value '\(text)' for '--\(name)': expected one of "
                    + choices.joined(separator: ", "))
        }
        return text
    }

    mutating func add(value: String, for name: String) { values[name, default: []].append(value) }
    mutating func add(flag name: String) { flags.insert(name) }
    mutating func add(positional: String) { positionals.append(positional) }
}

extension CommandSpec {
    /// Parses `arguments` (without the program and command names).
    ///
    /// Accepts `--name value`, `--name=value`, and `--` to end option parsing. An unknown option
    /// is an error that suggests the nearest known name.
    public func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.add(positional: argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError(
                    "unknown option '\(argument)': options are spelled with two dashes, "
                        + "see '\(name) --help'")
            }
            var optionName = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = optionName.firstIndex(of: "=") {
                inlineValue = String(optionName[optionName.index(after: equals)...])
                optionName = String(optionName[..<equals])
            }
            guard let option = options.first(where: { $0.name == optionName }) else {
                throw unknownOption(optionName)
            }
            if !option.repeatable, parsed.values[optionName] != nil || parsed.flag(optionName) {
                throw UsageError("option '--\(optionName)' is given more than once")
            }
            if option.takesValue {
                if let inlineValue {
                    parsed.add(value: inlineValue, for: optionName)
                } else if index < arguments.count {
                    parsed.add(value: arguments[index], for: optionName)
                    index += 1
                } else {
                    throw UsageError(
                        "missing value for '--\(optionName) \(option.valueName ?? "VALUE")'")
                }
            } else {
                if inlineValue != nil {
                    throw UsageError("option '--\(optionName)' does not take a value")
                }
                parsed.add(flag: optionName)
            }
        }
        return parsed
    }

    private func unknownOption(_ optionName: String) -> UsageError {
        var message = "unknown option '--\(optionName)'"
        if let suggestion = nearestName(to: optionName, in: options.map(\.name)) {
            message += "; did you mean '--\(suggestion)'?"
        } else {
            message += "; see '\(name) --help'"
        }
        return UsageError(message)
    }
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
public func nearestName(to word: String, in candidates: [String]) -> String? {
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(word, candidate)
        if distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    guard let best else { return nil }
    let limit = max(2, min(word.count, best.name.count) / 3)
    return best.distance <= limit ? best.name : nil
}

/// The Levenshtein distance between two strings, counted in characters.
public func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let left = Array(lhs)
    let right = Array(rhs)
    if left.isEmpty { return right.count }
    if right.isEmpty { return left.count }
    var previous = Array(0...right.count)
    var current = [Int](repeating: 0, count: right.count + 1)
    for i in 1...left.count {
        current[0] = i
        for j in 1...right.count {
            let substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[right.count]
}
