public import TrustGateAuth

/// What a route demands beyond the host's certificate rule: HTTP Basic, an API key, a bearer token, a
/// certificate — alone, any of several, or all of several (`auth:` on a route).
public struct RouteAuthentication: Sendable {
    public var requirement: AuthenticationRequirement
    /// B2C's `AllowInsecureAuthInProduction`: accept passwords, keys and tokens that arrived over plain HTTP
    /// (behind a TLS-terminating proxy the gateway does not know as one). Default false.
    public var allowInsecure: Bool
    /// Headers that tell the upstream who was authenticated; nil: none are added.
    public var principalHeaders: PrincipalHeaderNames?
    /// Pass the credentials the route consumed (Authorization, API-key headers) on to the upstream. Default
    /// false, as Envoy's `jwt_authn` (`forward: false`): the upstream learns the principal from the headers
    /// above, and a password or token it never needed cannot leak from it.
    public var forwardCredentials: Bool

    public init(requirement: AuthenticationRequirement, allowInsecure: Bool = false, principalHeaders: PrincipalHeaderNames? = nil, forwardCredentials: Bool = false) {
        self.requirement = requirement
        self.allowInsecure = allowInsecure
        self.principalHeaders = principalHeaders
        self.forwardCredentials = forwardCredentials
    }
}

/// Names of the headers carrying the authenticated principal upstream; a nil name is not sent. Incoming
/// copies of every configured name are removed from the client's request, as certificate headers are.
public struct PrincipalHeaderNames: Sendable, Equatable {
    /// The principal's name (user, key name, token subject or client, certificate subject).
    public var name: String?
    /// How it authenticated: `certificate`, `basic`, `api_key`, `bearer_token`, `jwt` (comma-separated when
    /// several were required).
    public var method: String?
    public var roles: String?
    public var scopes: String?
    /// The token's client (`client_id` / `azp` / `appid`).
    public var clientID: String?

    public init(name: String? = nil, method: String? = nil, roles: String? = nil, scopes: String? = nil, clientID: String? = nil) {
        self.name = name
        self.method = method
        self.roles = roles
        self.scopes = scopes
        self.clientID = clientID
    }

    /// `principal_headers: true`.
    public static let standard = PrincipalHeaderNames(
        name: "X-TrustGate-Principal", method: "X-TrustGate-Auth-Method", roles: "X-TrustGate-Roles",
        scopes: "X-TrustGate-Scopes", clientID: "X-TrustGate-Client-Id")

    /// The configured names, lower-cased.
    public var lowercasedNames: [String] {
        [name, method, roles, scopes, clientID].compactMap { $0?.lowercased() }
    }

    /// The header fields for `principal`. Values are reduced to visible ASCII and spaces: a name or role from
    /// a token or a certificate can never split or inject a header.
    public func fields(for principal: Principal) -> [(String, String)] {
        var fields: [(String, String)] = []
        if let name { fields.append((name, Self.sanitised(principal.name))) }
        if let method { fields.append((method, principal.methods.map(\.rawValue).joined(separator: ","))) }
        if let roles, !principal.roles.isEmpty { fields.append((roles, Self.sanitised(principal.roles.joined(separator: ",")))) }
        if let scopes, !principal.scopes.isEmpty { fields.append((scopes, Self.sanitised(principal.scopes.joined(separator: " ")))) }
        if let clientID, let client = principal.token?.clientID { fields.append((clientID, Self.sanitised(client))) }
        return fields
    }

    /// Non-ASCII and control characters become percent-escapes (UTF-8), so the value survives as text and
    /// the upstream can decode it.
    static func sanitised(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
