import Foundation
import SwiftASN1
import X509

/// notBefore / notAfter of every certificate in the chain against the evaluation time, with a clock-skew
/// allowance in both directions (client and gateway clocks are never perfectly in step).
struct ValidityCheck: ChainCheck {
    let time: Date
    let skew: TimeInterval

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        // X.509 times have one-second resolution and notAfter is inclusive (RFC 5280 §4.1.2.5): compare whole seconds.
        let time = Date(timeIntervalSince1970: self.time.timeIntervalSince1970.rounded(.down))
        var found: [CertificateRejection] = []
        for (index, certificate) in chain.enumerated() {
            let role = chainRole(index, of: chain.count)
            if certificate.notValidBefore > certificate.notValidAfter {
                found.append(.init(.malformed, "\(role) \(certificate.verdictName) has notBefore after notAfter"))
            } else if time.addingTimeInterval(skew) < certificate.notValidBefore {
                found.append(.init(.notYetValid, "\(role) \(certificate.verdictName) is not valid before \(iso8601(certificate.notValidBefore))"))
            } else if time.addingTimeInterval(-skew) > certificate.notValidAfter {
                found.append(.init(.expired, "\(role) \(certificate.verdictName) expired at \(iso8601(certificate.notValidAfter))"))
            }
        }
        return found
    }
}

func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601)
}
