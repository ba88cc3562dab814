public import Foundation
public import TrustGateJOSE
public import TrustGateStore

/// How the token service behaves: its issuer and the tolerances the checklist leaves to the server. The
/// defaults accept the real clients of OAUTH-CHECKLIST §0 (MSAL Python and .NET, Authlib) and nothing looser.
public struct TokenServiceSettings: Sendable {
    public let urls: TokenServiceURLs

    /// The algorithm of the signing keys the service generates (`TokenSigningKeys.ensureSigningKey`) and lists in
    /// discovery; tokens are signed with the current key's own algorithm. RS256 by default, what Entra/MSAL-style
    /// resource servers expect (AT-1).
    public var accessTokenAlgorithm: SigningKeyAlgorithm = .rs256
    /// Allowed clock difference for assertion times and certificate validity (≤ 60 s, CA-5).
    public var clockSkew: TimeInterval = 60
    /// CA-7: an assertion's `iat` may be at most this old; without `iat`, `exp` may be at most this far ahead
    /// (plus skew). 600 s accepts MSAL.NET (no `iat`, exp = now + 600) and, through its fresh `iat`, Authlib's
    /// one-hour assertions.
    public var maximumAssertionAge: TimeInterval = 600
    /// CA-2: accept only the issuer identifier as an assertion's `aud` (FAPI 2.0, rfc7523bis). Off by default:
    /// MSAL and Authlib send the token endpoint.
    public var strictAssertionAudience = false
    /// CA-8: accept `exp` / `nbf` / `iat` written as a string of decimal digits (MSAL.NET). Numbers, integer or
    /// not, are always accepted; every other type is refused.
    public var acceptStringNumericDates = true
    /// §0: MSAL Python breaks each `x5c` entry every 64 characters.
    public var acceptLineBreaksInCertificateChain = true
    /// §0: MSAL.NET sends `x5c` as one string instead of an array.
    public var acceptSingleStringCertificateChain = true
    /// CA-11: the algorithms a client assertion may use. HS* are never accepted, whatever this says.
    public var assertionAlgorithms: Set<JWSAlgorithm> = [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .edDSA]
    /// CB-1 / CB-2: when the request presented a client certificate (TLS or a trusted proxy's RFC 9440 header),
    /// bind the token to it with `cnf.x5t#S256`, whatever the client authenticated with. Clients registered with
    /// `certificateBoundAccessTokens` are bound (and refused without a certificate) regardless.
    public var bindTokensToPresentedCertificates = true
    /// The Entra profile's `tid`. nil: the last segment of the issuer's path (`demo` for `https://host/demo`);
    /// no `tid` when the issuer has no path.
    public var tenantID: String?
    /// `Cache-Control: max-age` of the JWKS (JK-4); key rotation keeps retired keys this much longer.
    public var jwksCacheTime: TimeInterval = SigningKeyRotation.defaultJWKSCacheTime
    /// TE-8: the longest `client_assertion` read (64 KiB, MSAL's `MaxTokenLength`).
    public var maximumAssertionLength = CompactJWS.defaultMaximumLength
    /// TE-8: the most certificates an assertion's `x5c` may carry.
    public var maximumAssertionCertificates = 8
    /// TE-8: the longest request body read; room for the longest assertion and the other parameters.
    public var maximumBodyLength = 96 * 1024
    /// CA-9: the longest `jti` accepted, in Unicode scalars.
    public var maximumJTILength = 256
    /// How long the current signing key is trusted before the store is asked again. A rotation is seen at most
    /// this late; the replaced key stays published, so tokens it signs meanwhile still verify.
    public var signingKeyRefreshInterval: TimeInterval = 5
    /// The realm of `WWW-Authenticate: Basic realm="…"` on `invalid_client` (ER-3). nil: the issuer.
    public var realm: String?

    public init(issuer: String) throws(TokenServiceSettingsError) {
        self.urls = try TokenServiceURLs(issuer: issuer)
    }

    public var issuer: String { urls.issuer }

    /// The assertion algorithms actually accepted: the configured ones without HS*.
    public var effectiveAssertionAlgorithms: Set<JWSAlgorithm> { assertionAlgorithms.filter { !$0.isSymmetric } }

    public var effectiveTenantID: String? { tenantID ?? urls.lastPathSegment }

    public var effectiveRealm: String { realm ?? urls.issuer }

    /// Refuses values outside what the checklist allows (skew ≤ 60 s, positive limits).
    public func validate() throws(TokenServiceSettingsError) {
        guard (0...60).contains(clockSkew) else {
            throw .outOfRange(setting: "clock_skew", reason: "must be between 0 and 60 seconds (OAUTH-CHECKLIST CA-5)")
        }
        guard maximumAssertionAge >= 60, maximumAssertionAge <= 86_400 else {
            throw .outOfRange(setting: "max_assertion_age", reason: "must be between 60 seconds and 1 day")
        }
        guard maximumAssertionLength >= 1024, maximumAssertionLength <= 1 << 20 else {
            throw .outOfRange(setting: "max_assertion_length", reason: "must be between 1 KiB and 1 MiB")
        }
        guard maximumBodyLength >= maximumAssertionLength else {
            throw .outOfRange(setting: "max_body_length", reason: "must hold at least the longest assertion")
        }
        guard maximumAssertionCertificates >= 1 else {
            throw .outOfRange(setting: "max_assertion_certificates", reason: "must be at least 1")
        }
        guard (1...1024).contains(maximumJTILength) else {
            throw .outOfRange(setting: "max_jti_length", reason: "must be between 1 and 1024")
        }
        guard !effectiveAssertionAlgorithms.isEmpty else {
            throw .outOfRange(setting: "assertion_algorithms", reason: "at least one asymmetric algorithm is needed")
        }
        guard jwksCacheTime >= 0, signingKeyRefreshInterval >= 0 else {
            throw .outOfRange(setting: "jwks_cache_time", reason: "must not be negative")
        }
    }
}
