import ArgumentParser
import Foundation
import Projections
import Settings

enum ShowFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a character's current state from the read models.",
        discussion: """
            CHARACTER is an id or a name (a unique prefix of a name will do). All sections are \
            printed, or those given with --section: \(CharacterQueries.sectionNames.joined(separator: ", ")). \
            Ids are shown with their names where the static data or ESI's public data knows them, \
            and as ids where not. --format json prints an object with the character's id and name \
            and one member per section; csv prints each part of each section as a block headed by \
            a '# section' line.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The character: an id or a name.")
    var character: String

    @Option(name: .customLong("section"), help: "Only this section (repeatable).")
    var sections: [String] = []

    @Option(help: "Output format: table, json or csv.")
    var format: ShowFormat = .table

    func validate() throws {
        let known = Set(CharacterQueries.sectionNames)
        for section in self.sections where !known.contains(section) {
            throw ValidationError(
                "no section named \(section); they are: \(CharacterQueries.sectionNames.joined(separator: ", "))"
            )
        }
    }

    func run() async throws {
        let state = try await withReadModels(self.global) { database in
            let (id, name) = try await CharacterQueries.resolve(self.character, pool: database.pool)
            return try await CharacterQueries.state(
                of: id,
                name: name,
                sections: self.sections.isEmpty ? nil : self.sections,
                pool: database.pool
            )
        }
        switch self.format {
        case .json: print(try DisplayRendering.json(state))
        case .csv: print(DisplayRendering.csv(state))
        case .table: print(DisplayRendering.table(state))
        }
    }
}
