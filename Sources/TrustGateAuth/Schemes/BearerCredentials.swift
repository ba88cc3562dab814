/// The token of an `Authorization: Bearer` header, read one way for every bearer scheme (static tokens and
/// JWTs): exactly one `Authorization` header, scheme `Bearer` in any case (RFC 9110 §11.1), the token in
/// RFC 6750 §2.1 `b64token` syntax.
enum BearerCredentials {
    enum Reading: Equatable {
        /// No `Authorization` header, or one for another scheme: the request did not try this scheme.
        case notPresented
        /// The request tried and got the syntax wrong (RFC 6750 `invalid_request`); the detail is safe to show.
        case malformed(String)
        case token(String)
    }

    static func read(_ request: AuthenticationRequest) -> Reading {
        let header = AuthorizationHeader(request)
        switch header {
        case .absent:
            return .notPresented
        case .duplicated:
            return .malformed("the request has more than one Authorization header")
        case .present(_, let token):
            guard header.uses("Bearer") else { return .notPresented }
            guard !token.isEmpty else { return .malformed("the bearer token is empty") }
            guard BearerTokenSyntax.isValid(token) else { return .malformed("the bearer token has characters RFC 6750 does not allow") }
            return .token(token)
        }
    }
}
