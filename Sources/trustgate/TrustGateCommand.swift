import ArgumentParser
import Foundation

@main
struct TrustGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustgate",
        abstract: "Certificate-based authentication for service-to-service HTTP APIs.",
        version: BuildInfo.description,
        subcommands: [ServeCommand.self, DemoCommand.self, CertCommand.self, CheckCommand.self, PKICommand.self, HashSecretCommand.self,
            ResourceCommand.self, ClientCommand.self, KeysCommand.self, CallCommand.self, TokenCommand.self, VersionCommand.self]
    )

    /// Runs the command with TrustGate's exit-code convention: 2 for usage and input errors (ArgumentParser
    /// would use 64), the command's own code otherwise, and never a stack trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withTrustGateError: error)
        }
    }

    static func exit(withTrustGateError error: any Error) -> Never {
        if let failure = error as? CommandFailure {
            FileHandle.standardError.write(Data("trustgate: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success {
            // --help, --version
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        if let exitCode = error as? ExitCode {
            Foundation.exit(exitCode.rawValue)
        }
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(code == .validationFailure ? CommandFailure.usageExitCode : code.rawValue)
    }
}

/// A failure a command reports to the user: a message for stderr and an exit code.
struct CommandFailure: Error {
    static let usageExitCode: Int32 = 2

    let message: String
    let exitCode: Int32

    /// Bad input: unreadable files, malformed certificates, invalid configuration (exit 2).
    static func input(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: usageExitCode) }
    /// The operation itself failed (exit 1).
    static func failed(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 1) }
}
