import Foundation

/// The issuer and every URL and path derived from it, laid out as Entra ID does, so MSAL's `authority` and
/// `oidc_authority` forms both find what they look for (OAUTH-CHECKLIST DS-1, DS-3):
///
/// - token endpoint `{issuer}/oauth2/v2.0/token`
/// - authorization endpoint `{issuer}/oauth2/v2.0/authorize` (MSAL requires it in discovery)
/// - JWKS `{issuer}/discovery/v2.0/keys`
/// - discovery `{issuer}/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server{issuer path}`
///   (RFC 8414 §3) and `{issuer}/v2.0/.well-known/openid-configuration` (an Entra-style `authority`).
public struct TokenServiceURLs: Sendable, Hashable {
    /// `https://host[:port][/path]`, without a trailing slash: exactly what tokens carry as `iss`.
    public let issuer: String
    /// The issuer's path (`/demo`), or empty.
    public let issuerPath: String

    public var tokenEndpoint: String { issuer + Self.tokenSuffix }
    public var authorizationEndpoint: String { issuer + Self.authorizationSuffix }
    public var jwksURI: String { issuer + Self.jwksSuffix }
    public var openIDConfiguration: String { issuer + Self.openIDSuffix }

    public var tokenPath: String { issuerPath + Self.tokenSuffix }
    public var authorizationPath: String { issuerPath + Self.authorizationSuffix }
    public var jwksPath: String { issuerPath + Self.jwksSuffix }
    /// OIDC Discovery §4: the issuer followed by `/.well-known/openid-configuration`.
    public var openIDConfigurationPath: String { issuerPath + Self.openIDSuffix }
    /// RFC 8414 §3: the well-known segment inserted between host and issuer path.
    public var authorizationServerMetadataPath: String { "/.well-known/oauth-authorization-server" + issuerPath }
    /// MSAL with an Entra-style `authority` and `instance_discovery=False` looks here.
    public var entraOpenIDConfigurationPath: String { issuerPath + "/v2.0" + Self.openIDSuffix }

    static let tokenSuffix = "/oauth2/v2.0/token"
    static let authorizationSuffix = "/oauth2/v2.0/authorize"
    static let jwksSuffix = "/discovery/v2.0/keys"
    static let openIDSuffix = "/.well-known/openid-configuration"

    /// Checks and normalises `issuer`: https (DS-2), a host, no user info, query or fragment; one trailing slash
    /// is dropped so `https://host/t/` and `https://host/t` name the same issuer.
    public init(issuer text: String) throws(TokenServiceSettingsError) {
        var issuer = text
        if issuer.hasSuffix("/") { issuer.removeLast() }
        guard let components = URLComponents(string: issuer) else {
            throw .invalidIssuer(text, reason: "not a URL")
        }
        guard components.scheme?.lowercased() == "https" else {
            throw .invalidIssuer(text, reason: "the issuer must be an https URL (RFC 8414 §2)")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidIssuer(text, reason: "no host") }
        guard components.user == nil, components.password == nil else {
            throw .invalidIssuer(text, reason: "user information is not allowed")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidIssuer(text, reason: "an issuer has no query or fragment (RFC 8414 §2)")
        }
        let path = components.percentEncodedPath
        guard !path.hasSuffix("/"), !path.contains("//") else {
            throw .invalidIssuer(text, reason: "the path has empty segments")
        }
        self.issuer = issuer
        self.issuerPath = path
    }

    /// The last segment of the issuer's path (`demo` for `https://host/demo`): the default tenant id.
    public var lastPathSegment: String? {
        issuerPath.split(separator: "/").last.map { String($0).removingPercentEncoding ?? String($0) }
    }
}
