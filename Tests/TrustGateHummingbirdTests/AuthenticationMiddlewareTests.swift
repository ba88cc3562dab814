import Foundation
import Hummingbird
import HummingbirdCore
import TrustGateAuth
import TrustGateHummingbird
import TrustGateX509
import XCTest

/// The middleware on real loopback sockets (curl as the client): each scheme's success and failures over
/// TLS, HTTP/1.1 and HTTP/2, insecure transport on plain HTTP, and certificates forwarded by trusted proxies.
final class AuthenticationMiddlewareTests: XCTestCase {
    private var pki: HummingbirdTestPKI!

    override func setUpWithError() throws {
        _ = try CurlClient.requireCurl()
        pki = try HummingbirdTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    // MARK: - Helpers

    private func tls(_ mode: TLSClientCertificateMode) throws -> HTTPServerBuilder {
        try .trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: pki.server.issued.chain,
            privateKey: pki.server.issued.privateKey,
            clientCertificateMode: mode,
            clientCertificatePolicy: mode == .ignore ? nil : try pki.policy()))
    }

    private func curl(_ credential: HummingbirdTestPKI.Credential? = nil, _ version: CurlClient.Version = .http1) -> CurlClient {
        CurlClient(caFile: pki.caFile, certificateFile: credential?.chainFile, keyFile: credential?.keyFile, version: version)
    }

    private func basicScheme() throws -> BasicAuthenticator {
        BasicAuthenticator(name: "b2c", realm: "loyalty", users: [
            "b2c-connector": try SecretHash.create(for: Array("correct horse".utf8), algorithm: .pbkdf2SHA256(iterations: 100_000)),
        ])
    }

    private func apiKeyScheme() throws -> APIKeyAuthenticator {
        APIKeyAuthenticator(name: "functions", keys: ["b2c": try SecretHash.create(for: Array("k-0123456789abcdef0123456789abcdef".utf8), algorithm: .sha256)])
    }

    private func assertProblem(
        _ response: CurlClient.Response, status: Int, reason: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(response.status, status, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.values("content-type"), ["application/problem+json"], file: file, line: line)
        let json = try response.json()
        XCTAssertEqual(json["status"] as? Int, status, file: file, line: line)
        XCTAssertEqual(json["reason"] as? String, reason, file: file, line: line)
        XCTAssertEqual(json["type"] as? String, "https://trustgate.dev/problems/\(reason.replacingOccurrences(of: "_", with: "-"))", file: file, line: line)
        XCTAssertNotNil(json["title"] as? String, file: file, line: line)
        XCTAssertNotNil(json["detail"] as? String, file: file, line: line)
    }

    // MARK: - Client certificate

    func testClientCertificateOverHTTP1AndHTTP2() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(ClientCertificateAuthenticator(policy: try pki.policy())))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: try tls(.optional)) { port in
            let url = "https://127.0.0.1:\(port)/whoami"
            for (version, expected) in [(CurlClient.Version.http1, "1.1"), (.http2, "2")] {
                let accepted = try await curl(pki.client, version).request(url)
                XCTAssertEqual(accepted.status, 200, accepted.bodyText)
                XCTAssertEqual(accepted.httpVersion, expected)
                let json = try accepted.json()
                XCTAssertEqual(json["name"] as? String, "CN=loyalty-client")
                XCTAssertEqual(json["methods"] as? [String], ["certificate"])
                XCTAssertEqual(json["protocol"] as? String, expected == "2" ? "h2" : "http/1.1")

                let none = try await curl(nil, version).request(url)
                XCTAssertEqual(none.httpVersion, expected)
                try assertProblem(none, status: 403, reason: "no_certificate")
                XCTAssertEqual(none.values("www-authenticate"), [], "no challenge exists for certificates")

                let rejected = try await curl(pki.foreign, version).request(url)
                XCTAssertEqual(rejected.httpVersion, expected)
                try assertProblem(rejected, status: 403, reason: "untrusted_issuer")
            }
        }
    }

    // MARK: - Basic

    func testBasicSuccessAndFailuresCarryTheChallenge() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try basicScheme()))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: try tls(.ignore)) { port in
            let url = "https://127.0.0.1:\(port)/whoami"
            for version in [CurlClient.Version.http1, .http2] {
                let good = "Authorization: Basic " + Data("b2c-connector:correct horse".utf8).base64EncodedString()
                let accepted = try await curl(nil, version).request(url, headers: [good])
                XCTAssertEqual(accepted.status, 200, accepted.bodyText)
                XCTAssertEqual(try accepted.json()["name"] as? String, "b2c-connector")
                XCTAssertEqual(try accepted.json()["methods"] as? [String], ["basic"])

                let bad = "Authorization: Basic " + Data("b2c-connector:wrong".utf8).base64EncodedString()
                let wrong = try await curl(nil, version).request(url, headers: [bad])
                try assertProblem(wrong, status: 401, reason: "invalid_credentials")
                XCTAssertEqual(wrong.values("www-authenticate"), [#"Basic realm="loyalty", charset="UTF-8""#])
                XCTAssertFalse(wrong.bodyText.contains("wrong"), "the password never appears in the answer")

                let missing = try await curl(nil, version).request(url)
                try assertProblem(missing, status: 401, reason: "authentication_required")
                XCTAssertEqual(missing.values("www-authenticate"), [#"Basic realm="loyalty", charset="UTF-8""#])
            }
        }
    }

    func testBasicOrAPIKeySendsEveryChallengeAndAcceptsEither() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .anyOf([.scheme(try basicScheme()), .scheme(try apiKeyScheme())]))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: try tls(.ignore)) { port in
            let url = "https://127.0.0.1:\(port)/whoami"
            let key = try await curl(nil, .http2).request(url, headers: ["x-functions-key: k-0123456789abcdef0123456789abcdef"])
            XCTAssertEqual(key.status, 200, key.bodyText)
            XCTAssertEqual(try key.json()["methods"] as? [String], ["api_key"])
            XCTAssertEqual(try key.json()["name"] as? String, "b2c")

            let wrongKey = try await curl(nil, .http2).request(url, headers: ["x-functions-key: k-not-the-key"])
            try assertProblem(wrongKey, status: 401, reason: "invalid_credentials")
            XCTAssertFalse(wrongKey.bodyText.contains("k-not-the-key"))

            let missing = try await curl(nil, .http1).request(url)
            try assertProblem(missing, status: 401, reason: "authentication_required")
            XCTAssertEqual(missing.values("www-authenticate").first, #"Basic realm="loyalty", charset="UTF-8""#)
        }
    }

    // MARK: - Transport

    func testCredentialsOverPlainHTTPAreRefusedUnlessAllowed() async throws {
        let header = "Authorization: Basic " + Data("b2c-connector:correct horse".utf8).base64EncodedString()
        let strict = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try basicScheme()))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(strict).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let refused = try await CurlClient().request("http://127.0.0.1:\(port)/whoami", headers: [header])
            try assertProblem(refused, status: 403, reason: "insecure_transport")
        }
        let lenient = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try basicScheme()), allowInsecureAuthentication: true)
        try await LiveServer.run(responder: PrincipalEchoRouter.make(lenient).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let accepted = try await CurlClient().request("http://127.0.0.1:\(port)/whoami", headers: [header])
            XCTAssertEqual(accepted.status, 200, accepted.bodyText)
        }
    }

    func testForwardedProtoCountsOnlyFromATrustedProxy() async throws {
        let header = "Authorization: Basic " + Data("b2c-connector:correct horse".utf8).base64EncodedString()
        let trusted = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(try basicScheme()),
            trustedProxies: TrustedProxies(networks: [try CIDRBlock(parsing: "127.0.0.0/8")]))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(trusted).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let url = "http://127.0.0.1:\(port)/whoami"
            let viaProxy = try await CurlClient().request(url, headers: [header, "X-Forwarded-Proto: https"])
            XCTAssertEqual(viaProxy.status, 200, viaProxy.bodyText)
            let plainHop = try await CurlClient().request(url, headers: [header, "X-Forwarded-Proto: https, http"])
            try assertProblem(plainHop, status: 403, reason: "insecure_transport")
        }
        let untrusted = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(try basicScheme()),
            trustedProxies: TrustedProxies(networks: [try CIDRBlock(parsing: "10.0.0.0/8")]))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(untrusted).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let spoofed = try await CurlClient().request("http://127.0.0.1:\(port)/whoami", headers: [header, "X-Forwarded-Proto: https"])
            try assertProblem(spoofed, status: 403, reason: "insecure_transport")
        }
    }

    func testCertificateHeadersFromUntrustedPeersNeverReachTheHandler() async throws {
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: .scheme(try apiKeyScheme()), allowInsecureAuthentication: true)
        try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let forged = ForwardedCertificateHeader.headers(for: pki.client.chainDER, format: .xfcc).map { "\($0.name): \($0.value)" }
            let response = try await CurlClient().request(
                "http://127.0.0.1:\(port)/whoami",
                headers: ["x-functions-key: k-0123456789abcdef0123456789abcdef", "X-ARR-ClientCert: forged", "X-SSL-Client-Cert: forged"] + forged)
            XCTAssertEqual(response.status, 200, response.bodyText)
            XCTAssertEqual(try response.json()["certificateHeaders"] as? Int, 0)
        }
    }

    // MARK: - Trusted proxy certificates

    func testForwardedCertificateIsAcceptedFromATrustedProxyOnly() async throws {
        let policy = try pki.policy()
        let forwarded = ForwardedCertificateHeader.headers(for: pki.client.chainDER, format: .rfc9440).map { "\($0.name): \($0.value)" }
        let requirement = AuthenticationRequirement.scheme(ClientCertificateAuthenticator(policy: policy))

        let trusted = AuthenticationMiddleware<TrustGateRequestContext>(
            requirement: requirement,
            trustedProxies: TrustedProxies(networks: [try CIDRBlock(parsing: "127.0.0.1")], certificateFormat: .rfc9440))
        try await LiveServer.run(responder: PrincipalEchoRouter.make(trusted).buildResponder(), server: .trustGatePlainHTTP1()) { port in
            let url = "http://127.0.0.1:\(port)/whoami"
            let accepted = try await CurlClient().request(url, headers: forwarded)
            XCTAssertEqual(accepted.status, 200, accepted.bodyText)
            XCTAssertEqual(try accepted.json()["name"] as? String, "CN=loyalty-client")

            let foreign = ForwardedCertificateHeader.headers(for: pki.foreign.chainDER, format: .rfc9440).map { "\($0.name): \($0.value)" }
            try assertProblem(try await CurlClient().request(url, headers: foreign), status: 403, reason: "untrusted_issuer")
            try assertProblem(try await CurlClient().request(url, headers: ["Client-Cert: :bm90IGEgY2VydA==:"]), status: 400, reason: "invalid_forwarded_certificate")
            try assertProblem(try await CurlClient().request(url), status: 403, reason: "no_certificate")
        }

        for proxies in [
            TrustedProxies(networks: [try CIDRBlock(parsing: "10.0.0.0/8")], certificateFormat: .rfc9440),  // peer not trusted
            TrustedProxies(networks: [try CIDRBlock(parsing: "127.0.0.1")], certificateFormat: nil),         // no format configured
            TrustedProxies(networks: [try CIDRBlock(parsing: "127.0.0.1")], certificateFormat: .xfcc),       // another format
        ] {
            let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: requirement, trustedProxies: proxies)
            try await LiveServer.run(responder: PrincipalEchoRouter.make(middleware).buildResponder(), server: .trustGatePlainHTTP1()) { port in
                let ignored = try await CurlClient().request("http://127.0.0.1:\(port)/whoami", headers: forwarded)
                try assertProblem(ignored, status: 403, reason: "no_certificate")
            }
        }
    }
}
