import ArgumentParser
import SimulatorCommandLine

/// `esi-simulator`: the simulator on its own.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "esi-simulator",
        abstract: simulatorAbstract,
        discussion: simulatorDiscussion
    )

    @OptionGroup var options: SimulatorOptions

    func run() async throws { try await self.options.run() }
}
