import SwiftASN1
import X509

/// limbo's `key_usage`: the usages the caller needs from the peer's key, checked on the leaf.
///
/// This is a caller requirement, like the expected peer name, so it is handed to the engine through its
/// `additionalPolicy` hook rather than being a rule of the engine. A leaf without a keyUsage extension is
/// unrestricted (RFC 5280 §4.2.1.3).
struct LeafKeyUsagePolicy: VerifierPolicy {
    enum Usage: String, CaseIterable, Sendable {
        case digitalSignature, contentCommitment, keyEncipherment, dataEncipherment, keyAgreement
        case keyCertSign, cRLSign, encipherOnly, decipherOnly

        func isAsserted(by keyUsage: KeyUsage) -> Bool {
            switch self {
            case .digitalSignature: keyUsage.digitalSignature
            case .contentCommitment: keyUsage.nonRepudiation
            case .keyEncipherment: keyUsage.keyEncipherment
            case .dataEncipherment: keyUsage.dataEncipherment
            case .keyAgreement: keyUsage.keyAgreement
            case .keyCertSign: keyUsage.keyCertSign
            case .cRLSign: keyUsage.cRLSign
            case .encipherOnly: keyUsage.encipherOnly
            case .decipherOnly: keyUsage.decipherOnly
            }
        }
    }

    let required: [Usage]

    // keyUsage is already declared (and, when critical, accepted) by the engine's RFC5280Policy.
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let keyUsage: KeyUsage?
        do {
            keyUsage = try chain.leaf.extensions.keyUsage
        } catch {
            return .failsToMeetPolicy(reason: "limbo key_usage: the leaf's keyUsage extension is malformed")
        }
        guard let keyUsage else { return .meetsPolicy }
        let missing = required.filter { !$0.isAsserted(by: keyUsage) }
        if missing.isEmpty { return .meetsPolicy }
        let names = missing.map(\.rawValue).joined(separator: ", ")
        return .failsToMeetPolicy(reason: "limbo key_usage: the leaf's keyUsage lacks \(names)")
    }
}
