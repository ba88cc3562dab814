import Foundation
import TrustGateStore

/// Authenticates the client of a token request with whichever single method it used, against the store.
struct ClientAuthenticator: Sendable {
    let store: any RegistrationStore
    let secrets: ClientSecretVerifier
    let assertions: ClientAssertionValidator
    let mutualTLS: MutualTLSAuthenticator

    func authenticate(_ attempt: ClientAuthenticationAttempt, at now: Date) async throws(TokenEndpointError) -> AuthenticatedClient {
        switch attempt {
        case .secretBasic(let clientID, let secret):
            return try await authenticateSecret(clientID: clientID, secret: secret, method: .clientSecretBasic, at: now)
        case .secretPost(let clientID, let secret):
            return try await authenticateSecret(clientID: clientID, secret: secret, method: .clientSecretPost, at: now)
        case .assertion(let assertion, let formClientID):
            return try await assertions.authenticate(assertion, formClientID: formClientID, at: now)
        case .mutualTLS(let clientID, let certificate):
            return try await mutualTLS.authenticate(clientID: clientID, certificate: certificate, at: now)
        }
    }

    private func authenticateSecret(
        clientID: String, secret: String, method: ClientAuthenticationMethod, at now: Date
    ) async throws(TokenEndpointError) -> AuthenticatedClient {
        let registration = try await ClientAssertionValidator.registration(clientID, in: store)
        guard registration.client.authenticationMethods.contains(method) else { throw .invalidClient(.methodNotRegistered) }
        guard await secrets.verify(secret, registration: registration, at: now) else { throw .invalidClient(.secretMismatch) }
        return AuthenticatedClient(registration: registration, method: method, pendingAssertionID: nil)
    }
}
