/// A stable, machine-readable reason for refusing a client certificate.
///
/// The raw values are part of TrustGate's public contract: they appear in 403 problem+json bodies, logs,
/// metrics labels and `trustgate check --json`. Never rename one; add new cases instead.
public enum RejectionCode: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case noCertificate = "no_certificate"
    case malformed = "malformed"
    case expired = "expired"
    case notYetValid = "not_yet_valid"
    case untrustedIssuer = "untrusted_issuer"
    case badSignature = "bad_signature"
    case chainTooLong = "chain_too_long"
    case ekuMismatch = "eku_mismatch"
    case revoked = "revoked"
    case crlStale = "crl_stale"
    case crlMissing = "crl_missing"
    case identityMismatch = "identity_mismatch"
    case selfSignedNotPinned = "self_signed_not_pinned"

    public var description: String { rawValue }
}
