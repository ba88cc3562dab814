public import TrustGateJOSE
import TrustGateStore

/// The authorization server metadata (RFC 8414 §2) that is also an OpenID Provider configuration (OIDC
/// Discovery §3) — one document, served at every discovery path (DS-1 … DS-3, MT-6, CB-4).
public enum DiscoveryDocument {
    /// How long clients may cache the document.
    static let maxAge = 3600

    public static func object(for settings: TokenServiceSettings) -> JSONObject {
        let urls = settings.urls
        let assertionAlgorithms = settings.effectiveAssertionAlgorithms.map(\.rawValue).sorted()
        let methods = ClientAuthenticationMethod.allCases.sorted().map { JSONValue.string($0.rawValue) }
        return [
            "issuer": .string(urls.issuer),
            "token_endpoint": .string(urls.tokenEndpoint),
            "jwks_uri": .string(urls.jwksURI),
            // MSAL reads it unconditionally (msal/authority.py); the endpoint answers unsupported_response_type.
            "authorization_endpoint": .string(urls.authorizationEndpoint),
            "grant_types_supported": ["client_credentials"],
            // Required by RFC 8414 and OIDC Discovery, and checked as non-empty by client libraries' metadata
            // validators; no browser flow is offered (the authorization endpoint refuses every response type).
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": .array(methods),
            // RFC 8414 §2: required when private_key_jwt is listed; never "none", never HS*.
            "token_endpoint_auth_signing_alg_values_supported": .array(assertionAlgorithms.map { .string($0) }),
            "tls_client_certificate_bound_access_tokens": true,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": .array([.string(settings.accessTokenAlgorithm.rawValue)]),
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "roles", "scope", "cnf", "azp", "azpacr", "idtyp", "oid", "tid", "ver"],
        ]
    }

    static func response(for settings: TokenServiceSettings) -> TokenHTTPResponse {
        TokenHTTPResponse.publicJSON(Array(JSONTextEncoder.encode(object: object(for: settings)).utf8), maxAge: maxAge)
    }
}
