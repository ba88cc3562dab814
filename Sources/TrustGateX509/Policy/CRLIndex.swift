import Foundation
import Synchronization
import X509

/// The configured CRLs, indexed by issuer name, with memoised signature checks.
///
/// A CRL is only believed once its signature verifies against the issuer certificate found in the chain
/// being evaluated. Issuers can be intermediates the client sends, unknown at load time, so the check
/// is done lazily and remembered per (CRL, issuer certificate) — an ECDSA/RSA verification per request would be
/// the most expensive part of a cached-miss evaluation otherwise.
public final class CRLIndex: Sendable {
    private let byIssuer: [DistinguishedName: [Entry]]
    private let signatureMemo = Mutex<[SignatureMemoKey: Bool]>([:])
    private static let memoLimit = 4096

    struct Entry: Sendable {
        let id: Int
        let crl: CertificateRevocationList
    }

    /// Keyed by the issuer's TBSCertificate bytes rather than its public key: hashing an EC public key
    /// converts the point to affine form (a field inversion), which cost more than the memo saved.
    private struct SignatureMemoKey: Hashable {
        let crlID: Int
        let issuerTBS: ArraySlice<UInt8>
    }

    public let crls: [CertificateRevocationList]

    public init(_ crls: [CertificateRevocationList]) {
        self.crls = crls
        var index: [DistinguishedName: [Entry]] = [:]
        for (id, crl) in crls.enumerated() {
            index[crl.issuer, default: []].append(Entry(id: id, crl: crl))
        }
        self.byIssuer = index
    }

    public var isEmpty: Bool { crls.isEmpty }

    /// The CRLs covering `certificate` that are genuinely signed by `issuer`.
    func verifiedCRLs(covering certificate: Certificate, issuedBy issuer: Certificate, isCA: Bool) -> [CertificateRevocationList] {
        guard let candidates = byIssuer[certificate.issuer] else { return [] }
        var verified: [CertificateRevocationList] = []
        for entry in candidates {
            if entry.crl.onlyContainsCACerts && !isCA { continue }
            if entry.crl.onlyContainsUserCerts && isCA { continue }
            if isSignatureValid(entry, issuer: issuer) {
                verified.append(entry.crl)
            }
        }
        return verified
    }

    /// Whether any CRL names this issuer at all (used to tell `crl_missing` from a bad CRL signature).
    func hasCRLs(namedFor issuerName: DistinguishedName) -> Bool {
        byIssuer[issuerName] != nil
    }

    private func isSignatureValid(_ entry: Entry, issuer: Certificate) -> Bool {
        let key = SignatureMemoKey(crlID: entry.id, issuerTBS: issuer.tbsCertificateBytes)
        if let known = signatureMemo.withLock({ $0[key] }) { return known }
        // RFC 5280 §6.3.3 (f): the issuer's key usage must allow CRL signing.
        let valid = CertificateRevocationList.keyUsageAllowsCRLSigning(issuer) && entry.crl.isSignatureValid(signedBy: issuer)
        signatureMemo.withLock { memo in
            if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[key] = valid
        }
        return valid
    }
}
