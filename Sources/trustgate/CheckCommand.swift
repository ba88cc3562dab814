import ArgumentParser

// Scaffolding: replaced by the real command.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check")
}
