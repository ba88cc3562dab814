public import Foundation
public import SwiftASN1
public import X509

/// A complete, direct X.509 certificate revocation list (RFC 5280 §5), parsed once and indexed by serial number.
///
/// ```
/// CertificateList  ::=  SEQUENCE  {
///      tbsCertList          TBSCertList,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
///
/// TBSCertList  ::=  SEQUENCE  {
///      version                 Version OPTIONAL,  -- if present, MUST be v2
///      signature               AlgorithmIdentifier,
///      issuer                  Name,
///      thisUpdate              Time,
///      nextUpdate              Time OPTIONAL,
///      revokedCertificates     SEQUENCE OF SEQUENCE  {
///           userCertificate         CertificateSerialNumber,
///           revocationDate          Time,
///           crlEntryExtensions      Extensions OPTIONAL  } OPTIONAL,
///      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL  }
/// ```
///
/// Parsing fails closed (see ``CRLParsingError``): delta CRLs, indirect CRLs, CRLs scoped to some reasons and
/// unknown critical extensions are rejected instead of being half-understood.
///
/// Reading (``init(derEncoded:)``, ``parseAll(_:)``, ``load(contentsOfFile:)``) is in
/// CertificateRevocationList+DER.swift. Parsing does not check the signature; call ``isSignatureValid(signedBy:)`` with the issuer's certificate.
/// That hashes the whole TBSCertList, so callers that check often should remember the answer.
public struct CertificateRevocationList: Sendable {
    /// The DER encoding of the whole CertificateList.
    public let derBytes: [UInt8]
    /// 1 for a v1 CRL (no version field), 2 when the version field says v2.
    public let version: Int
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// The cRLNumber extension as big-endian unsigned integer bytes (no sign byte), when present.
    public let crlNumber: [UInt8]?
    /// The keyIdentifier of the authorityKeyIdentifier extension, when present.
    public let authorityKeyIdentifier: [UInt8]?
    /// From the issuingDistributionPoint extension; false when the extension is absent.
    public let onlyContainsUserCerts: Bool
    /// From the issuingDistributionPoint extension; false when the extension is absent.
    public let onlyContainsCACerts: Bool
    /// Whether issuingDistributionPoint names a distribution point, i.e. the CRL covers only one partition of the
    /// issuer's certificates (those whose cRLDistributionPoints name that point).
    public let hasDistributionPointName: Bool
    /// The OID of the signature algorithm, whether or not it is supported.
    public let signatureAlgorithmOID: ASN1ObjectIdentifier
    /// The signature algorithm, or nil when it is not one swift-certificates can verify.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm?

    // Internal, not private: set by init(derEncoded:) in CertificateRevocationList+DER.swift.

    /// Entries in CRL order, each serial once (the first entry wins when a serial repeats).
    let entries: [RevokedCertificate]
    /// Position in `entries` by canonical serial bytes (no leading 0x00), which is how
    /// `Certificate.SerialNumber` stores serials too.
    let entryIndexBySerial: [ArraySlice<UInt8>: Int]
    let tbsCertListBytes: ArraySlice<UInt8>
    let signatureBytes: ArraySlice<UInt8>
    let innerAndOuterAlgorithmsMatch: Bool

    /// The number of distinct revoked serial numbers.
    public var revokedCount: Int { self.entries.count }

    /// The revoked certificates in CRL order; a serial that the CRL lists twice appears once, as first listed.
    public var revokedCertificates: [RevokedCertificate] { self.entries }

    /// The CRL's entry for `serial`, or nil when the serial is not revoked by this CRL. O(1): one hash lookup.
    public func revocation(of serial: Certificate.SerialNumber) -> RevokedCertificate? {
        let key = serial.bytes.drop(while: { $0 == 0 })
        guard let index = self.entryIndexBySerial[key] else { return nil }
        return self.entries[index]
    }

    /// Whether nextUpdate has passed at `time`. A CRL without nextUpdate is never stale by this test.
    public func isStale(at time: Date) -> Bool {
        guard let nextUpdate = self.nextUpdate else { return false }
        return nextUpdate < time
    }

    /// Whether `issuer` signed this CRL: its subject equals the CRL's issuer name, the CRL's two signature
    /// AlgorithmIdentifiers are identical, the algorithm is supported, and the signature over the TBSCertList
    /// verifies with the issuer's public key.
    ///
    /// `DistinguishedName` equality compares attribute types, string types and values, and RDNs as sorted sets,
    /// which is DER equality of the two Names.
    public func isSignatureValid(signedBy issuer: Certificate) -> Bool {
        guard issuer.subject == self.issuer,
            self.innerAndOuterAlgorithmsMatch,
            let signatureAlgorithm = self.signatureAlgorithm
        else {
            return false
        }
        return issuer.publicKey.isValidSignature(
            self.signatureBytes,
            for: self.tbsCertListBytes,
            signatureAlgorithm: signatureAlgorithm
        )
    }

    /// Whether `issuer`'s key usage allows signing CRLs (RFC 5280 §6.3.3 (f)): true when the certificate has no
    /// keyUsage extension or one that asserts cRLSign, false when keyUsage lacks cRLSign or cannot be parsed.
    public static func keyUsageAllowsCRLSigning(_ issuer: Certificate) -> Bool {
        do {
            guard let keyUsage = try issuer.extensions.keyUsage else { return true }
            return keyUsage.cRLSign
        } catch {
            return false
        }
    }
}
