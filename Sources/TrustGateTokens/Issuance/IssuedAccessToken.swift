import Foundation
import TrustGateJOSE

/// An access token as issued: the compact JWT and what the token response says about it.
struct IssuedAccessToken: Sendable {
    let token: String
    /// `exp - iat` (AT-5).
    let expiresIn: Int
    let scope: String
    let keyID: String
    let tokenID: String
    /// The claims as signed.
    let claims: JSONObject

    /// RFC 6749 §5.1 (ER-1): `access_token`, `token_type: Bearer` (also when certificate-bound, CB-2),
    /// `expires_in`, `scope`. No refresh token (GR-5).
    var responseObject: JSONObject {
        [
            "access_token": .string(token),
            "token_type": "Bearer",
            "expires_in": .integer(Int64(expiresIn)),
            "scope": .string(scope),
        ]
    }
}
