import Crypto
import Foundation
import TrustGateAuth
import TrustGateStore
import TrustGateX509

/// RFC 8705 §2 client authentication with the certificate of the TLS connection (or of a trusted proxy's RFC 9440
/// header): `tls_client_auth` (MT-1: the chain validates to one of the client's SN/I rules' CAs and the leaf carries
/// the rule's subject DN / SAN) or `self_signed_tls_client_auth` (MT-2: the leaf is one of the client's registered
/// certificates, by SHA-256). Both bind the certificate to the named client only (MT-3): another client's valid
/// certificate matches none of this client's rules or registrations.
struct MutualTLSAuthenticator: Sendable {
    let settings: TokenServiceSettings
    let store: any RegistrationStore
    let policies: SubjectIssuerPolicies

    func authenticate(clientID: String, certificate: ClientCertificateEvidence, at now: Date) async throws(TokenEndpointError) -> AuthenticatedClient {
        let registration = try await ClientAssertionValidator.registration(clientID, in: store)
        let methods = registration.client.authenticationMethods
        let allowsCA = methods.contains(.tlsClientAuth)
        let allowsSelfSigned = methods.contains(.selfSignedTLSClientAuth)
        guard allowsCA || allowsSelfSigned else { throw .invalidClient(.methodNotRegistered) }
        let chain = certificate.chain.derCertificates
        guard let leaf = chain.first else { throw .invalidClient(.noClientCertificate) }

        var failure = TokenRefusalReason.certificateUntrusted
        if allowsCA, !registration.subjectIssuerRules.isEmpty {
            switch await policies.evaluate(chain, rules: registration.subjectIssuerRules) {
            case .accepted:
                return AuthenticatedClient(registration: registration, method: .tlsClientAuth, pendingAssertionID: nil)
            case .untrusted: failure = .certificateUntrusted
            case .identityMismatch: failure = .certificateIdentityMismatch
            }
        }
        if allowsSelfSigned {
            let digest = Array(SHA256.hash(data: leaf))
            if let registered = registration.certificates.first(where: { $0.sha256 == digest }) {
                guard registered.isValid(at: now, skew: settings.clockSkew) else { throw .invalidClient(.certificateNotValid) }
                return AuthenticatedClient(registration: registration, method: .selfSignedTLSClientAuth, pendingAssertionID: nil)
            }
            if !allowsCA || registration.subjectIssuerRules.isEmpty { failure = .certificateNotRegistered }
        }
        throw .invalidClient(failure)
    }
}
