public import Hummingbird
import Logging
public import TrustGateAuth
import TrustGateX509

/// Authenticates every request against one ``AuthenticationRequirement`` (the schema of the gateway's
/// route `auth`) and gives handlers the ``Principal`` in `context.principal`; a request that does not
/// satisfy it is answered here — 400, 401 (with `WWW-Authenticate`) or 403, as problem+json — and never
/// reaches a handler.
///
/// The client certificate is the one of this connection's TLS handshake (see ``TrustGateTLSChannel``), or,
/// when the immediate peer is one of the ``TrustedProxies`` and a header format is configured, the one
/// that proxy forwards. Credentials travelled securely when the connection is TLS, or when a trusted proxy
/// says `X-Forwarded-Proto: https`; otherwise Basic, API keys and bearer tokens are refused (403
/// `insecure_transport`) unless `allowInsecureAuthentication` is set (B2C's `AllowInsecureAuthInProduction`).
///
/// Certificate headers (`X-ARR-ClientCert`, `Client-Cert`, XFCC, `X-SSL-Client-Cert`) from a peer that is
/// not a trusted proxy are removed before the handler runs, so code that still reads them (as seed 000's
/// App Service code did) cannot be fooled by a client that wrote its own.
///
/// Requests whose outcome is known without suspending (a cached verdict or verified secret, a missing
/// credential) are decided synchronously; the rest (a slow password hash, a signature, a key fetch) await
/// the requirement's asynchronous evaluation.
public struct AuthenticationMiddleware<Context: PrincipalRequestContext>: RouterMiddleware {
    public let requirement: AuthenticationRequirement
    public let allowInsecureAuthentication: Bool
    public let trustedProxies: TrustedProxies
    private let reader: AuthenticationRequestReader

    public init(
        requirement: AuthenticationRequirement,
        allowInsecureAuthentication: Bool = false,
        trustedProxies: TrustedProxies = .none
    ) {
        self.requirement = requirement
        self.allowInsecureAuthentication = allowInsecureAuthentication
        self.trustedProxies = trustedProxies
        self.reader = AuthenticationRequestReader(headerNames: requirement.headerNames, trustedProxies: trustedProxies)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let authenticationRequest: AuthenticationRequest
        do {
            authenticationRequest = try reader.read(request, connection: context.connection)
        } catch {
            context.logger.info("authentication refused", metadata: ["status": "400", "reason": "invalid_forwarded_certificate"])
            return AuthenticationProblemResponse.unreadableForwardedCertificate(error.error.description)
        }
        let decision: AuthenticationDecision
        if let immediate = requirement.immediateDecision(for: authenticationRequest, allowInsecure: allowInsecureAuthentication) {
            decision = immediate
        } else {
            decision = await requirement.decide(authenticationRequest, allowInsecure: allowInsecureAuthentication)
        }
        switch decision {
        case .allowed(let principal):
            var context = context
            context.principal = principal
            return try await next(reader.withoutSpoofableHeaders(request, connection: context.connection), context)
        case .denied(let denial):
            // Reason, scheme and the failure's detail only: details are written never to hold a secret.
            var metadata: Logger.Metadata = ["status": "\(denial.status)", "reason": "\(denial.problem.reason)"]
            if let failure = denial.failure {
                metadata["scheme"] = "\(failure.scheme)"
                metadata["detail"] = "\(failure.detail)"
            }
            context.logger.info("authentication refused", metadata: metadata)
            return AuthenticationProblemResponse.response(for: denial)
        }
    }
}
