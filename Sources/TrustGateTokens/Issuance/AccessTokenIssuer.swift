import Foundation
import TrustGateJOSE
import TrustGateStore

/// Builds and signs the access token (AT-1 … AT-6, CB-1): an RFC 9068 JWT with `typ: at+jwt`, and for resources
/// with the Entra profile the claims resource servers written for Entra ID look for.
struct AccessTokenIssuer: Sendable {
    let settings: TokenServiceSettings
    let signer: TokenSigner

    /// RFC 9068 §2.1: the media type of JWT access tokens, without `application/`.
    static let tokenType = "at+jwt"

    func issue(
        to client: AuthenticatedClient,
        access: GrantedAccess,
        certificateThumbprint: String?,
        at now: Date
    ) async throws(TokenEndpointError) -> IssuedAccessToken {
        let key = try await signer.currentKey(at: now)
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let lifetime = Self.lifetime(client: client.client, resource: access.resource)
        let tokenID = UUID().uuidString.lowercased()
        let claims = self.claims(
            client: client, access: access, certificateThumbprint: certificateThumbprint, issuedAt: issuedAt,
            lifetime: lifetime, tokenID: tokenID)
        let header = JWSHeader(algorithm: key.algorithm, keyID: key.keyID, type: Self.tokenType)
        let token: String
        do {
            token = try key.signer.sign(claims: claims, header: header)
        } catch {
            throw .serverError(.signingFailed)
        }
        return IssuedAccessToken(
            token: token, expiresIn: lifetime, scope: access.scope, keyID: key.keyID, tokenID: tokenID, claims: claims)
    }

    /// The client's lifetime, shortened by the resource's when it sets one.
    static func lifetime(client: Client, resource: Resource) -> Int {
        min(client.tokenLifetime.seconds, resource.accessTokenLifetime?.seconds ?? .max)
    }

    func claims(
        client authenticated: AuthenticatedClient,
        access: GrantedAccess,
        certificateThumbprint: String?,
        issuedAt: Int64,
        lifetime: Int,
        tokenID: String
    ) -> JSONObject {
        let client = authenticated.client
        var claims: JSONObject = [
            "iss": .string(settings.urls.issuer),
            "aud": .string(access.resource.identifier),
            "iat": .integer(issuedAt),
            "nbf": .integer(issuedAt),
            "exp": .integer(issuedAt + Int64(lifetime)),
            "jti": .string(tokenID),
            "client_id": .string(client.id),
        ]
        if !access.roles.isEmpty {
            claims["roles"] = .array(access.roles.map { .string($0) })
        }
        if let certificateThumbprint {
            claims["cnf"] = .object(["x5t#S256": .string(certificateThumbprint)])
        }
        switch access.resource.tokenProfile {
        case .rfc9068:
            // RFC 9068 §2.2: for client credentials the subject is the client.
            claims["sub"] = .string(client.id)
            claims["scope"] = .string(access.scope)
        case .entra:
            // Entra ID v2 app-only tokens: the subject is the client's object id, `azp` names the client and
            // `azpacr` says how it proved itself; no `scp`/`scope` (that is how resource servers tell app-only
            // tokens apart, RS-7).
            let objectID = client.objectID.uuidString.lowercased()
            claims["sub"] = .string(objectID)
            claims["oid"] = .string(objectID)
            claims["azp"] = .string(client.id)
            claims["azpacr"] = .string(authenticated.method.usesCertificate ? "2" : "1")
            claims["idtyp"] = "app"
            claims["ver"] = "2.0"
            if let tenantID = settings.effectiveTenantID { claims["tid"] = .string(tenantID) }
        }
        return claims
    }
}
