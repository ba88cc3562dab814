import ArgumentParser
import Foundation
import NIOPosix
import TrustGateDemo
import TrustGateGateway

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the gateway in front of a built-in echo service, with a throwaway PKI, and print curl commands to try.",
        discussion: """
            Creates (or reuses) a PKI under --directory: ca.pem, server.pem/.key, client.pem/.key, \
            client-rsa.pem/.key, client-expired.pem/.key, client-revoked.pem/.key, the CRLs, policy.yaml, \
            gateway.yaml, and the token service's store (tokens.db, store.key) with the client demo-client \
            registered by its certificates and granted the role service-api on api://demo. \
            The echo service answers with what it received, forwarded certificate header included. Ctrl-C stops.
            """
    )

    @Option(help: "Directory for the demo PKI and configuration.")
    var directory = ".trustgate-demo"

    @Option(help: "Gateway port on 127.0.0.1.")
    var port = 8443

    @Option(help: "Admin port on 127.0.0.1 (/metrics, /healthz); 0 picks a free one.")
    var adminPort = 9901

    func run() async throws {
        let pki: DemoPKI
        do {
            pki = try DemoPKI.prepare(in: directory)
        } catch {
            throw CommandFailure.failed("cannot prepare the demo PKI in \(directory): \(error)")
        }
        do {
            try await DemoTokenService.prepare(pki: pki)
        } catch {
            throw CommandFailure.failed("cannot prepare the demo token service in \(directory): \(error)")
        }
        let upstream = EchoUpstream(group: MultiThreadedEventLoopGroup.singleton)
        let upstreamPort = try await upstream.start()

        let configFile = pki.directory + "/gateway.yaml"
        let yaml = DemoGatewayConfiguration.text(port: port, adminPort: adminPort, upstreamPort: upstreamPort)
        do {
            try yaml.write(toFile: configFile, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure.failed("cannot write \(configFile): \(error)")
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfigurationLoader.load(contentsOfFile: configFile)
        } catch {
            throw CommandFailure.failed("the demo configuration is invalid: \(error)")
        }
        let shown = directory
        let port = port
        try await GatewayRunner.run(configuration, reload: { try GatewayConfigurationLoader.load(contentsOfFile: configFile) }) { _ in
            // Unbuffered: stdout piped to a file or `tee` would otherwise hold the instructions until exit.
            try? FileHandle.standardOutput.write(contentsOf: Data((Self.instructions(directory: shown, port: port) + "\n").utf8))
        }
        try? await upstream.stop()
    }

    static func instructions(directory: String, port: Int) -> String {
        let d = directory
        let base = "https://localhost:\(port)"
        let issuer = DemoTokenService.issuer(port: port)
        let scope = DemoTokenService.resource + "/.default"
        let client = DemoTokenService.clientID
        return """

        TrustGate demo: https://localhost:\(port) → built-in echo service. Try, from this directory:

          # 1. A valid client certificate: 200, and the echo shows the X-ARR-ClientCert it received
          curl --cacert \(d)/ca.pem --cert \(d)/client.pem --key \(d)/client.key \(base)/hello

          # 2. No certificate: 403 problem+json, reason "no_certificate"
          curl --cacert \(d)/ca.pem \(base)/hello

          # 3. An expired certificate: 403, reason "expired"
          curl --cacert \(d)/ca.pem --cert \(d)/client-expired.pem --key \(d)/client-expired.key \(base)/hello

          # 4. A revoked certificate: 403, reason "revoked"
          curl --cacert \(d)/ca.pem --cert \(d)/client-revoked.pem --key \(d)/client-revoked.key \(base)/hello

          # 5. The excluded /public path needs no certificate: 200
          curl --cacert \(d)/ca.pem \(base)/public/status

          # 6. A spoofed X-ARR-ClientCert is stripped: the echo shows no such header
          curl --cacert \(d)/ca.pem -H 'X-ARR-ClientCert: MIIBspoofed' \(base)/public/status

          # Why is a certificate refused? Ask offline:
          trustgate check --policy \(d)/policy.yaml \(d)/client-revoked.pem

        The token service (issuer \(issuer)): \(client) proves itself with its certificate.

          # 7. A token by private_key_jwt, the assertion signed with the client's key as MSAL does it (client-rsa.pem /
          #    client-rsa.key for RSA); --decode shows roles ["\(DemoTokenService.role)"] and azpacr "2"
          trustgate token --issuer \(issuer) --ca \(d)/ca.pem --client-id \(client) --cert \(d)/client.pem --key \(d)/client.key --scope \(scope) --decode

          # 8. A token with curl, over mutual TLS (tls_client_auth: the certificate on the connection, client_id in the form)
          curl --cacert \(d)/ca.pem --cert \(d)/client.pem --key \(d)/client.key -d grant_type=client_credentials -d client_id=\(client) --data-urlencode scope=\(scope) \(DemoTokenService.tokenEndpoint(port: port))

          # 9. \(DemoTokenService.routePath) needs the certificate AND a token with role \(DemoTokenService.role) and azpacr "2": 200 (no token: 401)
          TOKEN=$(trustgate token --issuer \(issuer) --ca \(d)/ca.pem --client-id \(client) --cert \(d)/client.pem --key \(d)/client.key --scope \(scope))
          curl --cacert \(d)/ca.pem --cert \(d)/client.pem --key \(d)/client.key -H "Authorization: Bearer $TOKEN" \(base)\(DemoTokenService.routePath)

        Ctrl-C stops the gateway.

        """
    }
}
