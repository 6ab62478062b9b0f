import NGCPCore

/// Checks that every secret of the desired state can be read, without keeping any value.
///
/// Returns one error per secret that cannot be read, at the subscriber's location, naming the
/// environment variable or file. Call it before the first write, so that a missing secret
/// stops the run before it changes anything.
public func resolveSecrets(in desired: DesiredState, resolver: SecretResolver) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for subscriber in desired.subscribers {
        for field in subscriber.secrets.keys.sorted() {
            guard let source = subscriber.secrets[field] else { continue }
            do {
                _ = try resolver.resolve(source)
            } catch {
                let hint =
                    error.isAccessDenied
                    ? "name an allowed variable or file; the secrets section of "
                        + "docs/manifests.md lists the rules"
                    : error.hint ?? "set the variable or create the file before running ngcpctl"
                // The error names the source and the reason, never the value.
                diagnostics.append(
                    Diagnostic(
                        .error,
                        Message.secretUnreadable(subscriber.name, reason: error.description),
                        at: subscriber.location, fieldPath: "spec.\(field)", hint: hint))
            }
        }
    }
    return diagnostics
}

/// Checks every secret source of the desired state against `access`, without reading any
/// value. A variable that is unset or a file that does not exist passes here, so that the
/// check can run where the secrets are not present, such as `validate` in a pull request.
public func checkSecretAccess(in desired: DesiredState, access: SecretAccess) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for subscriber in desired.subscribers {
        for field in subscriber.secrets.keys.sorted() {
            let reason: String?
            switch subscriber.secrets[field] {
            case .environment(let name):
                reason = access.rejection(ofVariable: name)
            case .file(let path):
                do {
                    _ = try access.checkedFilePath(path)
                    reason = nil
                } catch {
                    reason = error.isMissing ? nil : error.reason
                }
            case .literal, nil:
                reason = nil
            }
            guard let reason, let source = subscriber.secrets[field] else { continue }
            diagnostics.append(
                Diagnostic(
                    .error,
                    Message.secretUnreadable(
                        subscriber.name, reason: "cannot read secret \(source): \(reason)"),
                    at: subscriber.location, fieldPath: "spec.\(field)",
                    hint: "name an allowed variable or file; the secrets section of "
                        + "docs/manifests.md lists the rules"))
        }
    }
    return diagnostics
}
