import Foundation
import Hummingbird
import HummingbirdCore
import TrustGateHummingbird
import TrustGateX509
import XCTest

/// The TLS channel on real loopback sockets with curl as the client: what each connection records about
/// the client certificate, over HTTP/1.1 and HTTP/2 on one port.
final class TLSClientCertificateChannelTests: XCTestCase {
    private var pki: HummingbirdTestPKI!

    override func setUpWithError() throws {
        _ = try CurlClient.requireCurl()
        pki = try HummingbirdTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    /// A route that reports what the request context knows about its connection.
    private func router() -> Router<TrustGateRequestContext> {
        let router = Router(context: TrustGateRequestContext.self)
        router.get("/connection") { _, context -> Response in
            var object: [String: Any] = [
                "tls": context.connection?.isTLS ?? false,
                "protocol": context.connection?.httpProtocol ?? "none",
            ]
            if let record = context.clientCertificate {
                object["certificates"] = record.chain.derCertificates.count
                object["accepted"] = record.verdict.isAccepted
                object["codes"] = record.verdict.codes.map(\.rawValue)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }

    private func tls(_ mode: TLSClientCertificateMode) throws -> HTTPServerBuilder {
        try .trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: pki.server.issued.chain,
            privateKey: pki.server.issued.privateKey,
            clientCertificateMode: mode,
            clientCertificatePolicy: try pki.policy()))
    }

    private func curl(_ credential: HummingbirdTestPKI.Credential?, _ version: CurlClient.Version) -> CurlClient {
        CurlClient(caFile: pki.caFile, certificateFile: credential?.chainFile, keyFile: credential?.keyFile, version: version)
    }

    func testAcceptedCertificateIsRecordedOverHTTP1AndHTTP2() async throws {
        try await LiveServer.run(responder: router().buildResponder(), server: try tls(.optional)) { port in
            for (version, expected) in [(CurlClient.Version.http1, "1.1"), (.http2, "2")] {
                let response = try await curl(pki.client, version).request("https://127.0.0.1:\(port)/connection")
                XCTAssertEqual(response.status, 200)
                XCTAssertEqual(response.httpVersion, expected)
                let json = try response.json()
                XCTAssertEqual(json["tls"] as? Bool, true)
                XCTAssertEqual(json["protocol"] as? String, expected == "2" ? "h2" : "http/1.1")
                XCTAssertEqual(json["accepted"] as? Bool, true)
                XCTAssertEqual(json["certificates"] as? Int, 2, "leaf and intermediate, as presented")
            }
        }
    }

    func testNoCertificateInOptionalModeRecordsNone() async throws {
        try await LiveServer.run(responder: router().buildResponder(), server: try tls(.optional)) { port in
            for version in [CurlClient.Version.http1, .http2] {
                let response = try await curl(nil, version).request("https://127.0.0.1:\(port)/connection")
                XCTAssertEqual(response.status, 200)
                let json = try response.json()
                XCTAssertEqual(json["tls"] as? Bool, true)
                XCTAssertNil(json["accepted"], "no certificate, no record")
            }
        }
    }

    func testRejectedCertificateCompletesTheHandshakeAndIsRecorded() async throws {
        try await LiveServer.run(responder: router().buildResponder(), server: try tls(.required)) { port in
            for (version, expected) in [(CurlClient.Version.http1, "1.1"), (.http2, "2")] {
                let response = try await curl(pki.foreign, version).request("https://127.0.0.1:\(port)/connection")
                XCTAssertEqual(response.status, 200)
                XCTAssertEqual(response.httpVersion, expected)
                let json = try response.json()
                XCTAssertEqual(json["accepted"] as? Bool, false)
                XCTAssertEqual(json["codes"] as? [String], [RejectionCode.untrustedIssuer.rawValue])
            }
        }
    }

    func testRequiredModeFailsTheHandshakeWithoutACertificate() async throws {
        try await LiveServer.run(responder: router().buildResponder(), server: try tls(.required)) { port in
            do {
                let response = try await curl(nil, .http1).request("https://127.0.0.1:\(port)/connection")
                XCTFail("expected a handshake failure, got HTTP \(response.status)")
            } catch CurlClient.Failure.exited(let code, _) {
                XCTAssertNotEqual(code, 0)
            }
        }
    }

    func testModeIgnoreAsksForNoCertificate() async throws {
        let server = try HTTPServerBuilder.trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: pki.server.issued.chain, privateKey: pki.server.issued.privateKey,
            clientCertificateMode: .ignore, clientCertificatePolicy: nil))
        try await LiveServer.run(responder: router().buildResponder(), server: server) { port in
            let response = try await curl(pki.client, .http2).request("https://127.0.0.1:\(port)/connection")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.httpVersion, "2")
            XCTAssertNil(try response.json()["accepted"], "a certificate that was never requested is never sent")
        }
    }

    func testOptionalModeWithoutAPolicyIsRefused() throws {
        XCTAssertThrowsError(try HTTPServerBuilder.trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: pki.server.issued.chain, privateKey: pki.server.issued.privateKey,
            clientCertificateMode: .optional, clientCertificatePolicy: nil))
        ) { error in
            XCTAssertEqual(error as? TrustGateTLSConfigurationError, .missingClientCertificatePolicy(.optional))
        }
    }
}
