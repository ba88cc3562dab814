import ArgumentParser

@main
struct TrustGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustgate",
        abstract: "Certificate-based authentication for service-to-service HTTP APIs.",
        subcommands: [CertCommand.self, CheckCommand.self, PKICommand.self]
    )
}
