import ArgumentParser
import Audit
import Foundation
import Postgres
import Reports
import Settings
import StaticData
import Universe
import Vocabulary

struct UniverseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "universe",
        abstract: "The static data (types, systems, stations, ...): its version, and updating it from CCP's SDE.",
        discussion: """
            The program carries CCP's whole Static Data Export and loads it into the database once \
            per version. After a game patch, import CCP's newer SDE (the JSON Lines zip from \
            developers.eveonline.com) with import-sde: no new release needed. Ids the static data \
            does not know are asked of ESI as they appear (see docs/universe.md).
            """,
        subcommands: [UniverseStatusCommand.self, ImportSDE.self]
    )
}

struct UniverseStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the loaded static data: build, release date, source and rows per table."
    )
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let status = try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { connection in
                try UniverseLoader.ensureShippedLoaded(on: connection)
                return try UniverseLoader.status(on: connection)
            }
        }
        guard let version = status.version else {
            print("no static data loaded")
            return
        }
        let released = version.releasedAt.map { " released " + $0.formatted(.iso8601.year().month().day()) } ?? ""
        let source = version.source == .shipped ? "shipped with this program" : "imported with universe import-sde"
        print("build \(version.build)\(released), \(source)")
        if let loadedAt = status.loadedAt { print("loaded \(loadedAt.formatted(.iso8601))") }
        print("checksum \(version.checksum)")
        var table = ReportTable(name: "", columns: ["table", "rows"])
        for (name, rows) in status.counts { table.add([name, formatNumber(Double(rows))]) }
        print(table.text())
        let shipped = UniverseVersion.shipped
        if version.build < shipped.build {
            print("this program ships build \(shipped.build); it is loaded at the next start")
        }
    }
}

struct ImportSDE: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-sde",
        abstract: "Load CCP's Static Data Export (JSON Lines zip) in place of the loaded static data.",
        discussion: """
            FILE is CCP's eve-online-static-data-<build>-jsonl.zip. Its tables (types, groups, \
            categories, typeDogma, mapRegions, mapConstellations, mapSolarSystems, npcStations, \
            npcCorporations; factions, races, bloodlines, ancestries, metaGroups, stationOperations \
            when present) are read and checked completely first: a malformed line is refused with \
            its file and line number, and nothing changes. Then everything is replaced in one \
            transaction. Importing the same file again changes nothing; an older build than the \
            loaded one is refused unless --allow-older.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "CCP's SDE archive (eve-online-static-data-<build>-jsonl.zip).") var file: String
    @Option(help: "The build number, when the archive has no _sde.jsonl and its name carries none.")
    var build: Int?
    @Flag(help: "Load it even when a newer build is loaded.") var allowOlder = false

    func validate() throws {
        if let build, build <= 0 { throw ValidationError("--build must be a positive build number") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: self.file)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw ValidationError("cannot read \(self.file)") }
        // CCP's archive is about 80 MB; anything past 2 GiB is not one.
        guard size <= 2 << 30 else {
            throw ValidationError("\(self.file) is \(size) bytes, too large for an SDE archive")
        }
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw ValidationError("cannot read \(self.file)")
        }
        printError("reading \(url.lastPathComponent) (\(formatNumber(Double(bytes.count))) bytes)")
        let sde: SDEImport
        do {
            sde = try SDEImport.read(zip: Array(bytes), fileName: url.lastPathComponent, build: self.build)
        } catch let error as SDEImportError {
            throw ValidationError("\(error.description); nothing changed")
        }
        let allowOlder = self.allowOlder
        let outcome = try await withMigratedDatabase(try self.global.settings()) { database in
            try await database.pool.withConnection { connection in
                do {
                    return try UniverseLoader.load(sde, allowOlder: allowOlder, on: connection)
                } catch let error as SDEImportError {
                    throw ValidationError(error.description)
                }
            }
        }
        switch outcome {
        case .alreadyLoaded:
            print("build \(sde.version.build) from this file is loaded already; nothing changed")
        case .loaded:
            let data = sde.data
            print(
                "loaded build \(sde.version.build): \(formatNumber(Double(data.types.count))) types, "
                    + "\(formatNumber(Double(data.systems.count))) systems, "
                    + "\(formatNumber(Double(data.stations.count))) stations"
                    + (sde.missingTables.isEmpty
                        ? "" : " (kept the loaded \(sde.missingTables.joined(separator: ", ")))")
            )
        }
    }
}
