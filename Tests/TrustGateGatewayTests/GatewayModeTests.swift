import Foundation
import TrustGateDemo
import TrustGateX509
import XCTest
@testable import TrustGateGateway

/// End to end over real TLS on loopback: curl as the client, the echo upstream behind the gateway.
final class GatewayModeTests: XCTestCase {
    var pki: GatewayTestPKI!

    override func setUpWithError() throws {
        try XCTSkipUnless(Curl.isAvailable, "curl is not installed")
        pki = try GatewayTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    func testRequiredModeAcceptsValidCertificateAndForwardsExactDER() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let result = try Curl.request("/hello?x=1", port: harness.port, pki: pki, credential: pki.client)
        await harness.stop()
        XCTAssertEqual(result.status, 200, result.body + result.stderr)
        XCTAssertEqual(result.json?["uri"] as? String, "/hello?x=1")
        let forwarded = try XCTUnwrap(result.upstreamHeaders["x-arr-clientcert"]?.first)
        XCTAssertEqual(Array(try XCTUnwrap(Data(base64Encoded: forwarded))), pki.client.leafDER)
        XCTAssertEqual(result.upstreamHeaders["x-forwarded-proto"], ["https"])
        XCTAssertEqual(result.upstreamHeaders["x-forwarded-for"], ["127.0.0.1"])
    }

    func testRequiredModeRefusesEachBadCertificateWithItsReason() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
        }
        let cases: [(GatewayTestPKI.Credential?, String)] = [
            (nil, "no_certificate"), (pki.expired, "expired"), (pki.revoked, "revoked"),
            (pki.foreign, "untrusted_issuer"), (pki.serverPurposeOnly, "eku_mismatch"),
        ]
        for (credential, reason) in cases {
            let result = try Curl.request("/", port: harness.port, pki: pki, credential: credential)
            XCTAssertEqual(result.status, 403, "\(reason): \(result.body) \(result.stderr)")
            XCTAssertTrue(result.headers.lowercased().contains("content-type: application/problem+json"), result.headers)
            XCTAssertEqual(result.json?["reason"] as? String, reason)
            XCTAssertEqual(result.json?["title"] as? String, "Invalid client certificate")
            XCTAssertEqual(result.json?["status"] as? Int, 403)
            XCTAssertFalse(result.body.contains(pki.directory), "the detail must not leak paths")
        }
        XCTAssertEqual(harness.upstream.requestCount, 0, "no refused request may reach the upstream")
        await harness.stop()
    }

    func testExcludedPathsPassWithoutCertificateCaseInsensitivelyWithBothSeparators() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/public;/health, /Docs")]
        }
        for path in ["/public", "/PUBLIC/x", "/health", "/docs/a"] {
            let result = try Curl.request(path, port: harness.port, pki: pki)
            XCTAssertEqual(result.status, 200, path)
            XCTAssertNil(result.upstreamHeaders["x-arr-clientcert"])
        }
        for path in ["/publications", "/private", "/public/../private", "/public%2F..%2Fprivate"] {
            let result = try Curl.request(path, port: harness.port, pki: pki, extra: ["--path-as-is"])
            XCTAssertTrue([400, 403].contains(result.status), "\(path) → \(result.status)")
        }
        // A presented certificate that fails is refused even on an excluded path.
        let bad = try Curl.request("/public", port: harness.port, pki: pki, credential: pki.revoked)
        XCTAssertEqual(bad.status, 403)
        await harness.stop()
    }

    func testOptionalModePassesWithoutCertificateButRefusesABadOne() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .optional)]
            config.routes = [
                RouteConfiguration(name: "secure", pathPrefix: "/secure", upstream: "echo", requireCertificate: true),
                RouteConfiguration(name: "all", upstream: "echo"),
            ]
        }
        XCTAssertEqual(try Curl.request("/open", port: harness.port, pki: pki).status, 200)
        XCTAssertEqual(try Curl.request("/open", port: harness.port, pki: pki, credential: pki.client).status, 200)
        XCTAssertEqual(try Curl.request("/open", port: harness.port, pki: pki, credential: pki.expired).json?["reason"] as? String, "expired")
        XCTAssertEqual(try Curl.request("/secure/x", port: harness.port, pki: pki).json?["reason"] as? String, "no_certificate")
        XCTAssertEqual(try Curl.request("/secure/x", port: harness.port, pki: pki, credential: pki.client).status, 200)
        await harness.stop()
    }

    func testIgnoreModeSendsNoCertificateRequest() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .ignore)]
        }
        let result = try Curl.request("/", port: harness.port, pki: pki, credential: pki.client)
        await harness.stop()
        XCTAssertEqual(result.status, 200)
        XCTAssertNil(result.upstreamHeaders["x-arr-clientcert"], "no certificate was asked for, none is forwarded")
    }

    func testRejectInHandshakeFailsTheHandshake() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, rejectInHandshake: true)]
        }
        let none = try Curl.request("/", port: harness.port, pki: pki)
        let revoked = try Curl.request("/", port: harness.port, pki: pki, credential: pki.revoked)
        let good = try Curl.request("/", port: harness.port, pki: pki, credential: pki.client)
        await harness.stop()
        XCTAssertEqual(none.status, 0)
        XCTAssertNotEqual(none.exitCode, 0)
        XCTAssertEqual(revoked.status, 0)
        XCTAssertNotEqual(revoked.exitCode, 0)
        XCTAssertEqual(good.status, 200)
    }

    func testRouteIdentityTightensThePolicy() async throws {
        var admin = IdentityClaims()
        admin.uri = "spiffe://test/client"
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required)]
            config.routes = [
                RouteConfiguration(name: "admin", pathPrefix: "/admin", upstream: "echo", identity: IdentityRequirement(required: admin)),
                RouteConfiguration(name: "all", upstream: "echo"),
            ]
        }
        XCTAssertEqual(try Curl.request("/admin", port: harness.port, pki: pki, credential: pki.client).status, 200)
        let other = try Curl.request("/ADMIN/x", port: harness.port, pki: pki, credential: pki.secondClient)
        XCTAssertEqual(other.status, 403)
        XCTAssertEqual(other.json?["reason"] as? String, "identity_mismatch")
        XCTAssertEqual(try Curl.request("/other", port: harness.port, pki: pki, credential: pki.secondClient).status, 200)
        // Other spellings of /admin reach the same route (and the upstream sees the normalised path).
        for spelling in ["/%61dmin", "/%41DMIN/x", "//admin", "/admin;jsessionid=1/x"] {
            let result = try Curl.request(spelling, port: harness.port, pki: pki, credential: pki.secondClient, extra: ["--path-as-is"])
            XCTAssertEqual(result.json?["reason"] as? String, "identity_mismatch", spelling)
        }
        let normalised = try Curl.request("/%61dmin/%7euser?q=%61", port: harness.port, pki: pki, credential: pki.client)
        XCTAssertEqual(normalised.json?["uri"] as? String, "/admin/~user?q=%61")
        await harness.stop()
    }

    func testHTTP2CarriesTheCertificateDecision() async throws {
        let harness = try await GatewayHarness(pki: pki) { config, _ in
            config.listeners = [try GatewayHarness.tlsListener(pki: pki, mode: .required, excluded: "/public")]
        }
        let good = try Curl.request("/x", port: harness.port, pki: pki, credential: pki.client, extra: ["--http2", "-H", "X-ARR-ClientCert: spoofed"])
        let none = try Curl.request("/x", port: harness.port, pki: pki, extra: ["--http2"])
        let excluded = try Curl.request("/public", port: harness.port, pki: pki, extra: ["--http2"])
        await harness.stop()
        XCTAssertTrue(good.headers.hasPrefix("HTTP/2"), good.headers)
        XCTAssertEqual(good.status, 200, good.stderr)
        XCTAssertEqual(good.upstreamHeaders["x-arr-clientcert"]?.count, 1)
        XCTAssertEqual(Array(Data(base64Encoded: good.upstreamHeaders["x-arr-clientcert"]?.first ?? "") ?? Data()), pki.client.leafDER)
        XCTAssertEqual(none.status, 403)
        XCTAssertEqual(none.json?["reason"] as? String, "no_certificate")
        XCTAssertEqual(excluded.status, 200)
    }
}
