import NGCPCore
import Testing

@testable import Planning

/// Returns `subscriber` with its `field` written at `line` of `pbx.yaml`, column 17.
private func written(_ subscriber: DesiredSubscriber, _ field: String, line: Int)
    -> DesiredSubscriber
{
    var subscriber = subscriber
    subscriber.fieldLocations["spec.\(field)"] = SourceLocation(
        file: "pbx.yaml", line: line, column: 17)
    return subscriber
}

/// Returns `subscriber` with `pbx_extension` set to `value`, or removed when it is nil.
private func withExtension(_ subscriber: DesiredSubscriber, _ value: String?)
    -> DesiredSubscriber
{
    var subscriber = subscriber
    subscriber.fields["pbx_extension"] = value.map { .string($0) }
    return subscriber
}

/// A live PBX member `desk` (id 42) with extension 01.
private let liveDesk = PBX.live(id: 42, username: "desk", sn: "5550001")

@Suite("PBX pilots and extensions at plan time")
struct PBXSubscriberPlanningTests {
    @Test("declared pilot next to a kept live pilot is a problem")
    func livePilotKept() throws {
        let operatorPilot = written(
            PBX.desired("operator", sn: "5550009", pilot: true), "is_pbx_pilot", line: 7)
        let problems = PBX.problems(
            PBX.state([PBX.desiredPilot, operatorPilot]), PBX.liveState([PBX.pilot]))

        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.resource == ResourceID(.subscribers, "operator@example.org"))
        #expect(problem.fieldPath == "spec.is_pbx_pilot")
        #expect(problem.location == SourceLocation(file: "pbx.yaml", line: 7, column: 17))
        #expect(
            problem.message
                == "customer 'cust-1' already has PBX pilot 'pilot@example.org' on the target, "
                + "which the plan keeps; NGCP allows one pilot per customer")
        #expect(problem.hint?.contains("cannot revoke the pilot flag") == true)
        #expect(!problem.repeatsManifestCheck)
    }

    @Test("pilot that the plan deletes can be replaced")
    func prunedPilotReplaced() throws {
        let operatorPilot = PBX.desired("operator", sn: "5550009", pilot: true)
        let result = try plan(
            PBX.state([operatorPilot]), PBX.liveState([PBX.pilot, liveDesk]),
            PlannerOptions(prune: true, secrets: secrets()))

        #expect(
            result.operations.map(\.name) == [
                "desk@example.org", "pilot@example.org", "operator@example.org",
            ])
        #expect(result.operations.map(\.action) == [.delete, .delete, .create])
    }

    @Test("second declared pilot is a problem")
    func secondDeclaredPilot() throws {
        let first = written(
            PBX.desired("pilot", sn: "5550000", pilot: true), "is_pbx_pilot", line: 4)
        let second = written(
            PBX.desired("operator", sn: "5550009", pilot: true), "is_pbx_pilot", line: 9)
        let live = PBX.liveState([])

        // Under a customer that only the target has, the manifest check cannot know its type.
        let undeclared = PBX.problems(PBX.state([first, second], customers: []), live)
        #expect(undeclared.count == 1)
        let problem = try #require(undeclared.first)
        #expect(problem.resource.name == "operator@example.org")
        #expect(problem.location?.line == 9)
        #expect(
            problem.message
                == "customer 'cust-1' already has PBX pilot 'pilot@example.org' at "
                + "pbx.yaml:4:17; NGCP allows one pilot per customer")
        #expect(!problem.repeatsManifestCheck)

        let declared = PBX.problems(PBX.state([first, second]), live)
        #expect(declared.map(\.repeatsManifestCheck) == [true])
    }

    @Test("revoked pilot flag is a problem")
    func pilotFlagRevoked() throws {
        var pilot = written(PBX.desiredPilot, "is_pbx_pilot", line: 6)
        pilot.fields["is_pbx_pilot"] = false
        let live = PBX.liveState([PBX.pilot])
        let problems = PBX.problems(PBX.state([pilot]), live)

        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.resource == ResourceID(.subscribers, "pilot@example.org"))
        #expect(problem.fieldPath == "spec.is_pbx_pilot")
        #expect(problem.location == SourceLocation(file: "pbx.yaml", line: 6, column: 17))
        #expect(
            problem.message
                == "live subscriber 'pilot@example.org' is the PBX pilot of customer 'cust-1', "
                + "and NGCP rejects an update that revokes the pilot flag")
        #expect(problem.hint?.hasPrefix("set is_pbx_pilot: true or leave the field out") == true)
        #expect(!problem.repeatsManifestCheck)

        // Left out, or hidden by an ignore rule, the flag is not written.
        var unmanaged = pilot
        unmanaged.fields["is_pbx_pilot"] = nil
        #expect(try plan(PBX.state([unmanaged]), live, PBX.options).operations.isEmpty)
        let rule = try #require(IgnoreRule(parsing: "subscribers/*:is_pbx_pilot"))
        let ignoring = PlannerOptions(ignoreRules: [rule], secrets: secrets())
        #expect(try plan(PBX.state([pilot]), live, ignoring).operations.isEmpty)

        // A member's flag may be written false.
        var desk = PBX.desired("desk", sn: "5550001")
        desk.fields["is_pbx_pilot"] = false
        let memberPlan = try plan(PBX.state([desk]), PBX.liveState([PBX.pilot, liveDesk]))
        #expect(memberPlan.operations.isEmpty)
    }

    @Test("pilot created without primary number is a problem")
    func pilotCreatedWithoutNumber() throws {
        var pilot = written(PBX.desiredPilot, "is_pbx_pilot", line: 6)
        pilot.fields["primary_number"] = nil
        let problems = PBX.problems(PBX.state([pilot], customers: []), PBX.liveState([]))

        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.resource == ResourceID(.subscribers, "pilot@example.org"))
        #expect(problem.fieldPath == "spec.is_pbx_pilot")
        #expect(problem.location == SourceLocation(file: "pbx.yaml", line: 6, column: 17))
        #expect(
            problem.message
                == "the plan creates PBX pilot 'pilot@example.org' of customer 'cust-1' without "
                + "a primary_number, which NGCP requires of the pilot")
        #expect(problem.hint?.hasPrefix("add the pilot's primary_number") == true)
        #expect(!problem.repeatsManifestCheck)

        // Under a declared pbxaccount customer the manifest check reports it first.
        let declared = PBX.problems(PBX.state([pilot]), PBX.liveState([]))
        #expect(declared.map(\.repeatsManifestCheck) == [true])

        pilot.fields["primary_number"] = .null
        let nulled = PBX.problems(PBX.state([pilot], customers: []), PBX.liveState([]))
        #expect(nulled.map(\.message) == problems.map(\.message))
    }

    @Test("pilot update without primary number is a problem")
    func pilotUpdatedWithoutNumber() throws {
        let live = PBX.liveState([PBX.pilot])
        var pilot = PBX.desiredPilot
        pilot.fields["primary_number"] = .null
        let problems = PBX.problems(PBX.state([pilot], customers: []), live)

        #expect(problems.count == 1)
        #expect(
            problems.first?.message
                == "the plan updates PBX pilot 'pilot@example.org' of customer 'cust-1' without "
                + "a primary_number, which NGCP requires of the pilot")
        #expect(problems.first?.fieldPath == nil)
        #expect(problems.map(\.repeatsManifestCheck) == [false])

        // The live pilot keeps its number when the manifest leaves the field out.
        pilot.fields["primary_number"] = nil
        pilot.fields["external_id"] = "front-desk"
        let update = try plan(PBX.state([pilot]), live, PBX.options)
        #expect(update.operations.map(\.action) == [.update])

        // A live pilot whose flag the manifest leaves out is still the pilot.
        var unflagged = PBX.desiredPilot
        unflagged.fields["is_pbx_pilot"] = nil
        unflagged.fields["primary_number"] = .null
        let unflaggedProblems = PBX.problems(PBX.state([unflagged]), live)
        #expect(unflaggedProblems.map(\.resource.name) == ["pilot@example.org"])
        #expect(unflaggedProblems.map(\.repeatsManifestCheck) == [false])
    }

    @Test("new subscriber without a pilot is a problem")
    func noPilot() throws {
        let members = [
            PBX.desired("desk", sn: "5550001"), PBX.desired("lobby", sn: "5550002"),
            PBX.desired("nurses", sn: "5550003", group: true),
        ]
        let problems = PBX.problems(PBX.state(members), PBX.liveState([]))

        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.resource.name == "desk@example.org")
        #expect(
            problem.message
                == "customer 'cust-1' has no PBX pilot on the target and the plan creates none, "
                + "so NGCP rejects this new subscriber and the customer's other new subscribers "
                + "(lobby@example.org, nurses@example.org)")
        #expect(
            problem.hint
                == "declare the customer's pilot: a subscriber with is_pbx_pilot: true and a "
                + "primary_number")

        // With the pilot in the plan, the members wait for its create.
        let result = try plan(
            PBX.state([PBX.desiredPilot] + members), PBX.liveState([]), PBX.options)
        let pilotCreate = try #require(result.operations.first { $0.name == "pilot@example.org" })
        for member in result.operations where member.name != "pilot@example.org" {
            #expect(member.dependsOn.contains(pilotCreate.id), "\(member.name)")
        }
    }

    @Test("pilot that fails on its own adds no pilot problem")
    func failedPilot() {
        var pilot = PBX.desiredPilot
        pilot.domain = "elsewhere.example"
        let problems = PBX.problems(
            PBX.state([pilot, PBX.desired("desk", sn: "5550001")]), PBX.liveState([]))

        #expect(problems.map(\.resource.name) == ["pilot@elsewhere.example"])
    }

    @Test("new subscriber without extension is a problem")
    func extensionRequired() throws {
        let desk = withExtension(PBX.desired("desk", sn: "5550001"), nil)
        let problems = PBX.problems(PBX.state([desk]), PBX.liveState([PBX.pilot]))

        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.resource.name == "desk@example.org")
        #expect(
            problem.message
                == "the plan creates this subscriber of PBX customer 'cust-1' without "
                + "pbx_extension, which NGCP requires of every subscriber but the pilot")
        #expect(problem.repeatsManifestCheck)

        let undeclared = PBX.problems(
            PBX.state([desk], customers: []), PBX.liveState([PBX.pilot]))
        #expect(undeclared.map(\.repeatsManifestCheck) == [false])

        // A live subscriber keeps its extension when the manifest leaves the field out.
        let live = PBX.liveState([PBX.pilot, liveDesk])
        #expect(try plan(PBX.state([desk]), live, PBX.options).operations.isEmpty)
    }

    @Test("extension of a kept live subscriber is a problem")
    func extensionHeld() throws {
        let lobby = written(
            withExtension(PBX.desired("lobby", sn: "5550002"), "01"), "pbx_extension", line: 12)
        let live = PBX.liveState([PBX.pilot, liveDesk])

        let undeclared = PBX.problems(PBX.state([lobby]), live)
        #expect(undeclared.count == 1)
        let problem = try #require(undeclared.first)
        #expect(problem.resource.name == "lobby@example.org")
        #expect(problem.fieldPath == "spec.pbx_extension")
        #expect(problem.location == SourceLocation(file: "pbx.yaml", line: 12, column: 17))
        #expect(
            problem.message
                == "pbx_extension '01' is used by live subscriber 'desk@example.org' of customer "
                + "'cust-1', which no manifest declares; NGCP allows each extension once per "
                + "customer")
        #expect(
            problem.hint?.hasPrefix("'desk@example.org' is not managed by any manifest") == true)

        let declared = PBX.problems(
            PBX.state([lobby, PBX.desired("desk", sn: "5550001")]), live)
        #expect(declared.count == 1)
        #expect(declared.first?.message.contains("whose manifest keeps it") == true)
        #expect(declared.first?.hint == "give one of the two subscribers another pbx_extension")

        // Prune deletes the undeclared holder before the create.
        let pruned = try plan(
            PBX.state([PBX.desiredPilot, lobby]), live,
            PlannerOptions(prune: true, secrets: secrets()))
        #expect(pruned.operations.map(\.action) == [.delete, .create])
    }

    @Test("same extension declared twice is a problem")
    func extensionDeclaredTwice() throws {
        let desk = written(PBX.desired("desk", sn: "5550001"), "pbx_extension", line: 5)
        let lobby = written(
            withExtension(PBX.desired("lobby", sn: "5550002"), "01"), "pbx_extension", line: 11)
        let problems = PBX.problems(
            PBX.state([desk, lobby], customers: []), PBX.liveState([PBX.pilot]))

        #expect(problems.map(\.resource.name) == ["lobby@example.org"])
        #expect(
            problems.first?.message
                == "pbx_extension '01' is also used by 'desk@example.org' at pbx.yaml:5:17 in "
                + "customer 'cust-1'; NGCP allows each extension once per customer")
        #expect(problems.map(\.repeatsManifestCheck) == [false])
    }

    @Test("extension taken after the update that frees it")
    func extensionMoves() throws {
        // The new subscriber sorts before the live one that gives up the extension.
        let annex = withExtension(PBX.desired("annex", sn: "5550005"), "01")
        let desk = withExtension(PBX.desired("desk", sn: "5550001"), "07")
        let result = try plan(
            PBX.state([annex, desk]), PBX.liveState([PBX.pilot, liveDesk]), PBX.options)

        let deskUpdate = try #require(result.operations.first { $0.name == "desk@example.org" })
        let annexCreate = try #require(result.operations.first { $0.name == "annex@example.org" })
        #expect(deskUpdate.action == .update)
        #expect(annexCreate.action == .create)
        #expect(annexCreate.dependsOn.contains(deskUpdate.id))
        #expect(deskUpdate.id < annexCreate.id)
    }

    @Test("swapped extensions cannot be planned")
    func extensionsSwapped() throws {
        let live = PBX.liveState([
            PBX.pilot, liveDesk, PBX.live(id: 43, username: "lobby", sn: "5550002"),
        ])
        let desired = PBX.state([
            withExtension(PBX.desired("desk", sn: "5550001"), "02"),
            withExtension(PBX.desired("lobby", sn: "5550002"), "01"),
        ])
        let problems = PBX.problems(desired, live)

        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("in a cycle") == true)
        #expect(
            problems.first?.hint?.contains("an extension on every other PBX subscriber") == true)
    }
}
