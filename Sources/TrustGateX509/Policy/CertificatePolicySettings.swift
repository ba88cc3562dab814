import Foundation
import X509

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
    /// The leaf must allow clientAuth (or carry no extendedKeyUsage).
    public var requireClientAuthUsage: Bool
    public var revocation: RevocationSettings
    public var crls: [CertificateRevocationList]
    public var identity: IdentityRequirement
    public var pinnedSelfSigned: PinnedCertificates
    /// Upper bound on how long a verdict is reused.
    public var cacheTTL: TimeInterval

    public init(
        trustAnchors: [Certificate] = [],
        intermediates: [Certificate] = [],
        maxDepth: Int = 4,
        clockSkew: TimeInterval = 60,
        requireClientAuthUsage: Bool = true,
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
        self.requireClientAuthUsage = requireClientAuthUsage
        self.revocation = revocation
        self.crls = crls
        self.identity = identity
        self.pinnedSelfSigned = pinnedSelfSigned
        self.cacheTTL = cacheTTL
    }
}
