import ArgumentParser
import Foundation
import NIOPosix
import TrustGateGateway

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the gateway in front of a built-in echo service, with a throwaway PKI, and print curl commands to try.",
        discussion: """
            Creates (or reuses) a PKI under --directory: ca.pem, server.pem/.key, client.pem/.key, \
            client-expired.pem/.key, client-revoked.pem/.key, the CRLs, policy.yaml and gateway.yaml. \
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
        let upstream = EchoUpstream(group: MultiThreadedEventLoopGroup.singleton)
        let upstreamPort = try await upstream.start()

        let configFile = pki.directory + "/gateway.yaml"
        let yaml = Self.configuration(port: port, adminPort: adminPort, upstreamPort: upstreamPort)
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
            print(Self.instructions(directory: shown, port: port))
        }
        try? await upstream.stop()
    }

    static func configuration(port: Int, adminPort: Int, upstreamPort: Int) -> String {
        """
        # Written by `trustgate demo`. Paths are relative to this file. The echo upstream exists only while the
        # demo runs; point `upstreams.app.url` at your own service and run `trustgate serve --config <this file>`.
        listeners:
          - name: demo
            address: 127.0.0.1:\(port)
            tls:
              min_version: "1.2"
              http2: true
            hosts:
              - names: [localhost, 127.0.0.1]
                certificate: server.pem
                key: server.key
                client_certificate:
                  mode: required
                  exclude_paths: "/public"
                  policy: policy.yaml
        upstreams:
          app:
            url: http://127.0.0.1:\(upstreamPort)
        routes:
          - name: everything
            path: /
            upstream: app
            forward_certificate: [x-arr-clientcert]
            certificate_info_headers: true
        admin:
          address: 127.0.0.1:\(adminPort)
        access_log: stdout

        """
    }

    static func instructions(directory: String, port: Int) -> String {
        let d = directory
        let base = "https://localhost:\(port)"
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

        Ctrl-C stops the gateway.

        """
    }
}
