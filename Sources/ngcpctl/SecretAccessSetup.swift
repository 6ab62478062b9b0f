import Foundation
import Manifests
import NGCPCore

/// Builds the secret resolver of a run: what `{env:}` and `{file:}` sources may read for the
/// selected ngcpctl.yaml and manifest paths.
enum SecretAccessSetup {
    /// Builds the resolver for `plan` and `apply`. `manifestPaths` is empty for
    /// `apply --plan`, where the current directory takes the manifests' place.
    static func resolver(
        connection: Connection, environment: [String: String], manifestPaths: [String]
    ) -> SecretResolver {
        SecretResolver(
            environment: environment,
            access: access(project: connection.project, manifestPaths: manifestPaths))
    }

    static func access(project: ProjectSelection, manifestPaths: [String]) -> SecretAccess {
        // Every target's API password variable is refused, not only the selected one's, so
        // that a lab run cannot send the production password.
        var denied = SecretAccess.credentialVariables
        denied.insert(project.target?.passwordEnv ?? "NGCP_PASSWORD")
        for target in project.configuration?.targets.values.map({ $0 }) ?? [] {
            if let variable = target.passwordEnv { denied.insert(variable) }
        }

        let configuration = project.configuration
        var directories = roots(of: manifestPaths)
        if let directory = project.directory { directories.append(directory) }
        for directory in configuration?.secretFileDirectories ?? [] {
            directories.append(project.resolve(directory))
        }

        let file = project.directory.map { "\($0)/\(ProjectConfigurationLoader.fileName)" }
        return SecretAccess(
            deniedVariables: denied,
            environmentPatterns: configuration?.secretEnvironmentPatterns
                ?? SecretAccess.defaultEnvironmentPatterns,
            fileDirectories: Array(Set(directories)).sorted(),
            configurationHint: "in the secrets section of " + (file ?? "ngcpctl.yaml"))
    }

    /// Returns the repositories of the manifest paths: the enclosing git work tree, or the
    /// path's own directory outside git.
    static func roots(of paths: [String]) -> [String] {
        let base = FileManager.default.currentDirectoryPath
        return (paths.isEmpty ? ["."] : paths).map { path in
            let absolute = path.hasPrefix("/") ? path : base + "/" + path
            var url = URL(fileURLWithPath: absolute).standardizedFileURL
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                || !isDirectory.boolValue
            {
                url = url.deletingLastPathComponent()
            }
            var candidate = url
            while true {
                let marker = candidate.appendingPathComponent(".git").path
                if FileManager.default.fileExists(atPath: marker) { return candidate.path }
                let parent = candidate.deletingLastPathComponent()
                if parent.path == candidate.path { return url.path }
                candidate = parent
            }
        }
    }
}
