public import Foundation
import Synchronization
import SwiftASN1
@_spi(DisableValidityCheck) public import X509

/// Decides whether a presented client certificate chain is acceptable, and explains why not.
///
/// Built once from ``CertificatePolicySettings`` (trust store indexed, CRLs indexed) and evaluated per
/// chain. Path building, signatures, basic and name constraints come from swift-certificates'
/// `Verifier` and `RFC5280Policy`; validity (with skew), client-auth usage, depth and revocation are
/// TrustGate's ``ChainCheck``s, composed into the same verifier. Identity rules and self-signed pins are
/// applied to the leaf. A failed evaluation is diagnosed again, rule by rule, so the verdict lists every
/// reason rather than the first one met.
public final class CertificatePolicy: Sendable {
    public let settings: CertificatePolicySettings
    /// Identifies this policy's trust and revocation data in the verdict cache; a reload makes a new one.
    public let generation: UInt64
    public let cache: VerdictCache

    private let roots: CertificateStore
    private let knownIssuersByName: [DistinguishedName: [Certificate]]
    private let crlIndex: CRLIndex

    /// More than this many presented certificates is refused before any work is done. (Path-building work
    /// is bounded separately, by ``BoundedIntermediateStore``.)
    static let maxPresentedCertificates = 48

    private static let generations = Atomic<UInt64>(0)

    public init(_ settings: CertificatePolicySettings, cache: VerdictCache = VerdictCache()) {
        self.settings = settings
        self.generation = Self.generations.add(1, ordering: .relaxed).newValue
        self.cache = cache
        self.roots = CertificateStore(settings.trustAnchors)
        self.knownIssuersByName = Dictionary(grouping: settings.trustAnchors + settings.intermediates, by: \.subject)
        self.crlIndex = CRLIndex(settings.crls.filter { settings.profile == .compatible || $0.crlNumber != nil })
    }

    /// The cached verdict for `presented` at the current time, if there is one: a synchronous probe for
    /// callers on an event loop, who only need to go async (path building) on a miss.
    public func cachedVerdict(_ presented: PresentedCertificateChain) -> CertificateVerdict? {
        cache.lookup(presented, generation: generation, now: Date())
    }

    /// Evaluates `presented` at `time` (now when nil). Only evaluations at the current time are cached.
    ///
    /// `nonisolated(nonsending)`: runs on the caller's executor, so a cache hit costs no task hop.
    public nonisolated(nonsending) func evaluate(_ presented: PresentedCertificateChain, at time: Date? = nil) async -> CertificateVerdict {
        guard !presented.isEmpty else {
            return .rejected([.init(.noCertificate, "no client certificate was presented")])
        }
        let now = time ?? Date()
        if time == nil, let cached = cache.lookup(presented, generation: generation, now: now) {
            return cached
        }
        let evaluation = await evaluateUncached(presented, at: now)
        if time == nil {
            let expiresAt = min(now.addingTimeInterval(settings.cacheTTL), evaluation.deadline ?? .distantFuture)
            cache.store(presented, verdict: evaluation.verdict, generation: generation, expiresAt: expiresAt)
        }
        return evaluation.verdict
    }

    /// Evaluates without the cache and returns the verdict with the chain that was built or attempted:
    /// the dry run behind `trustgate check`.
    public nonisolated(nonsending) func explain(_ presented: PresentedCertificateChain, at time: Date? = nil) async -> CertificateEvaluation {
        guard !presented.isEmpty else {
            return CertificateEvaluation(verdict: .rejected([.init(.noCertificate, "no client certificate was presented")]), chain: [], deadline: nil)
        }
        return await evaluateUncached(presented, at: time ?? Date())
    }

    /// Convenience for already-parsed certificates (tools, tests).
    public nonisolated(nonsending) func evaluate(_ certificates: [Certificate], at time: Date? = nil) async -> CertificateVerdict {
        await evaluate(PresentedCertificateChain(certificates), at: time)
    }

    // MARK: - Evaluation

    private nonisolated(nonsending) func evaluateUncached(_ presented: PresentedCertificateChain, at time: Date) async -> CertificateEvaluation {
        if presented.derCertificates.count > Self.maxPresentedCertificates {
            return CertificateEvaluation(verdict: .rejected([.init(.chainTooLong, "the client sent \(presented.derCertificates.count) certificates; at most \(Self.maxPresentedCertificates) are accepted")]), chain: [], deadline: nil)
        }
        var certificates: [Certificate] = []
        // An intermediate that cannot be parsed cannot be on any accepted path: it is left out (a client may
        // send an alternative path signed with an algorithm swift-certificates does not read) and named
        // only if the verdict is a rejection. An unparseable leaf is fatal.
        var unreadable: [CertificateRejection] = []
        for (position, der) in presented.derCertificates.enumerated() {
            do {
                certificates.append(try Certificate(derEncoded: der))
            } catch {
                if position == 0 {
                    return CertificateEvaluation(verdict: .rejected([.init(.malformed, "the client certificate is not a valid DER X.509 certificate")]), chain: [], deadline: nil)
                }
                unreadable.append(.init(.malformed, "certificate #\(position + 1) of the presented chain is not a valid DER X.509 certificate (ignored)"))
            }
        }
        let leaf = certificates[0]
        let checks = Checks(settings: settings, crlIndex: crlIndex, time: time)

        var reasons: [CertificateRejection] = []
        var validatedChain: [Certificate]?
        var diagnosedChain: [Certificate] = [leaf]

        if leaf.isSelfSigned {
            diagnosedChain = [leaf]
            if let prints = try? CertificateFingerprints(derBytes: presented.derCertificates[0]),
                settings.pinnedSelfSigned.contains(prints)
            {
                reasons += checks.all(for: [leaf])
                if reasons.isEmpty { validatedChain = [leaf] }
            } else {
                reasons.append(.init(.selfSignedNotPinned, "client certificate \(leaf.verdictName) is self-signed and not pinned"))
                reasons += checks.all(for: [leaf])
            }
        } else {
            let candidates = settings.intermediates + certificates.dropFirst()
            let intermediates = BoundedIntermediateStore(candidates)
            let additional = settings.additionalPolicy?.make() ?? AnyPolicy(HandledExtensionsPolicy())
            var verifier = Verifier(rootCertificates: roots) {
                ChainCheckPolicy(check: NameConstraintBudgetCheck())
                RFC5280Policy.withValidityCheckDisabled()
                HandledExtensionsPolicy()
                ChainCheckPolicy(check: checks.validity)
                ChainCheckPolicy(check: checks.depth)
                ChainCheckPolicy(check: checks.usage)
                ChainCheckPolicy(check: checks.revocation)
                ChainCheckPolicy(check: checks.profile)
                additional
            }
            if case .validCertificate(let chain) = await verifier.validate(leaf: leaf, intermediates: CertificateStore(custom: intermediates)) {
                validatedChain = Array(chain)
                diagnosedChain = Array(chain)
            } else if intermediates.exhausted {
                // Not worth diagnosing: the client sent a set of certificates built to make path search explode.
                reasons.append(.init(.untrustedIssuer, "the presented certificates allow too many candidate paths; no chain to a trusted CA was found within the path-building limit"))
                reasons += checks.leafOnly(for: leaf)
            } else {
                // Diagnose: build a path on structure and signatures alone, then list everything wrong with it.
                var structural = Verifier(rootCertificates: roots) {
                    ChainCheckPolicy(check: NameConstraintBudgetCheck())
                    RFC5280Policy.withValidityCheckDisabled()
                    HandledExtensionsPolicy()
                    ChainCheckPolicy(check: OptionalCheck(check: KeyPurposeCheck(purpose: .clientAuth), enabled: false))
                    additional
                }
                if case .validCertificate(let chain) = await structural.validate(leaf: leaf, intermediates: CertificateStore(custom: BoundedIntermediateStore(candidates))) {
                    diagnosedChain = Array(chain)
                    reasons += checks.all(for: diagnosedChain)
                } else {
                    reasons.append(untrustedReason(for: leaf, presented: Array(certificates.dropFirst())))
                    reasons += checks.leafOnly(for: leaf)
                }
                if reasons.isEmpty {
                    // Fail closed: the verifier refused every path even though no rule names a reason.
                    reasons.append(.init(.untrustedIssuer, "no acceptable certificate chain could be built for \(leaf.verdictName)"))
                }
            }
        }

        let issuer = diagnosedChain.count > 1 ? diagnosedChain[1] : nil
        let identity: CertificateIdentity
        do {
            identity = try CertificateIdentity(leaf: leaf, leafDER: presented.derCertificates[0], issuer: issuer)
        } catch {
            return CertificateEvaluation(verdict: .rejected([.init(.malformed, "client certificate has a malformed subjectAlternativeName extension")]), chain: diagnosedChain, deadline: nil)
        }
        if let mismatch = settings.identity.rejection(for: identity) {
            reasons.append(mismatch)
        }

        let deadline = nextDeadline(for: diagnosedChain, checks: checks)
        if let chain = validatedChain, reasons.isEmpty {
            let warnings = checks.revocation.warnings(for: chain)
            return CertificateEvaluation(verdict: .accepted(AcceptedCertificate(chain: chain, identity: identity, warnings: warnings)), chain: chain, deadline: deadline)
        }
        return CertificateEvaluation(verdict: .rejected(deduplicated(reasons + unreadable)), chain: diagnosedChain, deadline: deadline)
    }

    private func untrustedReason(for leaf: Certificate, presented: [Certificate]) -> CertificateRejection {
        let namedIssuers = (knownIssuersByName[leaf.issuer] ?? []) + presented.filter { $0.subject == leaf.issuer }
        if !namedIssuers.isEmpty, !namedIssuers.contains(where: { $0.publicKey.isValidSignature(leaf.signature, for: leaf) }) {
            return .init(.badSignature, "the signature of client certificate \(leaf.verdictName) does not verify with the key of its issuer '\(leaf.issuer.displayString)'")
        }
        return .init(.untrustedIssuer, "client certificate \(leaf.verdictName) does not chain to a trusted CA (issuer '\(leaf.issuer.displayString)')")
    }

    /// The next instant at which this chain's verdict could change on its own.
    private func nextDeadline(for chain: [Certificate], checks: Checks) -> Date? {
        var earliest: Date?
        func consider(_ date: Date) {
            if date > checks.time, date < (earliest ?? .distantFuture) { earliest = date }
        }
        for certificate in chain {
            consider(certificate.notValidBefore.addingTimeInterval(-settings.clockSkew))
            consider(certificate.notValidAfter.addingTimeInterval(settings.clockSkew))
        }
        if let crlDeadline = checks.revocation.nextDeadline(for: chain) { consider(crlDeadline) }
        return earliest
    }

    private func deduplicated(_ reasons: [CertificateRejection]) -> [CertificateRejection] {
        var seen = Set<CertificateRejection>()
        return reasons.filter { seen.insert($0).inserted }
    }
}

/// The per-evaluation rules, built for one evaluation time.
private struct Checks {
    let time: Date
    let validity: ValidityCheck
    let depth: ChainDepthCheck
    let usage: OptionalCheck<KeyPurposeCheck>
    let revocation: RevocationCheck
    let profile: CertificateProfileCheck

    init(settings: CertificatePolicySettings, crlIndex: CRLIndex, time: Date) {
        self.time = time
        self.profile = CertificateProfileCheck(purpose: settings.requiredKeyPurpose, profile: settings.profile)
        self.validity = ValidityCheck(time: time, skew: settings.clockSkew)
        self.depth = ChainDepthCheck(maxDepth: settings.maxDepth)
        self.usage = OptionalCheck(check: KeyPurposeCheck(purpose: settings.requiredKeyPurpose ?? .clientAuth), enabled: settings.requiredKeyPurpose != nil)
        self.revocation = RevocationCheck(settings: settings.revocation, index: crlIndex, time: time)
    }

    func all(for chain: [Certificate]) -> [CertificateRejection] {
        validity.rejections(for: chain) + usage.rejections(for: chain) + depth.rejections(for: chain)
            + revocation.rejections(for: chain) + profile.rejections(for: chain)
    }

    func leafOnly(for leaf: Certificate) -> [CertificateRejection] {
        validity.rejections(for: [leaf]) + usage.rejections(for: [leaf])
    }
}

/// A rule switched off by configuration still declares the extensions it understands.
struct OptionalCheck<Check: ChainCheck>: ChainCheck {
    let check: Check
    let enabled: Bool

    var handledCriticalExtensions: [ASN1ObjectIdentifier] { check.handledCriticalExtensions }

    func rejections(for chain: [Certificate]) -> [CertificateRejection] {
        enabled ? check.rejections(for: chain) : []
    }
}

/// Critical extensions TrustGate processes outside the chain rules: subjectAltName is consumed by the
/// identity rules (and is critical in certificates with an empty subject, such as SPIFFE SVIDs).
struct HandledExtensionsPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectAlternativeName]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
