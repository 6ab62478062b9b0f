import CYaml
import Foundation
import Manifests
import NGCPCore
import YAMLReader

/// Manifest loading benchmark.
///
///   load-benchmark generate DIR [FILES] [SUBSCRIBERS_PER_FILE] [varied]
///   load-benchmark measure DIR
///   load-benchmark read-only DIR
///   load-benchmark parse-only DIR
///
/// `generate` writes FILES files (default 1,000), each with one customer and
/// SUBSCRIBERS_PER_FILE subscribers (default 50) with numbers, call forwards and
/// preferences, plus one file with the domains. The manifests load without errors or
/// warnings. Every subscriber has the same call forward, and the same preferences but its
/// display name, unless `varied` is given: then each forwards to a number of its own, at hours
/// and with preference values that vary. `measure` loads DIR once in a fresh process
/// and prints CPU time, wall time and peak RSS as JSON and as a table. It sets up the
/// allocator as ngcpctl does. `read-only` reads the same files into YAML trees as the loader
/// does, without decoding them, and counts the files that libyaml had to read. `parse-only`
/// runs libyaml's event parser alone over them, without building anything from the events:
/// what reading the trees would cost if libyaml read every file.
@main
enum LoadBenchmark {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            FileHandle.standardError.write(
                Data(
                    "usage: load-benchmark generate|measure|read-only|parse-only DIR [FILES] [PER_FILE]\n"
                        .utf8))
            exit(64)
        }
        switch arguments[1] {
        case "generate":
            let files = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
            let perFile = arguments.count > 4 ? Int(arguments[4]) ?? 50 : 50
            let varied = arguments.count > 5 && arguments[5] == "varied"
            try generate(into: arguments[2], files: files, perFile: perFile, varied: varied)
        case "measure":
            measure(arguments[2])
        case "read-only":
            measureReadOnly(arguments[2])
        case "parse-only":
            measureParseOnly(arguments[2])
        default:
            FileHandle.standardError.write(Data("unknown mode '\(arguments[1])'\n".utf8))
            exit(64)
        }
    }

    static func generate(into directory: String, files: Int, perFile: Int, varied: Bool) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        let domains = (0..<10).map { "d\($0).bench.example" }
        var domainText = ""
        for domain in domains {
            domainText +=
                "---\napiVersion: ngcpctl/v1\nkind: Domain\nmetadata:\n  name: \(domain)\n"
        }
        try domainText.write(
            toFile: directory + "/domains.yaml", atomically: true, encoding: .utf8)

        for file in 0..<files {
            var text = """
                apiVersion: ngcpctl/v1
                kind: Customer
                metadata:
                  name: customer-\(file)
                spec:
                  billing_profile: default
                  contact:
                    email: ops-\(file)@bench.example
                    company: Customer \(file)

                """
            for index in 0..<perFile {
                let number = file * perFile + index
                let destination = varied ? "\"4366\(4_000_000 + number)\"" : "voicebox"
                let hours = varied ? "\(6 + number % 4)-\(16 + number % 5)" : "8-17"
                let clir = varied && number % 2 == 1
                let concurrentMax = varied ? 1 + number % 7 : 3
                text += """
                    ---
                    apiVersion: ngcpctl/v1
                    kind: Subscriber
                    metadata:
                      name: user\(number)@\(domains[number % domains.count])
                    spec:
                      customer: customer-\(file)
                      password: {env: BENCH_SIP_PASSWORD}
                      primary_number: {cc: 43, ac: "0720", sn: "\(1_000_000 + number)"}
                      callforwards:
                        cfu:
                          destinations:
                            - {destination: \(destination), priority: 1}
                          times:
                            - {wday: 2-6, hour: \(hours)}
                      preferences:
                        display_name: User \(number)
                        clir: \(clir)
                        concurrent_max: \(concurrentMax)

                    """
            }
            let path = directory + String(format: "/customer-%04d.yaml", file)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    static func measure(_ directory: String) {
        AllocatorSettings.apply()
        let before = usage()
        let wallStart = Date()
        let result = ManifestLoader().load(paths: [directory])
        let wall = Date().timeIntervalSince(wallStart)
        let after = usage()

        let cpu =
            seconds(after.ru_utime) + seconds(after.ru_stime)
            - seconds(before.ru_utime) - seconds(before.ru_stime)
        // Linux reports ru_maxrss in kilobytes.
        let peakRSS = Double(after.ru_maxrss) / 1024
        let subscribers = result.desired.subscribers.count
        let errors = result.errors.count
        let warnings = result.warnings.count

        print(
            """
            {"files": \(result.files.count), "subscribers": \(subscribers), \
            "customers": \(result.desired.customers.count), "errors": \(errors), \
            "warnings": \(warnings), \
            "cpu_seconds": \(format(cpu)), "wall_seconds": \(format(wall)), \
            "peak_rss_mb": \(format(peakRSS))}
            """)
        print("")
        print(
            "| files | subscribers | errors | warnings | CPU (s) | wall (s) | peak RSS (MB) |")
        print(
            "|------:|------------:|-------:|---------:|--------:|---------:|--------------:|")
        print(
            "| \(result.files.count) | \(subscribers) | \(errors) | \(warnings) | \(format(cpu)) | "
                + "\(format(wall)) | \(format(peakRSS)) |")
        // The corpus is valid: a diagnostic means the generator and the loader disagree.
        if errors > 0 || warnings > 0 { exit(1) }
    }

    /// Reads every manifest file of `directory` into memory, then times reading them into
    /// YAML trees as the loader does: with the subset reader, and with libyaml for the files
    /// outside its subset.
    static func measureReadOnly(_ directory: String) {
        AllocatorSettings.apply()
        let texts = manifestTexts(in: directory).map { String(decoding: $0, as: UTF8.self) }
        var streams: [YAMLStream] = []
        streams.reserveCapacity(texts.count)

        let before = usage()
        let wallStart = Date()
        var byLibyaml = 0
        var failures = 0
        for text in texts {
            guard let parser = try? YAMLParser(text) else {
                failures += 1
                continue
            }
            if let stream = parser.readWithSubsetReader() {
                streams.append(stream)
            } else {
                byLibyaml += 1
                streams.append(parser.readWithLibyaml())
            }
        }
        let wall = Date().timeIntervalSince(wallStart)
        let after = usage()

        failures += streams.filter { !$0.errors.isEmpty }.count
        let cpu =
            seconds(after.ru_utime) + seconds(after.ru_stime)
            - seconds(before.ru_utime) - seconds(before.ru_stime)
        let peakRSS = Double(after.ru_maxrss) / 1024
        print(
            """
            {"mode": "read-only", "files": \(texts.count), "files_read_by_libyaml": \(byLibyaml), \
            "failures": \(failures), "cpu_seconds": \(format(cpu)), \
            "wall_seconds": \(format(wall)), "peak_rss_mb": \(format(peakRSS))}
            """)
        print("")
        print("Reading the same files into YAML trees alone, as the loader does:")
        print("")
        print("| files | of which read by libyaml | CPU (s) | wall (s) | peak RSS (MB) |")
        print("|------:|------------------------:|--------:|---------:|--------------:|")
        print(
            "| \(texts.count) | \(byLibyaml) | \(format(cpu)) | \(format(wall)) | "
                + "\(format(peakRSS)) |")
        if failures > 0 { exit(1) }
    }

    /// Reads every manifest file of `directory` into memory, then times parsing them with
    /// libyaml's event parser, set up as `YAMLParser` sets it up, deleting each event.
    static func measureParseOnly(_ directory: String) {
        AllocatorSettings.apply()
        let texts = manifestTexts(in: directory)

        let before = usage()
        let wallStart = Date()
        var events = 0
        var failures = 0
        for text in texts {
            switch parseEvents(text) {
            case .some(let count): events += count
            case .none: failures += 1
            }
        }
        let wall = Date().timeIntervalSince(wallStart)
        let after = usage()

        let cpu =
            seconds(after.ru_utime) + seconds(after.ru_stime)
            - seconds(before.ru_utime) - seconds(before.ru_stime)
        let peakRSS = Double(after.ru_maxrss) / 1024
        print(
            """
            {"mode": "parse-only", "files": \(texts.count), "events": \(events), \
            "failures": \(failures), "cpu_seconds": \(format(cpu)), \
            "wall_seconds": \(format(wall)), "peak_rss_mb": \(format(peakRSS))}
            """)
        print("")
        print("libyaml's event parser alone over the same files, without building trees:")
        print("")
        print("| files | events | CPU (s) | wall (s) | peak RSS (MB) |")
        print("|------:|-------:|--------:|---------:|--------------:|")
        print(
            "| \(texts.count) | \(events) | \(format(cpu)) | \(format(wall)) | "
                + "\(format(peakRSS)) |")
        // The corpus is valid YAML: a failure means the files are not the generated ones.
        if failures > 0 { exit(1) }
    }

    /// Returns the bytes of the `.yaml` and `.yml` files of `directory`, in sorted path order
    /// as the loader reads them. The generated directory has no subdirectories.
    static func manifestTexts(in directory: String) -> [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            name in
            Array(FileManager.default.contents(atPath: directory + "/" + name) ?? Data())
        }
    }

    /// Runs libyaml's event parser over `bytes` to the end of the stream and returns the
    /// number of events, or nil when the parser reports an error.
    static func parseEvents(_ bytes: [UInt8]) -> Int? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        return bytes.withUnsafeBufferPointer { input -> Int? in
            yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
            var event = yaml_event_t()
            var count = 0
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                let type = event.type
                yaml_event_delete(&event)
                count += 1
                if type == YAML_STREAM_END_EVENT { return count }
            }
        }
    }

    static func usage() -> rusage {
        var value = rusage()
        getrusage(RUSAGE_SELF.rawValue, &value)
        return value
    }

    static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    static func format(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
