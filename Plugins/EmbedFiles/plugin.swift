import Foundation
import PackagePlugin

/// Embeds data folders of the package into the target that owns them, as string literals, so the
/// built binaries carry their schema and static data and need no files beside them at run time.
@main
struct EmbedFiles: BuildToolPlugin {
    /// Target name → (folder relative to the package, file extension).
    private static let sources = [
        "Migrations": ("schema", "sql"),
        "Projections": ("projections", "sql"),
        "StaticData": ("data/sde", "json"),
        "ESISimulator": ("data/esi", "json"),
    ]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let (folderName, fileExtension) = Self.sources[target.name] else { return [] }
        let folder = context.package.directoryURL.appending(path: folderName)
        let inputs = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == fileExtension }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(folderName)/*.\(fileExtension) into \(target.name)",
                executable: try context.tool(named: "embed-files").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
