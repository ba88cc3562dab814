import SwiftASN1
import X509

/// Refuses a chain whose name-constraint check would compare more than a budget of (name, constraint)
/// pairs, as Go (`MaxConstraintComparisions`) and rustls-webpki do: the check is quadratic, and a client
/// controls both the number of names in its certificate and, through the intermediates it sends, the
/// constraints. Runs before `RFC5280Policy`, whose name-constraint check it guards.
struct NameConstraintBudgetCheck: ChainCheck {
    static let comparisonBudget = 250_000

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { [] }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        guard let leaf = chain.first else { return [] }
        let constraintCount = chain.dropFirst().reduce(0) { total, issuer in
            guard let constraints = try? issuer.extensions.nameConstraints else { return total }
            return total + constraints.permittedSubtrees.count + constraints.excludedSubtrees.count
        }
        guard constraintCount > 0 else { return [] }
        let nameCount = ((try? leaf.extensions.subjectAlternativeNames)??.count ?? 0) + leaf.subject.reduce(0) { $0 + $1.count }
        guard nameCount * constraintCount > Self.comparisonBudget else { return [] }
        return [.init(.untrustedIssuer, "\(nameCount) names × \(constraintCount) name constraints exceed the comparison limit")]
    }
}
