/// Tolerances for known client quirks in `x5c` (OAUTH-CHECKLIST §0), off by default and each switched on
/// separately by the caller that needs it (the token service for client assertions).
public struct JWSHeaderParsingOptions: Sendable, Equatable {
    /// MSAL Python wraps each `x5c` entry with a line break every 64 characters.
    public var allowsLineBreaksInCertificates: Bool
    /// MSAL.NET sends `x5c` as one string instead of an array of strings.
    public var allowsSingleCertificateString: Bool

    public init(allowsLineBreaksInCertificates: Bool = false, allowsSingleCertificateString: Bool = false) {
        self.allowsLineBreaksInCertificates = allowsLineBreaksInCertificates
        self.allowsSingleCertificateString = allowsSingleCertificateString
    }
}
