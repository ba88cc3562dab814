import SwiftASN1
import X509

/// One rule over a candidate chain (leaf first, anchor last).
///
/// Each rule is usable in two ways: wrapped in ``ChainCheckPolicy`` it steers swift-certificates' path
/// building (a candidate chain that breaks it is abandoned, so an alternative path can still succeed),
/// and called directly it lists *every* reason a given chain breaks it, which is what a verdict reports.
protocol ChainCheck: Sendable {
    /// Critical extensions this rule understands and enforces.
    var handledCriticalExtensions: [ASN1ObjectIdentifier] { get }

    func rejections(for chain: [Certificate]) -> [CertificateRejection]
}

/// Adapts a ``ChainCheck`` to swift-certificates' `VerifierPolicy`.
struct ChainCheckPolicy<Check: ChainCheck>: VerifierPolicy {
    let check: Check

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] { check.handledCriticalExtensions }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if let first = check.rejections(for: Array(chain)).first {
            return .failsToMeetPolicy(reason: .init(first.description))
        }
        return .meetsPolicy
    }
}

extension Certificate {
    /// How a verdict names a certificate to a client: its subject, never anything local.
    var verdictName: String {
        let subject = self.subject.displayString
        return subject.isEmpty ? "serial \(serialNumberHex)" : "'\(subject)'"
    }

    var serialNumberHex: String { SerialNumberText.hex(serialNumber) }
}

/// Which certificate of a chain a message talks about.
func chainRole(_ index: Int, of count: Int) -> String {
    if index == 0 { return "client certificate" }
    if index == count - 1 { return "trust anchor" }
    return "intermediate CA certificate"
}
