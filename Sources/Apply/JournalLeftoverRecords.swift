import Foundation
import NGCPCore

/// The `leftover` lines of the apply journal. An apply that completes its plan keeps from the
/// journal only the objects that an interrupted earlier run left on the target and that only
/// the journal can name. Without `begin` lines the file records no unfinished run, so the
/// next apply does not resume from it, but still finds and can prune those objects.
extension ApplyJournal {
    /// Replaces the journal at `path` with one `leftover` line for each of `leftovers`, or
    /// deletes it when there are none.
    ///
    /// The file is replaced atomically (see `replaceFile(at:with:)`). A crash thus leaves
    /// either the old journal, which the next apply reads again, or the new file, but never a
    /// part of one.
    public static func keepOnly(_ leftovers: [ResourceID: Int], path: String) throws {
        guard !leftovers.isEmpty else {
            if unlink(path) != 0, errno != ENOENT {
                throw rewriteError(path, "deleting it", code: errno)
            }
            return
        }

        let at = JSONValue.string(timestamp())
        var bytes: [UInt8] = []
        for (resource, id) in leftovers.sorted(by: { $0.key < $1.key }) {
            let line: JSONValue = [
                "type": "leftover", "resource": .string(resource.kind.rawValue),
                "name": .string(resource.name), "created_id": .int(id), "at": at,
            ]
            bytes += line.serializedBytes() + [UInt8(ascii: "\n")]
        }

        do {
            try replaceFile(at: path, with: bytes)
        } catch {
            throw rewriteError(path, error.step, code: error.code)
        }
    }

    /// Returns the object and server id of a `leftover` line, or nil when a member is missing.
    static func leftover(in entry: JSONValue) -> (resource: ResourceID, id: Int)? {
        guard let kindText = entry["resource"]?.stringValue,
            let kind = ResourceKind(rawValue: kindText),
            let name = entry["name"]?.stringValue,
            let id = entry["created_id"]?.intValue
        else { return nil }
        return (ResourceID(kind, name), id)
    }

    /// Returns the error for a failed `step` of a rewrite, which leaves the journal unchanged.
    private static func rewriteError(_ path: String, _ step: String, code: Int32) -> ApplyError {
        ApplyError(
            "could not rewrite the apply journal '\(path)': \(step) failed: "
                + "\(String(cString: strerror(code))). The journal is unchanged and the next "
                + "apply reads it again; check the permissions of its directory")
    }
}
