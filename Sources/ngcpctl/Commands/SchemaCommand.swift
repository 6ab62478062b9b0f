import ArgumentParsing
import Manifests

/// `ngcpctl schema`: prints the JSON Schema (draft 2020-12) of the manifest format, rendered
/// from the field tables that the loader checks against.
enum SchemaCommand {
    static let spec = CommandSpec(
        name: "ngcpctl schema",
        summary: "Print the JSON Schema (draft 2020-12) of manifest documents.",
        positionalUsage: "",
        options: [
            .flag("project", help: "Print the schema of ngcpctl.yaml instead.")
        ],
        discussion: "Save the output and point an editor's YAML language server at it; see "
            + "docs/manifests.md.")

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try NGCPCtl.parse(spec, arguments) else { return .success }
        guard parsed.positionals.isEmpty else {
            throw UsageError("ngcpctl schema takes no arguments; usage: ngcpctl schema [--project]")
        }
        let schema =
            parsed.flag("project")
            ? JSONSchemaRenderer.projectSchema() : JSONSchemaRenderer.manifestSchema()
        Terminal.output(schema.serialized(pretty: true) + "\n")
        return .success
    }
}
