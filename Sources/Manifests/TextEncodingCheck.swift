import Foundation
import NGCPCore

/// The error for a file that is not UTF-8 text, with its position and cause.
public struct TextEncodingError: Error {
    public let diagnostic: Diagnostic
}

/// Returns the UTF-8 text of a manifest or configuration file named `file`, or the error for
/// a file that is not UTF-8 text or that looks like UTF-16 or UTF-32 without a byte order
/// mark.
public func decodedText(_ bytes: some Collection<UInt8>, file: String)
    -> Result<String, TextEncodingError>
{
    // Validating contiguous bytes costs a fraction of validating byte by byte through the
    // collection, which shows for a thousand files.
    let validated =
        bytes.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) }
        ?? String(validating: bytes, as: UTF8.self)
    guard let text = validated else {
        return .failure(TextEncodingError(diagnostic: notUTF8Diagnostic(bytes, file: file)))
    }
    if let problem = wideEncodingDiagnostic(text, file: file) {
        return .failure(TextEncodingError(diagnostic: problem))
    }
    return .success(text)
}

/// Returns the error for a file that is not UTF-8 text, placed at its first byte that is not
/// valid UTF-8, so that the operator can find it. A UTF-16 or UTF-32 file is named as such.
private func notUTF8Diagnostic(_ bytes: some Collection<UInt8>, file: String) -> Diagnostic {
    let hint = "save the file as UTF-8"
    if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00])
    {
        return Diagnostic(
            .error, "the file is UTF-32 text, not UTF-8",
            at: SourceLocation(file: file, line: 1, column: 1), hint: hint)
    }
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

/// Returns the error for UTF-8 text with a NUL byte among its first bytes, which is what a
/// UTF-16 or UTF-32 file without a byte order mark looks like. Returns nil for other text.
private func wideEncodingDiagnostic(_ text: String, file: String) -> Diagnostic? {
    guard text.utf8.prefix(4).contains(0) else { return nil }
    return Diagnostic(
        .error, "the file has NUL bytes, as UTF-16 or UTF-32 text does, not UTF-8",
        at: SourceLocation(file: file, line: 1, column: 1), hint: "save the file as UTF-8")
}
