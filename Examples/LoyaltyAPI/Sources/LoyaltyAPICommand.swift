import ArgumentParser
import Foundation
import Hummingbird
import TrustGateAuth
import TrustGateHummingbird

/// `LoyaltyAPI --config loyalty.yaml`: the REST API an identity service's API connector calls at sign-up,
/// protected by a client certificate, Basic, an API key or a bearer token as the configuration says — or by
/// nothing, on loopback behind `trustgate serve`.
@main
struct LoyaltyAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LoyaltyAPI",
        abstract: "The sign-up API connector endpoint of the TrustGate examples (POST /api/loyalty).")

    @Option(name: .long, help: "The service configuration (listen, tls, certificate_policy, trusted_proxies, auth_schemes, auth).")
    var config: String

    func run() async throws {
        let service: TrustGateServiceConfiguration
        do {
            service = try TrustGateServiceConfiguration.load(contentsOfFile: config)
        } catch {
            Self.printError("LoyaltyAPI: invalid configuration: \(error)")
            throw ExitCode(2)
        }
        for warning in service.warnings { Self.printError("LoyaltyAPI: warning: \(warning)") }
        if let requirement = service.requirement {
            Self.printError("LoyaltyAPI: /api/loyalty requires \(requirement.explanation)")
        }

        let scheme = service.tls == nil ? "http" : "https"
        let host = service.listen.host
        let app = Application(
            router: LoyaltyRoutes.router(authentication: service.authenticationMiddleware(for: TrustGateRequestContext.self)),
            server: try service.serverBuilder(),
            configuration: .init(address: service.bindAddress, serverName: "LoyaltyAPI"),
            onServerRunning: { channel in
                // One line on stdout with the real port (the configuration may say 0): scripts and tests read it.
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                FileHandle.standardOutput.write(Data("LoyaltyAPI listening on \(scheme)://\(shown):\(port)\n".utf8))
            })
        try await app.runService()
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
