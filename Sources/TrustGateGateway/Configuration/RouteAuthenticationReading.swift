import TrustGateAuth
import TrustGateConfiguration
import TrustGateX509

/// Reads a route's `auth`, `allow_insecure_auth`, `principal_headers` and `forward_credentials`, and
/// refuses requirements that could never be met where the route serves.
///
/// ```yaml
/// auth_schemes:                      # named ways to authenticate; `certificate` is built in
///   staff: { type: basic, realm: "Loyalty API", users: { connector: "$pbkdf2-sha256$…" } }
///   functions: { type: api_key, header: x-functions-key, keys: { b2c: "$sha256$…" } }
///   entra: { type: jwt, issuer: https://…/v2.0, audience: api://loyalty, jwks_file: jwks.json, token_types: [JWT] }
/// routes:
///   - path: /api
///     upstream: app
///     auth:                          # a scheme name, { any_of: [...] } or { all_of: [...] }; an item may be
///       all_of:                      # { scheme: NAME, roles: [...], scopes: [...], claims: {...}, app_only: true }
///         - certificate
///         - { scheme: entra, roles: [service-api], claims: { azpacr: "2" } }
///     allow_insecure_auth: false     # accept passwords/keys/tokens over plain HTTP (default false)
///     principal_headers: true        # true = X-TrustGate-Principal, -Auth-Method, -Roles, -Scopes, -Client-Id;
///                                    # or a mapping { name:, method:, roles:, scopes:, client_id: } (null omits one)
///     forward_credentials: false     # pass Authorization / API-key headers upstream (default false)
/// ```
enum RouteAuthenticationReading {
    static let dependentKeys = ["allow_insecure_auth", "principal_headers", "forward_credentials"]

    static func read(
        _ map: ConfigurationMapping, route: RouteConfiguration, listeners: [ListenerConfiguration], schemes: AuthenticationSchemes
    ) throws -> RouteAuthentication? {
        guard let auth = map["auth"] else {
            for key in dependentKeys {
                if let node = map[key] { throw node.error("'\(key)' applies to a route's `auth` requirement, and this route has none") }
            }
            return nil
        }
        var authentication = RouteAuthentication(requirement: try AuthenticationRequirementConfiguration.parse(auth, schemes: schemes))
        if let node = map["allow_insecure_auth"] { authentication.allowInsecure = try node.bool() }
        if let node = map["forward_credentials"] { authentication.forwardCredentials = try node.bool() }
        if let node = map["principal_headers"] { authentication.principalHeaders = try principalHeaders(node) }
        try checkSatisfiable(authentication, route: route, listeners: listeners, node: auth)
        return authentication
    }

    // MARK: - principal_headers

    private static let principalHeaderKeys = ["name", "method", "roles", "scopes", "client_id"]

    static func principalHeaders(_ node: ConfigurationNode) throws -> PrincipalHeaderNames? {
        if let flag = try? node.bool() { return flag ? .standard : nil }
        let map = try node.mapping(allowedKeys: Set(principalHeaderKeys))
        var names = PrincipalHeaderNames()
        var seen: Set<String> = []
        for key in principalHeaderKeys {
            guard let item = map[key], !item.isNull else { continue }
            if let flag = try? item.bool() {
                guard !flag else { throw item.error("give a header name, or null / false to leave it out") }
                continue
            }
            let name = try headerName(item)
            guard seen.insert(name.lowercased()).inserted else { throw item.error("'\(name)' is used for two principal headers") }
            switch key {
            case "name": names.name = name
            case "method": names.method = name
            case "roles": names.roles = name
            case "scopes": names.scopes = name
            default: names.clientID = name
            }
        }
        guard !names.lowercasedNames.isEmpty else { throw node.error("names no header: use `principal_headers: false`") }
        return names
    }

    /// A header name the gateway may set: an RFC 9110 token, and not one the gateway, HTTP or the
    /// credentials themselves already give a meaning to.
    private static func headerName(_ node: ConfigurationNode) throws -> String {
        let name = try node.nonEmptyString()
        let token = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
        guard token else { throw node.error("'\(name)' is not a valid header name") }
        let lowered = name.lowercased()
        switch RequestHeaderClass.of(lowered) {
        case .endToEnd, .spoofable:
            break
        case .underscored:
            // Client headers with `_` are dropped by default and fold into `-` names in many application
            // stacks: a principal header spelled so would be ambiguous.
            throw node.error("'\(name)' contains '_': use '-' (header names with underscores are dropped from requests by default)")
        default:
            throw node.error("'\(name)' is a header the gateway or HTTP itself manages")
        }
        let reserved: Set<String> = ["authorization", "cookie", "content-length", "content-type", "x-functions-key"]
        guard !reserved.contains(lowered), !ForwardedCertificateFormat.allHeaderNames.contains(lowered) else {
            throw node.error("'\(name)' already carries a credential or a certificate")
        }
        return name
    }

    // MARK: - Could the requirement ever be met?

    private static func checkSatisfiable(_ authentication: RouteAuthentication, route: RouteConfiguration, listeners: [ListenerConfiguration], node: ConfigurationNode) throws {
        let requirement = authentication.requirement
        for listener in listeners {
            for host in listener.hosts {
                guard route.hosts.isEmpty || host.names.contains(where: route.hosts.contains) else { continue }
                let place = "host '\(host.names[0])' of listener '\(listener.name)'"
                if host.clientCertificates.mode == .ignore, !requirement.canSucceed(withCertificate: false, withOtherCredentials: true) {
                    throw node.error(
                        "route '\(route.name)' can only be satisfied with a client certificate, but it serves \(place), whose client_certificate mode is ignore (no certificate is asked for or taken from a trusted proxy)")
                }
                if listener.tls == nil, listener.trustedProxies == nil, !authentication.allowInsecure,
                   !requirement.canSucceed(withCertificate: false, withOtherCredentials: false),
                   !requirement.canSucceed(withCertificate: true, withOtherCredentials: false) || host.clientCertificates.mode == .ignore
                {
                    throw node.error(
                        "route '\(route.name)' takes passwords, keys or tokens on plain-HTTP \(place), where they are refused (they would travel in clear): use a TLS listener, declare the TLS-terminating proxy in trusted_proxies (its X-Forwarded-Proto: https is then believed), or set allow_insecure_auth: true")
                }
            }
        }
    }
}

extension AuthenticationRequirement {
    /// Whether some way of meeting the requirement uses only the kinds of credential allowed here.
    func canSucceed(withCertificate: Bool, withOtherCredentials: Bool) -> Bool {
        switch node {
        case .scheme(let scheme):
            return scheme.authenticator.method == .clientCertificate ? withCertificate : withOtherCredentials
        case .anyOf(let children):
            return children.contains { $0.canSucceed(withCertificate: withCertificate, withOtherCredentials: withOtherCredentials) }
        case .allOf(let children):
            return children.allSatisfy { $0.canSucceed(withCertificate: withCertificate, withOtherCredentials: withOtherCredentials) }
        }
    }
}
