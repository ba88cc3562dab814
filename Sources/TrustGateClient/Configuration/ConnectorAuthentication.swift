/// How a connector proves who it is to the API (B2C's `AuthenticationType`).
public enum ConnectorAuthentication: Sendable, CustomStringConvertible {
    /// Nothing (the API is public, or protected only by the network).
    case none
    /// `Authorization: Basic` with a username and a password, each a secret reference (B2C:
    /// `BasicAuthenticationUsername`, `BasicAuthenticationPassword`).
    case basic(username: SecretReference, password: SecretReference)
    /// A TLS client certificate (B2C: `ClientCertificate`).
    case clientCertificate(ClientIdentitySource)
    /// `Authorization: Bearer`, with a fixed token or one acquired with client credentials.
    case bearer(BearerTokenSource)
    /// A key in a request header (B2C: `ApiKeyHeader`; Azure Functions' `x-functions-key` by default).
    case apiKey(header: String, key: SecretReference)

    public static let defaultAPIKeyHeader = "x-functions-key"

    /// The configuration name of the type.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .basic: return "basic"
        case .clientCertificate: return "client_certificate"
        case .bearer: return "bearer"
        case .apiKey: return "api_key"
        }
    }

    public var description: String { typeName }

    /// Whether the credential travels in the HTTP request itself, readable by anyone on the path without TLS.
    public var sendsSecretInRequest: Bool {
        switch self {
        case .none, .clientCertificate: return false
        case .basic, .bearer, .apiKey: return true
        }
    }

    /// The references whose values would be sent in the request (what an insecure-transport error names).
    public var requestSecretReferences: [SecretReference] {
        switch self {
        case .none, .clientCertificate: return []
        case .basic(let username, let password): return [username, password]
        case .apiKey(_, let key): return [key]
        case .bearer(.fixed(let token)): return [token]
        case .bearer(.clientCredentials(let settings)): return settings.clientAuthentication.secretReferences
        }
    }
}

/// Where a bearer token comes from (B2C: a static token in a policy key, or `UseClaimAsBearerToken` with a token
/// acquired first with client credentials).
public enum BearerTokenSource: Sendable {
    case fixed(SecretReference)
    case clientCredentials(ClientCredentialsSettings)
}
