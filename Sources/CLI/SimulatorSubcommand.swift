import ArgumentParser
import SimulatorCommandLine

/// `memberaudit simulator`: the same simulator as `esi-simulator`, from the main program.
struct SimulatorSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: simulatorAbstract,
        discussion: simulatorDiscussion
    )

    @OptionGroup var options: SimulatorOptions

    func run() async throws { try await self.options.run() }
}
