public import Foundation
public import X509

/// The outcome of evaluating a presented chain against a ``CertificatePolicy``: a value, never an exception.
public enum CertificateVerdict: Sendable {
    case accepted(AcceptedCertificate)
    case rejected([CertificateRejection])

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    /// Every reason found (empty when accepted).
    public var rejections: [CertificateRejection] {
        if case .rejected(let reasons) = self { return reasons }
        return []
    }

    /// The reason codes, in the order they were found.
    public var codes: [RejectionCode] { rejections.map(\.code) }
}

/// An accepted client certificate: who it is and how it was trusted.
public struct AcceptedCertificate: Sendable {
    /// The validated chain, leaf first, trust anchor (or pinned self-signed leaf) last.
    public let chain: [Certificate]
    public let identity: CertificateIdentity
    /// Problems that the policy tolerates (e.g. `crl_stale` with `stale_crl: warn`).
    public let warnings: [CertificateRejection]

    public var leaf: Certificate { chain[0] }
}

/// A verdict with its working: the chain that was built (accepted) or the best attempt (rejected).
public struct CertificateEvaluation: Sendable {
    public let verdict: CertificateVerdict
    /// Leaf first. For a rejection: the path found on structure and signatures alone, or just the
    /// presented leaf when no path to an anchor exists.
    public let chain: [Certificate]
    /// When this verdict could next change by itself (a validity boundary or a CRL's nextUpdate).
    public let deadline: Date?
}
