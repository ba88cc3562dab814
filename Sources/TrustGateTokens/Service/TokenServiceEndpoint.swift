/// The endpoints the token service answers, by path.
public enum TokenServiceEndpoint: String, Sendable, Hashable, CaseIterable {
    case token
    case authorization
    case jwks
    /// `{issuer}/.well-known/openid-configuration`
    case openIDConfiguration
    /// `/.well-known/oauth-authorization-server{issuer path}` (RFC 8414 §3)
    case authorizationServerMetadata
    /// `{issuer}/v2.0/.well-known/openid-configuration` (MSAL with an Entra-style authority)
    case entraOpenIDConfiguration

    /// The path of this endpoint for the given issuer.
    public func path(in urls: TokenServiceURLs) -> String {
        switch self {
        case .token: return urls.tokenPath
        case .authorization: return urls.authorizationPath
        case .jwks: return urls.jwksPath
        case .openIDConfiguration: return urls.openIDConfigurationPath
        case .authorizationServerMetadata: return urls.authorizationServerMetadataPath
        case .entraOpenIDConfiguration: return urls.entraOpenIDConfigurationPath
        }
    }

    /// The endpoint at `path` (a query string is ignored), or nil.
    public static func matching(_ path: some StringProtocol, in urls: TokenServiceURLs) -> TokenServiceEndpoint? {
        let text = String(path)
        let bare = text.firstIndex(of: "?").map { String(text[..<$0]) } ?? text
        return allCases.first { $0.path(in: urls) == bare }
    }
}
