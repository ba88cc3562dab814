import Foundation
import Hummingbird
import HummingbirdCore
import TrustGateAuth
import TrustGateClient
import TrustGateHummingbird
import TrustGateX509
import XCTest

/// Named keys kept in memory, for tests that do not exercise the store.
struct InMemoryKeys: NamedKeyProvider {
    var secrets: [String: String] = [:]
    var certificates: [String: CertificateBundle] = [:]

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "no named key '\(name)'" }
    }

    func secret(named name: String) async throws -> [UInt8] {
        guard let value = secrets[name] else { throw Missing(name: name) }
        return Array(value.utf8)
    }

    func certificate(named name: String) async throws -> CertificateBundle {
        guard let bundle = certificates[name] else { throw Missing(name: name) }
        return bundle
    }
}

extension ClientTestPKI {
    func tlsServer(_ mode: TLSClientCertificateMode) throws -> HTTPServerBuilder {
        try .trustGateTLS(TrustGateTLSConfiguration(
            certificateChain: server.issued.chain,
            privateKey: server.issued.privateKey,
            clientCertificateMode: mode,
            clientCertificatePolicy: mode == .ignore ? nil : try policy()))
    }

    func bundle(_ credential: Credential) -> CertificateBundle {
        CertificateBundle(certificates: credential.issued.chain, privateKey: credential.issued.privateKey)
    }
}

/// Secrets the test API accepts.
enum TestSecrets {
    static let basicUser = "b2c-connector"
    static let basicPassword = "correct horse battery"
    static let apiKey = "k-0123456789abcdef0123456789abcdef"
    static let staticToken = "t-fedcba9876543210fedcba9876543210"

    static func basicScheme() throws -> BasicAuthenticator {
        BasicAuthenticator(name: "b2c", realm: "loyalty", users: [
            basicUser: try SecretHash.create(for: Array(basicPassword.utf8), algorithm: .pbkdf2SHA256(iterations: 100_000)),
        ])
    }

    static func apiKeyScheme() throws -> APIKeyAuthenticator {
        APIKeyAuthenticator(name: "functions", keys: ["b2c": try SecretHash.create(for: Array(apiKey.utf8), algorithm: .sha256)])
    }

    static func staticBearerScheme() throws -> StaticBearerAuthenticator {
        StaticBearerAuthenticator(name: "static", realm: "loyalty", tokens: ["b2c": try SecretHash.create(for: Array(staticToken.utf8), algorithm: .sha256)])
    }
}

func XCTAssertRefused(
    _ response: ConnectorResponse, status: Int, reason: String, file: StaticString = #filePath, line: UInt = #line
) {
    guard case .authenticationRefused(let refusal) = response.outcome else {
        return XCTFail("expected a refusal, got \(response.status): \(response.bodyText ?? "")", file: file, line: line)
    }
    XCTAssertEqual(refusal.status, status, file: file, line: line)
    XCTAssertEqual(refusal.reason, reason, file: file, line: line)
    XCTAssertNotNil(refusal.detail, "the server's explanation is carried", file: file, line: line)
    XCTAssertThrowsError(try response.requireSuccess(), file: file, line: line) { error in
        XCTAssertEqual(error as? ConnectorError, .authenticationRefused(refusal), file: file, line: line)
    }
}

/// The `ConnectorError` `body` throws, or nil when it succeeds.
func connectorError(_ body: () async throws(ConnectorError) -> Void) async -> ConnectorError? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
