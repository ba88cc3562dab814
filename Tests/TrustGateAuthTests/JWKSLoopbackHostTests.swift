import Foundation
import TrustGateConfiguration
import TrustGateX509
import XCTest
@testable import TrustGateAuth

/// Plain-http JWKS URLs are allowed only to this machine, and the configuration reader and the key source
/// agree on what "this machine" is: 127.0.0.0/8, ::1 and `localhost`.
final class JWKSLoopbackHostTests: XCTestCase {
    private static let loopbackURLs = [
        "http://127.0.0.1:9/keys", "http://127.0.0.2/keys", "http://127.255.255.254:8080/keys",
        "http://localhost/keys", "http://LOCALHOST:9/keys", "http://[::1]:9/keys",
    ]
    private static let remoteURLs = [
        "http://10.0.0.1/keys", "http://128.0.0.1/keys", "http://issuer.example/keys", "http://127.0.0.1.example/keys",
        "http://localhost.example/keys", "http://[::2]/keys", "http://0.0.0.0/keys", "ftp://127.0.0.1/keys",
    ]

    private var directory: URL!

    override func setUpWithError() throws {
        directory = try AuthTest.temporaryDirectory()
    }

    override func tearDown() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Whether a `type: jwt` scheme with this `jwks_url` is accepted by the configuration reader.
    private func configurationAccepts(_ url: String) throws -> Bool {
        let path = directory.appendingPathComponent("gateway.yaml").path
        try """
            auth_schemes:
              local: { type: jwt, issuer: "https://issuer", audience: a, jwks_url: "\(url)" }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let node = try ConfigurationNode.load(contentsOfFile: path).mapping(allowedKeys: ["auth_schemes"])["auth_schemes"]
        do {
            _ = try AuthenticationSchemesConfiguration.parse(node, certificatePolicy: nil)
            return true
        } catch let error as ConfigurationError {
            XCTAssertTrue(error.problem.contains("https"), "\(url): \(error)")
            return false
        }
    }

    func testLoopbackHosts() {
        for host in ["localhost", "LocalHost", "127.0.0.1", "127.0.0.2", "127.255.255.255", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.9"] {
            XCTAssertTrue(LoopbackHost.contains(host), host)
        }
        for host in ["", "[]", "126.255.255.255", "128.0.0.1", "10.0.0.1", "0.0.0.0", "::", "::2", "[::1", "127.1", "127.0.0.1.", "localhost.example", "127.0.0.1.example"] {
            XCTAssertFalse(LoopbackHost.contains(host), host)
        }
    }

    func testConfigurationAndKeySourceAllowPlainHTTPToEveryLoopbackHost() throws {
        for text in Self.loopbackURLs {
            let url = try XCTUnwrap(URL(string: text))
            XCTAssertTrue(try configurationAccepts(text), text)
            XCTAssertTrue(JWKSDownloader.isAllowed(url), text)
        }
    }

    func testConfigurationAndKeySourceRefusePlainHTTPElsewhere() throws {
        for text in Self.remoteURLs {
            let url = try XCTUnwrap(URL(string: text))
            XCTAssertFalse(try configurationAccepts(text), text)
            XCTAssertFalse(JWKSDownloader.isAllowed(url), text)
        }
        // https is fine anywhere.
        XCTAssertTrue(try configurationAccepts("https://issuer.example/keys"))
        XCTAssertTrue(JWKSDownloader.isAllowed(try XCTUnwrap(URL(string: "https://issuer.example/keys"))))
    }
}
