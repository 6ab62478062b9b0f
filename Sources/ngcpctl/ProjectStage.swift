import Foundation
import Manifests
import NGCPCore

/// The ngcpctl.yaml found for a run and the target selected in it.
struct ProjectSelection {
    let configuration: ProjectConfiguration?
    let target: TargetConfiguration?
    /// The directory of ngcpctl.yaml, against which its relative paths (ca_file) resolve.
    let directory: String?
    /// The warnings ngcpctl.yaml gave, already printed, for the run's summary to count.
    var warnings: [Diagnostic] = []
    /// The path and text of ngcpctl.yaml, for excerpts under diagnostics at its lines.
    var file: (path: String, text: String)?

    static let none = ProjectSelection(configuration: nil, target: nil, directory: nil)

    /// Manifest load options for the selected target: its default billing profile, the
    /// `metadata.targets` filter and the known target names.
    func manifestOptions() -> ManifestLoadOptions {
        var options = ManifestLoadOptions()
        options.defaultBillingProfile = target?.defaultBillingProfile
        options.defaultReseller = target?.reseller
        options.target = target?.name
        options.knownTargets = configuration.map { $0.targets.keys.sorted() }
        return options
    }

    /// Resolves a path from ngcpctl.yaml against the file's directory.
    func resolve(_ path: String) -> String {
        guard let directory else { return path }
        return ProjectConfigurationLoader.resolve(path, in: directory)
    }
}

extension ManifestLoadOptions {
    /// Replaces the settings that come from ngcpctl.yaml with those of `configuration`, for
    /// the target these options select when `configuration` has it, or else its default or
    /// only target. Nil stands for no ngcpctl.yaml: no defaults and no known target names.
    mutating func apply(_ configuration: ProjectConfiguration?) {
        // A revision from before the target existed falls back to its own default or only
        // target, as a run at that revision would have chosen.
        let selected = configuration.flatMap { selectedTarget(in: $0) }
        defaultBillingProfile = selected?.defaultBillingProfile
        defaultReseller = selected?.reseller
        knownTargets = configuration.map { $0.targets.keys.sorted() }
    }

    /// Returns the target of `configuration` that this load is for: the selected target when
    /// the configuration has it, else its default or only target.
    func selectedTarget(in configuration: ProjectConfiguration) -> TargetConfiguration? {
        target.flatMap { configuration.targets[$0] }
            ?? (try? ProjectConfigurationLoader.selectTarget(nil, in: configuration))
    }
}

/// Finds and reads ngcpctl.yaml for the manifest paths, and selects the target.
enum ProjectStage {
    /// Reads ngcpctl.yaml and selects `targetName`, the default target or the only one.
    /// Without ngcpctl.yaml the selection is empty, and `--target` is an error. With
    /// `checksCAFile`, a `ca_file` of the selected target that cannot be read is an error in
    /// ngcpctl.yaml. Other targets' CA files are not checked, because they may exist only on
    /// the machines that connect to those targets.
    static func select(
        paths: [String], targetName: String?, colorMode: String, checksCAFile: Bool = false
    ) throws -> ProjectSelection {
        let base = FileManager.default.currentDirectoryPath
        let searched = paths.isEmpty ? ["."] : paths
        guard
            let path = ProjectConfigurationLoader.discover(paths: searched, baseDirectory: base)
        else {
            if let targetName {
                throw CommandFailure(
                    "--target \(targetName) was given, but no \(ProjectConfigurationLoader.fileName)"
                        + " was found in '\(searched[0])' or the directories above it (up to the"
                        + " git root)",
                    exitCode: .usage)
            }
            return .none
        }

        let loaded = ProjectConfigurationLoader.load(path: path)
        let sources = loaded.source.map { [path: $0] } ?? [:]
        guard let configuration = loaded.configuration, !loaded.hasErrors else {
            ManifestStage.report(loaded.diagnostics, sources: sources, colorMode: colorMode)
            throw CommandFailure("\(path) is invalid. \(ManifestStage.fixAndRunAgain)")
        }
        let target: TargetConfiguration
        do {
            target = try ProjectConfigurationLoader.selectTarget(targetName, in: configuration)
        } catch {
            ManifestStage.report(
                loaded.diagnostics, sources: sources, colorMode: colorMode, summary: false)
            throw CommandFailure("\(path): \(error)", exitCode: .usage)
        }

        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if checksCAFile,
            let problem = ProjectConfigurationLoader.caFileProblem(of: target, directory: directory)
        {
            ManifestStage.report(
                loaded.diagnostics + [problem], sources: sources, colorMode: colorMode)
            throw CommandFailure("\(path) is invalid. \(ManifestStage.fixAndRunAgain)")
        }
        // Warnings without a summary line: the run's summary counts them with the manifests'.
        ManifestStage.report(
            loaded.diagnostics, sources: sources, colorMode: colorMode, summary: false)
        return ProjectSelection(
            configuration: configuration, target: target, directory: directory,
            warnings: loaded.diagnostics, file: loaded.source.map { (path, $0) })
    }
}

extension ManifestStage {
    /// Loads `paths` with `options`, runs `check` (such as the secret checks) on the objects
    /// that loaded cleanly, and prints every diagnostic of both with one summary. Throws after
    /// printing when any error was found, so that one run reports all of them.
    static func load(
        _ paths: [String], options: ManifestLoadOptions, colorMode: String,
        quietUnlessErrors: Bool = false, contactsServer: Bool = true,
        check: (ManifestLoadResult) -> [Diagnostic] = { _ in [] }
    ) throws -> ManifestLoadResult {
        let result = ManifestLoader(options: options).load(paths: paths)
        // Only a command that talks to NGCP needs to say that it did not.
        let outcome = contactsServer ? " and nothing was sent to NGCP" : ""
        return try checked(
            result, check: check, colorMode: colorMode, quietUnlessErrors: quietUnlessErrors,
            failure: "the manifests are invalid\(outcome). \(fixAndRunAgain)")
    }

    /// Runs `check` on a load result and prints its diagnostics with the result's. When there
    /// is any error, it throws `failure`, which closes the run below the summary line. With
    /// `quietUnlessErrors`, warnings alone are not printed: plan and apply print them after
    /// the check against the target, which may turn some into errors.
    static func checked(
        _ result: ManifestLoadResult, check: (ManifestLoadResult) -> [Diagnostic],
        colorMode: String, quietUnlessErrors: Bool = false, failure: String
    ) throws -> ManifestLoadResult {
        let checked = result.locatingSecretFields(check(result))
        let diagnostics = result.diagnostics + checked
        if !quietUnlessErrors || diagnostics.hasErrors {
            report(
                diagnostics, sources: result.sources,
                sourceReplacements: result.sourceReplacements, colorMode: colorMode,
                files: result.files)
        }
        if diagnostics.hasErrors {
            throw CommandFailure(failure)
        }
        return result
    }

    /// Checks the manifests again against what only the target knows: its preference
    /// catalogue, its customers and its domains. Returns the manifests as checked, with every
    /// diagnostic of the check.
    ///
    /// `reload` loads the same manifests as the first load (from the working tree, or from a
    /// git revision) with the given options. The second load is skipped when it cannot find
    /// anything new: every preference that the manifests set has the same definition in the
    /// target's catalogue as in the one already used, and every customer and domain that the
    /// manifests do not declare exists on the target.
    static func recheck(
        first: ManifestLoadResult, options: ManifestLoadOptions, live: LiveState,
        target: String, reload: (ManifestLoadOptions) throws -> ManifestLoadResult
    ) throws -> ManifestLoadResult {
        let firstCatalogue = options.preferenceCatalogue
        var options = options
        options.deferUnknownPreferences = false
        options.targetDescription = target
        options.liveCustomers = Set(
            live.customers.compactMap { $0["external_id"]?.stringValue })
        let liveDomains = Set(live.domains.compactMap { $0["domain"]?.stringValue?.lowercased() })
        options.liveDomains = liveDomains
        if !live.preferenceDefinitions.isEmpty {
            do {
                options.preferenceCatalogue = try PreferenceCatalogue(
                    subscriberPreferenceDefs: .object(live.preferenceDefinitions))
            } catch {
                throw CommandFailure(
                    "cannot read the preference definitions of \(target): \(error)")
            }
        }

        // Preferences decode by their own definition alone, so when each preference that the
        // manifests set is defined alike in both catalogues, a reload decodes them alike too.
        let catalogue = options.preferenceCatalogue
        var checkedNames: Set<String> = []
        let preferencesAlike = first.desired.subscribers.allSatisfy { subscriber in
            (subscriber.preferences ?? [:]).keys.allSatisfy { name in
                if checkedNames.contains(name) { return true }
                checkedNames.insert(name)
                guard let definition = catalogue.definitions[name] else { return false }
                return firstCatalogue.definitions[name] == definition
            }
        }
        // The first load warned about every undeclared domain. A reload leaves out the
        // warnings of those that the target lacks, because planning reports them as errors.
        let domainsLive = first.undeclaredDomains.allSatisfy {
            liveDomains.contains($0.lowercased())
        }
        if preferencesAlike, domainsLive,
            first.undeclaredCustomers.isSubset(of: options.liveCustomers ?? [])
        {
            return first
        }
        return try reload(options)
    }
}
