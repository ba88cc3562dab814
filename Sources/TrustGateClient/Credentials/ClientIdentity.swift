import Crypto
import SwiftASN1
import TrustGateJOSE
public import TrustGateX509
public import X509
import _CryptoExtras

/// A loaded client certificate with its private key, in the forms TLS and JOSE need.
public struct ClientIdentity: Sendable {
    /// Leaf first.
    public let certificates: [Certificate]
    public let privateKey: Certificate.PrivateKey

    public init(bundle: CertificateBundle, source: String) throws(ConnectorError) {
        guard let privateKey = bundle.privateKey else {
            throw .configuration("\(source) holds no private key")
        }
        guard let leaf = bundle.certificates.first else { throw .configuration("\(source) holds no certificate") }
        guard privateKey.publicKey == leaf.publicKey else {
            throw .configuration("the private key in \(source) does not belong to its certificate")
        }
        self.certificates = bundle.certificates
        self.privateKey = privateKey
    }

    public var leaf: Certificate { certificates[0] }

    /// The key for signing JWS (client assertions): RSA or EC P-256 / P-384 / P-521.
    func jwsSigningKey() throws(ConnectorError) -> JWSSigningKey {
        let pem: String
        do {
            pem = try privateKey.serializeAsPEM().pemString
        } catch {
            throw .configuration("the client certificate's private key cannot be exported for signing")
        }
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return .rsa(key) }
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) { return .p256(key) }
        if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) { return .p384(key) }
        if let key = try? P521.Signing.PrivateKey(pemRepresentation: pem) { return .p521(key) }
        throw .configuration("client assertions need an RSA or EC (P-256, P-384, P-521) key")
    }
}
