import Foundation
import PackagePlugin

/// Embeds the package's SQL folders into the target that owns them, so the built binaries carry
/// their schema and need no files beside them at run time.
///
/// `Migrations` gets `schema/*.sql`; `Projections` gets `projections/*.sql`.
@main
struct EmbedSQL: BuildToolPlugin {
    private static let folders = ["Migrations": "schema", "Projections": "projections"]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let folderName = Self.folders[target.name] else { return [] }
        let folder = context.package.directoryURL.appending(path: folderName)
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(folderName)/*.sql into \(target.name)",
                executable: try context.tool(named: "embed-sql").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
