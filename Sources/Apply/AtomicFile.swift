import Foundation

/// The step of `replaceFile(at:with:)` that failed, with its `errno`.
struct AtomicWriteFailure: Error {
    /// The failed step, such as `writing '/x/journal.jsonl.123.tmp'`.
    let step: String
    let code: Int32

    var reason: String { String(cString: strerror(code)) }
}

/// Replaces the file at `path` with `bytes`, or creates it, with mode 0600.
///
/// The bytes go to a temporary file in the same directory, which is flushed to disk and then
/// renamed over `path`. A crash thus leaves either the old file or the new one, but never a
/// part of one. On failure the temporary file is removed and `path` is unchanged.
func replaceFile(at path: String, with bytes: [UInt8]) throws(AtomicWriteFailure) {
    let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
        throw AtomicWriteFailure(step: "creating '\(temporary)'", code: errno)
    }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    let flushed = written == bytes.count && fsync(fd) == 0
    let writeCode = errno
    close(fd)
    guard flushed else {
        unlink(temporary)
        throw AtomicWriteFailure(step: "writing '\(temporary)'", code: writeCode)
    }
    guard rename(temporary, path) == 0 else {
        let renameCode = errno
        unlink(temporary)
        throw AtomicWriteFailure(step: "renaming '\(temporary)' over it", code: renameCode)
    }
}
