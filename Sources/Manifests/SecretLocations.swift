import NGCPCore

extension ManifestLoadResult {
    /// Moves each secret diagnostic from the subscriber's name to the secret field it is
    /// about (`spec.password`, `spec.webpassword`), so that the excerpt shows that line.
    /// Diagnostics of other fields, and secrets whose position is unknown, stay as they are.
    public func locatingSecretFields(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var subscribers: [SourceLocation: ResourceID] = [:]
        for subscriber in desired.subscribers + subscribersWithErrors {
            if let location = subscriber.location { subscribers[location] = subscriber.id }
        }

        return diagnostics.map { diagnostic in
            guard let fieldPath = diagnostic.fieldPath, fieldPath.hasPrefix("spec."),
                let location = diagnostic.location, let id = subscribers[location],
                let locations = secretLocationsWithErrors[location]
                    ?? metadata[id]?.secretLocations,
                let field = locations[String(fieldPath.dropFirst(5))]
            else { return diagnostic }
            var moved = diagnostic
            moved.location = field
            return moved
        }
    }
}
