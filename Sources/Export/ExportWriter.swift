import Foundation
import NGCPCore

/// A failure to write the export, naming the path and the cause.
public struct ExportWriteError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Writes an export's files into a directory, and its secrets into a separate file.
public enum ExportWriter {
    /// Writes every file below `directory`, creating folders as needed. A file whose content is
    /// unchanged is not rewritten. With `removeStale`, files in `customers/` that an earlier
    /// export wrote (they start with `Exporter.header`) and that this export no longer
    /// contains are deleted, so a customer that is gone disappears from git too. Files written
    /// by hand are never deleted.
    ///
    /// - Returns: the relative paths deleted as stale, sorted.
    @discardableResult
    public static func write(_ result: ExportResult, to directory: String, removeStale: Bool)
        throws(ExportWriteError) -> [String]
    {
        let manager = FileManager.default
        let root = URL(fileURLWithPath: directory)
        for file in result.files {
            let url = root.appendingPathComponent(file.path)
            do {
                try manager.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let data = Data(file.text.utf8)
                if (try? Data(contentsOf: url)) == data { continue }
                try data.write(to: url, options: .atomic)
            } catch {
                throw ExportWriteError(
                    "cannot write '\(url.path)': \(error.localizedDescription)")
            }
        }
        guard removeStale else { return [] }

        let written = Set(result.files.map(\.path))
        let customers = root.appendingPathComponent("customers")
        let names = (try? manager.contentsOfDirectory(atPath: customers.path)) ?? []
        var removed: [String] = []
        for name in names.sorted() where name.hasSuffix(".yaml") {
            let relative = "customers/" + name
            guard !written.contains(relative) else { continue }
            let url = customers.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8),
                text.hasPrefix(Exporter.header + "\n")
            else { continue }
            do {
                try manager.removeItem(at: url)
            } catch {
                throw ExportWriteError(
                    "cannot remove the stale file '\(url.path)': \(error.localizedDescription)")
            }
            removed.append(relative)
        }
        return removed
    }

    /// Formats the secrets file: one `export NAME='value'` line per password, sorted by name, for a
    /// POSIX shell to source. A single quote inside a value is written as `'\''`.
    public static func secretsText(_ secrets: [ExportedSecret]) -> String {
        var text = "# Passwords exported by 'ngcpctl export'. Keep this file out of git.\n"
        for secret in secrets {
            let quoted = secret.value.value.replacingOccurrences(of: "'", with: "'\\''")
            text += "export \(secret.variable)='\(quoted)'\n"
        }
        return text
    }

    /// Writes the secrets file with mode 0600 from the start: an existing file is removed
    /// first and the new one is created exclusively with that mode, so its content is never
    /// readable by others, not even briefly. A symbolic link at `path` is replaced, not
    /// followed.
    public static func writeSecrets(_ secrets: [ExportedSecret], to path: String)
        throws(ExportWriteError)
    {
        var status = stat()
        if lstat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR {
                throw ExportWriteError("cannot write the secrets file '\(path)': it is a directory")
            }
            guard unlink(path) == 0 else {
                throw ExportWriteError(
                    "cannot replace the secrets file '\(path)': \(String(cString: strerror(errno)))"
                )
            }
        }

        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ExportWriteError(
                "cannot create the secrets file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }

        let bytes = Array(secretsText(secrets).utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { buffer in
                Foundation.write(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw ExportWriteError(
                    "cannot write the secrets file '\(path)': \(String(cString: strerror(errno)))"
                )
            }
            offset += count
        }
    }
}
