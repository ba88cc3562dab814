import Foundation
import Synchronization
import TrustGateStore
import TrustGateX509
import X509

/// The certificate policy of each subject/issuer rule, built once per rule and reused (with its verdict cache)
/// for every request that presents a chain: an `x5c` in a client assertion (CA-17) or a TLS client certificate
/// (MT-1). Rules are immutable — changing one means removing it and adding a new one with a new id — so the
/// rule id is a sound cache key.
final class SubjectIssuerPolicies: Sendable {
    /// Enough for every rule of a large deployment; beyond it the map is simply rebuilt.
    static let capacity = 4096

    private let clockSkew: TimeInterval
    private let policies = Mutex<[UUID: CertificatePolicy]>([:])

    init(clockSkew: TimeInterval) {
        self.clockSkew = clockSkew
    }

    /// The outcome of checking a chain against a client's rules.
    enum Outcome: Sendable {
        case accepted(SubjectIssuerRule, leaf: Certificate)
        /// No rule's CAs validate the chain (trust, validity, clientAuth usage).
        case untrusted
        /// A rule's CAs validate it, but no such rule's names match the leaf.
        case identityMismatch
    }

    /// Checks `chain` (DER, leaf first) against each rule: the chain must validate to the rule's CAs (RFC 5280,
    /// validity with skew, clientAuth when the leaf has an EKU) and the leaf must carry the rule's subject / SANs.
    func evaluate(_ chain: [[UInt8]], rules: [SubjectIssuerRule]) async -> Outcome {
        let presented = PresentedCertificateChain(derCertificates: chain)
        var anyTrusted = false
        for rule in rules {
            let verdict = await policy(for: rule).evaluate(presented)
            guard case .accepted(let accepted) = verdict else { continue }
            anyTrusted = true
            if rule.matchesIdentity(of: accepted.leaf) { return .accepted(rule, leaf: accepted.leaf) }
        }
        return anyTrusted ? .identityMismatch : .untrusted
    }

    private func policy(for rule: SubjectIssuerRule) -> CertificatePolicy {
        policies.withLock { policies in
            if let existing = policies[rule.id] { return existing }
            if policies.count >= Self.capacity { policies.removeAll() }
            var settings = rule.policySettings()
            settings.clockSkew = clockSkew
            settings.requiredKeyPurpose = .clientAuth
            let policy = CertificatePolicy(settings)
            policies[rule.id] = policy
            return policy
        }
    }
}
