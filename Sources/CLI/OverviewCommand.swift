import ArgumentParser
import Foundation
import Projections
import Settings

struct OverviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Every character with location, ship, wallet, skill points and last update.",
        discussion: """
            From the read models (memberaudit project or a running worker keeps them current). \
            'failing' counts the sections whose last sync failed; memberaudit show CHARACTER \
            --section update_status says which and why.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Output format: table, json or csv.")
    var format: ShowFormat = .table

    func run() async throws {
        let settings = try self.global.settings()
        let part = try await withMigratedDatabase(settings) { database in
            try await prepareReadModels(database.pool)
            return try await CharacterQueries.overview(pool: database.pool)
        }
        let state = CharacterState(id: 0, name: "", sections: [SectionState(name: "characters", parts: [part])])
        switch self.format {
        case .table:
            print(
                part.rows.isEmpty
                    ? "no characters yet (memberaudit characters add, then memberaudit sync)"
                    : DisplayRendering.table(part)
            )
        case .csv: print(DisplayRendering.csv(state))
        case .json: print(try DisplayRendering.json(state, only: "characters"))
        }
    }
}
