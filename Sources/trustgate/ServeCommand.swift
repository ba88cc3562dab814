import ArgumentParser
import Foundation
import Logging
import TrustGateGateway

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the mutual-TLS gateway.",
        discussion: """
            Reloads on SIGHUP and when the configuration or any certificate, key, CA or CRL file it names changes \
            (an invalid new configuration is refused and the running one keeps serving). SIGTERM or Ctrl-C stops \
            accepting and drains in-flight requests for shutdown.drain_timeout; a second one exits at once.
            Exit codes: 0 stopped cleanly or configuration valid (--check-config), 1 could not listen, 2 invalid configuration, 3 a second SIGTERM/SIGINT ended the drain early.
            """
    )

    @Option(name: .shortAndLong, help: "The gateway configuration file (YAML).")
    var config: String

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, explain how each route is enforced, and exit.")
    var checkConfig = false

    @Option(name: .customLong("log-level"), help: "The operator log's level on stderr: trace, debug, info, notice, warning, error, critical (default: the configuration's log.level, else info).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got \"\(logLevel)\")")
        }
    }

    func run() async throws {
        let path = config
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfigurationLoader.load(contentsOfFile: path)
        } catch {
            throw CommandFailure.input("invalid configuration: \(error)")
        }
        if checkConfig {
            print(GatewayConfigurationExplanation.explain(configuration))
            for warning in GatewayConfigurationExplanation.warnings(configuration) {
                print("warning: \(warning)")
            }
            print("configuration OK")
            return
        }
        GatewayRunner.startOperatorLog(configuration.log, level: logLevel)
        for warning in GatewayConfigurationExplanation.warnings(configuration) {
            GatewayRunner.logger.warning("\(warning)")
        }
        try await GatewayRunner.run(configuration, reload: { try GatewayConfigurationLoader.load(contentsOfFile: path) })
    }
}
