public import Foundation
public import TrustGateJOSE
import TrustGateX509
import X509

/// Signs client assertions (RFC 7523 §2.2, `private_key_jwt`) the way MSAL does for a confidential client with a
/// certificate: header `alg`, `typ: JWT`, `x5t#S256` (optionally `x5t` and `x5c`); claims `aud` (the token
/// endpoint), `iss` = `sub` = client id, `jti` (a new UUID), `nbf` = `iat` = now, `exp` = now + 10 minutes.
public struct ClientAssertion: Sendable {
    public static let lifetime: TimeInterval = 600
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public static let supportedAlgorithms: Set<JWSAlgorithm> = [.rs256, .ps256, .es256, .es384, .es512]

    public let clientID: String
    public let identity: ClientIdentity
    public let algorithm: JWSAlgorithm
    public let includeCertificateChain: Bool
    public let includeSHA1Thumbprint: Bool
    private let signer: JWSSigner

    public init(clientID: String, identity: ClientIdentity, settings: CertificateAssertionSettings) throws(ConnectorError) {
        let key = try identity.jwsSigningKey()
        let algorithm = settings.algorithm ?? Self.defaultAlgorithm(for: key)
        guard Self.supportedAlgorithms.contains(algorithm), key.supports(algorithm) else {
            throw .configuration("the client certificate's key cannot sign \(algorithm.rawValue) assertions")
        }
        self.clientID = clientID
        self.identity = identity
        self.algorithm = algorithm
        self.includeCertificateChain = settings.includeCertificateChain
        self.includeSHA1Thumbprint = settings.includeSHA1Thumbprint
        self.signer = JWSSigner(key: key)
    }

    /// PS256 for RSA (MSAL's choice for Entra ID), ES256 / ES384 / ES512 for EC keys by curve.
    static func defaultAlgorithm(for key: JWSSigningKey) -> JWSAlgorithm {
        switch key {
        case .p256: return .es256
        case .p384: return .es384
        case .p521: return .es512
        default: return .ps256
        }
    }

    /// A signed assertion for `audience` (the token endpoint URL).
    public func make(audience: String, now: Date, jwtID: UUID = UUID()) throws(ConnectorError) -> String {
        let leafDER = identity.leaf.derBytes
        var header = JWSHeader(
            algorithm: algorithm, type: "JWT",
            certificateSHA256Thumbprint: CertificateThumbprint.sha256(certificateDER: leafDER),
            certificateChain: includeCertificateChain ? identity.certificates.map(\.derBytes) : nil)
        if includeSHA1Thumbprint {
            header.certificateSHA1Thumbprint = CertificateThumbprint.sha1(certificateDER: leafDER)
        }
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let claims: JSONObject = [
            "aud": .string(audience),
            "iss": .string(clientID),
            "sub": .string(clientID),
            "jti": .string(jwtID.uuidString.lowercased()),
            "iat": .integer(issuedAt),
            "nbf": .integer(issuedAt),
            "exp": .integer(issuedAt + Int64(Self.lifetime)),
        ]
        do {
            return try signer.sign(claims: claims, header: header)
        } catch {
            throw .configuration("cannot sign the client assertion: \(error)")
        }
    }
}
