public import Foundation
public import TrustGateJOSE

/// The OAuth 2.0 client credentials grant a connector uses to get its bearer token (RFC 6749 §4.4), against
/// TrustGate's token service or any authorization server.
public struct ClientCredentialsSettings: Sendable {
    /// Where the token endpoint is.
    public enum TokenEndpoint: Sendable, Hashable, CustomStringConvertible {
        /// An issuer whose `{issuer}/.well-known/openid-configuration` names the token endpoint.
        case issuer(URL)
        /// The token endpoint itself.
        case tokenURL(URL)

        public var url: URL {
            switch self {
            case .issuer(let url), .tokenURL(let url): return url
            }
        }

        public var description: String {
            switch self {
            case .issuer(let url): return "issuer \(url.absoluteString)"
            case .tokenURL(let url): return "token endpoint \(url.absoluteString)"
            }
        }
    }

    /// How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2).
    public enum ClientAuthentication: Sendable {
        /// `client_secret_basic`: `Authorization: Basic` with the form-encoded client id and secret.
        case secretBasic(SecretReference)
        /// `client_secret_post`: `client_id` and `client_secret` in the form.
        case secretPost(SecretReference)
        /// `private_key_jwt` built as MSAL builds it for a confidential client with a certificate.
        case certificateAssertion(CertificateAssertionSettings)

        var secretReferences: [SecretReference] {
            switch self {
            case .secretBasic(let secret), .secretPost(let secret): return [secret]
            case .certificateAssertion: return []
            }
        }
    }

    public var endpoint: TokenEndpoint
    public var clientID: String
    /// Space-separated scopes (`api://loyalty/.default`); nil sends none.
    public var scope: String?
    public var clientAuthentication: ClientAuthentication
    /// Trust anchors (PEM files) for the token endpoint and discovery; nil means the connector's `tls.ca`.
    public var trustedCAFiles: [String]?

    public init(
        endpoint: TokenEndpoint, clientID: String, scope: String?, clientAuthentication: ClientAuthentication,
        trustedCAFiles: [String]? = nil
    ) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.scope = scope
        self.clientAuthentication = clientAuthentication
        self.trustedCAFiles = trustedCAFiles
    }
}

/// A client assertion signed with a certificate's key, as MSAL's `WithCertificate` sends it: header `alg`, `typ: JWT`,
/// `x5t#S256` (and, on request, the SHA-1 `x5t` older servers expect and the chain in `x5c` for subject/issuer
/// registrations); claims `iss` = `sub` = client id, `aud` = token endpoint, `iat`, `nbf`, `exp` = `iat` + 10 min, `jti`.
public struct CertificateAssertionSettings: Sendable {
    public var certificate: ClientIdentitySource
    /// nil: PS256 for RSA keys, ES256 / ES384 / ES512 for EC keys by curve.
    public var algorithm: JWSAlgorithm?
    public var includeCertificateChain: Bool
    public var includeSHA1Thumbprint: Bool

    public init(
        certificate: ClientIdentitySource, algorithm: JWSAlgorithm? = nil, includeCertificateChain: Bool = false,
        includeSHA1Thumbprint: Bool = false
    ) {
        self.certificate = certificate
        self.algorithm = algorithm
        self.includeCertificateChain = includeCertificateChain
        self.includeSHA1Thumbprint = includeSHA1Thumbprint
    }
}
