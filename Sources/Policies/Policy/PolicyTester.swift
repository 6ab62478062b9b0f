import Foundation
import NGCPCore

/// The outcome of `ngcpctl policy test`: policies run against saved plan files.
public struct PolicyTestReport: Sendable {
    /// The outcome for one plan file.
    public struct FileResult: Sendable {
        public var file: String
        /// The violations and waivers; empty when the file could not be read.
        public var result: PolicyResult
        /// The rule names that the file's `expect_violations` lists, or nil when it has none.
        public var expectedRules: [String]?
        /// The reason the file could not be read or checked.
        public var error: String?

        /// The rule names of the violations, sorted.
        public var violatedRules: [String] { result.violations.map(\.rule).sorted() }

        /// With `expect_violations`: true when exactly those rules are violated (each as often
        /// as listed). Without: true when no `deny` violation occurs.
        public var passed: Bool {
            guard error == nil else { return false }
            guard let expectedRules else { return !result.isDenied }
            return expectedRules.sorted() == violatedRules
        }
    }

    /// Problems in the policy files; when it has errors, no plan file was checked.
    public var policyDiagnostics: [Diagnostic]
    public var files: [FileResult]

    public var passed: Bool { !policyDiagnostics.hasErrors && files.allSatisfy(\.passed) }
}

/// Runs policies against plan files, for `ngcpctl policy test`.
///
/// A plan file is a saved plan (`ngcpctl plan --out FILE`) that may carry, for testing:
/// - `desired` and `live` members on each operation, the objects the expressions see;
/// - a top-level `annotations` object mapping `collection/name` to that manifest's
///   annotations, for waivers;
/// - a top-level `target_name` string, the value of `target` (else the plan's `target`);
/// - a top-level `expect_violations` list of rule names that the plan must violate.
public enum PolicyTester {
    public static func run(
        planFiles: [String], policyPaths: [String], includeBuiltIn: Bool = true,
        loader: PolicyLoader = PolicyLoader()
    ) -> PolicyTestReport {
        let loaded = loader.load(paths: policyPaths, includeBuiltIn: includeBuiltIn)
        guard !loaded.hasErrors else {
            return PolicyTestReport(policyDiagnostics: loaded.diagnostics, files: [])
        }

        var files: [PolicyTestReport.FileResult] = []
        for file in planFiles {
            do {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                files.append(run(planText: text, file: file, policies: loaded.policies))
            } catch {
                files.append(
                    PolicyTestReport.FileResult(
                        file: file, result: PolicyResult(), expectedRules: nil,
                        error: "cannot read plan file: \(error.localizedDescription)"))
            }
        }
        return PolicyTestReport(policyDiagnostics: loaded.diagnostics, files: files)
    }

    /// Checks one plan file's text against `policies`.
    public static func run(planText: String, file: String, policies: PolicySet)
        -> PolicyTestReport.FileResult
    {
        var fileResult = PolicyTestReport.FileResult(
            file: file, result: PolicyResult(), expectedRules: nil, error: nil)
        do {
            let json = try JSONValue.parse(planText)
            let plan = try Plan(json: json)
            let (context, expected) = try testInputs(json, plan: plan)
            fileResult.expectedRules = expected
            fileResult.result = policies.check(plan: plan, context: context)
        } catch let error as JSONParseError {
            fileResult.error = "\(file): not valid JSON: \(error)"
        } catch {
            fileResult.error = "\(file): \(error)"
        }
        return fileResult
    }

    private static func testInputs(_ json: JSONValue, plan: Plan) throws(PolicyTestError)
        -> (PolicyContext, [String]?)
    {
        var context = PolicyContext(target: json["target_name"]?.stringValue ?? plan.target)
        for (index, operation) in (json["operations"]?.arrayValue ?? []).enumerated() {
            let id = plan.operations[index].id
            if let desired = operation["desired"], !desired.isNull { context.desired[id] = desired }
            if let live = operation["live"], !live.isNull { context.live[id] = live }
        }

        if let annotations = json["annotations"] {
            guard let objects = annotations.objectValue else {
                throw PolicyTestError("annotations: expected an object")
            }
            for (key, value) in objects {
                let parts = key.split(separator: "/", maxSplits: 1)
                guard parts.count == 2, let kind = ResourceKind(rawValue: String(parts[0])) else {
                    throw PolicyTestError(
                        "annotations: '\(key)' is not a resource id such as"
                            + " 'subscribers/alice@example.net'")
                }
                var map: [String: String] = [:]
                for (name, text) in value.objectValue ?? [:] {
                    guard let text = text.stringValue else {
                        throw PolicyTestError("annotations.\(key).\(name): expected a string")
                    }
                    map[name] = text
                }
                context.annotations[ResourceID(kind, String(parts[1]))] = map
            }
        }

        var expected: [String]?
        if let list = json["expect_violations"] {
            guard let items = list.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw PolicyTestError("expect_violations: expected a list of rule names")
            }
            expected = items.compactMap(\.stringValue)
        }
        return (context, expected)
    }
}

/// A plan file member for testing that has the wrong shape.
struct PolicyTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
