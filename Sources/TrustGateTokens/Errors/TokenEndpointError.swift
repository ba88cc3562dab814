import TrustGateAuth
import TrustGateJOSE

/// A refusal: the RFC 6749 §5.2 error, its reason code, and how to render it.
public struct TokenEndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: OAuthErrorCode
    public let reason: TokenRefusalReason
    /// What the client is told. For `invalid_client` always the same generic text (CA-18).
    public let errorDescription: String

    init(_ code: OAuthErrorCode, _ reason: TokenRefusalReason, _ description: String) {
        self.code = code
        self.reason = reason
        self.errorDescription = description
    }

    /// Every client-authentication failure looks the same from outside.
    static func invalidClient(_ reason: TokenRefusalReason) -> TokenEndpointError {
        TokenEndpointError(.invalidClient, reason, "client authentication failed")
    }

    static func invalidRequest(_ reason: TokenRefusalReason, _ description: String) -> TokenEndpointError {
        TokenEndpointError(.invalidRequest, reason, description)
    }

    static func serverError(_ reason: TokenRefusalReason) -> TokenEndpointError {
        TokenEndpointError(.serverError, reason, "the token service cannot issue tokens right now")
    }

    public var description: String { "\(code.rawValue) (\(reason.rawValue))" }

    /// The JSON error response: 400, 401 + `WWW-Authenticate` for `invalid_client` (ER-3), 500 for the service,
    /// 405 + `Allow` for a method other than POST.
    func response(realm: String) -> TokenHTTPResponse {
        var extra: [(name: String, value: String)] = []
        var status = code.httpStatus
        if code == .invalidClient {
            // Every 401 needs a challenge (RFC 9110 §15.5.2); Basic is the one header scheme a client can use here.
            extra.append(("WWW-Authenticate", AuthenticationChallenge(scheme: "Basic", parameters: [("realm", realm)]).headerValue))
        }
        if reason == .methodNotAllowed {
            status = 405
            extra.append(("Allow", "POST"))
        }
        let object: JSONObject = [
            "error": .string(code.rawValue),
            "error_description": .string(Self.sanitized(errorDescription)),
        ]
        return TokenHTTPResponse.json(status: status, object, extraHeaders: extra)
    }

    /// ER-2: `error_description` may hold only %x20-21 / %x23-5B / %x5D-7E (no `"`, no `\`, ASCII only).
    static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { scalar in
            (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\"
        }))
    }
}
