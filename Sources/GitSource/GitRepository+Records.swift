import CGit2

/// Notes and references: where ngcpctl records which revision it applied to which target.
extension GitRepository {
    /// The note on `commit` under `notesRef`, or nil when the commit has none.
    public func note(on commit: String, notesRef: String) throws(GitError) -> String? {
        try withHandle { handle throws(GitError) in
            var oid = try Self.oid(commit)
            var note: OpaquePointer?
            let code = git_note_read(&note, handle, notesRef, &oid)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            guard code == 0, let note else { throw GitError.last("git_note_read", code: code) }
            defer { git_note_free(note) }
            return git_note_message(note).map { String(cString: $0) }
        }
    }

    /// Writes `text` as the note on `commit` under `notesRef`, replacing any earlier note.
    public func setNote(_ text: String, on commit: String, notesRef: String) throws(GitError) {
        try withHandle { handle throws(GitError) in
            var oid = try Self.oid(commit)
            var signature: UnsafeMutablePointer<git_signature>?
            // git_signature_default would need user.name and user.email, which CI runners
            // often lack.
            var code = git_signature_now(&signature, "ngcpctl", "ngcpctl@localhost")
            guard code == 0, let signature else {
                throw GitError.last("git_signature_now", code: code)
            }
            defer { git_signature_free(signature) }
            var noteID = git_oid()
            code = git_note_create(&noteID, handle, notesRef, signature, signature, &oid, text, 1)
            guard code == 0 else { throw GitError.last("git_note_create", code: code) }
        }
    }

    /// Every note under `notesRef` as (annotated commit, text), in no particular order.
    public func notes(notesRef: String) throws(GitError) -> [(commit: String, text: String)] {
        try withHandle { handle throws(GitError) in
            var iterator: OpaquePointer?
            var code = git_note_iterator_new(&iterator, handle, notesRef)
            if code == GIT_ENOTFOUND.rawValue { return [] }
            guard code == 0, let iterator else {
                throw GitError.last("git_note_iterator_new", code: code)
            }
            defer { git_note_iterator_free(iterator) }
            var result: [(commit: String, text: String)] = []
            while true {
                var noteID = git_oid()
                var annotated = git_oid()
                code = git_note_next(&noteID, &annotated, iterator)
                if code == GIT_ITEROVER.rawValue { break }
                guard code == 0 else { throw GitError.last("git_note_next", code: code) }
                var note: OpaquePointer?
                code = git_note_read(&note, handle, notesRef, &annotated)
                guard code == 0, let note else { throw GitError.last("git_note_read", code: code) }
                let text = git_note_message(note).map { String(cString: $0) } ?? ""
                git_note_free(note)
                result.append((Self.text(of: &annotated), text))
            }
            return result
        }
    }

    /// The commit that the reference `name` points at, or nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> String? {
        try withHandle { handle throws(GitError) in
            var oid = git_oid()
            let code = git_reference_name_to_id(&oid, handle, name)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            guard code == 0 else { throw GitError.last("git_reference_name_to_id", code: code) }
            return Self.text(of: &oid)
        }
    }

    /// Points the reference `name` at `commit`, creating or moving it.
    public func setReference(_ name: String, to commit: String, message: String) throws(GitError) {
        try withHandle { handle throws(GitError) in
            var oid = try Self.oid(commit)
            var reference: OpaquePointer?
            let code = git_reference_create(&reference, handle, name, &oid, 1, message)
            guard code == 0, let reference else {
                throw GitError.last("git_reference_create", code: code)
            }
            git_reference_free(reference)
        }
    }

    /// The names of all references that start with `prefix`, sorted.
    public func references(withPrefix prefix: String) throws(GitError) -> [String] {
        try withHandle { handle throws(GitError) in
            var array = git_strarray()
            let code = git_reference_list(&array, handle)
            guard code == 0 else { throw GitError.last("git_reference_list", code: code) }
            defer { git_strarray_dispose(&array) }
            var names: [String] = []
            for index in 0..<array.count {
                guard let name = array.strings[index] else { continue }
                let text = String(cString: name)
                if text.hasPrefix(prefix) { names.append(text) }
            }
            return names.sorted()
        }
    }

    private static func oid(_ text: String) throws(GitError) -> git_oid {
        var oid = git_oid()
        let code = git_oid_fromstr(&oid, text)
        guard code == 0 else {
            throw GitError(
                function: "git_oid_fromstr", code: code,
                message: "'\(text)' is not a full commit id")
        }
        return oid
    }

    private static func text(of oid: inout git_oid) -> String {
        String(cString: git_oid_tostr_s(&oid))
    }
}
