import Foundation
import NIOCore
import NIOPosix
import TrustGateDemo
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// Reload where users deploy it (issue 15 §3): Kubernetes' symlink-swapped mounts, and every refusal counted.
final class GatewayReloadTests: InProcessGatewayTestCase {

    /// A directory laid out as the kubelet mounts a Secret: `name -> ..data/name`, `..data -> ..<timestamp>`.
    private struct KubernetesMount {
        let directory: String
        private(set) var generation = 0

        init(directory: String, files: [String: String]) throws {
            self.directory = directory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try publish(files)
            for name in files.keys {
                try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: "..data/" + name)
            }
        }

        /// Writes a new timestamped directory and swaps `..data` to it atomically (a symlink renamed over the
        /// old one), as the kubelet does.
        mutating func publish(_ files: [String: String]) throws {
            generation += 1
            let versioned = "..2026_12_08_00_00_0\(generation).000\(generation)"
            try FileManager.default.createDirectory(atPath: directory + "/" + versioned, withIntermediateDirectories: true)
            for (name, source) in files {
                try FileManager.default.copyItem(atPath: source, toPath: directory + "/" + versioned + "/" + name)
            }
            let temporary = directory + "/..data_tmp"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: versioned)
            guard rename(temporary, directory + "/..data") == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
    }

    func testASymlinkSwappedCRLIsPickedUpWithinThePollInterval() async throws {
        let upstream = EchoUpstream(group: group)
        let upstreamPort = try await upstream.start()
        var mount = try KubernetesMount(directory: pki.directory + "/secret", files: [
            "intermediate.crl.pem": pki.crlFile, "root.crl.pem": pki.rootCRLFile,
        ])
        let path = pki.directory + "/gateway.yaml"
        try """
            listeners:
              - address: 127.0.0.1:0
                tls: true
                hosts:
                  - names: [localhost]
                    certificate: \(pki.server.chainFile)
                    key: \(pki.server.keyFile)
                    client_certificate:
                      mode: required
                      policy:
                        trust: { anchors: [\(pki.caFile)] }
                        usage: { require_client_auth: true }
                        revocation: { mode: chain, crls: [secret/intermediate.crl.pem, secret/root.crl.pem], require_crl: true }
            upstreams: { echo: { url: "http://127.0.0.1:\(upstreamPort)" } }
            routes: [ { upstream: echo } ]
            access_log: off
            reload: { watch_files: true, poll_interval: 100ms }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let server = try GatewayServer(configuration: try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:]), group: group)
        try await server.start()
        let watcher = GatewayConfigurationWatcher(server: server, load: { try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:]) }, log: { _ in })
        watcher.start(handleSIGHUP: false)
        let port = server.boundPorts[0]

        func status() async throws -> String {
            let client = try await WireClient.connect(port: port, pki: pki, credential: pki.client, group: group)
            try await client.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            _ = await client.waitForClose(timeout: 10)
            return client.received
        }
        let before = try await status()
        XCTAssertTrue(before.hasPrefix("HTTP/1.1 200"), before)

        // The certificate is revoked; the new CRL arrives by a swap of `..data`, as a Secret update does.
        _ = try pki.authority.revoke(certificate: pki.client.issued.certificate)
        try pki.authority.makeCRL(validity: 86_400).pemString.write(toFile: pki.crlFile, atomically: true, encoding: .utf8)
        try mount.publish(["intermediate.crl.pem": pki.crlFile, "root.crl.pem": pki.rootCRLFile])
        let swapped = Date()
        var after = ""
        while Date().timeIntervalSince(swapped) < 5 {
            after = try await status()
            if after.contains("\"reason\":\"revoked\"") { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let noticed = Date().timeIntervalSince(swapped)
        watcher.stop()
        await server.shutdown(drainTimeout: 1)
        try? await upstream.stop()
        XCTAssertTrue(after.hasPrefix("HTTP/1.1 403"), "a revoked certificate was still accepted 5 s after the swap:\n\(after)")
        XCTAssertTrue(after.contains("\"reason\":\"revoked\""), after)
        XCTAssertLessThan(noticed, 2)
        XCTAssertTrue(server.metrics.render().contains(#"trustgate_config_reloads_total{result="success"} 1"#), server.metrics.render())
    }

    func testEveryRefusedReloadIsCountedWithItsTimeAndError() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let path = pki.directory + "/broken.yaml"
        try "listeners: [".write(toFile: path, atomically: true, encoding: .utf8)
        let watcher = GatewayConfigurationWatcher(server: harness.server, load: { try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:]) }, log: { _ in })
        let started = Date()
        XCTAssertFalse(watcher.reloadNow(), "broken YAML")
        try "listeners: []\nupstreams: {}\nroutes: []\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertFalse(watcher.reloadNow(), "an empty listener list")
        // One the server itself refuses: a listener's address may not change without a restart.
        var moved = harness.server.configuration
        moved.listeners[0].address = ListenAddress(host: "127.0.0.1", port: 1)
        XCTAssertThrowsError(try harness.server.reload(moved))
        let text = harness.server.metrics.render()
        let attempt = try XCTUnwrap(harness.server.lastReloadAttempt)
        await harness.stop()
        XCTAssertTrue(text.contains(#"trustgate_config_reloads_total{result="failure"} 3"#), text)
        XCTAssertTrue(text.contains("trustgate_config_last_reload_successful 0"), text)
        XCTAssertTrue(text.contains("trustgate_config_last_reload_attempt_timestamp_seconds "), text)
        XCTAssertTrue(text.contains("trustgate_config_last_success_timestamp_seconds "), text)
        XCTAssertGreaterThanOrEqual(attempt.time.timeIntervalSince1970, started.timeIntervalSince1970.rounded(.down))
        XCTAssertNotNil(attempt.error)
    }

    func testAReloadErrorNamesTheFileAndLine() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let path = pki.directory + "/typo.yaml"
        try "listeners:\n  - address: 127.0.0.1:0\n    tls: maybe\n".write(toFile: path, atomically: true, encoding: .utf8)
        let watcher = GatewayConfigurationWatcher(server: harness.server, load: { try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:]) }, log: { _ in })
        XCTAssertFalse(watcher.reloadNow())
        let error = try XCTUnwrap(harness.server.lastReloadAttempt?.error)
        await harness.stop()
        XCTAssertTrue(error.contains("typo.yaml:3"), error)
        XCTAssertTrue(error.contains("listeners[0].tls"), error)
    }
}
