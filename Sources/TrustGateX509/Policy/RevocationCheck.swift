import Foundation
import SwiftASN1
import X509

/// CRL revocation of the leaf (`leaf`) or of every certificate whose issuer has a CRL (`chain`).
struct RevocationCheck: ChainCheck {
    let settings: RevocationSettings
    let index: CRLIndex
    let time: Date

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        let found = findings(for: chain)
        return settings.staleCRL == .warn ? found.filter { $0.code != .crlStale } : found
    }

    /// Tolerated problems: a stale CRL under `stale_crl: warn`.
    func warnings(for chain: [Certificate]) -> [CertificateRejection] {
        settings.staleCRL == .warn ? findings(for: chain).filter { $0.code == .crlStale } : []
    }

    private func findings(for chain: [Certificate]) -> [CertificateRejection] {
        guard settings.mode != .off, chain.count >= 2 else { return [] }
        let checkedCount = settings.mode == .leaf ? 1 : chain.count - 1
        var found: [CertificateRejection] = []
        for position in 0..<checkedCount {
            let certificate = chain[position]
            let issuer = chain[position + 1]
            let role = chainRole(position, of: chain.count)
            let crls = index.verifiedCRLs(covering: certificate, issuedBy: issuer, isCA: position > 0)
            if crls.isEmpty {
                if settings.requireCRL {
                    let detail = index.hasCRLs(namedFor: certificate.issuer)
                        ? "no CRL with a valid signature from \(issuer.verdictName)"
                        : "no CRL for issuer \(issuer.verdictName)"
                    found.append(.init(.crlMissing, "cannot check revocation of \(role) \(certificate.verdictName): \(detail)"))
                }
                continue
            }
            for crl in crls {
                if let revoked = crl.revocation(of: certificate.serialNumber) {
                    let reason = revoked.reason.map { " (\($0.name))" } ?? ""
                    found.append(.init(.revoked, "\(role) \(certificate.verdictName) serial \(certificate.serialNumberHex) was revoked at \(iso8601(revoked.revocationDate))\(reason)"))
                    break
                }
            }
            if let stale = crls.first(where: { isStale($0) }), let nextUpdate = stale.nextUpdate {
                found.append(.init(.crlStale, "the CRL of \(issuer.verdictName) is out of date (nextUpdate \(iso8601(nextUpdate)))"))
            }
        }
        return found
    }

    private func isStale(_ crl: CertificateRevocationList) -> Bool {
        guard let nextUpdate = crl.nextUpdate else { return false }
        return nextUpdate < time
    }

    /// The earliest future nextUpdate among CRLs relevant to this chain: a cached verdict must not outlive it.
    func nextDeadline(for chain: [Certificate]) -> Date? {
        guard settings.mode != .off, chain.count >= 2 else { return nil }
        let checkedCount = settings.mode == .leaf ? 1 : chain.count - 1
        var earliest: Date?
        for position in 0..<checkedCount {
            for crl in index.verifiedCRLs(covering: chain[position], issuedBy: chain[position + 1], isCA: position > 0) {
                if let next = crl.nextUpdate, next > time, next < (earliest ?? .distantFuture) { earliest = next }
            }
        }
        return earliest
    }
}
