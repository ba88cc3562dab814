public import AsyncHTTPClient
public import Foundation
import TrustGateJOSE

/// Validates JWT access tokens from one issuer (OAUTH-CHECKLIST RS-2 … RS-8):
///
/// 1. compact JWS, strict base64url, no duplicate header members, no `crit`/`b64`;
/// 2. `alg` in the issuer's allow-list before any key is touched (RS-5);
/// 3. `typ` one of the issuer's token types, case-insensitively; no `typ` fails (RS-2);
/// 4. the signature with the issuer's keys only, selected by `kid`; an unknown `kid` triggers one rate-limited
///    JWKS refetch (RS-5);
/// 5. `iss` exact (RS-3), `aud` containing one of the API's identifiers (RS-4), `exp` required and `exp`/`nbf`/
///    `iat` within the skew (RS-6), dates as JSON numbers;
/// 6. `cnf.x5t#S256` equal to the SHA-256 of this request's certificate (RS-8); other `cnf` methods refused;
///    unbound tokens refused when the issuer requires binding.
///
/// Tokens that pass are cached by their SHA-256 until they expire, so a token's signature is checked once; each
/// later use re-runs step 5's time checks and step 6's binding check against its own request.
public final class JWTAccessTokenValidator: Sendable {
    public let settings: JWTIssuerSettings
    private let keyProvider: JWKSKeyProvider
    private let cache: VerifiedTokenCache
    private let acceptedTypes: Set<String>

    /// - Parameters:
    ///   - httpClient: the client for a `.url` key source; nil uses one process-wide client.
    ///   - cacheCapacity: verified tokens kept at most (the oldest are evicted first).
    public init(settings: JWTIssuerSettings, httpClient: HTTPClient? = nil, cacheCapacity: Int = 10_000) {
        self.settings = settings
        self.keyProvider = JWKSKeyProvider(settings: settings, httpClient: httpClient)
        self.cache = VerifiedTokenCache(capacity: cacheCapacity)
        self.acceptedTypes = Set(settings.tokenTypes.map { $0.lowercased() })
    }

    /// The outcome for a token already verified, without suspending; nil when the token is not in the cache.
    public func cachedResult(
        for token: String, presentedCertificateLeafDER: [UInt8]?, now: Date = Date()
    ) -> Result<AccessTokenClaims, TokenRejection>? {
        guard let claims = cache.claims(for: VerifiedTokenCache.key(for: token), now: now) else { return nil }
        if let problem = AccessTokenRequestChecks.check(
            claims, clockSkew: settings.clockSkew, presentedCertificateLeafDER: presentedCertificateLeafDER, now: now)
        {
            return .failure(problem)
        }
        return .success(claims)
    }

    public func validate(
        _ token: String, presentedCertificateLeafDER: [UInt8]?, now: Date = Date()
    ) async throws(TokenRejection) -> AccessTokenClaims {
        if let cached = cachedResult(for: token, presentedCertificateLeafDER: presentedCertificateLeafDER, now: now) {
            return try cached.get()
        }

        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: token)
        } catch {
            throw Self.rejection(for: error)
        }
        guard settings.algorithms.contains(jws.header.algorithm) else { throw .algorithmNotAllowed(jws.header.algorithm) }
        guard let type = jws.header.type else { throw .missingType }
        guard acceptedTypes.contains(type.lowercased()) else { throw .typeNotAccepted }

        let verified = try await verifySignature(jws, now: now)

        let payload: JSONObject?
        do {
            payload = try StrictJSONParser.parseObject(verified.payload)
        } catch {
            throw .malformed("payload: \(error)")
        }
        guard let payload else { throw .malformed("the payload is not a JSON object") }

        let claims = try AccessTokenClaimsDecoder.decode(payload)
        guard claims.issuer == settings.issuer else { throw .wrongIssuer }
        guard claims.audiences.contains(where: settings.audiences.contains) else { throw .wrongAudience }
        if settings.requireCertificateBinding, claims.certificateThumbprintSHA256 == nil {
            throw .certificateBindingRequired
        }
        if let problem = AccessTokenRequestChecks.check(
            claims, clockSkew: settings.clockSkew, presentedCertificateLeafDER: presentedCertificateLeafDER, now: now)
        {
            // A binding failure is about this request, not the token: remember the verified token anyway.
            if problem == .certificateRequired || problem == .certificateMismatch {
                cache.insert(claims, for: VerifiedTokenCache.key(for: token))
            }
            throw problem
        }
        cache.insert(claims, for: VerifiedTokenCache.key(for: token))
        return claims
    }

    /// Why the issuer's keys last failed to load, if they did (for logs and `--check-config`; never sent to clients).
    public func keySourceProblem() async -> JWKSLoadError? {
        await keyProvider.lastError
    }

    private func verifySignature(_ jws: CompactJWS, now: Date) async throws(TokenRejection) -> VerifiedJWS {
        guard let keys = await keyProvider.currentKeys(now: now) else { throw .keysUnavailable }
        do {
            return try JWSVerifier.verify(jws, keys: keys, allowedAlgorithms: settings.algorithms)
        } catch where error.code == .noMatchingKey && error.keyID != nil {
            // A kid the set lacks may be a key the issuer rotated in since the last fetch.
            guard let refreshed = await keyProvider.keysAfterUnknownKeyID(now: now) else { throw .unknownKey }
            do {
                return try JWSVerifier.verify(jws, keys: refreshed, allowedAlgorithms: settings.algorithms)
            } catch {
                throw Self.rejection(for: error)
            }
        } catch {
            throw Self.rejection(for: error)
        }
    }

    private static func rejection(for error: JWSError) -> TokenRejection {
        switch error.code {
        case .malformed: return .malformed(error.reason ?? error.message)
        case .unsupportedAlgorithm: return .unsupportedAlgorithm
        case .algorithmNotAllowed:
            guard let algorithm = error.algorithm else { return .malformed(error.message) }
            return .algorithmNotAllowed(algorithm)
        case .noMatchingKey: return .unknownKey
        case .keyNotUsable: return .keyNotUsable
        case .badSignature: return .badSignature
        // criticalHeaderParameters, unencodedPayload, and whatever a later TrustGateJOSE adds.
        default: return .malformed(error.description)
        }
    }
}
