public import TrustGateX509

/// Who made a request, and how they proved it.
public struct Principal: Sendable {
    /// The name upstreams and handlers see: the Basic user name, the API key's name, the token's `sub`
    /// (or client id for app tokens), or the certificate's subject DN (RFC 4514).
    public var name: String
    /// Every method that succeeded, in the order the requirement lists them (`all_of` gives several).
    public var methods: [AuthenticationMethod]
    /// The configured scheme names that succeeded, in the same order.
    public var schemes: [String]
    public var roles: [String]
    public var scopes: [String]
    /// The accepted certificate's identity, when a certificate was part of the proof.
    public var certificate: CertificateIdentity?
    /// The validated access token's claims, when a JWT was part of the proof.
    public var token: AccessTokenClaims?

    public init(
        name: String,
        methods: [AuthenticationMethod],
        schemes: [String],
        roles: [String] = [],
        scopes: [String] = [],
        certificate: CertificateIdentity? = nil,
        token: AccessTokenClaims? = nil
    ) {
        self.name = name
        self.methods = methods
        self.schemes = schemes
        self.roles = roles
        self.scopes = scopes
        self.certificate = certificate
        self.token = token
    }
}
