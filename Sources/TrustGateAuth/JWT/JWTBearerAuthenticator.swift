public import Foundation
import TrustGateJOSE

/// `Authorization: Bearer <JWT>` validated against one issuer (RFC 6750, OAUTH-CHECKLIST RS-1 … RS-9).
///
/// - no `Authorization` header, or another scheme: not presented, challenge `Bearer realm="…"` without an error;
/// - two `Authorization` headers, or `Bearer` with an empty or ill-formed token: 400 `invalid_request`;
/// - a token that fails validation: 401 `invalid_token` with a client-safe `error_description`.
///
/// `immediateOutcome` answers for missing or malformed headers and for tokens already in the verified cache;
/// everything else (signatures, key fetches) happens in `authenticate`.
public final class JWTBearerAuthenticator: Authenticator {
    public let name: String
    public let realm: String
    public let validator: JWTAccessTokenValidator
    public var method: AuthenticationMethod { .jwtBearer }
    public var headerNames: [String] { [AuthorizationHeader.name] }
    private let clock: @Sendable () -> Date

    public convenience init(name: String, settings: JWTIssuerSettings, realm: String) {
        self.init(name: name, realm: realm, validator: JWTAccessTokenValidator(settings: settings))
    }

    /// - Parameter clock: the time tokens are judged at (tests inject one).
    public init(name: String, realm: String, validator: JWTAccessTokenValidator, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.name = name
        self.realm = realm
        self.validator = validator
        self.clock = clock
    }

    public var settings: JWTIssuerSettings { validator.settings }

    /// `Bearer realm="…"`: what a client that sent no token is told (RFC 6750 §3: no error code).
    public var challenge: AuthenticationChallenge {
        AuthenticationChallenge(scheme: "Bearer", parameters: [("realm", realm)])
    }

    public func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        switch read(request) {
        case .decided(let outcome):
            return outcome
        case .token(let token):
            let leaf = request.clientCertificate?.leafDER
            return validator.cachedResult(for: token, presentedCertificateLeafDER: leaf, now: clock()).map(outcome(for:))
        }
    }

    public func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        switch read(request) {
        case .decided(let outcome):
            return outcome
        case .token(let token):
            let leaf = request.clientCertificate?.leafDER
            do {
                return outcome(for: .success(try await validator.validate(token, presentedCertificateLeafDER: leaf, now: clock())))
            } catch {
                return outcome(for: .failure(error))
            }
        }
    }

    private enum Reading {
        case decided(AuthenticationOutcome)
        case token(String)
    }

    /// RS-1: exactly one `Authorization` header; scheme `Bearer` in any case; the token in RFC 6750 syntax.
    private func read(_ request: AuthenticationRequest) -> Reading {
        switch BearerCredentials.read(request) {
        case .notPresented: return .decided(.notPresented(challenge))
        case .malformed(let detail): return .decided(invalidRequest(detail))
        case .token(let token): return .token(token)
        }
    }

    private func outcome(for result: Result<AccessTokenClaims, TokenRejection>) -> AuthenticationOutcome {
        switch result {
        case .success(let claims):
            return .authenticated(Principal(
                name: claims.subject ?? claims.clientID ?? "unknown",
                methods: [.jwtBearer],
                schemes: [name],
                roles: claims.roles,
                scopes: claims.scopes,
                certificate: nil,
                token: claims))
        case .failure(let rejection):
            return .failed(
                AuthenticationFailure(.invalidToken, scheme: name, method: .jwtBearer, detail: rejection.description),
                challenge: AuthenticationChallenge(scheme: "Bearer", parameters: [
                    ("realm", realm), ("error", "invalid_token"), ("error_description", rejection.description),
                ]))
        }
    }

    private func invalidRequest(_ detail: String) -> AuthenticationOutcome {
        .failed(
            AuthenticationFailure(.invalidRequest, scheme: name, method: .jwtBearer, detail: detail),
            challenge: AuthenticationChallenge(scheme: "Bearer", parameters: [
                ("realm", realm), ("error", "invalid_request"), ("error_description", detail),
            ]))
    }
}
