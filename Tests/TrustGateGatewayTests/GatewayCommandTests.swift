import Foundation
import NIOPosix
import TrustGateDemo
import XCTest
@testable import TrustGateGateway

/// `trustgate serve` as users run it: a real process, its exit codes and messages, hot reload from file
/// changes (valid and invalid), SIGHUP, and SIGTERM.
final class GatewayCommandTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    static func trustgateBinary() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("trustgate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        XCTFail("the trustgate executable was not found; build it with `swift build`")
        throw XCTSkip("trustgate executable not built")
    }

    private func writeConfig(mode: String, upstreamPort: Int, extra: String = "") throws -> String {
        let path = pki.directory + "/gateway.yaml"
        let policy = mode == "ignore" ? "" : """
                      policy:
                        trust: { anchors: [ca.pem] }
                        revocation: { mode: chain, crls: [intermediate.crl.pem, root.crl.pem], require_crl: true }
            """
        try """
            listeners:
              - name: main
                address: 127.0.0.1:0
                tls: { min_version: "1.2" }
                hosts:
                  - names: [localhost]
                    certificate: server.pem
                    key: server.key
                    client_certificate:
                      mode: \(mode)
            \(policy)
            upstreams:
              echo: { url: "http://127.0.0.1:\(upstreamPort)" }
            routes:
              - { name: everything, upstream: echo }
            access_log: off
            shutdown: { drain_timeout: 2s }
            reload: { watch_files: true, poll_interval: 100ms }
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.trustgateBinary())
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testCheckConfigExplainsAValidConfigurationAndExitsZero() throws {
        let path = try writeConfig(mode: "required", upstreamPort: 9)
        let result = try run(["serve", "--config", path, "--check-config"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("everything"), result.stdout)
        XCTAssertTrue(result.stdout.contains("configuration OK"), result.stdout)
    }

    func testInvalidConfigurationNamesFileLineAndKeyAndExitsTwo() throws {
        let path = try writeConfig(mode: "required", upstreamPort: 9, extra: "revocaton: { mode: chain }")
        let result = try run(["serve", "--config", path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("gateway.yaml:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("revocaton"), result.stderr)
        XCTAssertTrue(result.stderr.contains("unknown key"), result.stderr)
        XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)

        let missing = try run(["serve", "--config", pki.directory + "/nope.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read"), missing.stderr)
    }

    /// `trustgate serve --config PATH` as a child process, once it says which port it listens on.
    private func launchServe(config path: String) throws -> (Process, StderrCollector, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.trustgateBinary())
        process.arguments = ["serve", "--config", path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let log = StderrCollector(err.fileHandleForReading)
        try process.run()
        guard let port = log.waitFor(#"listening on https://127\.0\.0\.1:(\d+)"#, timeout: 60).flatMap({ Int($0) }) else {
            process.terminate()
            XCTFail("serve did not start listening: \(log.text)")
            throw XCTSkip("serve did not start")
        }
        return (process, log, port)
    }

    func testServeReloadsOnFileChangesRefusesABrokenConfigAndDrainsOnSIGTERM() async throws {
        let upstream = EchoUpstream(group: .singletonMultiThreadedEventLoopGroup)
        let upstreamPort = try await upstream.start()
        let path = try writeConfig(mode: "ignore", upstreamPort: upstreamPort)

        let (process, log, port) = try launchServe(config: path)
        defer { if process.isRunning { process.terminate() } }
        XCTAssertEqual(try Curl.request("/", port: port, pki: pki).status, 200)

        // A valid change: certificates become required; new connections see it.
        _ = try writeConfig(mode: "required", upstreamPort: upstreamPort)
        XCTAssertNotNil(log.waitFor("configuration reloaded", timeout: 30), log.text)
        XCTAssertEqual(try Curl.request("/", port: port, pki: pki).json?["reason"] as? String, "no_certificate")
        XCTAssertEqual(try Curl.request("/", port: port, pki: pki, credential: pki.client).status, 200)

        // A broken change is refused; the running configuration keeps serving.
        try "listeners: [".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNotNil(log.waitFor("reload refused", timeout: 30), log.text)
        XCTAssertEqual(try Curl.request("/", port: port, pki: pki, credential: pki.client).status, 200)

        // SIGHUP reloads on demand (and is refused again while the file is broken).
        kill(process.processIdentifier, SIGHUP)
        XCTAssertNotNil(log.waitFor("SIGHUP received", timeout: 30), log.text)

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertNotNil(log.waitFor("stopped", timeout: 30), log.text)
        try? await upstream.stop()
    }
}

extension GatewayCommandTests {
    func testASecondSIGTERMDuringTheDrainExitsAtOnce() async throws {
        let upstream = EchoUpstream(group: .singletonMultiThreadedEventLoopGroup)
        let upstreamPort = try await upstream.start()
        let path = pki.directory + "/drain.yaml"
        try """
            listeners:
              - { address: 127.0.0.1:0, tls: true, hosts: [ { names: [localhost], certificate: server.pem, key: server.key } ] }
            upstreams: { echo: { url: "http://127.0.0.1:\(upstreamPort)" } }
            routes: [ { upstream: echo } ]
            access_log: off
            shutdown: { drain_timeout: 60s }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let (process, log, port) = try launchServe(config: path)
        defer { if process.isRunning { process.terminate() } }

        // A slow request keeps the drain busy for far longer than the test waits.
        let slow = BackgroundCurl(path: "/delay/30000", port: port, pki: pki)
        try await Task.sleep(nanoseconds: 500_000_000)
        kill(process.processIdentifier, SIGTERM)
        XCTAssertNotNil(log.waitFor("draining in-flight requests", timeout: 10), log.text)
        let second = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(second), 5, "the second SIGTERM did not end the drain")
        XCTAssertEqual(process.terminationStatus, 3)
        XCTAssertNotNil(log.waitFor("received again: exiting without waiting for the drain", timeout: 5), log.text)
        _ = slow.wait()
        try? await upstream.stop()
    }
}

/// Collects a child's stderr on a background thread so the test can wait for a line.
final class StderrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.lock()
                buffer += String(decoding: data, as: UTF8.self)
                lock.unlock()
            }
        }
        thread.start()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }

    /// Waits until `pattern` (a regular expression) matches; returns its first capture group, or the match.
    func waitFor(_ pattern: String, timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let regex = try? NSRegularExpression(pattern: pattern)
        while Date() < deadline {
            let current = text
            if let regex, let match = regex.firstMatch(in: current, range: NSRange(current.startIndex..., in: current)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                if let swiftRange = Range(range, in: current) { return String(current[swiftRange]) }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }
}
