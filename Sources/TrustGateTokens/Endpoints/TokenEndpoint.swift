import Crypto
import Foundation
import TrustGateAuth
import TrustGateJOSE
import TrustGateStore

/// The token endpoint: `grant_type=client_credentials` with exactly one client authentication method, answered
/// per RFC 6749 §5 (OAUTH-CHECKLIST TE, CA, MT, CB, GR, AT, ER). Every issuance and refusal is audited.
public final class TokenEndpoint: Sendable {
    public let settings: TokenServiceSettings
    private let store: any RegistrationStore
    private let authenticator: ClientAuthenticator
    private let scopes: ScopeResolver
    let accessTokenIssuer: AccessTokenIssuer
    let audit: TokenAuditLog
    private let clock: @Sendable () -> Date

    static let formContentType = "application/x-www-form-urlencoded"
    static let clientCredentialsGrant = "client_credentials"

    init(
        settings: TokenServiceSettings, store: any RegistrationStore, storeKey: KeyEncryptionKey, audit: TokenAuditLog,
        clock: @escaping @Sendable () -> Date
    ) {
        self.settings = settings
        self.store = store
        let policies = SubjectIssuerPolicies(clockSkew: settings.clockSkew)
        self.authenticator = ClientAuthenticator(
            store: store,
            secrets: ClientSecretVerifier(),
            assertions: ClientAssertionValidator(settings: settings, store: store, policies: policies),
            mutualTLS: MutualTLSAuthenticator(settings: settings, store: store, policies: policies))
        self.scopes = ScopeResolver(store: store)
        self.accessTokenIssuer = AccessTokenIssuer(
            settings: settings, signer: TokenSigner(store: store, storeKey: storeKey, refreshInterval: settings.signingKeyRefreshInterval))
        self.audit = audit
        self.clock = clock
    }

    /// What one request led to, for the audit log.
    private struct Trail {
        var clientID: String?
        var method: ClientAuthenticationMethod?
        var resource: String?
    }

    public func handle(_ request: TokenRequest) async -> TokenHTTPResponse {
        let now = clock()
        var trail = Trail()
        do {
            let token = try await issue(request, now: now, trail: &trail)
            var response = TokenHTTPResponse.json(status: 200, token.responseObject)
            if let clientID = trail.clientID, let method = trail.method, let resource = trail.resource {
                await audit.issued(clientID: clientID, method: method, resource: resource, at: now)
                response.issuance = (clientID, method.rawValue)
            }
            return response
        } catch {
            await audit.refused(clientID: trail.clientID, method: trail.method, reason: error.reason, resource: trail.resource, at: now)
            var response = error.response(realm: settings.effectiveRealm)
            response.refusal = TokenRefusal(clientID: trail.clientID, error: error.code.rawValue, reason: error.reason.rawValue)
            return response
        }
    }

    private func issue(_ request: TokenRequest, now: Date, trail: inout Trail) async throws(TokenEndpointError) -> IssuedAccessToken {
        // TE-1 / TE-2: POST, form-encoded, over TLS.
        guard request.method == "POST" else {
            throw .invalidRequest(.methodNotAllowed, "the token endpoint accepts POST only")
        }
        guard request.isSecureTransport else {
            throw .invalidRequest(.insecureTransport, "the token endpoint is served over TLS only")
        }
        guard Self.isFormContentType(request.contentType) else {
            throw .invalidRequest(.unsupportedContentType, "the body must be application/x-www-form-urlencoded")
        }
        guard request.body.count <= settings.maximumBodyLength else {
            throw .invalidRequest(.bodyTooLarge, "the request body is longer than \(settings.maximumBodyLength) bytes")
        }
        let form: FormParameters
        do {
            form = try FormParameters(parsing: request.body, multiValued: ["resource"])
        } catch {
            switch error {
            case .repeated(let name):
                throw .invalidRequest(.repeatedParameter, "parameter \(TokenEndpointError.sanitized(String(name.prefix(40)))) is repeated")
            case .invalidPercentEncoding, .invalidUTF8:
                throw .invalidRequest(.malformedBody, "the body is not valid application/x-www-form-urlencoded UTF-8")
            }
        }

        // TE-4 … TE-8: which single client authentication method, before the grant so a refusal can name the client.
        let attempt = try ClientAuthenticationAttempt.read(
            authorization: request.authorization, form: form, certificate: request.clientCertificate,
            maximumAssertionLength: settings.maximumAssertionLength)
        trail.clientID = attempt.claimedClientID
        trail.method = attempt.method

        // GR-1
        guard let grantType = form["grant_type"] else {
            throw .invalidRequest(.missingGrantType, "grant_type is required")
        }
        guard grantType == Self.clientCredentialsGrant else {
            throw TokenEndpointError(.unsupportedGrantType, .unsupportedGrantType, "only client_credentials is supported")
        }

        let client = try await authenticator.authenticate(attempt, at: now)
        trail.clientID = client.client.id
        trail.method = client.method
        guard client.client.enabled else {
            throw TokenEndpointError(.unauthorizedClient, .clientDisabled, "the client may not use this grant")
        }

        let access = try await scopes.resolve(scope: form["scope"], resources: form.all("resource"), registration: client.registration)
        trail.resource = access.resource.identifier

        // CB-1 … CB-3
        let presentedLeaf = request.clientCertificate?.leafDER
        if client.client.certificateBoundAccessTokens, presentedLeaf == nil {
            throw .invalidRequest(.certificateRequiredForBinding, "this client's tokens are certificate-bound: present a client certificate")
        }
        var thumbprint: String?
        if let presentedLeaf, settings.bindTokensToPresentedCertificates || client.client.certificateBoundAccessTokens {
            thumbprint = CertificateThumbprint.sha256(certificateDER: presentedLeaf)
        }

        // CA-10: the jti is recorded last, once everything else holds, atomically per client.
        if let pending = client.pendingAssertionID {
            let first: Bool
            do {
                first = try await store.recordAssertionID(clientID: client.client.id, jti: pending.jti, expiresAt: pending.expiresAt)
            } catch {
                throw .serverError(.storeFailure)
            }
            guard first else { throw .invalidClient(.assertionReplayed) }
        }
        return try await accessTokenIssuer.issue(to: client, access: access, certificateThumbprint: thumbprint, at: now)
    }

    /// `application/x-www-form-urlencoded`, parameters (`; charset=UTF-8`) allowed, case-insensitive.
    static func isFormContentType(_ value: String?) -> Bool {
        guard let value else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == formContentType
    }
}
