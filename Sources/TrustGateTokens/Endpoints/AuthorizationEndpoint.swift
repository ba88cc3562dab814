import TrustGateJOSE
/// `{issuer}/oauth2/v2.0/authorize`: present because MSAL requires `authorization_endpoint` in discovery. This
/// service issues client-credentials tokens only, so every request gets RFC 6749 §4.1.2.1's
/// `unsupported_response_type` — answered directly, never by redirecting to an unregistered `redirect_uri`.
enum AuthorizationEndpoint {
    static func response() -> TokenHTTPResponse {
        TokenHTTPResponse.json(status: 400, [
            "error": "unsupported_response_type",
            "error_description": "this authorization server issues tokens for the client_credentials grant only",
        ])
    }
}
