import Foundation
import TrustGateX509
import X509

/// Cold (cache-miss) and cached verdicts for the 3-certificate chain, without and with CRL checks.
enum PolicyVerdictBenchmarks {
    static let group = "policy"

    /// The policy the gateway would build for this PKI: the root as only anchor, one SPIFFE identity rule, and
    /// in `.chain` mode both CAs' CRLs required.
    static func policy(for pki: BenchPKI, revocation mode: RevocationSettings.Mode) -> CertificatePolicy {
        var settings = CertificatePolicySettings(trustAnchors: [pki.root])
        settings.revocation = RevocationSettings(mode: mode, requireCRL: mode != .off)
        settings.crls = mode == .off ? [] : pki.crls
        var identity = IdentityClaims()
        identity.uri = "spiffe://bench/client"
        settings.identity = IdentityRequirement(identities: [identity])
        return CertificatePolicy(settings)
    }

    nonisolated(nonsending) static func run(
        _ recorder: inout BenchmarkRecorder, pki: BenchPKI, kind: KeyKind, iterations: Int
    ) async throws {
        let presented = pki.presented
        for mode in [RevocationSettings.Mode.off, .chain] {
            let policy = policy(for: pki, revocation: mode)
            let verdict = await policy.evaluate(presented)
            guard verdict.isAccepted else {
                throw BenchmarkFailure("the \(kind.rawValue) benchmark chain is not accepted: \(verdict.rejections)")
            }
            let revocation = mode == .off ? "no revocation" : "CRL chain mode"
            await recorder.measure(
                group, "cold verdict, 3-cert \(kind.rawValue) chain, \(revocation)",
                iterations: max(1, kind == .ec ? iterations / 4 : iterations / 8)
            ) { _ in
                policy.cache.removeAll()
                return await policy.evaluate(presented).isAccepted ? 1 : 0
            }
            await recorder.measure(
                group, "cached verdict, 3-cert \(kind.rawValue) chain, \(revocation)", iterations: iterations * 50
            ) { _ in
                await policy.evaluate(presented).isAccepted ? 1 : 0
            }
            recorder.measure(
                group, "cached verdict (sync probe), \(kind.rawValue), \(revocation)", iterations: iterations * 50
            ) { _ in
                policy.cachedVerdict(presented)?.isAccepted == true ? 1 : 0
            }
        }
    }
}

/// A benchmark whose setup or correctness check failed: the run stops, since its numbers would mean nothing.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
