/// A stable, machine-readable reason for refusing a client certificate.
///
/// The raw values are part of TrustGate's public contract: they appear in 403 problem+json bodies, logs,
/// metrics labels and `trustgate check --json`. Never rename one; add new ones instead.
///
/// A struct of static values rather than an enum, because the contract is the string: a later release adds
/// reasons (a revocation source, a policy rule), and an enum would break every exhaustive `switch` in code that
/// uses TrustGate each time. Compare with `==` or `switch` with a `default`; a code read back from JSON that
/// this version does not know stays a value (its raw string) instead of failing to decode.
public struct RejectionCode: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let noCertificate = RejectionCode(rawValue: "no_certificate")
    public static let malformed = RejectionCode(rawValue: "malformed")
    public static let expired = RejectionCode(rawValue: "expired")
    public static let notYetValid = RejectionCode(rawValue: "not_yet_valid")
    public static let untrustedIssuer = RejectionCode(rawValue: "untrusted_issuer")
    public static let badSignature = RejectionCode(rawValue: "bad_signature")
    public static let chainTooLong = RejectionCode(rawValue: "chain_too_long")
    public static let ekuMismatch = RejectionCode(rawValue: "eku_mismatch")
    public static let revoked = RejectionCode(rawValue: "revoked")
    public static let crlStale = RejectionCode(rawValue: "crl_stale")
    public static let crlMissing = RejectionCode(rawValue: "crl_missing")
    public static let identityMismatch = RejectionCode(rawValue: "identity_mismatch")
    public static let selfSignedNotPinned = RejectionCode(rawValue: "self_signed_not_pinned")

    /// The codes this release can produce (metrics start a counter at 0 for each).
    public static let allCases: [RejectionCode] = [
        .noCertificate, .malformed, .expired, .notYetValid, .untrustedIssuer, .badSignature, .chainTooLong,
        .ekuMismatch, .revoked, .crlStale, .crlMissing, .identityMismatch, .selfSignedNotPinned,
    ]

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
