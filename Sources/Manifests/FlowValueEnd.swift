/// Finds where a value inside a YAML flow mapping (`{key: value, ...}`) ends on its line, so
/// that masking a secret there can keep the rest of the line readable.
///
/// It reads one line of text, which need not parse. Wherever the end is not certain, it
/// returns nil and the caller masks the rest of the line, which hides at least as much.
enum FlowValueEnd {
    /// Returns the position of the `,` or `}` that ends the value starting at or after `start`
    /// (spaces, an anchor and a tag may come first). Returns nil unless that value lies in a
    /// flow mapping opened earlier on the line, ends before the line does, and is followed by
    /// the mapping's end or another `key:`, and the rest of the line reads cleanly.
    ///
    /// In block context, a plain value runs to the end of the line and may contain `,` and
    /// brackets, and a collection opened on an earlier line is not seen here: both give nil.
    /// The checks after the value keep a value that the writer meant to contain `,` or `}`
    /// (`password: abc,def` or `password: ab}cd`) masked whole, although YAML ends the
    /// value earlier.
    static func end(in line: [Character], valueAt start: Int) -> Int? {
        var scanner = FlowScanner(line: line)
        while scanner.position < start {
            guard scanner.step() else { return nil }
        }
        // A quoted scalar or a comment around `start` means that no value starts there.
        guard scanner.position == start, scanner.open.last == "{" else { return nil }

        var position = FlowScanner.skipSpaces(in: line, from: start)
        while position < line.count, line[position] == "&" || line[position] == "!" {
            position = FlowScanner.skipProperty(in: line, from: position)
        }
        guard position < line.count, let valueEnd = endOfNode(in: line, at: position) else {
            return nil
        }

        // Past the value, only spaces may come before the `}` or the `,` and next key.
        let end = FlowScanner.skipSpaces(in: line, from: valueEnd)
        guard end < line.count else { return nil }
        if line[end] == "," {
            let next = FlowScanner.skipSpaces(in: line, from: end + 1)
            guard next == line.count || next > end + 1, startsEntry(in: line, at: next) else {
                return nil
            }
        } else if line[end] != "}" {
            return nil
        }

        // The rest of the line must read cleanly too. A comment there, which may mention the
        // secret, or an unclosed quote is masked with the value to the end of the line.
        scanner.skipValue(to: end)
        while scanner.position < line.count {
            guard scanner.step() else { return nil }
        }
        return end
    }

    /// Returns whether a mapping entry starts at `start`: a key of letters, digits, `_`, `-`
    /// and `.`, or a quoted key, followed by `: `. Also returns true when the line or the
    /// mapping ends there, after a trailing comma. Other text after a value's `,` may be the
    /// rest of a secret, such as `def` in `password: abc, def`.
    private static func startsEntry(in line: [Character], at start: Int) -> Bool {
        guard start < line.count, line[start] != "}" else { return true }
        var position = start
        if line[start] == "\"" || line[start] == "'" {
            guard let end = FlowScanner.endOfQuoted(in: line, at: start) else { return false }
            position = end
        } else {
            while position < line.count, isKeyCharacter(line[position]) { position += 1 }
            guard position > start else { return false }
        }
        position = FlowScanner.skipSpaces(in: line, from: position)
        guard position < line.count, line[position] == ":" else { return false }
        return position + 1 == line.count || FlowScanner.isSpace(line[position + 1])
    }

    private static func isKeyCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "_-.".contains(character)
    }

    /// Returns the position after the node at `start` in a flow collection: a quoted scalar, a
    /// flow collection, or a plain scalar, which ends before `,`, `}` or `]`. Returns nil when
    /// the node does not end on the line, or has text that makes its end uncertain.
    private static func endOfNode(in line: [Character], at start: Int) -> Int? {
        switch line[start] {
        case "\"", "'":
            return FlowScanner.endOfQuoted(in: line, at: start)
        case "{", "[":
            var scanner = FlowScanner(line: line, position: start)
            repeat {
                guard scanner.position < line.count, scanner.step() else { return nil }
            } while !scanner.open.isEmpty
            return scanner.position
        case ",", "}", "]":
            return start
        default:
            var position = start
            while position < line.count, !",}]".contains(line[position]) {
                // A comment, or a bracket that no plain scalar in a flow collection contains.
                let character = line[position]
                let afterSpace = position > start && FlowScanner.isSpace(line[position - 1])
                if (character == "#" && afterSpace) || character == "{" || character == "[" {
                    return nil
                }
                position += 1
            }
            return position < line.count ? position : nil
        }
    }
}

/// Reads the flow structure of one line token by token, as YAML does: where a node may start,
/// `{`, `[` and quotes are indicators, and elsewhere they are text of a plain scalar.
private struct FlowScanner {
    let line: [Character]
    /// The next character to read.
    var position = 0
    /// The brackets of the open flow collections, innermost last.
    var open: [Character] = []
    /// Set where a node may start: at the line's first text, after `- `, `? ` or `: `, and in
    /// a flow collection after `,` or an opening bracket.
    private var atNodeStart = true
    /// Set when the reading starts at the line's start, so that every collection open at a
    /// position was opened on the line.
    private let readsWholeLine: Bool

    init(line: [Character], position: Int = 0) {
        self.line = line
        self.position = position
        readsWholeLine = position == 0
    }

    /// Moves past a value that ends before `end`, as if it had been read.
    mutating func skipValue(to end: Int) {
        position = end
        atNodeStart = false
    }

    /// Reads one token. Returns false when the rest of the line cannot be read with
    /// certainty: a comment starts, a quote is not closed, or the brackets do not pair up.
    mutating func step() -> Bool {
        let character = line[position]
        let next: Character = position + 1 < line.count ? line[position + 1] : " "
        if Self.isSpace(character) {
            position += 1
            return true
        }
        if character == "#" && (position == 0 || Self.isSpace(line[position - 1])) {
            return false
        }

        if atNodeStart && (character == "\"" || character == "'") {
            guard let end = Self.endOfQuoted(in: line, at: position) else { return false }
            position = end
            atNodeStart = false
            return true
        }
        if atNodeStart && (character == "&" || character == "!") {
            position = Self.skipProperty(in: line, from: position)
            return true
        }

        if character == "{" || character == "[" {
            // In a flow collection, a bracket inside a plain scalar is a syntax error.
            if atNodeStart {
                open.append(character)
            } else if !open.isEmpty {
                return false
            }
        } else if !open.isEmpty && (character == "}" || character == "]") {
            guard Self.closing(open.removeLast()) == character else { return false }
            atNodeStart = false
            // Text after the line's outermost flow collection is a syntax error, such as the
            // rest of a value that contains a `}`.
            if open.isEmpty && readsWholeLine {
                guard Self.skipSpaces(in: line, from: position + 1) == line.count else {
                    return false
                }
            }
        } else if !open.isEmpty && character == "," {
            atNodeStart = true
        } else if character == ":"
            && (Self.isSpace(next) || (!open.isEmpty && ",}]".contains(next)))
        {
            atNodeStart = true
        } else if atNodeStart && (character == "-" || character == "?") && Self.isSpace(next) {
            // A block sequence entry or an explicit key: a node may still start after it.
        } else {
            atNodeStart = false
        }
        position += 1
        return true
    }

    /// Returns the position after the quote that closes the quoted scalar at `start`.
    static func endOfQuoted(in line: [Character], at start: Int) -> Int? {
        let quote = line[start]
        var position = start + 1
        while position < line.count {
            let character = line[position]
            if quote == "\"" && character == "\\" {
                position += 2
            } else if quote == "'" && character == "'" && position + 1 < line.count
                && line[position + 1] == "'"
            {
                position += 2
            } else if character == quote {
                return position + 1
            } else {
                position += 1
            }
        }
        return nil
    }

    /// Returns the position after an anchor (`&name`) or tag (`!tag`) and the spaces after it.
    static func skipProperty(in line: [Character], from start: Int) -> Int {
        var position = start
        while position < line.count, !" \t,{}[]".contains(line[position]) { position += 1 }
        return skipSpaces(in: line, from: position)
    }

    static func skipSpaces(in line: [Character], from start: Int) -> Int {
        var position = start
        while position < line.count, isSpace(line[position]) { position += 1 }
        return position
    }

    static func isSpace(_ character: Character) -> Bool {
        character == " " || character == "\t"
    }

    static func closing(_ bracket: Character) -> Character {
        bracket == "{" ? "}" : "]"
    }
}
