import ArgumentParser

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version, git commit, build date and Swift version of this binary (as --version does)."
    )

    func run() throws {
        print(BuildInfo.description)
    }
}
