import ArgumentParsing
import Foundation
import LiveState
import NGCPClient
import NGCPCore

/// Settings for reading the live state: page size, time budget, parallelism, scope and
/// progress.
struct ReadSettings {
    /// Rows of the first page of each collection.
    var pageSize = 100
    /// Seconds one page may take before later pages shrink.
    var pageTimeBudget = 15.0
    /// Requests in flight at once; the real server has only a few workers.
    var concurrency = 3
    var scope = LiveStateScope.everything
    /// Whether to draw read progress on standard error.
    var showProgress = false

    static let options: [OptionSpec] = [
        .option(
            "page-size", value: "ROWS",
            help: "Rows per collection page (default 100; fewer when pages are slow)."),
        .option(
            "page-timeout-budget", value: "SECONDS",
            help: "Maximum seconds one page should take; later pages shrink to fit (default 15)."),
        .option(
            "read-concurrency", value: "N",
            help: "Requests in flight at once while reading (default 3)."),
        .option(
            "customer", value: "NAME",
            help: "Limit manifests and live reads to this customer external_id "
                + "(repeatable, * wildcard).",
            repeatable: true),
        .option(
            "reseller", value: "NAME",
            help: "Limit manifests and live reads to this reseller."),
        .flag("quiet", help: "Print no read progress on standard error."),
    ]

    init() {}

    init(_ parsed: ParsedArguments) throws {
        pageSize = try parsed.integer("page-size", range: 1...10_000) ?? pageSize
        if let text = parsed.value("page-timeout-budget") {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw CommandFailure(
                    "invalid --page-timeout-budget '\(text)': give seconds between 0 and 3600, "
                        + "such as 15",
                    exitCode: .usage)
            }
            pageTimeBudget = seconds
        }
        concurrency = try parsed.integer("read-concurrency", range: 1...64) ?? concurrency
        let customers = parsed.allValues("customer")
        for name in customers where name.isEmpty {
            throw CommandFailure("--customer needs a non-empty name", exitCode: .usage)
        }
        if let reseller = parsed.value("reseller"), reseller.isEmpty {
            throw CommandFailure("--reseller needs a non-empty name", exitCode: .usage)
        }
        scope = LiveStateScope(
            customerExternalIDs: customers, resellerName: parsed.value("reseller"))
        showProgress = !parsed.flag("quiet") && Terminal.standardErrorIsTerminal
    }

    var isScoped: Bool { scope.limitsCustomers || scope.resellerName != nil }
}
