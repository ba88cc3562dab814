public import Foundation
public import X509

/// Everything a ``CertificatePolicy`` decides with, as typed values (files already loaded).
public struct CertificatePolicySettings: Sendable {
    /// Trust anchors ("uploaded CA certificates"): roots, or intermediates trusted directly.
    public var trustAnchors: [Certificate]
    /// Intermediates known to the gateway, used with the ones the client sends.
    public var intermediates: [Certificate]
    /// CA certificates allowed above the leaf, anchor included (OpenSSL's verify depth).
    public var maxDepth: Int
    /// Tolerance for clock differences when checking notBefore / notAfter.
    public var clockSkew: TimeInterval
    /// The purpose the leaf's extendedKeyUsage must allow (when it has one); nil: no usage check.
    /// `clientAuth` for client certificates.
    public var requiredKeyPurpose: ExtendedKeyUsage.Usage?
    public var revocation: RevocationSettings
    public var crls: [CertificateRevocationList]
    public var identity: IdentityRequirement
    public var pinnedSelfSigned: PinnedCertificates
    /// Upper bound on how long a verdict is reused.
    public var cacheTTL: TimeInterval
    /// How strictly the RFC 5280 certificate and CRL profile is enforced.
    public var profile: CertificateProfile = .strict
    /// A further swift-certificates policy applied during path building (e.g. `ServerIdentityPolicy`
    /// when the same engine validates server certificates).
    public var additionalPolicy: AdditionalVerifierPolicy?

    public init(
        trustAnchors: [Certificate] = [],
        intermediates: [Certificate] = [],
        maxDepth: Int = 4,
        clockSkew: TimeInterval = 60,
        requiredKeyPurpose: ExtendedKeyUsage.Usage? = .clientAuth,
        revocation: RevocationSettings = RevocationSettings(),
        crls: [CertificateRevocationList] = [],
        identity: IdentityRequirement = IdentityRequirement(),
        pinnedSelfSigned: PinnedCertificates = PinnedCertificates(),
        cacheTTL: TimeInterval = 300
    ) {
        self.trustAnchors = trustAnchors
        self.intermediates = intermediates
        self.maxDepth = maxDepth
        self.clockSkew = clockSkew
        self.requiredKeyPurpose = requiredKeyPurpose
        self.revocation = revocation
        self.crls = crls
        self.identity = identity
        self.pinnedSelfSigned = pinnedSelfSigned
        self.cacheTTL = cacheTTL
    }
}

/// A swift-certificates `VerifierPolicy` added to path building, kept `Sendable` so settings can be shared.
public struct AdditionalVerifierPolicy: Sendable {
    let make: @Sendable () -> AnyPolicy

    public init<Policy: VerifierPolicy & Sendable>(_ policy: Policy) {
        self.make = { AnyPolicy(policy) }
    }
}
