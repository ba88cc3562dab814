import SwiftASN1
import X509

/// What the limbo caller requires of the peer beyond the engine's own rules, handed to the engine through
/// its `additionalPolicy` hook: the peer's name (SERVER cases: swift-certificates' `ServerIdentityPolicy`,
/// narrowed to RFC 9525 by ``RFC9525Identity``) and its key usages (`key_usage`).
struct LimboCallerPolicy: VerifierPolicy {
    var serverIdentity: ServerIdentityPolicy?
    /// The DNS reference identity of a SERVER case (nil for IP references and CLIENT cases).
    var serverHostname: String?
    var keyUsage: LeafKeyUsagePolicy?
    let log: PolicyFailureLog

    var hasRequirements: Bool { serverIdentity != nil || keyUsage != nil }

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        (serverIdentity?.verifyingCriticalExtensions ?? []) + (keyUsage?.verifyingCriticalExtensions ?? [])
    }

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if let reason = firstFailure(chain) {
            log.record(reason)
            return .failsToMeetPolicy(reason: reason)
        }
        return .meetsPolicy
    }

    private mutating func firstFailure(_ chain: UnverifiedCertificateChain) -> String? {
        if serverIdentity != nil {
            if let reason = RFC9525Identity.failure(of: chain.leaf, hostname: serverHostname) {
                return reason
            }
            if case .failsToMeetPolicy(let reason) = serverIdentity?.chainMeetsPolicyRequirements(chain: chain) {
                return "ServerIdentityPolicy: \(reason)"
            }
        }
        if case .failsToMeetPolicy(let reason) = keyUsage?.chainMeetsPolicyRequirements(chain: chain) {
            return String(describing: reason)
        }
        return nil
    }
}
