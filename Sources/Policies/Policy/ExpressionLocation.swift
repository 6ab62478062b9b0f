import NGCPCore
import YAMLReader

extension PolicyFileReader {
    /// Maps `offset` inside the expression that the scalar `node` contains to a file position.
    ///
    /// Single-line plain and quoted scalars and literal (`|`) and folded (`>`) block scalars
    /// are mapped character by character. Each mapping is checked against the file text, and
    /// when the check fails (escapes, multi-line plain or quoted scalars, blank lines inside a
    /// folded block) the scalar's own position is returned instead. The diagnostic message
    /// always names the column inside the expression as well.
    func location(ofOffset offset: Int, in node: YAMLNode) -> SourceLocation {
        guard let scalar = node.scalar else { return location(node.mark) }
        let expression = Array(scalar.text.unicodeScalars)
        let mapped: (line: Int, column: Int)?

        switch scalar.style {
        case .plain, .singleQuoted, .doubleQuoted:
            mapped = inlinePosition(offset, expression, scalar.style, node.mark)
        case .literal, .folded:
            mapped = blockPosition(offset, expression, node.mark)
        }
        guard let mapped else { return location(node.mark) }
        return SourceLocation(file: file, line: mapped.line, column: mapped.column)
    }

    private func sourceLine(_ line: Int) -> [Unicode.Scalar]? {
        guard line >= 1, line <= lines.count else { return nil }
        return Array(lines[line - 1].unicodeScalars)
    }

    private func inlinePosition(
        _ offset: Int, _ expression: [Unicode.Scalar], _ style: YAMLScalarStyle, _ mark: YAMLMark
    ) -> (line: Int, column: Int)? {
        guard !expression.contains("\n"), let text = sourceLine(mark.line) else { return nil }
        let start = mark.column - 1 + (style == .plain ? 0 : 1)
        // The source must hold the expression verbatim, which rules out escapes before it.
        guard start + expression.count <= text.count,
            Array(text[start..<(start + expression.count)]) == expression
        else { return nil }
        return (mark.line, start + offset + 1)
    }

    private func blockPosition(
        _ offset: Int, _ expression: [Unicode.Scalar], _ mark: YAMLMark
    ) -> (line: Int, column: Int)? {
        // Block content starts on the line after the indicator; its indentation is that of the
        // first non-blank line.
        var line = mark.line + 1
        while let text = sourceLine(line), text.allSatisfy({ $0 == " " }), line < lines.count {
            line += 1
        }
        guard let first = sourceLine(line) else { return nil }
        let indent = first.prefix { $0 == " " }.count

        // Each source line contributes its content plus one separator (a newline in a literal
        // block, a space in a folded one).
        var remaining = offset
        while let text = sourceLine(line) {
            let content = text.count > indent ? Array(text[indent...]) : []
            if remaining <= content.count {
                let column = indent + remaining + 1
                if offset < expression.count {
                    guard remaining < content.count, content[remaining] == expression[offset]
                    else { return nil }
                }
                return (line, column)
            }
            remaining -= content.count + 1
            line += 1
        }
        return nil
    }
}
