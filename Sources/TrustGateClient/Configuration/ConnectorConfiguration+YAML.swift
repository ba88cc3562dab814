import Foundation
import NIOHTTP1
public import TrustGateConfiguration
import TrustGateJOSE
import TrustGateX509

/// A connector file (`trustgate call --connector conn.yaml`). Unknown keys are errors; every error names the
/// file, line and key. Relative paths are relative to the file.
///
/// ```yaml
/// url: https://loyalty.example.com/api/validate
/// method: POST                     # default POST
/// send_claims_in: body             # body (JSON) | form | query | header
/// claims: { locale: en-US }        # sent with every call; the call's claims win
/// headers: { X-Caller: b2c }
/// allow_insecure_auth: false       # Basic / bearer / API key over http:// is refused unless true
/// authentication:
///   type: basic                    # none | basic | client_certificate | bearer | api_key
///   username: rest-username        # a named key; or { key: NAME } | { env: VAR } | { file: PATH }
///   password: { env: REST_PASSWORD }
/// tls:
///   ca: [ca.pem]                   # trusted CAs for the server (replace the system's)
///   client_certificate: { pfx: client.pfx, password: { env: PFX_PASSWORD } }
/// timeouts: { connect: 10s, request: 30s }
/// retry: { max_attempts: 3, base_delay: 200ms, max_delay: 5s, max_retry_after: 30s }
/// ```
///
/// Other authentication types:
/// ```yaml
/// authentication: { type: client_certificate, certificate: rest-client-cert }   # or { certificate: c.pem, private_key: c.key }
/// authentication: { type: api_key, header: x-functions-key, key: functions-key }
/// authentication: { type: bearer, token: rest-bearer-token }
/// authentication:
///   type: bearer
///   client_credentials:
///     issuer: https://login.example.com/tenant/v2.0      # discovery; or token_url: https://…/token
///     client_id: 00000000-0000-0000-0000-000000000001
///     scope: api://loyalty/.default
///     client_secret: loyalty-client-secret               # with client_secret_method: basic (default) | post
///     # or client_certificate: { key: loyalty-cert }  with assertion_algorithm: PS256 | RS256 | ES256, send_x5c, send_x5t
///     ca: [issuer-ca.pem]                                # default: tls.ca
/// ```
extension ConnectorConfiguration {
    public static func load(contentsOfFile path: String) throws -> ConnectorConfiguration {
        try parse(ConfigurationNode.load(contentsOfFile: path))
    }

    /// - Throws: `ConfigurationError` with file, line and key path.
    public static func parse(_ root: ConfigurationNode) throws -> ConnectorConfiguration {
        let mapping = try root.mapping(allowedKeys: [
            "url", "method", "authentication", "send_claims_in", "claims", "headers", "timeouts", "retry", "tls",
            "allow_insecure_auth", "max_response_bytes",
        ])
        let urlNode = try mapping.required("url")
        let url = try ConnectorYAML.url(urlNode)
        var configuration = ConnectorConfiguration(serviceURL: url)
        if let node = mapping["method"] { configuration.method = try ConnectorYAML.method(node) }
        if let node = mapping["send_claims_in"] { configuration.claimsPlacement = try node.oneOf(ClaimsPlacement.self) }
        if let node = mapping["claims"] { configuration.defaultClaims = try ConnectorYAML.claims(node) }
        if let node = mapping["headers"] { configuration.headers = try ConnectorYAML.headers(node) }
        if let node = mapping["allow_insecure_auth"] { configuration.allowInsecureAuthentication = try node.bool() }
        if let node = mapping["max_response_bytes"] { configuration.maximumResponseBytes = try node.integer(in: 1...(1 << 30)) }
        if let node = mapping["timeouts"] { configuration.timeouts = try ConnectorYAML.timeouts(node) }
        if let node = mapping["retry"] { configuration.retry = try ConnectorYAML.retry(node) }
        if let node = mapping["tls"] { configuration.tls = try ConnectorYAML.tls(node) }
        let authenticationNode = mapping["authentication"]
        if let node = authenticationNode { configuration.authentication = try ConnectorYAML.authentication(node) }

        do {
            try configuration.validate()
        } catch {
            let node: ConfigurationNode
            switch error.code {
            case .invalidURL where error == .invalidURL(url.absoluteString): node = urlNode
            case .invalidValue: node = authenticationNode ?? root
            default: node = authenticationNode ?? urlNode
            }
            throw node.error(error.description)
        }
        return configuration
    }
}

/// The pieces of a connector file, each read from its node.
enum ConnectorYAML {
    static func url(_ node: ConfigurationNode) throws -> URL {
        let text = try node.nonEmptyString()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else {
            throw node.error("expected an http or https URL with a host")
        }
        return url
    }

    static let methods: [String: HTTPMethod] = [
        "GET": .GET, "POST": .POST, "PUT": .PUT, "PATCH": .PATCH, "DELETE": .DELETE, "HEAD": .HEAD, "OPTIONS": .OPTIONS,
    ]

    static func method(_ node: ConfigurationNode) throws -> HTTPMethod {
        guard let method = methods[try node.nonEmptyString().uppercased()] else {
            throw node.error("expected one of: \(methods.keys.sorted().joined(separator: ", "))")
        }
        return method
    }

    static func claims(_ node: ConfigurationNode) throws -> JSONObject {
        let mapping = try node.mappingWithAnyKeys()
        var claims = JSONObject()
        for name in mapping.order {
            guard let value = mapping[name] else { claims[name] = .null; continue }
            if let list = try? value.list(), (try? value.string()) == nil {
                claims[name] = .array(try list.map { .string(try $0.string()) })
            } else {
                claims[name] = .string(try value.string())
            }
        }
        return claims
    }

    static func headers(_ node: ConfigurationNode) throws -> [(name: String, value: String)] {
        let mapping = try node.mappingWithAnyKeys()
        var headers: [(name: String, value: String)] = []
        for name in mapping.order {
            let value = try mapping.required(name)
            guard HTTPToken.isValid(name) else { throw value.error("'\(name)' is not a valid header name") }
            let text = try value.string()
            guard HTTPToken.isValidFieldValue(text) else { throw value.error("the value contains control characters") }
            headers.append((name, text))
        }
        return headers
    }

    static func timeouts(_ node: ConfigurationNode) throws -> ConnectorTimeouts {
        let mapping = try node.mapping(allowedKeys: ["connect", "request"])
        var timeouts = ConnectorTimeouts()
        if let connect = mapping["connect"] { timeouts.connect = try positive(connect, max: 600) }
        if let request = mapping["request"] { timeouts.request = try positive(request, max: 3600) }
        return timeouts
    }

    private static func positive(_ node: ConfigurationNode, max: TimeInterval) throws -> Double {
        let value = try node.duration(max: max)
        guard value > 0 else { throw node.error("must be more than 0") }
        return value
    }

    static func retry(_ node: ConfigurationNode) throws -> RetryPolicy {
        let mapping = try node.mapping(allowedKeys: ["max_attempts", "base_delay", "max_delay", "max_retry_after"])
        var policy = RetryPolicy.default
        if let value = mapping["max_attempts"] { policy.maximumAttempts = try value.integer(in: 1...10) }
        if let value = mapping["base_delay"] { policy.baseDelay = try value.duration(max: 60) }
        if let value = mapping["max_delay"] { policy.maximumDelay = try value.duration(max: 600) }
        if let value = mapping["max_retry_after"] { policy.maximumRetryAfter = try value.duration(max: 3600) }
        return policy
    }

    static func tls(_ node: ConfigurationNode) throws -> ConnectorTLS {
        let mapping = try node.mapping(allowedKeys: ["ca", "client_certificate"])
        var tls = ConnectorTLS()
        if let ca = mapping["ca"] { tls.trustedCAFiles = try ca.list().map { try $0.path() } }
        if let client = mapping["client_certificate"] { tls.clientCertificate = try identity(client) }
        return tls
    }

    // MARK: - Authentication

    static let authenticationKeys: [String: Set<String>] = [
        "none": ["type"],
        "basic": ["type", "username", "password"],
        "client_certificate": ["type", "certificate"],
        "bearer": ["type", "token", "client_credentials"],
        "api_key": ["type", "header", "key"],
    ]

    static func authentication(_ node: ConfigurationNode) throws -> ConnectorAuthentication {
        if let text = try? node.string() {
            guard text.trimmingCharacters(in: .whitespaces).lowercased() == "none" else {
                throw node.error("expected a mapping with a type (none, basic, client_certificate, bearer, api_key), or none")
            }
            return .none
        }
        // The type decides which keys are allowed: read it first, then the mapping against that type's keys.
        let typeNode = try node.mappingWithAnyKeys().required("type")
        let type = try typeNode.nonEmptyString().lowercased()
        guard let allowed = authenticationKeys[type] else {
            throw typeNode.error("expected one of: \(authenticationKeys.keys.sorted().joined(separator: ", "))")
        }
        let mapping = try node.mapping(allowedKeys: allowed)
        switch type {
        case "none":
            return .none
        case "basic":
            return .basic(username: try secret(mapping.required("username")), password: try secret(mapping.required("password")))
        case "client_certificate":
            return .clientCertificate(try identity(mapping.required("certificate")))
        case "api_key":
            let header = try mapping["header"].map { try $0.nonEmptyString() } ?? ConnectorAuthentication.defaultAPIKeyHeader
            if let headerNode = mapping["header"], !HTTPToken.isValid(header) { throw headerNode.error("'\(header)' is not a valid header name") }
            return .apiKey(header: header, key: try secret(mapping.required("key")))
        default:
            switch (mapping["token"], mapping["client_credentials"]) {
            case (let token?, nil): return .bearer(.fixed(try secret(token)))
            case (nil, let credentials?): return .bearer(.clientCredentials(try clientCredentials(credentials)))
            default: throw node.error("bearer needs exactly one of token (a fixed token) and client_credentials")
            }
        }
    }

    static func clientCredentials(_ node: ConfigurationNode) throws -> ClientCredentialsSettings {
        let mapping = try node.mapping(allowedKeys: [
            "issuer", "token_url", "client_id", "scope", "client_secret", "client_secret_method", "client_certificate",
            "assertion_algorithm", "send_x5c", "send_x5t", "ca",
        ])
        let endpoint: ClientCredentialsSettings.TokenEndpoint
        switch (mapping["issuer"], mapping["token_url"]) {
        case (let issuer?, nil): endpoint = .issuer(try url(issuer))
        case (nil, let tokenURL?): endpoint = .tokenURL(try url(tokenURL))
        default: throw node.error("give exactly one of issuer (discovery) and token_url")
        }
        let clientID = try mapping.required("client_id").nonEmptyString()
        let scope = try mapping["scope"].map { try $0.nonEmptyString() }
        let authentication: ClientCredentialsSettings.ClientAuthentication
        switch (mapping["client_secret"], mapping["client_certificate"]) {
        case (let secretNode?, nil):
            for key in ["assertion_algorithm", "send_x5c", "send_x5t"] where mapping[key] != nil {
                throw try mapping.required(key).error("applies to client_certificate only")
            }
            let reference = try secret(secretNode)
            switch try mapping["client_secret_method"].map({ try $0.nonEmptyString().lowercased() }) ?? "basic" {
            case "basic": authentication = .secretBasic(reference)
            case "post": authentication = .secretPost(reference)
            default: throw try mapping.required("client_secret_method").error("expected basic or post")
            }
        case (nil, let certificateNode?):
            if let method = mapping["client_secret_method"] { throw method.error("applies to client_secret only") }
            var settings = CertificateAssertionSettings(certificate: try identity(certificateNode))
            if let algorithmNode = mapping["assertion_algorithm"] {
                let name = try algorithmNode.nonEmptyString().uppercased()
                guard let algorithm = JWSAlgorithm(rawValue: name), ClientAssertion.supportedAlgorithms.contains(algorithm) else {
                    throw algorithmNode.error("expected one of: \(ClientAssertion.supportedAlgorithms.map(\.rawValue).sorted().joined(separator: ", "))")
                }
                settings.algorithm = algorithm
            }
            if let node = mapping["send_x5c"] { settings.includeCertificateChain = try node.bool() }
            if let node = mapping["send_x5t"] { settings.includeSHA1Thumbprint = try node.bool() }
            authentication = .certificateAssertion(settings)
        default:
            throw node.error("give exactly one of client_secret and client_certificate")
        }
        let ca = try mapping["ca"].map { try $0.list().map { try $0.path() } }
        return ClientCredentialsSettings(
            endpoint: endpoint, clientID: clientID, scope: scope, clientAuthentication: authentication, trustedCAFiles: ca)
    }

    // MARK: - Key references

    /// A scalar is a named key; a mapping is `{key: NAME}`, `{env: VARIABLE}` or `{file: PATH}`.
    static func secret(_ node: ConfigurationNode) throws -> SecretReference {
        if let name = try? node.nonEmptyString() { return .namedKey(name) }
        let mapping = try node.mapping(allowedKeys: ["key", "env", "file"])
        switch (mapping["key"], mapping["env"], mapping["file"]) {
        case (let key?, nil, nil): return .namedKey(try key.nonEmptyString())
        case (nil, let env?, nil): return .environment(try env.nonEmptyString())
        case (nil, nil, let file?): return .file(try file.path())
        default: throw node.error("give exactly one of key (a named key), env (an environment variable) and file")
        }
    }

    /// A scalar is a named certificate key; a mapping is `{key: NAME}`, `{pfx: FILE, password: …}` or
    /// `{certificate: FILE, private_key: FILE, password: …}`.
    static func identity(_ node: ConfigurationNode) throws -> ClientIdentitySource {
        if let name = try? node.nonEmptyString() { return .namedKey(name) }
        let mapping = try node.mapping(allowedKeys: ["key", "pfx", "certificate", "private_key", "password"])
        let password = try mapping["password"].map(secret)
        switch (mapping["key"], mapping["pfx"], mapping["certificate"]) {
        case (let key?, nil, nil):
            for extra in ["private_key", "password"] where mapping[extra] != nil {
                throw try mapping.required(extra).error("a named key needs no \(extra)")
            }
            return .namedKey(try key.nonEmptyString())
        case (nil, let pfx?, nil):
            if let key = mapping["private_key"] { throw key.error("a PFX file holds its key") }
            return .pfxFile(path: try pfx.path(), password: password)
        case (nil, nil, let certificate?):
            return .pemFiles(certificate: try certificate.path(), privateKey: try mapping["private_key"].map { try $0.path() }, password: password)
        default:
            throw node.error("give exactly one of key (a named key), pfx and certificate")
        }
    }
}
