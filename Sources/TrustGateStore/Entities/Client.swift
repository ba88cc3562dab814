public import Foundation
public import TrustGateJOSE

/// A confidential client registered for the client-credentials grant.
public struct Client: Sendable, Hashable {
    /// `client_id`: given at registration or a generated UUID.
    public var id: String
    /// A stable object id, distinct from `client_id`, for the Entra profile's `oid` (and `sub` where a resource
    /// server wants an opaque subject).
    public var objectID: UUID
    public var name: String
    /// A disabled client keeps its registration but gets no tokens.
    public var enabled: Bool
    /// The methods this client may authenticate with; any other is refused even when its credentials are right.
    public var authenticationMethods: Set<ClientAuthenticationMethod>
    public var tokenLifetime: TokenLifetime
    /// Accept a repeated assertion `jti` from this client while the assertion is unexpired: OIDC Core §9's
    /// "negotiated" exception, for MSAL Python, which reuses one assertion for up to 9 minutes.
    public var allowAssertionReuse: Bool
    /// RFC 8705 `tls_client_certificate_bound_access_tokens`: tokens carry `cnf.x5t#S256`, and a request
    /// without a client certificate is refused.
    public var certificateBoundAccessTokens: Bool
    /// OIDC `token_endpoint_auth_signing_alg`: when set, assertions must be signed with exactly this algorithm.
    public var assertionSigningAlgorithm: JWSAlgorithm?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String? = nil,
        objectID: UUID = UUID(),
        name: String,
        enabled: Bool = true,
        authenticationMethods: Set<ClientAuthenticationMethod>,
        tokenLifetime: TokenLifetime = .default,
        allowAssertionReuse: Bool = false,
        certificateBoundAccessTokens: Bool = false,
        assertionSigningAlgorithm: JWSAlgorithm? = nil,
        createdAt: Date = Date(),
        updatedAt: Date? = nil
    ) throws(InvalidRegistrationValue) {
        self.id = id ?? UUID().uuidString.lowercased()
        self.objectID = objectID
        self.name = name
        self.enabled = enabled
        self.authenticationMethods = authenticationMethods
        self.tokenLifetime = tokenLifetime
        self.allowAssertionReuse = allowAssertionReuse
        self.certificateBoundAccessTokens = certificateBoundAccessTokens
        self.assertionSigningAlgorithm = assertionSigningAlgorithm
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        try validate()
    }

    /// The rules every stored client satisfies; the store checks them again before writing.
    public func validate() throws(InvalidRegistrationValue) {
        try Self.checkID(id)
        try RegistrationText.checkName(name, field: "name")
        guard !authenticationMethods.isEmpty else {
            throw InvalidRegistrationValue(field: "authentication methods", reason: "give at least one method")
        }
        if let assertionSigningAlgorithm {
            guard Self.assertionAlgorithms.contains(assertionSigningAlgorithm) else {
                throw InvalidRegistrationValue(
                    field: "assertion signing algorithm",
                    reason: "\(assertionSigningAlgorithm.rawValue) is not an asymmetric algorithm a client assertion may use")
            }
        }
    }

    /// Asymmetric algorithms only: HS* under private_key_jwt would make the client's "public" key a shared secret.
    public static let assertionAlgorithms: Set<JWSAlgorithm> = Set(JWSAlgorithm.allCases.filter { !$0.isSymmetric })

    /// A client_id is used in Basic credentials, form bodies, token claims and log lines: visible characters only.
    public static func checkID(_ id: String) throws(InvalidRegistrationValue) {
        try RegistrationText.checkIdentifier(id, field: "client id")
    }

    /// The methods in a stable order (for output and storage).
    public var sortedAuthenticationMethods: [ClientAuthenticationMethod] { authenticationMethods.sorted() }
}
