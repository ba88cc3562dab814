import Crypto
public import Foundation
import SwiftASN1
import TrustGateJOSE
import TrustGateX509
public import X509

/// A certificate registered for a client: used to verify its private_key_jwt assertions (looked up by the
/// header's `x5t#S256` / `x5t`) and to recognise it in self_signed_tls_client_auth.
public struct ClientCertificate: Sendable, Hashable {
    public let clientID: String
    /// The certificate's DER encoding, exactly as uploaded.
    public let derBytes: [UInt8]
    public let sha1: [UInt8]
    public let sha256: [UInt8]
    /// RFC 4514 text (most specific RDN first), for display; comparisons use the parsed names.
    public let subject: String
    public let issuer: String
    public let notBefore: Date
    public let notAfter: Date
    public let addedAt: Date

    /// A certificate parsed from DER. Refuses bytes that are not exactly one certificate.
    public init(clientID: String, derBytes: [UInt8], addedAt: Date = Date()) throws(InvalidRegistrationValue) {
        try Client.checkID(clientID)
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: derBytes)
        } catch {
            throw InvalidRegistrationValue(field: "certificate", reason: "not a DER X.509 certificate")
        }
        self.init(clientID: clientID, certificate: certificate, derBytes: derBytes, addedAt: addedAt)
    }

    /// The first certificate in a PEM (`.pem`, `.crt`) or DER (`.cer`) file's bytes; later certificates (a chain
    /// appended to the leaf) are ignored.
    public init(clientID: String, fileBytes: [UInt8], addedAt: Date = Date()) throws(InvalidRegistrationValue) {
        try Client.checkID(clientID)
        let certificates: [Certificate]
        do {
            certificates = try CertificateDecoder.certificates(from: fileBytes)
        } catch {
            throw InvalidRegistrationValue(field: "certificate", reason: "\(error)")
        }
        guard let leaf = certificates.first else {
            throw InvalidRegistrationValue(field: "certificate", reason: "the input holds no certificate")
        }
        self.init(clientID: clientID, certificate: leaf, derBytes: leaf.derBytes, addedAt: addedAt)
    }

    private init(clientID: String, certificate: Certificate, derBytes: [UInt8], addedAt: Date) {
        self.clientID = clientID
        self.derBytes = derBytes
        self.sha1 = Array(Insecure.SHA1.hash(data: derBytes))
        self.sha256 = Array(SHA256.hash(data: derBytes))
        self.subject = certificate.subject.rfc4514String
        self.issuer = certificate.issuer.rfc4514String
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
        self.addedAt = addedAt
    }

    /// Rebuilds a stored record without re-deriving anything (the store's read path).
    init(
        clientID: String, derBytes: [UInt8], sha1: [UInt8], sha256: [UInt8], subject: String, issuer: String,
        notBefore: Date, notAfter: Date, addedAt: Date
    ) {
        self.clientID = clientID
        self.derBytes = derBytes
        self.sha1 = sha1
        self.sha256 = sha256
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.addedAt = addedAt
    }

    /// `x5t`: base64url SHA-1, unpadded.
    public var x5t: String { Base64URL.encode(sha1) }
    /// `x5t#S256`: base64url SHA-256, unpadded.
    public var x5tS256: String { Base64URL.encode(sha256) }

    /// The parsed certificate (its public key verifies the client's assertions).
    public func certificate() throws -> Certificate {
        try Certificate(derEncoded: derBytes)
    }

    /// Whether the certificate is valid at `time`, allowing `skew` either side (CA-16).
    public func isValid(at time: Date, skew: TimeInterval = 60) -> Bool {
        notBefore.addingTimeInterval(-skew) <= time && time <= notAfter.addingTimeInterval(skew)
    }
}
