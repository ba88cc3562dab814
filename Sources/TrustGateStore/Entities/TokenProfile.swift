/// Which claims an access token for a resource carries.
public enum TokenProfile: String, Sendable, Hashable, CaseIterable, Codable {
    /// RFC 9068: `iss sub aud exp iat nbf jti client_id` plus `scope` / `roles`.
    case rfc9068
    /// RFC 9068 plus the Entra ID v2 claims resource servers written for Entra look for: `azp`, `azpacr`
    /// ("1" secret, "2" certificate), `idtyp: app`, `tid`, `oid`, `ver: "2.0"`.
    case entra
}
