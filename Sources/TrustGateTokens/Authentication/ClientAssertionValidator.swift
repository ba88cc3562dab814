import Crypto
import Foundation
import SwiftASN1
import Synchronization
import TrustGateJOSE
import TrustGateStore
import X509

/// `private_key_jwt` (RFC 7523 §3, OAUTH-CHECKLIST CA-1 … CA-19): parses the assertion, finds the client it names,
/// verifies the signature with a key registered for that client (or vouched for by one of its SN/I rules), then
/// checks audience, times and `jti`. The `jti` is not recorded here: the endpoint records it once the whole
/// request is valid (CA-10), so a rejected request never burns it.
///
/// Every failure is `invalid_client` with the same description (CA-18); the reason goes to the audit log.
final class ClientAssertionValidator: Sendable {
    private let settings: TokenServiceSettings
    private let store: any RegistrationStore
    private let policies: SubjectIssuerPolicies
    private let parsingOptions: JWSHeaderParsingOptions
    /// Verification keys of registered certificates by SHA-256: parsed once, not per assertion.
    private let registeredKeys = Mutex<[[UInt8]: JSONWebKey.Material]>([:])
    private static let registeredKeysCapacity = 4096

    init(settings: TokenServiceSettings, store: any RegistrationStore, policies: SubjectIssuerPolicies) {
        self.settings = settings
        self.store = store
        self.policies = policies
        self.parsingOptions = JWSHeaderParsingOptions(
            allowsLineBreaksInCertificates: settings.acceptLineBreaksInCertificateChain,
            allowsSingleCertificateString: settings.acceptSingleStringCertificateChain)
    }

    /// The `typ` rules of CA-4.
    private enum ExplicitType {
        /// No `typ`, or `JWT`: the audience may be the issuer or the token endpoint.
        case generic
        /// `client-authentication+jwt` (rfc7523bis): the audience must be the issuer, as a string.
        case clientAuthentication
    }

    func authenticate(_ assertion: String, formClientID: String?, at now: Date) async throws(TokenEndpointError) -> AuthenticatedClient {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: assertion, options: parsingOptions, maximumLength: settings.maximumAssertionLength)
        } catch {
            switch error.code {
            case .unsupportedAlgorithm: throw .invalidClient(.assertionAlgorithmNotAllowed)
            case .criticalHeaderParameters: throw .invalidClient(.assertionCriticalHeader)
            default: throw .invalidClient(.assertionMalformed)
            }
        }
        let header = jws.header
        if let chain = header.certificateChain, chain.count > settings.maximumAssertionCertificates {
            throw .invalidRequest(.tooManyAssertionCertificates, "x5c holds more than \(settings.maximumAssertionCertificates) certificates")
        }
        // CA-11: the allow-list applies before any key is looked at; HS* never passes it.
        guard settings.effectiveAssertionAlgorithms.contains(header.algorithm) else {
            throw .invalidClient(.assertionAlgorithmNotAllowed)
        }
        let explicitType = try Self.explicitType(header.type)

        let claims: AssertionClaims
        do {
            claims = try AssertionClaims(payload: jws.payload, acceptDigitStrings: settings.acceptStringNumericDates)
        } catch {
            switch error {
            case .notAnObject: throw .invalidClient(.assertionMalformed)
            case .issuerSubject: throw .invalidClient(.assertionIssuerSubject)
            case .audience: throw .invalidClient(.assertionAudience)
            case .date: throw .invalidClient(.assertionInvalidDate)
            }
        }
        // CA-1: iss == sub == client_id; TE-7: a form client_id must name the same client.
        guard claims.issuer == claims.subject else { throw .invalidClient(.assertionIssuerSubject) }
        if let formClientID, formClientID != claims.subject { throw .invalidClient(.clientIDMismatch) }

        let registration = try await Self.registration(claims.subject, in: store)
        let client = registration.client
        guard client.authenticationMethods.contains(.privateKeyJWT) else { throw .invalidClient(.methodNotRegistered) }
        if let registered = client.assertionSigningAlgorithm, registered != header.algorithm {
            throw .invalidClient(.assertionAlgorithmNotRegistered)
        }

        // CA-14 / CA-15 / CA-17: the key, then the signature, then (for an SN/I chain) the chain.
        let selection = try AssertionKeySelection.select(
            header: header, registered: registration.certificates, registeredKeys: try await registeredKeySet(client.id),
            hasSubjectIssuerRules: !registration.subjectIssuerRules.isEmpty)
        let material: JSONWebKey.Material
        switch selection {
        case .registered(let certificate):
            // CA-16: a registered certificate outside its validity no longer authenticates anyone.
            guard certificate.isValid(at: now, skew: settings.clockSkew) else {
                throw .invalidClient(.assertionCertificateNotValid)
            }
            material = try registeredKey(certificate)
            if let leaf = header.certificateChain?.first, Array(SHA256.hash(data: leaf)) != certificate.sha256 {
                // CA-17: an x5c sent along must carry the very key that verifies (a renewed certificate for the
                // same key passes).
                guard let presented = try? Certificate(derEncoded: leaf),
                    let registeredCertificate = try? certificate.certificate(),
                    presented.publicKey == registeredCertificate.publicKey
                else { throw .invalidClient(.assertionChainKeyMismatch) }
            }
        case .registeredKey(let key):
            // The JWK's own `alg` / `use` / `key_ops`, when it declares them, bind it to what it may verify.
            guard key.permitsVerification(with: header.algorithm) else { throw .invalidClient(.assertionUnsupportedKey) }
            material = key.material
        case .presentedChain(let chain):
            guard let leaf = try? Certificate(derEncoded: chain[0]) else { throw .invalidClient(.assertionMalformed) }
            material = try Self.verificationKey(leaf.publicKey)
        }
        try Self.verifySignature(jws, material: material)
        if case .presentedChain(let chain) = selection {
            switch await policies.evaluate(chain, rules: registration.subjectIssuerRules) {
            case .accepted: break
            case .untrusted: throw .invalidClient(.assertionChainUntrusted)
            case .identityMismatch: throw .invalidClient(.assertionChainIdentityMismatch)
            }
        }

        try checkAudience(claims.audience, explicitType: explicitType)
        let pending = try checkTimesAndIdentifier(claims, now: now)
        return AuthenticatedClient(
            registration: registration, method: .privateKeyJWT, pendingAssertionID: client.allowAssertionReuse ? nil : pending)
    }

    // MARK: - Steps

    static func registration(_ clientID: String, in store: any RegistrationStore) async throws(TokenEndpointError) -> ClientRegistration {
        let found: ClientRegistration?
        do {
            found = try await store.registration(clientID: clientID)
        } catch {
            throw .serverError(.storeFailure)
        }
        guard let found else { throw .invalidClient(.unknownClient) }
        return found
    }

    /// CA-4 and RFC 8725 §3.11: `typ` absent or `JWT` is a plain assertion; `client-authentication+jwt` (with or
    /// without `application/`) is rfc7523bis's explicit type; any other explicit type (`at+jwt`, `dpop+jwt`, …)
    /// is a different kind of token and refused.
    private static func explicitType(_ type: String?) throws(TokenEndpointError) -> ExplicitType {
        guard let type else { return .generic }
        var lowered = type.lowercased()
        if lowered.hasPrefix("application/") { lowered.removeFirst("application/".count) }
        switch lowered {
        case "jwt": return .generic
        case "client-authentication+jwt": return .clientAuthentication
        default: throw .invalidClient(.assertionType)
        }
    }

    /// CA-2 / CA-3 / CA-4: one audience, compared as a string with the issuer or (unless strict) the token
    /// endpoint; with the explicit type, exactly the issuer as a JSON string.
    private func checkAudience(_ audience: AssertionClaims.Audience?, explicitType: ExplicitType) throws(TokenEndpointError) {
        let issuer = settings.urls.issuer
        if explicitType == .clientAuthentication {
            guard audience == .string(issuer) else { throw .invalidClient(.assertionExplicitTypeAudience) }
            return
        }
        let value: String
        switch audience {
        case .string(let single)?: value = single
        case .array(let values)?:
            guard values.count <= 1 else { throw .invalidClient(.assertionMultipleAudiences) }
            guard let single = values.first else { throw .invalidClient(.assertionAudience) }
            value = single
        case nil: throw .invalidClient(.assertionAudience)
        }
        let accepted = settings.strictAssertionAudience ? [issuer] : [issuer, settings.urls.tokenEndpoint]
        guard accepted.contains(value) else { throw .invalidClient(.assertionAudience) }
    }

    /// CA-5 … CA-7 and CA-9; returns the replay record to write (CA-10).
    private func checkTimesAndIdentifier(_ claims: AssertionClaims, now date: Date) throws(TokenEndpointError) -> PendingAssertionID {
        let now = date.timeIntervalSince1970
        let skew = settings.clockSkew
        let maximumAge = settings.maximumAssertionAge
        guard let expiresAt = claims.expiresAt else { throw .invalidClient(.assertionMissingExpiry) }
        guard now < expiresAt + skew else { throw .invalidClient(.assertionExpired) }
        if let notBefore = claims.notBefore, notBefore >= now + skew { throw .invalidClient(.assertionNotYetValid) }
        if let issuedAt = claims.issuedAt {
            guard issuedAt < now + skew else { throw .invalidClient(.assertionIssuedInFuture) }
            guard now - issuedAt <= maximumAge else { throw .invalidClient(.assertionTooOld) }
        } else {
            // Keycloak's rule, with a larger bound: without iat, exp itself must not be unreasonably far.
            guard expiresAt - now <= maximumAge + skew else { throw .invalidClient(.assertionLifetimeTooLong) }
        }
        guard let jti = claims.tokenID, !jti.isEmpty else { throw .invalidClient(.assertionMissingJTI) }
        guard jti.unicodeScalars.count <= settings.maximumJTILength else { throw .invalidClient(.assertionJTITooLong) }
        let keepUntil = min(expiresAt, (claims.issuedAt ?? .infinity) + maximumAge) + skew
        return PendingAssertionID(jti: jti, expiresAt: Date(timeIntervalSince1970: keepUntil))
    }

    /// The client's registered JWKS (CA-14), when the store keeps them. A stored key that no longer parses is
    /// left out rather than failing every assertion of the client.
    private func registeredKeySet(_ clientID: String) async throws(TokenEndpointError) -> [JSONWebKey] {
        guard let keyStore = store as? any ClientKeySetStore else { return [] }
        let stored: [ClientJSONWebKey]
        do {
            stored = try await keyStore.clientKeys(clientID: clientID)
        } catch {
            throw .serverError(.storeFailure)
        }
        return stored.compactMap { try? $0.key() }
    }

    private func registeredKey(_ certificate: ClientCertificate) throws(TokenEndpointError) -> JSONWebKey.Material {
        if let cached = registeredKeys.withLock({ $0[certificate.sha256] }) { return cached }
        guard let parsed = try? certificate.certificate() else { throw .invalidClient(.assertionUnsupportedKey) }
        let material = try Self.verificationKey(parsed.publicKey)
        registeredKeys.withLock { keys in
            if keys.count >= Self.registeredKeysCapacity { keys.removeAll() }
            keys[certificate.sha256] = material
        }
        return material
    }

    private static func verificationKey(_ publicKey: Certificate.PublicKey) throws(TokenEndpointError) -> JSONWebKey.Material {
        do {
            return try CertificateVerificationKey.material(of: publicKey)
        } catch {
            switch error {
            case .weakRSAKey: throw .invalidClient(.assertionWeakKey)
            case .unsupportedKeyType: throw .invalidClient(.assertionUnsupportedKey)
            }
        }
    }

    /// CA-11 / CA-12: the header's algorithm with the chosen key only; the key type must fit the algorithm and ES*
    /// signatures must be raw r‖s (`JWSVerifier`).
    private static func verifySignature(_ jws: CompactJWS, material: JSONWebKey.Material) throws(TokenEndpointError) {
        guard let key = try? JSONWebKey(material: material, keyID: jws.header.keyID, use: "sig") else {
            throw .invalidClient(.assertionUnsupportedKey)
        }
        do {
            _ = try JWSVerifier.verify(jws, keys: [key], allowedAlgorithms: [jws.header.algorithm])
        } catch {
            switch error {
            case .badSignature: throw .invalidClient(.assertionBadSignature)
            default: throw .invalidClient(.assertionUnsupportedKey)
            }
        }
    }
}
