public import Foundation

/// The claims of a validated access token that authorization decisions use, typed once at validation.
public struct AccessTokenClaims: Sendable {
    public var issuer: String
    public var subject: String?
    public var audiences: [String]
    public var expiresAt: Date
    public var notBefore: Date?
    public var issuedAt: Date?
    public var tokenID: String?
    /// `client_id` (RFC 9068) or `azp` / `appid` (Entra).
    public var clientID: String?
    /// `scope` (space-separated, RFC 9068) or `scp` (Entra).
    public var scopes: [String]
    public var roles: [String]
    /// Entra: how the client authenticated — "0" public, "1" secret, "2" certificate.
    public var azpacr: String?
    public var appidacr: String?
    /// Entra: "app" for app-only tokens.
    public var idtyp: String?
    /// RFC 8705 `cnf.x5t#S256`: base64url SHA-256 of the certificate the token is bound to.
    public var certificateThumbprintSHA256: String?
    /// Every claim as decoded JSON (for claim rules and upstream headers); values are JSON types.
    public var all: [String: any Sendable]

    public init(
        issuer: String, subject: String?, audiences: [String], expiresAt: Date, notBefore: Date?, issuedAt: Date?,
        tokenID: String?, clientID: String?, scopes: [String], roles: [String], azpacr: String?, appidacr: String?,
        idtyp: String?, certificateThumbprintSHA256: String?, all: [String: any Sendable]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.tokenID = tokenID
        self.clientID = clientID
        self.scopes = scopes
        self.roles = roles
        self.azpacr = azpacr
        self.appidacr = appidacr
        self.idtyp = idtyp
        self.certificateThumbprintSHA256 = certificateThumbprintSHA256
        self.all = all
    }

    /// App-only (no user): Entra's `idtyp` when present; otherwise RFC 9068 §2.2's client-credentials shape
    /// (`sub` is the client itself — such tokens may carry `scope`), or Entra's rule for tokens without
    /// `idtyp`: no delegated scope at all.
    public var isAppOnly: Bool {
        if let idtyp { return idtyp == "app" }
        if let subject, let clientID, subject == clientID { return true }
        return scopes.isEmpty
    }
}
