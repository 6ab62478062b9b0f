import Foundation
import NGCPCore

/// Returns the error for a file that is not UTF-8 text, placed at its first byte that is not
/// valid UTF-8, so that the operator can find it. A UTF-16 file is named as such.
public func notUTF8Diagnostic(_ bytes: some Collection<UInt8>, file: String) -> Diagnostic {
    let hint = "save the file as UTF-8"
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
        return Diagnostic(
            .error, "the file is UTF-16 text, not UTF-8",
            at: SourceLocation(file: file, line: 1, column: 1), hint: hint)
    }

    // Count lines and characters up to the first invalid sequence.
    var line = 1
    var column = 1
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    parsing: while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let encoded):
            if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        case .emptyInput, .error:
            break parsing
        }
    }
    return Diagnostic(
        .error, "the file is not UTF-8 text: this byte starts no UTF-8 character",
        at: SourceLocation(file: file, line: line, column: column), hint: hint)
}
