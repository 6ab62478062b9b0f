import ArgumentParsing
import Testing

@Suite struct ArgumentParserTests {
    let spec = CommandSpec(
        name: "ngcpctl plan", summary: "Plan.", positionalUsage: "PATH...",
        options: [
            .option("url", value: "URL", help: "The API base URL."),
            .option("format", value: "FORMAT", help: "human or json."),
            .option("customer", value: "NAME", help: "Limit.", repeatable: true),
            .flag("prune", help: "Remove."),
        ])

    @Test func parsesOptionsFlagsAndPositionals() throws {
        let parsed = try spec.parse([
            "examples", "--url", "http://x", "--format=json", "--prune", "more",
        ])
        #expect(parsed.positionals == ["examples", "more"])
        #expect(parsed.value("url") == "http://x")
        #expect(parsed.value("format") == "json")
        #expect(parsed.flag("prune"))
    }

    @Test func collectsRepeatableValues() throws {
        let parsed = try spec.parse(["--customer", "a", "--customer=b"])
        #expect(parsed.allValues("customer") == ["a", "b"])
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try spec.parse(["--", "--prune"])
        #expect(parsed.positionals == ["--prune"])
        #expect(!parsed.flag("prune"))
    }

    @Test(arguments: [
        (["--urll", "x"], "unknown option '--urll'; did you mean '--url'?"),
        (["--url"], "missing value for '--url URL'"),
        (["--prune=yes"], "option '--prune' does not take a value"),
        (["--url", "a", "--url", "b"], "option '--url' is given more than once"),
        (
            ["-p"],
            "unknown option '-p': options are spelled with two dashes, "
                + "see 'ngcpctl plan --help'"
        ),
    ])
    func reportsUsageErrors(_ arguments: [String], _ message: String) {
        #expect(throws: UsageError(message)) { try spec.parse(arguments) }
    }

    @Test func choiceRejectsUnknownWord() throws {
        let parsed = try spec.parse(["--format", "yaml"])
        #expect(
            throws: UsageError("invalid value 'yaml' for '--format': expected one of human, json")
        ) {
            try parsed.choice("format", from: ["human", "json"])
        }
    }

    @Test func nearestNameIgnoresDistantWords() {
        #expect(nearestName(to: "pln", in: ["plan", "apply"]) == "plan")
        #expect(nearestName(to: "frobnicate", in: ["plan", "apply"]) == nil)
    }

    @Test func helpListsEveryOption() {
        let help = spec.helpText
        #expect(help.hasPrefix("Usage: ngcpctl plan [options] PATH..."))
        for name in ["--url URL", "--format FORMAT", "--customer NAME", "--prune", "--help"] {
            #expect(help.contains(name), "\(name)")
        }
    }
}
