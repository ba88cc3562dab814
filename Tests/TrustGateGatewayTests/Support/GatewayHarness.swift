import Foundation
import NIOCore
import NIOPosix
import TrustGateDemo
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// A running gateway in front of an echo upstream, on ephemeral loopback ports.
final class GatewayHarness {
    let pki: GatewayTestPKI
    let group: MultiThreadedEventLoopGroup
    let upstream: EchoUpstream
    let upstreamPort: Int
    let server: GatewayServer
    var port: Int { server.boundPorts[0] }

    init(pki: GatewayTestPKI, configure: (inout GatewayConfiguration, _ upstreamPort: Int) throws -> Void) async throws {
        self.pki = pki
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        upstream = EchoUpstream(group: group)
        upstreamPort = try await upstream.start()
        var configuration = GatewayConfiguration(
            listeners: [],
            upstreams: ["echo": UpstreamConfiguration(name: "echo", scheme: .http, host: "127.0.0.1", port: upstreamPort, responseTimeout: 5)],
            routes: [RouteConfiguration(name: "all", upstream: "echo")],
            accessLog: AccessLogConfiguration(destination: .disabled))
        try configure(&configuration, upstreamPort)
        server = try GatewayServer(configuration: configuration, group: group)
        try await server.start()
    }

    /// A TLS listener on 127.0.0.1:0 with one host (localhost, 127.0.0.1) in `mode`.
    static func tlsListener(pki: GatewayTestPKI, mode: ClientCertificateMode, excluded: String = "", rejectInHandshake: Bool = false, identity: IdentityRequirement = IdentityRequirement()) throws -> ListenerConfiguration {
        ListenerConfiguration(
            name: "test", address: ListenAddress(host: "127.0.0.1", port: 0), tls: ListenerTLSConfiguration(),
            hosts: [HostConfiguration(
                names: ["localhost", "127.0.0.1"], serverCertificate: pki.server.pair,
                clientCertificates: ClientCertificateSettings(
                    mode: mode, rejectInHandshake: rejectInHandshake, excludedPaths: try ExcludedPaths(parsing: excluded),
                    policy: mode == .ignore ? nil : try pki.policy(identity: identity)))])
    }

    func stop() async {
        await server.shutdown(drainTimeout: 1)
        try? await upstream.stop()
        try? await group.shutdownGracefully()
    }
}

/// What curl reported for one request.
struct CurlResult {
    let status: Int
    let body: String
    let headers: String
    let exitCode: Int32
    let stderr: String

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The echo upstream's view of the request headers (lower-cased names → values).
    var upstreamHeaders: [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in (json?["headers"] as? [[String]]) ?? [] where pair.count == 2 {
            result[pair[0].lowercased(), default: []].append(pair[1])
        }
        return result
    }
}

enum Curl {
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") }

    /// Runs curl against https://localhost:PORT (resolved to 127.0.0.1), trusting the test root.
    static func request(
        _ path: String, port: Int, pki: GatewayTestPKI, credential: GatewayTestPKI.Credential? = nil,
        host: String = "localhost", scheme: String = "https", extra: [String] = []
    ) throws -> CurlResult {
        let directory = pki.directory
        let headerFile = directory + "/h-\(UUID().uuidString)"
        let bodyFile = directory + "/b-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: headerFile)
            try? FileManager.default.removeItem(atPath: bodyFile)
        }
        var arguments = ["-sS", "--max-time", "20", "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}", "--cacert", pki.caFile,
                         "--resolve", "\(host):\(port):127.0.0.1"]
        if let credential { arguments += ["--cert", credential.chainFile, "--key", credential.keyFile] }
        arguments += extra
        arguments.append("\(scheme)://\(host):\(port)\(path)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CurlResult(
            status: Int(String(decoding: stdout, as: UTF8.self)) ?? 0,
            body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "",
            headers: (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "",
            exitCode: process.terminationStatus,
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A curl request running on another thread while the test does something else.
final class BackgroundCurl: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: CurlResult?

    init(path: String, port: Int, pki: GatewayTestPKI) {
        let thread = Thread { [self] in
            result = try? Curl.request(path, port: port, pki: pki)
            done.signal()
        }
        thread.start()
    }

    func wait() -> CurlResult? {
        done.wait()
        return result
    }
}

/// Sends raw bytes over TLS with `openssl s_client` (for requests curl will not write) and returns what came back.
enum RawTLS {
    static func exchange(port: Int, pki: GatewayTestPKI, request: String, serverName: String = "localhost") throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { throw XCTSkip("openssl is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-servername", serverName, "-CAfile", pki.caFile, "-ign_eof"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(request.utf8))
        let data = output.fileHandleForReading.readDataToEndOfFile()
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
