import Crypto
import Foundation
import TrustGateX509
import X509
import XCTest
@testable import TrustGateAuth

/// Builders and readers shared by the authentication tests (no JWT here: those tests live in JWT*Tests).
enum AuthTest {
    static func request(_ headers: [(String, String)] = [], secure: Bool = true, certificate: ClientCertificateEvidence? = nil) -> AuthenticationRequest {
        AuthenticationRequest(headers: headers.map { (name: $0.0, value: $0.1) }, isSecureTransport: secure, clientCertificate: certificate)
    }

    static func basic(_ user: String, _ password: String, scheme: String = "Basic") -> (String, String) {
        ("authorization", "\(scheme) " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// PBKDF2 with a test-only cost (the configuration floor is 100,000).
    static func cheapHash(_ secret: String, iterations: Int = 1_000) throws -> SecretHash {
        try SecretHash.create(for: Array(secret.utf8), algorithm: .pbkdf2SHA256(iterations: iterations), bounds: .testing)
    }

    static func fastHash(_ secret: String) throws -> SecretHash {
        try SecretHash.create(for: Array(secret.utf8), algorithm: .sha256)
    }

    static func principalName(_ outcome: AuthenticationOutcome?) -> String? {
        if case .authenticated(let principal)? = outcome { return principal.name }
        return nil
    }

    static func failure(_ outcome: AuthenticationOutcome?) -> AuthenticationFailure? {
        if case .failed(let failure, _)? = outcome { return failure }
        return nil
    }

    /// The challenge of a notPresented or failed outcome, rendered.
    static func challenge(_ outcome: AuthenticationOutcome?) -> String? {
        switch outcome {
        case .notPresented(let challenge)?: return challenge?.headerValue
        case .failed(_, let challenge)?: return challenge?.headerValue
        default: return nil
        }
    }

    static func isNotPresented(_ outcome: AuthenticationOutcome?) -> Bool {
        if case .notPresented? = outcome { return true }
        return false
    }

    static func allowed(_ decision: AuthenticationDecision?) -> Principal? {
        if case .allowed(let principal)? = decision { return principal }
        return nil
    }

    static func denial(_ decision: AuthenticationDecision?) -> AuthenticationDenial? {
        if case .denied(let denial)? = decision { return denial }
        return nil
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A test double for schemes this target does not build (JWT): a fixed outcome, optionally only after
/// "slow" work (nil from immediateOutcome), counting how often it was asked.
final class StubAuthenticator: Authenticator, @unchecked Sendable {
    let name: String
    let method: AuthenticationMethod
    let headerNames: [String]
    let outcome: AuthenticationOutcome
    let slow: Bool
    private let lock = NSLock()
    private var _calls = 0

    init(name: String, method: AuthenticationMethod = .jwtBearer, headerNames: [String] = ["authorization"], slow: Bool = false, outcome: AuthenticationOutcome) {
        self.name = name
        self.method = method
        self.headerNames = headerNames
        self.slow = slow
        self.outcome = outcome
    }

    var calls: Int { lock.withLock { _calls } }

    func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        // Absent credentials are always known at once, as for real authenticators.
        if request.values(of: headerNames.first ?? "").isEmpty, !headerNames.isEmpty {
            return .notPresented(AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", name)]))
        }
        return slow ? nil : answer()
    }

    func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        if request.values(of: headerNames.first ?? "").isEmpty, !headerNames.isEmpty {
            return .notPresented(AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", name)]))
        }
        return answer()
    }

    private func answer() -> AuthenticationOutcome {
        lock.withLock { _calls += 1 }
        return outcome
    }

    static func token(roles: [String] = [], scopes: [String] = [], claims: [String: any Sendable] = [:], idtyp: String? = nil) -> AccessTokenClaims {
        AccessTokenClaims(
            issuer: "https://issuer.example", subject: "client-1", audiences: ["api://loyalty"], expiresAt: Date().addingTimeInterval(600),
            notBefore: nil, issuedAt: nil, tokenID: nil, clientID: "client-1", scopes: scopes, roles: roles,
            azpacr: claims["azpacr"] as? String, appidacr: nil, idtyp: idtyp, certificateThumbprintSHA256: nil, all: claims)
    }

    static func jwtPrincipal(_ token: AccessTokenClaims, scheme: String = "entra") -> Principal {
        Principal(name: token.subject ?? "", methods: [.jwtBearer], schemes: [scheme], roles: token.roles, scopes: token.scopes, token: token)
    }
}

/// A root CA and client certificates for certificate-scheme tests, valid now.
struct AuthTestPKI {
    let root: Certificate
    private let rootKey: P256.Signing.PrivateKey

    init() throws {
        rootKey = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CountryName("US"); OrganizationName("TrustGate Tests"); CommonName("Auth Test Root") }
        let key = Certificate.PrivateKey(rootKey)
        root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
    }

    /// A client certificate "CN=<commonName>,O=Loyalty,C=US" issued by the root (or self-signed).
    func client(_ commonName: String, selfSigned: Bool = false) throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName { CountryName("US"); OrganizationName("Loyalty"); CommonName(commonName) }
        let signer = selfSigned ? key : Certificate.PrivateKey(rootKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-3_600), notValidAfter: Date().addingTimeInterval(30 * 86_400),
            issuer: selfSigned ? subject : root.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                if !selfSigned {
                    AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: root.publicKey).keyIdentifier))
                }
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: signer)
    }

    var policy: CertificatePolicy { CertificatePolicy(CertificatePolicySettings(trustAnchors: [root])) }
}
