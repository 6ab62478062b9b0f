import Foundation
import GitSource
import NGCPCore
import Testing

/// Plans from git revisions, apply records, history, changes, drift and prune inventory, with
/// the built ngcpctl against an emulator process. The tests run one at a time because each
/// starts several processes, and timing-sensitive suites run beside them.
@Suite(.serialized) struct RevisionTrackingTests {
    @Test func planFromRevisionEqualsCheckout() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let first = try repo.commit("first")
        let fromCheckout = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)

        var second = ManifestTexts.first
        second["beta.yaml"] = nil
        try repo.setManifests(second)
        let secondCommit = try repo.commit("second")
        // Uncommitted edits must not leak into a plan from a revision.
        try repo.write("manifests/domain.yaml", "not: [valid")

        let fromRevision = try repo.json(
            ["plan", "--rev", first, "manifests", "--format", "json"], environment: environment)
        #expect(fromRevision["operations"] == fromCheckout["operations"])
        #expect(fromRevision.operationSummary.count == 11)
        #expect(fromRevision["source"]?["revision"]?.stringValue == first)
        #expect(fromRevision["source"]?["dirty"]?.boolValue == false)
        #expect(fromCheckout["source"]?["revision"]?.stringValue == first)
        #expect(fromCheckout["source"]?["branch"]?.stringValue == "main")

        // The relative {file:} secret resolves next to the working tree's manifests.
        let text = fromRevision.serialized()
        #expect(text.contains("file:\(repo.path)/secrets/alice"))
        #expect(!text.contains("Sekr3t"))

        let fromBranch = try repo.json(
            ["plan", "--rev", "main", "manifests", "--format", "json"], environment: environment)
        #expect(fromBranch["source"]?["revision"]?.stringValue == secondCommit)
        #expect(fromBranch["source"]?["branch"]?.stringValue == "main")
        #expect(!fromBranch.operationSummary.contains("create customers/beta"))
    }

    @Test func revisionSkipsPolicyDirectory() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.write("domain.yaml", ManifestTexts.domain)
        try repo.write(
            "policies/site.yaml",
            "apiVersion: ngcpctl/v1\nkind: Policy\nrules:\n  - name: site-rule\n"
                + "    severity: warn\n    match: {resources: [domains]}\n"
                + "    condition: \"false\"\n")
        let commit = try repo.commit("manifests beside their policies")

        // The policy file is no manifest, in the working tree and in a revision alike.
        let fromCheckout = try repo.json(
            ["plan", ".", "--format", "json"], environment: environment)
        let fromRevision = try repo.json(
            ["plan", "--rev", commit, ".", "--format", "json"], environment: environment)
        #expect(fromRevision["operations"] == fromCheckout["operations"])
        #expect(fromRevision.operationSummary == ["create domains/voice.test"])
    }

    @Test func savedPlanRecordsSelectedTarget() throws {
        let emulator = try EmulatorProcess()
        let repo = try ManifestRepository()
        try repo.write("ngcpctl.yaml", "targets:\n  lab:\n    url: \(emulator.url)\n")
        try repo.setManifests(["domain.yaml": ManifestTexts.domain])
        try repo.commit("first")
        let environment = ["NGCP_USER": "administrator", "NGCP_PASSWORD": "administrator"]

        let saved = try repo.ngcpctl(
            ["plan", "manifests", "--out", "plan.json"], environment: environment)
        #expect(saved.exitCode == 0, "\(saved.standardError)")
        let applied = try repo.ngcpctl(
            ["apply", "--plan", "plan.json", "--auto-approve"], environment: environment)
        #expect(applied.exitCode == 0, "\(applied.standardError)")

        // Recorded under the target's name, as 'apply manifests' records it.
        #expect(try repo.repository.referenceTarget("refs/ngcpctl/applied/lab") != nil)
    }

    @Test func changesUseTargetDefaults() throws {
        let repo = try ManifestRepository()
        try repo.write(
            "ngcpctl.yaml",
            "targets:\n  lab:\n    url: http://127.0.0.1:9\n    default_billing_profile: default\n")
        func customer(_ email: String) -> String {
            ManifestTexts.customer("acme", email: email)
                .replacingOccurrences(of: "  billing_profile: default\n", with: "")
        }
        try repo.setManifests(["acme.yaml": customer("office@acme.test")])
        try repo.commit("first")
        try repo.setManifests(["acme.yaml": customer("ops@acme.test")])
        try repo.commit("second")

        // The documents rely on the target's billing profile, as validate and plan read them.
        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("ops@acme.test"), "\(result.standardOutput)")
    }

    @Test func changesListPBXGroups() throws {
        let repo = try ManifestRepository()
        func member(_ groups: String) -> String {
            """
            apiVersion: ngcpctl/v1
            kind: Subscriber
            metadata:
              name: ward@pbx.example.org
            spec:
              customer: harbour
              pbx_extension: "30"
              pbx_groups: \(groups)
            """
        }
        try repo.setManifests(["ward.yaml": member("[nurses@pbx.example.org]")])
        try repo.commit("first")
        try repo.setManifests(["ward.yaml": member("[porters@pbx.example.org]")])
        try repo.commit("second")

        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("pbx_groups"), "\(result.standardOutput)")
        #expect(
            result.standardOutput.contains("porters@pbx.example.org"), "\(result.standardOutput)")
    }

    @Test func changesReadEachRevisionsDefaults() throws {
        let repo = try ManifestRepository()
        func project(_ profile: String) -> String {
            "targets:\n  lab:\n    url: http://127.0.0.1:9\n"
                + "    default_billing_profile: \(profile)\n"
        }
        let customer = ManifestTexts.customer("acme", email: "office@acme.test")
            .replacingOccurrences(of: "  billing_profile: default\n", with: "")
        try repo.write("ngcpctl.yaml", project("default"))
        try repo.setManifests(["acme.yaml": customer])
        try repo.commit("first")
        try repo.write("ngcpctl.yaml", project("premium"))
        try repo.commit("second")

        // Only the default changed, so the customer's billing profile changes with it.
        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("premium"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("default"), "\(result.standardOutput)")
    }

    @Test func revisionWithoutSelectedTargetUsesItsOwn() throws {
        let repo = try ManifestRepository()
        let lab = "  lab:\n    url: http://127.0.0.1:9\n    default_billing_profile: silver\n"
        func customer(_ email: String) -> String {
            ManifestTexts.customer("acme", email: email)
                .replacingOccurrences(of: "  billing_profile: default\n", with: "")
        }
        try repo.write("ngcpctl.yaml", "targets:\n" + lab)
        try repo.setManifests(["acme.yaml": customer("office@acme.test")])
        try repo.commit("first")
        try repo.write(
            "ngcpctl.yaml",
            "default_target: prod\ntargets:\n" + lab
                + "  prod:\n    url: http://127.0.0.1:9\n    default_billing_profile: silver\n")
        try repo.setManifests(["acme.yaml": customer("ops@acme.test")])
        try repo.commit("second")

        // The first revision has no target 'prod', so its only target applies.
        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("ops@acme.test"), "\(result.standardOutput)")
    }

    /// Creates a repository whose first commit names `profile` as the lab target's default
    /// billing profile for `customers`, which set none of their own, and whose second commit
    /// names `default` instead. Returns it with the first commit.
    static func repositoryWithOldDefault(
        _ profile: String, customers: [String], emulator: EmulatorProcess
    ) throws -> (repository: ManifestRepository, first: String) {
        let repo = try ManifestRepository()
        func project(_ profile: String) -> String {
            "targets:\n  lab:\n    url: \(emulator.url)\n"
                + "    default_billing_profile: \(profile)\n"
        }
        var manifests: [String: String] = [:]
        for name in customers {
            manifests[name + ".yaml"] = ManifestTexts.customer(name, email: "ops@\(name).test")
                .replacingOccurrences(of: "  billing_profile: default\n", with: "")
        }
        try repo.write("ngcpctl.yaml", project(profile))
        try repo.setManifests(manifests)
        let first = try repo.commit("first")
        try repo.write("ngcpctl.yaml", project("default"))
        try repo.commit("second")
        return (repo, first)
    }

    @Test func unknownDefaultAtRevisionIsReportedOnceInItsProjectFile() throws {
        let emulator = try EmulatorProcess()
        let (repo, first) = try Self.repositoryWithOldDefault(
            "no-such-profile", customers: ["acme", "beta", "gamma"], emulator: emulator)
        let environment = ["NGCP_USER": "administrator", "NGCP_PASSWORD": "administrator"]

        // The revision's own file has the unknown value, on its line 4; the working tree's
        // file is fine, so only the revision's file can be meant.
        let result = try repo.ngcpctl(
            ["plan", "--rev", first, "manifests"], environment: environment)
        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "ngcpctl.yaml:4:30: error: targets.lab.default_billing_profile: unknown billing"
                    + " profile handle 'no-such-profile'"), "\(result.standardError)")
        #expect(
            result.standardError.contains("4 |     default_billing_profile: no-such-profile"),
            "\(result.standardError)")
        #expect(
            result.standardError.contains("3 customers rely on this default"),
            "\(result.standardError)")
        #expect(!result.standardError.contains("acme.yaml"), "\(result.standardError)")
        #expect(result.diagnosticSummaries == ["1 error, 0 warnings"], "\(result.standardError)")
    }

    @Test func driftReportsAnUnknownDefaultOfTheAppliedRevisionOnce() throws {
        let emulator = try EmulatorProcess()
        let (repo, applied) = try Self.repositoryWithOldDefault(
            "retired-profile", customers: ["acme", "beta"], emulator: emulator)
        let environment = ["NGCP_USER": "administrator", "NGCP_PASSWORD": "administrator"]

        let result = try repo.ngcpctl(
            ["drift", "--rev", applied, "manifests"], environment: environment)
        #expect(result.exitCode == 1, "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "ngcpctl.yaml:4:30: error: targets.lab.default_billing_profile: unknown billing"
                    + " profile handle 'retired-profile'"), "\(result.standardError)")
        #expect(
            result.standardError.contains("2 customers rely on this default"),
            "\(result.standardError)")
        #expect(!result.standardError.contains("acme.yaml"), "\(result.standardError)")
        #expect(
            result.standardError.contains(
                "cannot plan the applied revision \(applied.prefix(12))"),
            "\(result.standardError)")
    }

    @Test func invalidProjectFileAtRevisionIsReported() throws {
        let repo = try ManifestRepository()
        try repo.write("ngcpctl.yaml", "targets:\n  lab:\n    url: http://127.0.0.1:9\n")
        try repo.setManifests(["domain.yaml": ManifestTexts.domain])
        try repo.commit("first")
        try repo.write("ngcpctl.yaml", "targets:\n  lab:\n    urll: http://127.0.0.1:9\n")
        try repo.commit("second")
        try repo.write("ngcpctl.yaml", "targets:\n  lab:\n    url: http://127.0.0.1:9\n")

        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("ngcpctl.yaml:3:5"), "\(result.standardError)")
        #expect(result.standardError.contains("urll"), "\(result.standardError)")
    }

    @Test func unknownRevisionIsError() throws {
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let result = try repo.ngcpctl(
            ["plan", "--rev", "no-such-branch", "manifests", "--url", "http://127.0.0.1:9"],
            environment: ["NGCP_USER": "u", "NGCP_PASSWORD": "p"])
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("cannot find revision 'no-such-branch'"))
        #expect(result.standardError.contains("git fetch origin"))
        #expect(result.standardError.contains("check the revision's spelling"))
    }

    @Test func otherFilesLeaveManifestsClean() throws {
        let emulator = try EmulatorProcess()
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        try repo.write("notes.txt", "to do\n")
        try repo.write("plan.json", "{}\n")
        try repo.write(".ngcpctl/journal/0123456789abcdef.jsonl", "{}\n")
        try repo.write("manifests/README.md", "# manifests\n")

        let plan = try repo.json(
            ["plan", ".", "--format", "json"], environment: ManifestTexts.environment(emulator))
        #expect(plan["source"]?["dirty"]?.boolValue == false)

        try repo.write(
            "manifests/extra.yaml",
            ManifestTexts.domain.replacingOccurrences(of: "voice.test", with: "extra.test"))
        let dirty = try repo.ngcpctl(
            ["plan", ".", "--format", "json"], environment: ManifestTexts.environment(emulator))
        #expect(dirty.standardOutput.contains("manifests/extra.yaml"), "\(dirty.standardError)")

        // An ignored manifest is loaded all the same, so it counts too.
        try repo.remove("manifests/extra.yaml")
        try repo.write(".gitignore", "secrets/\nlocal-*.yaml\n")
        try repo.commit("ignore local files")
        try repo.write(
            "manifests/local-extra.yaml",
            ManifestTexts.domain.replacingOccurrences(of: "voice.test", with: "local.test"))
        let ignored = try repo.ngcpctl(
            ["plan", ".", "--format", "json"], environment: ManifestTexts.environment(emulator))
        #expect(
            ignored.standardOutput.contains("manifests/local-extra.yaml"),
            "\(ignored.standardError)")
    }

    @Test func dirtyTreeBlocksApply() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let commit = try repo.commit("first")
        try repo.write(
            "manifests/extra.yaml",
            ManifestTexts.customer("gamma", email: "office@gamma.test"))

        let plan = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        #expect(plan["source"]?["dirty"]?.boolValue == true)
        #expect(plan["source"]?["dirty_files"] == ["manifests/extra.yaml"])

        let refused = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(refused.exitCode == 3)
        #expect(refused.standardError.contains("manifests/extra.yaml"))
        #expect(refused.standardError.contains("--allow-dirty"))

        // A saved plan carries its dirty flag to 'apply --plan'.
        let planPath = repo.path + "/dirty-plan.json"
        let saved = try repo.ngcpctl(
            ["plan", "manifests", "--out", planPath], environment: environment)
        #expect(saved.exitCode == 0, "\(saved.standardError)")
        let refusedSaved = try repo.ngcpctl(
            ["apply", "--plan", planPath, "--auto-approve"], environment: environment)
        #expect(refusedSaved.exitCode == 3)
        #expect(refusedSaved.standardError.contains("--allow-dirty"))

        let allowed = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--allow-dirty"], environment: environment)
        #expect(allowed.exitCode == 0, "\(allowed.standardError)")

        // A dirty apply is noted, but the reference keeps naming only clean applies.
        let target = ManifestTexts.targetName(emulator)
        let note = try #require(
            try repo.repository.note(on: commit, notesRef: "refs/notes/ngcpctl"))
        let entry = try JSONValue.parse(note)["ngcpctl_applied"]?.arrayValue?.first
        #expect(entry?["dirty"] == true)
        #expect(entry?["target"]?.stringValue == target)
        #expect(try repo.repository.referenceTarget("refs/ngcpctl/applied/\(target)") == nil)
    }

    @Test func applyRecordsNoteRefAndHistory() throws {
        let lab = try EmulatorProcess()
        let staging = try EmulatorProcess()
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let commit = try repo.commit("first")

        // The digest in the note is the SHA-256 of the saved plan file.
        let planPath = repo.path + "/plan.json"
        try repo.write(".gitignore", "secrets/\nplan.json\n")
        try repo.commit("ignore the saved plan")
        let head = try repo.repository.resolveCommit("HEAD")
        let saved = try repo.ngcpctl(
            ["plan", "manifests", "--out", planPath], environment: ManifestTexts.environment(lab))
        #expect(saved.exitCode == 0, "\(saved.standardError)")
        let applyLab = try repo.ngcpctl(
            ["apply", "--plan", planPath, "--auto-approve"],
            environment: ManifestTexts.environment(lab))
        #expect(applyLab.exitCode == 0, "\(applyLab.standardError)")
        let applyStaging = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"],
            environment: ManifestTexts.environment(staging))
        #expect(applyStaging.exitCode == 0, "\(applyStaging.standardError)")

        let labName = ManifestTexts.targetName(lab)
        let stagingName = ManifestTexts.targetName(staging)
        #expect(try repo.repository.referenceTarget("refs/ngcpctl/applied/\(labName)") == head)
        #expect(
            try repo.repository.referenceTarget("refs/ngcpctl/applied/\(stagingName)") == head)
        #expect(head != commit)

        let note = try JSONValue.parse(
            try #require(try repo.repository.note(on: head, notesRef: "refs/notes/ngcpctl")))
        let entries = try #require(note["ngcpctl_applied"]?.arrayValue)
        #expect(entries.count == 2)
        let labEntry = try #require(entries.first { $0["target"]?.stringValue == labName })
        let expectedDigest = try sha256sum(planPath)
        #expect(expectedDigest.count == 64)
        #expect(labEntry["plan_sha256"]?.stringValue == expectedDigest)
        #expect(labEntry["outcomes"]?["created"] == 11)
        #expect(labEntry["succeeded"] == true)
        #expect(labEntry["url"]?.stringValue == lab.url)

        // A second apply of the same commit to the same target replaces its entry.
        let again = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"],
            environment: ManifestTexts.environment(lab))
        #expect(again.exitCode == 0, "\(again.standardError)")
        let history = try repo.json(["history", "--format", "json"])
        #expect(history.arrayValue?.count == 2)
        #expect(history.arrayValue?.first?["commit"]?.stringValue == head)
        let labHistory = try repo.json(["history", "--target", labName, "--format", "json"])
        #expect(labHistory.arrayValue?.count == 1)
        #expect(labHistory.arrayValue?.first?["outcomes"]?["created"] == 0)
        #expect(labHistory.arrayValue?.first?["current"] == true)

        let human = try repo.ngcpctl(["history", "--target", stagingName])
        #expect(human.exitCode == 0)
        #expect(human.standardOutput.contains("\(stagingName)  \(head.prefix(12))  11 created"))
        #expect(human.standardOutput.contains("[current]"))
    }

    @Test func changesBetweenRevisions() throws {
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let first = try repo.commit("first")
        var next = ManifestTexts.first
        next["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "info@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1009"),
            ManifestTexts.subscriber("dave", customer: "acme", number: "1004"))
        next["beta.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("beta", email: "office@beta.test"),
            ManifestTexts.subscriber(
                "carol", customer: "beta", number: "2001", password: "{env: CAROL_PASSWORD}"))
        try repo.setManifests(next)
        let second = try repo.commit("second")

        let diff = try repo.json(
            ["changes", "--from", first, "--to", second, "manifests", "--format", "json"])
        #expect(diff["from"]?["commit"]?.stringValue == first)
        let changes = try #require(diff["changes"]?.arrayValue)
        let summary = changes.map {
            "\($0["change"]?.stringValue ?? "") \($0["id"]?.stringValue ?? "")"
        }
        #expect(
            summary == [
                "changed customers/acme", "changed subscribers/alice@voice.test",
                "removed subscribers/bob@voice.test", "changed subscribers/carol@voice.test",
                "added subscribers/dave@voice.test",
            ])
        let acme = try #require(changes.first { $0["id"] == "customers/acme" })
        #expect(
            acme["fields"] == [
                ["path": "contact.email", "before": "office@acme.test", "after": "info@acme.test"]
            ])
        let carol = try #require(changes.first { $0["id"] == "subscribers/carol@voice.test" })
        #expect(carol["fields"] == [["path": "password", "secret_reference_changed": true]])

        let markdown = try repo.ngcpctl(
            ["changes", "--from", first, "manifests", "--format", "markdown"])
        #expect(markdown.exitCode == 0, "\(markdown.standardError)")
        #expect(markdown.standardOutput.contains("1 added, 3 changed, 1 removed"))
        #expect(markdown.standardOutput.contains("- `password: secret reference changed`"))
        #expect(!markdown.standardOutput.contains("CAROL_PASSWORD"))
        #expect(!markdown.standardOutput.contains("secrets/carol"))

        let none = try repo.ngcpctl(["changes", "--from", "HEAD", "manifests"])
        #expect(none.standardOutput.contains("No changes."))
    }

    /// `changes` formats field changes as a plan does: `before → after`, and a call forward by
    /// its changed members only.
    @Test func changesFormatFieldsLikePlans() throws {
        func subscriber(hours: String, concurrentMax: Int) -> String {
            ManifestTexts.subscriber(
                "alice", customer: "acme", number: "1001", concurrentMax: concurrentMax)
                    + """
                      callforwards:
                        cfu:
                          destinations:
                            - {destination: "4311112222", timeout: 30}
                          times:
                            - {wday: 2-6, hour: \(hours)}

                    """
        }
        let repo = try ManifestRepository()
        var files = ManifestTexts.first
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            subscriber(hours: "8-17", concurrentMax: 1),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002"))
        try repo.setManifests(files)
        try repo.commit("first")
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            subscriber(hours: "9-18", concurrentMax: 3),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002"))
        try repo.setManifests(files)
        try repo.commit("second")

        let human = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(human.exitCode == 0, "\(human.standardError)")
        let output = human.standardOutput
        #expect(output.contains("    preferences.concurrent_max: 1 → 3\n"), "\(output)")
        #expect(output.contains("    callforwards.cfu.times: [{"), "\(output)")
        #expect(!output.contains("callforwards.cfu: "), "\(output)")
        #expect(!output.contains("destinations"), "\(output)")
        #expect(!output.contains(" -> "), "\(output)")

        let markdown = try repo.ngcpctl(
            ["changes", "--from", "HEAD~1", "manifests", "--format", "markdown"])
        #expect(markdown.standardOutput.contains("- `preferences.concurrent_max: 1 → 3`"))
        #expect(markdown.standardOutput.contains("- `callforwards.cfu.times: [{"))
    }

    @Test func changesShowSecretRemovalOnce() throws {
        func alice(peerAuthPass: String) -> String {
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001")
                + "    peer_auth_pass: \(peerAuthPass)\n"
        }
        let repo = try ManifestRepository()
        var files = ManifestTexts.first
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            alice(peerAuthPass: "{env: ALICE_PEER_PASSWORD}"))
        try repo.setManifests(files)
        try repo.commit("first")
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            alice(peerAuthPass: "null"),
            ManifestTexts.customer("\"pipe|co`x\"", email: "office@pipe.test"))
        try repo.setManifests(files)
        try repo.commit("second")

        // Setting the secret preference to null removes it: one line, no values.
        let human = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(human.exitCode == 0, "\(human.standardError)")
        let lines = human.standardOutput.split(separator: "\n")
        #expect(
            lines.filter { $0.contains("peer_auth_pass") }
                == ["    preferences.peer_auth_pass: secret removed"],
            "\(human.standardOutput)")

        let json = try repo.json(["changes", "--from", "HEAD~1", "manifests", "--format", "json"])
        #expect(!json.serialized().contains("\"before\":null,\"after\":null"))
        #expect(json.serialized().contains("\"removed\":true"), "\(json.serialized())")

        // Object names are code spans with their `|` escaped, as in a Markdown plan.
        let markdown = try repo.ngcpctl(
            ["changes", "--from", "HEAD~1", "manifests", "--format", "markdown"])
        #expect(
            markdown.standardOutput.contains("| ``customers/pipe\\|co`x`` | added |"),
            "\(markdown.standardOutput)")
        #expect(markdown.standardOutput.contains("- `preferences.peer_auth_pass: secret removed`"))
    }

    /// `changes` prints the warnings of the `--to` revision only, so a warning that both
    /// revisions share appears once, and errors of the `--from` revision still stop it.
    @Test func changesWarnOnceForNewerRevision() throws {
        let literal = "not-a-real-password"
        let repo = try ManifestRepository()
        var files = ManifestTexts.first
        files["acme.yaml"] = "apiVersion: ngcpctl/v1\nkind: Unknown\n"
        try repo.setManifests(files)
        try repo.commit("invalid")
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001", password: literal),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002", password: literal))
        try repo.setManifests(files)
        try repo.commit("first")
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber(
                "alice", customer: "acme", number: "1001", concurrentMax: 2, password: literal),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002"))
        try repo.setManifests(files)
        try repo.commit("second")

        // Both revisions write alice's password as a literal, and only the older one bob's.
        let result = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(result.exitCode == 0, "\(result.standardError)")
        let warnings = result.standardError.components(
            separatedBy: "secret is written in the manifest as a literal value")
        #expect(warnings.count - 1 == 1, "\(result.standardError)")
        #expect(result.diagnosticSummaries == ["0 errors, 1 warning"], "\(result.standardError)")
        #expect(!result.standardError.contains(literal))
        #expect(!result.standardOutput.contains(literal))

        let invalidOlder = try repo.ngcpctl(["changes", "--from", "HEAD~2", "manifests"])
        #expect(invalidOlder.exitCode == 1, "\(invalidOlder.standardError)")
        #expect(
            invalidOlder.standardError.contains("the manifests at HEAD~2 are invalid"),
            "\(invalidOlder.standardError)")
    }

    @Test func driftWarnsOnceForBothRevisions() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        var files = ManifestTexts.first
        // An integer written with a leading zero gives a warning.
        files["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001")
                .replacingOccurrences(of: "concurrent_max: 1", with: "concurrent_max: 01"))
        try repo.setManifests(files)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        files["beta.yaml"] = nil
        try repo.setManifests(files)
        try repo.commit("second")
        let drift = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        let warnings = drift.standardError.components(separatedBy: "numbers as octal")
        #expect(warnings.count - 1 == 1, "\(drift.standardError)")
    }

    @Test func driftClassifiesEachOrigin() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        let inSync = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        #expect(inSync.exitCode == 0, "\(inSync.standardOutput)\(inSync.standardError)")
        #expect(inSync.standardOutput.contains("In sync"))

        // Changed on the server: bob and carol get another limit outside the applied revision
        // (a dirty apply, which does not move the applied reference).
        var serverSide = ManifestTexts.first
        serverSide["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001"),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002", concurrentMax: 5))
        serverSide["beta.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("beta", email: "office@beta.test"),
            ManifestTexts.subscriber(
                "carol", customer: "beta", number: "2001", concurrentMax: 5))
        try repo.setManifests(serverSide)
        let dirty = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--allow-dirty"], environment: environment)
        #expect(dirty.exitCode == 0, "\(dirty.standardError)")

        // Changed in git: alice and carol change in a new commit that is not applied.
        var gitSide = ManifestTexts.first
        gitSide["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber(
                "alice", customer: "acme", number: "1001", concurrentMax: 2,
                password: "{env: ALICE_PASSWORD}"),
            ManifestTexts.subscriber("bob", customer: "acme", number: "1002"))
        gitSide["beta.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("beta", email: "office@beta.test"),
            ManifestTexts.subscriber(
                "carol", customer: "beta", number: "2001", concurrentMax: 2))
        try repo.setManifests(gitSide)
        try repo.commit("second")

        let drift = try repo.json(
            ["drift", "manifests", "--format", "json"],
            environment: environment, exitCode: 2)
        let found = (drift["drift"]?.arrayValue ?? []).map {
            "\($0["id"]?.stringValue ?? "") \($0["changed"]?.stringValue ?? "")"
        }
        #expect(
            found == [
                "subscribers/alice@voice.test git", "subscribers/bob@voice.test server",
                "subscribers/carol@voice.test both",
            ])
        #expect(drift["in_sync"] == false)

        // Beside the display strings, each finding lists its fields with values, each side
        // from the applied value, and a secret without them.
        let findings = drift["drift"]?.arrayValue ?? []
        let alice = try #require(findings.first { $0["id"] == "subscribers/alice@voice.test" })
        #expect(alice["git_change"] == "changed")
        #expect(
            alice["fields"] == [
                [
                    "origin": "git", "path": "preferences.concurrent_max", "before": 1,
                    "after": 2, "sensitive": false,
                ],
                ["origin": "git", "path": "password", "sensitive": true],
            ],
            "\(alice)")
        let bob = try #require(findings.first { $0["id"] == "subscribers/bob@voice.test" })
        #expect(bob["git_change"] == nil)
        #expect(
            bob["fields"] == [
                [
                    "origin": "server", "action": "update", "resource": "subscriberpreferences",
                    "path": "concurrent_max", "before": 1, "after": 5, "sensitive": false,
                ]
            ],
            "\(bob)")
        let carol = try #require(findings.first { $0["id"] == "subscribers/carol@voice.test" })
        let carolOrigins = (carol["fields"]?.arrayValue ?? []).map { $0["origin"] }
        #expect(carolOrigins == ["git", "server"], "\(carol)")
        #expect(!drift.serialized().contains("ALICE_PASSWORD"))

        let human = try repo.ngcpctl(["drift", "manifests"], environment: environment)
        #expect(human.exitCode == 2)
        #expect(human.standardOutput.contains("subscribers/bob@voice.test: changed on the server"))
        // Each side runs from the applied value: to the live one on the server, to HEAD's in
        // git.
        #expect(
            human.standardOutput.contains(
                "    server: update subscriberpreferences: concurrent_max: 1 → 5\n"),
            "\(human.standardOutput)")
        #expect(
            human.standardOutput.contains("    git: preferences.concurrent_max: 1 → 2\n"),
            "\(human.standardOutput)")
        #expect(
            human.standardOutput.contains(
                "Drift: 1 changed in git, 1 changed on the server, "
                    + "1 changed in git and on the server."))

        // Drift never writes: the server still has the dirty values.
        let again = try repo.json(
            ["drift", "manifests", "--format", "json"],
            environment: environment, exitCode: 2)
        #expect(again["drift"] == drift["drift"])
    }

    @Test func driftWithoutRecordExplains() throws {
        let emulator = try EmulatorProcess()
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let result = try repo.ngcpctl(
            ["drift", "manifests"], environment: ManifestTexts.environment(emulator))
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("no applied revision is recorded"))
        #expect(result.standardError.contains("refs/ngcpctl/*:refs/ngcpctl/*"))
    }

    @Test func pruneRemovesOnlyInventoryRemovals() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)

        // An object that no revision declares: created from a directory outside git.
        let outside = try TemporaryDirectory()
        try outside.write(
            "legacy.yaml",
            ManifestTexts.documents(
                ManifestTexts.domain,
                ManifestTexts.customer("legacy", email: "office@legacy.test"),
                ManifestTexts.subscriber(
                    "zed", customer: "legacy", number: "9001", password: "{env: CAROL_PASSWORD}")))
        let unmanaged = try BuiltProducts.run(
            "ngcpctl", ["apply", outside.path, "--auto-approve"], environment: environment)
        #expect(unmanaged.exitCode == 0, "\(unmanaged.standardError)")

        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // The next revision drops bob and the whole of customer beta.
        var next = ManifestTexts.first
        next["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001"))
        next["beta.yaml"] = nil
        try repo.setManifests(next)
        try repo.commit("second")

        let plan = try repo.json(
            ["plan", "manifests", "--prune", "--format", "json"], environment: environment)
        #expect(
            plan.operationSummary.sorted() == [
                "delete customercontacts/beta", "delete customers/beta",
                "delete subscribers/bob@voice.test",
            ])

        let pruned = try repo.ngcpctl(
            ["apply", "manifests", "--prune", "--auto-approve"], environment: environment)
        #expect(pruned.exitCode == 0, "\(pruned.standardError)")
        let after = try repo.json(
            ["plan", "manifests", "--prune", "--format", "json"], environment: environment)
        #expect(after.operationSummary.isEmpty)

        // The unmanaged customer and subscriber are still there, unchanged.
        let legacy = try BuiltProducts.run(
            "ngcpctl", ["plan", outside.path, "--detailed-exitcode"], environment: environment)
        #expect(legacy.exitCode == 0, "\(legacy.standardOutput)\(legacy.standardError)")
    }

    @Test func planWithoutPruneListsPruneRemovals() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")

        // Without a record the plan prints no note, because only --prune needs one.
        let unrecorded = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(unrecorded.exitCode == 0, "\(unrecorded.standardError)")
        #expect(!unrecorded.standardError.contains("note:"), "\(unrecorded.standardError)")

        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        let applied = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(applied.standardOutput.contains("No changes. Live state matches the manifests."))

        // Customer beta and subscriber bob leave the manifests: first only in the working
        // tree, then in a commit. Both plans list what --prune removes, and remove nothing.
        var next = ManifestTexts.first
        next["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme", number: "1001"))
        next["beta.yaml"] = nil
        try repo.setManifests(next)
        let expected = [
            "customercontacts/beta", "customers/beta", "subscribers/bob@voice.test",
        ]
        for step in ["uncommitted", "committed"] {
            if step == "committed" { try repo.commit("second") }
            let plan = try repo.json(
                ["plan", "manifests", "--format", "json"], environment: environment)
            #expect(plan.operationSummary.isEmpty, "\(step)")
            let notPruned = plan["not_pruned"]?.arrayValue?.compactMap(\.stringValue)
            #expect(notPruned == expected, "\(step)")

            let pruned = try repo.json(
                ["plan", "manifests", "--prune", "--format", "json"], environment: environment)
            #expect(
                pruned.operationSummary.sorted() == expected.map { "delete " + $0 }, "\(step)")
        }
        let human = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(human.standardOutput.contains("No changes to declared objects."))
        #expect(
            human.standardOutput.contains(
                "left alone without --prune: 3 (customercontacts/beta, customers/beta, "
                    + "subscribers/bob@voice.test)"), "\(human.standardOutput)")
    }

    @Test func planWithoutPruneListsDomainsPruneDeletes() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.write(
            "ngcpctl.yaml",
            DriftIgnoreTests.configuration(url: emulator.url, ignore: [])
                + "    guards: {allow_domain_delete: true}\n")
        var first = ManifestTexts.first
        first["spare.yaml"] = ManifestTexts.domain.replacingOccurrences(
            of: "voice.test", with: "spare.test")
        try repo.setManifests(first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        // The target allows domain deletes, so prune would delete the dropped domain, and a
        // plan without --prune lists it.
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("second")
        let pruned = try repo.json(
            ["plan", "manifests", "--prune", "--format", "json"], environment: environment)
        #expect(pruned.operationSummary == ["delete domains/spare.test"])
        let plan = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        #expect(plan.operationSummary.isEmpty)
        #expect(plan["not_pruned"]?.arrayValue?.compactMap(\.stringValue) == ["domains/spare.test"])
    }

    @Test func renamedCustomerWarnsAndIsLeftBehind() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve"], environment: environment)
        #expect(apply.exitCode == 0, "\(apply.standardError)")

        var renamed = ManifestTexts.first
        renamed["acme.yaml"] = ManifestTexts.documents(
            ManifestTexts.customer("acme-gmbh", email: "office@acme.test"),
            ManifestTexts.subscriber("alice", customer: "acme-gmbh", number: "1001"),
            ManifestTexts.subscriber("bob", customer: "acme-gmbh", number: "1002"))
        try repo.setManifests(renamed)
        try repo.commit("rename acme")

        let plan = try repo.json(
            ["plan", "manifests", "--format", "json"], environment: environment)
        let warnings = plan["warnings"]?.arrayValue ?? []
        #expect(warnings.count == 1)
        #expect(warnings.first?["kind"] == "subscribers_recreated")
        let message = warnings.first?["message"]?.stringValue ?? ""
        #expect(
            message.hasPrefix(
                "2 subscribers move from customer 'acme' to customer 'acme-gmbh', which this "
                    + "plan creates (alice@voice.test, bob@voice.test)."), "\(message)")
        // The old customer is left behind, and --prune would terminate it.
        #expect(
            plan["not_pruned"]?.arrayValue?.compactMap(\.stringValue) == [
                "customercontacts/acme", "customers/acme",
            ])

        let markdown = try repo.ngcpctl(
            ["plan", "manifests", "--format", "markdown"], environment: environment)
        #expect(markdown.standardOutput.contains("> [!WARNING]\n> 2 subscribers move"))
        let human = try repo.ngcpctl(["plan", "manifests"], environment: environment)
        #expect(human.standardOutput.contains("\nWarning: 2 subscribers move"))
    }

    @Test func shallowCloneNamesUnshallow() throws {
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        var next = ManifestTexts.first
        next["beta.yaml"] = nil
        try repo.setManifests(next)
        try repo.commit("second")

        // libgit2 cannot make a shallow clone of a local path, so the git command line does.
        let clone = repo.path + "-shallow"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "clone", "-q", "--depth", "1", "file://" + repo.path, clone]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)

        let shallow = try #require(try GitRepository.discover(containing: clone))
        #expect(shallow.isShallow)
        let result = try BuiltProducts.run(
            "ngcpctl", ["changes", "--from", "HEAD~1", "manifests"],
            currentDirectory: URL(fileURLWithPath: clone))
        #expect(result.exitCode == 1)
        #expect(result.standardError.contains("shallow clone"))
        #expect(result.standardError.contains("git fetch --unshallow"))

        let head = try BuiltProducts.run(
            "ngcpctl", ["changes", "--from", "HEAD", "manifests"],
            currentDirectory: URL(fileURLWithPath: clone))
        #expect(head.exitCode == 0, "\(head.standardError)")
    }
    @Test func worktreeSharesRecords() throws {
        let emulator = try EmulatorProcess()
        let environment = ManifestTexts.environment(emulator)
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let commit = try repo.commit("first")
        let worktreePath = repo.path + "-worktree"
        defer { try? FileManager.default.removeItem(atPath: worktreePath) }
        try repo.repository.addWorktree(named: "review", at: worktreePath)
        let worktree = try #require(try GitRepository.discover(containing: worktreePath))
        #expect(worktree.isLinkedWorktree)

        // Relative {file:} secrets resolve inside the worktree, which lacks the ignored
        // secrets/ directory until it is provided there.
        let apply = try BuiltProducts.run(
            "ngcpctl",
            ["apply", "--rev", "HEAD", "manifests", "--auto-approve"],
            environment: environment, currentDirectory: URL(fileURLWithPath: worktreePath))
        #expect(apply.exitCode == 1)
        #expect(apply.standardError.contains("secrets/alice"))

        try FileManager.default.copyItem(
            atPath: repo.path + "/secrets", toPath: worktreePath + "/secrets")
        let retried = try BuiltProducts.run(
            "ngcpctl", ["apply", "--rev", "HEAD", "manifests", "--auto-approve"],
            environment: environment, currentDirectory: URL(fileURLWithPath: worktreePath))
        #expect(retried.exitCode == 0, "\(retried.standardError)")

        // References and notes live in the common directory, so the main tree reads them too.
        let target = ManifestTexts.targetName(emulator)
        #expect(try repo.repository.referenceTarget("refs/ngcpctl/applied/\(target)") == commit)
        let history = try repo.json(["history", "--format", "json"])
        #expect(history.arrayValue?.first?["commit"]?.stringValue == commit)
    }
    @Test func otherOwnerRepositoryOpens() throws {
        // Only root can give files to another user; elsewhere there is nothing to set up.
        guard getuid() == 0 else { return }
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        try repo.commit("first")
        var next = ManifestTexts.first
        next["beta.yaml"] = nil
        try repo.setManifests(next)
        try repo.commit("second")

        // Hand the whole tree to uid and gid 65534, as a checkout made by another CI user.
        let enumerator = FileManager.default.enumerator(atPath: repo.path)
        var paths = [repo.path]
        while let relative = enumerator?.nextObject() as? String {
            paths.append(repo.path + "/" + relative)
        }
        for path in paths {
            #expect(lchown(path, 65534, 65534) == 0, "\(path)")
        }

        let changes = try repo.ngcpctl(["changes", "--from", "HEAD~1", "manifests"])
        #expect(changes.exitCode == 0, "\(changes.standardError)")
        #expect(changes.standardOutput.contains("- customers/beta (removed)"))
        let history = try repo.ngcpctl(["history"])
        #expect(history.exitCode == 0, "\(history.standardError)")
        #expect(history.standardOutput.contains("No applied revisions recorded"))
    }

    @Test func noRecordLeavesGitAlone() throws {
        let emulator = try EmulatorProcess()
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let commit = try repo.commit("first")
        let apply = try repo.ngcpctl(
            ["apply", "manifests", "--auto-approve", "--no-record"],
            environment: ManifestTexts.environment(emulator))
        #expect(apply.exitCode == 0, "\(apply.standardError)")
        #expect(apply.standardError.contains("Apply complete: 11 created"))
        #expect(try repo.repository.note(on: commit, notesRef: "refs/notes/ngcpctl") == nil)
        #expect(try repo.repository.references(withPrefix: "refs/ngcpctl/").isEmpty)
    }

    @Test func commitAllRecordsDeletions() throws {
        let repo = try ManifestRepository()
        try repo.setManifests(ManifestTexts.first)
        let first = try repo.commit("first")
        try repo.remove("manifests/beta.yaml")
        let second = try repo.commit("second")
        #expect(first != second)
        #expect(try repo.repository.changedFiles(under: ["manifests"]).isEmpty)
        let before = try repo.repository.files(
            at: first, under: ["manifests"], extensions: [".yaml"])
        let after = try repo.repository.files(
            at: second, under: ["manifests"], extensions: [".yaml"])
        #expect(before.map(\.path).contains("manifests/beta.yaml"))
        #expect(after.map(\.path) == ["manifests/acme.yaml", "manifests/domain.yaml"])
        #expect(try repo.repository.resolveCommit("HEAD~1") == first)
    }
}

/// The SHA-256 of a file as `sha256sum` prints it, an implementation independent of ngcpctl's.
func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sha256sum", path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
