import NGCPCore
import Testing

@testable import Planning

@Suite("Plan renderers")
struct RendererTests {
    /// A create with a placeholder and a secret, an update, and an irreversible delete.
    static let plan = Plan(
        source: PlanSource(revision: "abc1234", branch: "main"),
        target: "https://ngcp.example.org:1443/api/",
        operations: [
            PlannedOperation(
                id: 1, action: .delete, resource: .customers, name: "cust-old", method: .patch,
                path: "/api/customers/31",
                body: [
                    [
                        "op": "replace", "path": "/status",
                        "value": "terminated",
                    ]
                ],
                changes: [FieldChange(path: "status", before: "active", after: "terminated")],
                liveID: 31, irreversible: true, reason: "terminates the customer"),
            PlannedOperation(
                id: 2, action: .create, resource: .subscribers, name: "bob@example.org",
                method: .post, path: "/api/subscribers/",
                body: [
                    "customer_id": PlanPlaceholder.createdID(of: 1), "username": "bob",
                    "password": PlanPlaceholder.secret(
                        .environment("SIP_BOB"), owner: ResourceID(.subscribers, "bob@example.org"),
                        field: "password"),
                ],
                dependsOn: [1],
                changes: [
                    FieldChange(
                        path: "customer_id", before: nil, after: PlanPlaceholder.createdID(of: 1)),
                    FieldChange(path: "password", before: nil, after: nil, sensitive: true),
                    FieldChange(path: "username", before: nil, after: "bob"),
                ]),
            PlannedOperation(
                id: 3, action: .update, resource: .subscriberpreferences, name: "a@x.io",
                method: .patch, path: "/api/subscriberpreferences/4",
                body: [["op": "add", "path": "/concurrent_max", "value": 7]],
                changes: [
                    FieldChange(path: "concurrent_max", before: 5, after: 7),
                    FieldChange(path: "clir", before: true, after: nil),
                ],
                liveID: 4),
        ])

    @Test("human output without colour")
    func human() {
        let expected = """
            Target: https://ngcp.example.org:1443/api/
            Source: abc1234 (main)

            ngcpctl will perform these operations, in this order:

              1 - delete customers/cust-old [IRREVERSIBLE]
                    PATCH /api/customers/31
                    live id: 31
                    # terminates the customer
                      status: "active" → "terminated"

              2 + create subscribers/bob@example.org
                    POST /api/subscribers/
                    after: 1
                      customer_id: (known after apply)
                      password: (sensitive value)
                      username: "bob"

              3 ~ update subscriberpreferences/a@x.io
                    PATCH /api/subscriberpreferences/4
                    live id: 4
                      concurrent_max: 5 → 7
                      clir: true → (absent)

            !! 1 irreversible operation in this plan.
            Plan: 1 to create, 1 to update, 1 to delete.

            """
        #expect(HumanPlanRenderer(color: false).render(Self.plan) == expected)
    }

    @Test("human output with colour")
    func humanColour() {
        let text = HumanPlanRenderer(color: true).render(Self.plan)
        #expect(text.contains("\u{1B}[31m  1 - delete customers/cust-old\u{1B}[0m"))
        #expect(text.contains("\u{1B}[32m  2 + create subscribers/bob@example.org\u{1B}[0m"))
        #expect(text.contains("\u{1B}[1;31m[IRREVERSIBLE]\u{1B}[0m"))
        #expect(!HumanPlanRenderer(color: false).render(Self.plan).contains("\u{1B}"))
    }

    @Test("empty plan says no changes")
    func emptyPlan() {
        #expect(
            HumanPlanRenderer().render(Plan())
                == "No changes. Live state matches the manifests.\n")
        #expect(
            MarkdownPlanRenderer().render(Plan())
                == "### ngcpctl plan\n\nNo changes. Live state matches the manifests.\n")
    }

    @Test("markdown output")
    func markdown() {
        let expected = """
            ### ngcpctl plan

            Target: `https://ngcp.example.org:1443/api/` · Source: `abc1234` on `main`

            **Plan: 1 to create, 1 to update, 1 to delete.**

            > [!CAUTION]
            > 1 irreversible operation in this plan.

            | # | Action | Resource | Request |
            |---|---|---|---|
            | 1 | - delete **irreversible** | `customers/cust-old` | `PATCH /api/customers/31` |
            | 2 | + create | `subscribers/bob@example.org` | `POST /api/subscribers/` |
            | 3 | ~ update | `subscriberpreferences/a@x.io` | `PATCH /api/subscriberpreferences/4` |

            #### 1. delete `customers/cust-old`

            `PATCH /api/customers/31`

            **Irreversible:** terminates the customer

            ```diff
            - status: "active"
            + status: "terminated"
            ```

            #### 2. create `subscribers/bob@example.org`

            `POST /api/subscribers/` · after #1

            ```diff
            + customer_id: (known after apply)
            ! password: (sensitive value)
            + username: "bob"
            ```

            #### 3. update `subscriberpreferences/a@x.io`

            `PATCH /api/subscriberpreferences/4`

            ```diff
            - concurrent_max: 5
            + concurrent_max: 7
            - clir: true
            + clir: (absent)
            ```

            """
        #expect(MarkdownPlanRenderer().render(Self.plan) == expected)
    }

    @Test("JSON output reads back")
    func json() throws {
        let text = JSONPlanRenderer().render(Self.plan)
        #expect(text.hasSuffix("}\n"))
        #expect(try Plan(jsonText: text) == Self.plan)
        #expect(text.contains("\n  \"format_version\": 1,\n"))
    }

    @Test("nested placeholder shown in words")
    func nestedPlaceholder() {
        let value: JSONValue = ["a": PlanPlaceholder.createdID(of: 3), "b": 1]
        #expect(PlanText.value(value) == #"{"a":"(known after apply)","b":1}"#)
        #expect(PlanText.value(nil) == "(absent)")
    }
}

@Suite struct UnmanagedRenderingTests {
    static func plan(_ count: Int) -> Plan {
        Plan(unmanaged: (0..<count).map { ResourceID(.subscribers, "user\($0)@example.org") })
    }

    @Test("human output lists unmanaged objects")
    func human() {
        let text = HumanPlanRenderer().render(Self.plan(2))
        #expect(text.contains("No changes."))
        #expect(
            text.contains(
                "Not managed by ngcpctl, left alone: 2 (subscribers/user0@example.org, "
                    + "subscribers/user1@example.org)."))
    }

    @Test("long unmanaged list is shortened")
    func shortened() {
        let text = HumanPlanRenderer().render(Self.plan(12))
        #expect(text.contains("left alone: 12 ("))
        #expect(text.contains("user9@example.org, ...)."))
        #expect(!text.contains("user11@example.org"))
    }

    @Test("markdown output lists unmanaged objects")
    func markdown() {
        let text = MarkdownPlanRenderer().render(Self.plan(1))
        #expect(text.contains("Not managed by ngcpctl, left alone: 1"))
    }

    @Test("no line without unmanaged objects")
    func none() {
        #expect(!HumanPlanRenderer().render(Plan()).contains("Not managed"))
    }
}
