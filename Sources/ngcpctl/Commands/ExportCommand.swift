import ArgumentParsing
import Export
import Foundation
import LiveState
import NGCPClient
import NGCPCore

/// `ngcpctl export --out DIR`: writes the live platform as manifests.
enum ExportCommand {
    static let spec = CommandSpec(
        name: "ngcpctl export",
        summary: "Read the live platform and write its domains, customers and subscribers as "
            + "manifests. Nothing is written to NGCP.",
        options: CommonOptions.connection + [
            .option("out", value: "DIR", help: "Directory to write the manifests into (required)."),
            .option(
                "customer", value: "NAME",
                help: "Export only customers whose external_id matches NAME (* is a wildcard, "
                    + "case is ignored). Repeatable.",
                repeatable: true),
            .option("reseller", value: "NAME", help: "Export only this reseller's objects."),
            .flag("include-terminated", help: "Also write terminated customers."),
            .option(
                "with-secrets-file", value: "FILE",
                help: "Write the SIP passwords to FILE (mode 0600) as shell 'export' lines."),
            .flag(
                "assign-external-ids",
                help: "Print the plan that gives customers without an external_id one."),
        ] + CommonOptions.output,
        discussion: "The API password is read from NGCP_PASSWORD. See docs/export.md.")

    static func run(_ arguments: [String]) async throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        if let extra = parsed.positionals.first {
            throw UsageError(
                "unexpected argument '\(extra)'; name each customer with --customer NAME")
        }
        guard let outDirectory = parsed.value("out"), !outDirectory.isEmpty else {
            throw UsageError("missing --out DIR: the directory to write the manifests into")
        }
        let secretsPath = parsed.value("with-secrets-file")
        if let secretsPath { try checkSecretsPath(secretsPath, outDirectory: outDirectory) }
        let colorMode = try CommonOptions.colorMode(parsed)
        let connection = try Connection(parsed, environment: ProcessInfo.processInfo.environment)

        let customers = parsed.allValues("customer")
        let reseller = parsed.value("reseller")
        let options = ExportOptions(
            includeTerminated: parsed.flag("include-terminated"), allDomains: customers.isEmpty)
        let reader = ExportReader(
            client: connection.makeClient(), customers: customers, reseller: reseller,
            logger: connection.logger)
        let live: LiveState
        do {
            live = try await reader.read(options: options)
        } catch let error as NGCPAPIError {
            throw CommandFailure("cannot read the live state from \(connection.url): \(error)")
        } catch let error as LiveStateError {
            throw CommandFailure(error.message)
        }

        // A mistyped name would otherwise give an empty export that looks like success.
        if !customers.isEmpty, live.customers.isEmpty {
            let names = customers.map { "'\($0)'" }.joined(separator: ", ")
            throw CommandFailure(
                "no customer matches --customer \(names): check the external_ids with "
                    + "GET /api/customers/")
        }
        let result = Exporter.export(live, options: options)
        let removed = try ExportWriter.write(
            result, to: outDirectory, removeStale: customers.isEmpty && reseller == nil)
        if let secretsPath { try ExportWriter.writeSecrets(result.secrets, to: secretsPath) }

        report(result, removed: removed, outDirectory: outDirectory, secretsPath: secretsPath)
        if !result.unkeyed.isEmpty {
            reportUnkeyed(
                result.unkeyed, assign: parsed.flag("assign-external-ids"),
                target: connection.url, colorMode: colorMode)
        }
        return .success
    }

    /// Rejects a secrets file inside the output directory, which is meant for git.
    private static func checkSecretsPath(_ path: String, outDirectory: String) throws {
        let secrets = URL(fileURLWithPath: path).standardizedFileURL.path
        let out = URL(fileURLWithPath: outDirectory).standardizedFileURL.path
        let prefix = out.hasSuffix("/") ? out : out + "/"
        if secrets.hasPrefix(prefix) || secrets == out {
            throw UsageError(
                "the secrets file '\(path)' is inside the output directory '\(outDirectory)', "
                    + "which is meant for git; write it somewhere else")
        }
    }

    private static func report(
        _ result: ExportResult, removed: [String], outDirectory: String, secretsPath: String?
    ) {
        for notice in result.notices {
            Terminal.error("warning: \(notice)\n")
        }
        for path in removed {
            Terminal.error("removed \(path): its customer is no longer on the platform\n")
        }
        var summary =
            "Exported \(result.customerCount) customer(s) with \(result.subscriberCount) "
            + "subscriber(s) and \(result.domainCount) domain(s) to \(outDirectory)."
        if let secretsPath {
            summary += " \(result.secrets.count) password(s) written to \(secretsPath)."
        } else if !result.secrets.isEmpty {
            summary +=
                " The manifests read \(result.secrets.count) password(s) from NGCP_PW_* "
                + "variables; --with-secrets-file FILE writes their values."
        }
        Terminal.error(summary + "\n")
    }

    /// Lists customers without an external_id on standard error, and with `assign` prints the
    /// plan that sets one on standard output.
    private static func reportUnkeyed(
        _ unkeyed: [UnkeyedCustomer], assign: Bool, target: String, colorMode: String
    ) {
        Terminal.error(
            "warning: \(unkeyed.count) customer(s) have no external_id, so neither they nor "
                + "their subscribers were exported:\n")
        for customer in unkeyed {
            let contact = customer.contactEmail.map { ", contact \($0)" } ?? ""
            Terminal.error(
                "  customer \(customer.id) (\(customer.status)\(contact)): would get "
                    + "'\(customer.proposedExternalID)'\n")
        }
        guard assign else {
            Terminal.error(
                "Run with --assign-external-ids to see the plan that sets these external_ids.\n")
            return
        }
        let plan = Exporter.assignmentPlan(unkeyed, target: target)
        Terminal.output(
            PlanCommand.render(
                plan, format: "human", color: Terminal.useColor(colorMode, descriptor: 1)))
        Terminal.error(
            "This plan was not applied. Once the external_ids are set, export again.\n")
    }
}
