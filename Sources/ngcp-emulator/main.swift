import Emulator
import Foundation
@preconcurrency import Glibc

// Command line: parsed by hand because the emulator has only a few flags.

let usage = """
    Usage: ngcp-emulator [options]

    Serves a local NGCP REST API (/api/) backed by SQLite.

    Options:
      --listen HOST:PORT          Address to listen on (default 127.0.0.1:0, a free port).
      --db FILE|:memory:          SQLite database file, created when missing (default :memory:).
      --seed FILE                 JSON seed file loaded at start.
      --generate customers=N,subscribers=M[,featured=F]
                                  Generate N customers and M subscribers; a share F (0..1,
                                  default 0.2) gets a call forward and preferences.
      --admin-account USER:PASSWORD
                                  Replace the default administrator/administrator login.
      --reseller-account USER:PASSWORD:RESELLER_ID
                                  Add a login that sees only that reseller's objects.
      --latency-ms MS             Delay every response by MS milliseconds.
      --error-rate R              Answer a share R (0..1) of requests with 500.
      --bad-gateway-rate R        Answer a share R with 502.
      --unavailable-rate R        Answer a share R with 503.
      --rate-limit-rate R         Answer a share R with 429 and Retry-After.
      --retry-after SECONDS       Retry-After value for 429 (default 1).
      --drop-rate R               Carry out a share R of requests, then close the connection
                                  half-way through the response.
      --commit-then-fail-rate R   Commit a share R of writes, then answer 500.
      --fault-seed N              Seed for the fault decisions (default 1).
      --threads N                 HTTP worker threads (default 4).
      --log-level LEVEL           Messages on stderr: error, warning, info (default) or debug;
                                  debug also lists each connection that --drop-rate closes.
      --help                      Show this help.

    Prints "ngcp-emulator listening on http://HOST:PORT" when ready and runs until SIGINT or
    SIGTERM.

    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(
        Data("ngcp-emulator: \(message)\nRun 'ngcp-emulator --help' for the options.\n".utf8))
    exit(64)
}

func rate(_ text: String, _ flag: String) -> Double {
    guard let value = Double(text), value >= 0, value <= 1 else {
        fail("invalid value '\(text)' for \(flag): expected a number between 0 and 1")
    }
    return value
}

func count(_ text: String, _ flag: String) -> Int {
    guard let value = Int(text), value >= 0 else {
        fail("invalid value '\(text)' for \(flag): expected a whole number of 0 or more")
    }
    return value
}

func parseGeneration(_ text: String) -> GenerationSettings {
    var customers = 0
    var subscribers = 0
    var featured = 0.2
    for part in text.split(separator: ",") {
        let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
        guard pieces.count == 2 else {
            fail("invalid --generate item '\(part)': expected NAME=VALUE")
        }
        switch pieces[0] {
        case "customers": customers = count(pieces[1], "--generate customers")
        case "subscribers": subscribers = count(pieces[1], "--generate subscribers")
        case "featured": featured = rate(pieces[1], "--generate featured")
        default:
            fail("unknown --generate item '\(pieces[0])': use customers, subscribers or featured")
        }
    }
    if subscribers > 0 && customers == 0 {
        fail("--generate needs customers=N (N > 0) when subscribers are generated")
    }
    return GenerationSettings(
        customers: customers, subscribers: subscribers, featuredShare: featured)
}

func parseArguments(_ arguments: [String]) -> EmulatorConfiguration {
    var configuration = EmulatorConfiguration()
    var accounts = [EmulatorAccount.defaultAdministrator]
    var index = 0
    func value(_ flag: String) -> String {
        index += 1
        guard index < arguments.count else { fail("missing value for \(flag)") }
        return arguments[index]
    }
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--help", "-h":
            print(usage, terminator: "")
            exit(0)
        case "--listen":
            let text = value(argument)
            guard let colon = text.lastIndex(of: ":"),
                let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
            else { fail("invalid --listen '\(text)': expected HOST:PORT, e.g. 127.0.0.1:8080") }
            configuration.host = String(text[..<colon])
            configuration.port = port
        case "--db":
            configuration.databasePath = value(argument)
        case "--seed":
            configuration.seedPath = value(argument)
        case "--generate":
            configuration.generation = parseGeneration(value(argument))
        case "--admin-account":
            let parts = value(argument).split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                fail("invalid --admin-account: expected USER:PASSWORD")
            }
            accounts[0] = EmulatorAccount(username: parts[0], password: parts[1])
        case "--reseller-account":
            let parts = value(argument).split(separator: ":").map(String.init)
            guard parts.count == 3, !parts[0].isEmpty, let reseller = Int(parts[2]) else {
                fail("invalid --reseller-account: expected USER:PASSWORD:RESELLER_ID")
            }
            accounts.append(
                EmulatorAccount(username: parts[0], password: parts[1], resellerID: reseller))
        case "--latency-ms":
            configuration.faults.latencyMilliseconds = count(value(argument), argument)
        case "--error-rate":
            configuration.faults.serverErrorRate = rate(value(argument), argument)
        case "--bad-gateway-rate":
            configuration.faults.badGatewayRate = rate(value(argument), argument)
        case "--unavailable-rate":
            configuration.faults.unavailableRate = rate(value(argument), argument)
        case "--rate-limit-rate":
            configuration.faults.tooManyRequestsRate = rate(value(argument), argument)
        case "--retry-after":
            configuration.faults.retryAfterSeconds = count(value(argument), argument)
        case "--drop-rate":
            configuration.faults.dropConnectionRate = rate(value(argument), argument)
        case "--commit-then-fail-rate":
            configuration.faults.commitThenFailRate = rate(value(argument), argument)
        case "--fault-seed":
            let text = value(argument)
            guard let seed = UInt64(text) else {
                fail("invalid --fault-seed '\(text)': expected a whole number")
            }
            configuration.faults.seed = seed
        case "--threads":
            configuration.threads = max(1, count(value(argument), argument))
        case "--log-level":
            let text = value(argument)
            guard let level = EmulatorLogLevel.allCases.first(where: { $0.name == text }) else {
                fail("invalid --log-level '\(text)': expected error, warning, info or debug")
            }
            configuration.logLevel = level
        default:
            fail("unknown option '\(argument)'")
        }
        index += 1
    }
    configuration.accounts = accounts
    return configuration
}

let configuration = parseArguments(Array(CommandLine.arguments.dropFirst()))

// Block the stop signals before any thread starts, then wait for them synchronously.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let server: EmulatorServer
do {
    server = try EmulatorServer(configuration: configuration)
} catch {
    FileHandle.standardError.write(Data("ngcp-emulator: \(error)\n".utf8))
    exit(1)
}
print("ngcp-emulator listening on \(server.baseURL)")
fflush(nil)  // flushes every stream, stdout included

var received: Int32 = 0
sigwait(&stopSignals, &received)
server.stop()
exit(0)
