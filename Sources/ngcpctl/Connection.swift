import ArgumentParsing
import Foundation
import Manifests
import NGCPClient
import NGCPCore

/// The API endpoint, credentials and transport settings, from flags, the environment and
/// ngcpctl.yaml.
struct Connection {
    let url: String
    let user: String
    let password: SecretValue
    let transport: TransportOptions
    let logger: Logger
    /// The ngcpctl.yaml target that supplied defaults, if any.
    let project: ProjectSelection
    var target: TargetConfiguration? { project.target }
    let reading: ReadSettings
    /// Shared by every client of the command, so that only a connection that fails before
    /// the server has responded at all in this run fails fast.
    let contact = ServerContact()

    /// Reads `--url`, `--user`, TLS and timeout flags, `NGCP_URL`, `NGCP_USER` and
    /// `NGCP_PASSWORD`, then the selected target of ngcpctl.yaml for what they leave open.
    /// The password has no flag, so it never appears in a process list.
    init(_ parsed: ParsedArguments, environment: [String: String]) throws {
        // `--ca-file` replaces the target's CA file, which then need not exist here.
        let project = try ProjectStage.select(
            paths: parsed.positionals, targetName: parsed.value("target"),
            colorMode: CommonOptions.colorMode(parsed),
            checksCAFile: parsed.value("ca-file") == nil)
        let target = project.target
        let explicitTarget = parsed.value("target") != nil ? target : nil
        guard
            let url = try Self.url(
                flag: parsed.value("url"), environment: Self.value(environment["NGCP_URL"]),
                target: target, explicitTarget: explicitTarget),
            !url.isEmpty
        else {
            throw CommandFailure(
                "no NGCP API URL: pass --url URL or set NGCP_URL", exitCode: .usage)
        }
        guard !APIURL.hasUserInfo(url) else {
            throw CommandFailure(APIURL.userInfoMessage(url), exitCode: .usage)
        }
        if let problem = APIURL.problem(url) {
            throw CommandFailure(
                "invalid URL '\(APIURL.redacted(url))': \(problem)", exitCode: .usage)
        }
        // A target chosen with --target names its own user, as it names its own URL.
        var environmentUser = Self.value(environment["NGCP_USER"])
        if let chosen = explicitTarget, let targetUser = chosen.user,
            parsed.value("user") == nil, let ignored = environmentUser
        {
            if ignored != targetUser {
                Terminal.error(
                    "note: NGCP_USER is ignored: --target \(chosen.name) names its own user\n")
            }
            environmentUser = nil
        }
        guard let user = parsed.value("user") ?? environmentUser ?? target?.user,
            !user.isEmpty
        else {
            throw CommandFailure(
                "no API user: pass --user NAME or set NGCP_USER", exitCode: .usage)
        }
        let passwordVariable = target?.passwordEnv ?? "NGCP_PASSWORD"
        guard let password = environment[passwordVariable], !password.isEmpty else {
            throw CommandFailure(
                "no API password: set \(passwordVariable) (there is no flag for it, so that it stays "
                    + "out of process lists and shell history)",
                exitCode: .usage)
        }
        let timeout = try parsed.integer("timeout", range: 1...3600) ?? 60
        let caFile = parsed.value("ca-file") ?? target?.caFile.map { project.resolve($0) }
        if let caFile, !isReadableFile(caFile) {
            let fromFlag = parsed.value("ca-file") != nil
            let origin = fromFlag ? "--ca-file" : "ca_file in ngcpctl.yaml"
            // ProjectStage checked the file of ca_file, so only a file removed since fails here.
            let hint =
                fromFlag
                ? "pass the path of a readable CA bundle (PEM) that signed the server's"
                    + " certificate; a relative path is relative to the current directory"
                : "put the CA bundle (PEM) back, or correct ca_file in ngcpctl.yaml, which is"
                    + " relative to the directory of ngcpctl.yaml"
            throw CommandFailure(
                "cannot read the CA file '\(caFile)' given with \(origin)", hint: hint)
        }
        let certificate = parsed.value("client-cert")
        let key = parsed.value("client-key")
        if (certificate == nil) != (key == nil) {
            throw CommandFailure(
                "--client-cert and --client-key go together: pass both or neither",
                exitCode: .usage)
        }
        for (flag, path) in [("client-cert", certificate), ("client-key", key)] {
            if let path, !isReadableFile(path) {
                throw CommandFailure("cannot read the file '\(path)' given with --\(flag)")
            }
        }
        let reading = try ReadSettings(parsed)
        let insecure = parsed.flag("insecure")
        if insecure {
            Terminal.error(
                "warning: --insecure: the server's TLS certificate is not verified, so anyone "
                    + "on the network path can read and change this session\n")
        }
        self.project = project
        // One spelling per server: the URL names the target's lock, records and plans.
        self.url = APIURL.normalized(url)
        self.user = user
        self.password = SecretValue(password)
        self.transport = TransportOptions(
            requestTimeout: Double(timeout), caFile: caFile, insecure: insecure,
            clientCertificate: certificate, clientKey: key, connections: reading.concurrency)
        self.reading = reading
        self.logger = Logger(
            label: "ngcpctl", minimumLevel: parsed.flag("verbose") ? .debug : .warning)
    }

    /// Returns the API URL: `--url`, else `NGCP_URL`, else the target's `url`. A target
    /// chosen with `--target` wins over `NGCP_URL`, which may be left over from another
    /// session. A `--url` for another server than that target's is a usage error. So an
    /// explicit target is never silently pointed at another server.
    private static func url(
        flag: String?, environment: String?, target: TargetConfiguration?,
        explicitTarget: TargetConfiguration?
    ) throws -> String? {
        guard let chosen = explicitTarget, let targetURL = chosen.url,
            APIURL.problem(targetURL) == nil
        else { return flag ?? environment ?? target?.url }

        if let flag {
            // Credentials in the URL are refused by their own message, which hides them.
            guard
                APIURL.hasUserInfo(flag) || APIURL.problem(flag) != nil
                    || APIURL.normalized(flag) == APIURL.normalized(targetURL)
            else {
                throw CommandFailure(
                    "--url \(APIURL.redacted(flag)) and --target \(chosen.name) "
                        + "(\(APIURL.redacted(targetURL))) name different servers; pass only one",
                    exitCode: .usage)
            }
            return flag
        }
        if let environment,
            APIURL.problem(environment) != nil
                || APIURL.normalized(environment) != APIURL.normalized(targetURL)
        {
            Terminal.error(
                "note: NGCP_URL (\(APIURL.redacted(environment))) is ignored: --target "
                    + "\(chosen.name) selects \(APIURL.redacted(targetURL))\n")
        }
        return targetURL
    }

    /// Returns an environment variable's value, with an empty one counted as not set, as
    /// shells leave `NAME=` behind when a variable is cleared.
    private static func value(_ variable: String?) -> String? {
        guard let variable, !variable.isEmpty else { return nil }
        return variable
    }

    func makeClient(progress: (@Sendable (ReadProgress) -> Void)? = nil) -> NGCPAPIClient {
        NGCPAPIClient(
            baseURL: url, user: user, password: password, transport: transport,
            pageConcurrency: reading.concurrency, pageTimeBudget: reading.pageTimeBudget,
            progress: progress, logger: logger, contact: contact)
    }
}

/// Returns whether `path` names a readable file that is no directory. A directory passes
/// `isReadableFile`, but libcurl fails on it only when it connects.
private func isReadableFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        return false
    }
    return !isDirectory.boolValue && FileManager.default.isReadableFile(atPath: path)
}
