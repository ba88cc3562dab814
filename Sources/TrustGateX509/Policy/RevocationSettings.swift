/// How CRL revocation is applied (the seeds' `Verify()` versus `VerifyNoRevocation()`, and more).
public struct RevocationSettings: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// No revocation checking (`VerifyNoRevocation()`).
        case off
        /// Only the client certificate is checked against its issuer's CRL.
        case leaf
        /// Every certificate whose issuer has a CRL is checked.
        case chain
    }

    /// What a CRL whose nextUpdate has passed means.
    public enum StaleCRLHandling: String, Sendable, Hashable, CaseIterable {
        /// `crl_stale` refuses the certificate (fail closed).
        case fail
        /// The CRL is still used; the verdict carries a `crl_stale` warning.
        case warn
    }

    public var mode: Mode
    /// A certificate whose issuer has no CRL is refused (`crl_missing`) instead of passing.
    public var requireCRL: Bool
    public var staleCRL: StaleCRLHandling

    public init(mode: Mode = .off, requireCRL: Bool = false, staleCRL: StaleCRLHandling = .fail) {
        self.mode = mode
        self.requireCRL = requireCRL
        self.staleCRL = staleCRL
    }
}
