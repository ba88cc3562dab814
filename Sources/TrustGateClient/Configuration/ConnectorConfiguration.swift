public import Foundation
public import NIOHTTP1
public import TrustGateJOSE

/// One API a connector calls and how (B2C's RESTful technical profile): the service URL and method, the
/// authentication and the keys it uses, where claims go, extra headers, timeouts, retries and TLS.
///
/// `validate()` is the configuration-time check every connector passes before its first call; the YAML reader
/// runs it with file and line.
public struct ConnectorConfiguration: Sendable {
    public var serviceURL: URL
    /// POST unless set: a claims exchange sends claims.
    public var method: HTTPMethod
    public var authentication: ConnectorAuthentication
    public var claimsPlacement: ClaimsPlacement
    /// Claims every call sends (B2C's input claims with `DefaultValue`); the call's own claims win.
    public var defaultClaims: JSONObject
    /// Extra request headers, sent as given.
    public var headers: [(name: String, value: String)]
    public var timeouts: ConnectorTimeouts
    public var retry: RetryPolicy
    public var tls: ConnectorTLS
    /// B2C's `AllowInsecureAuthInProduction`: Basic, bearer or API key over plain http is refused unless this is set.
    public var allowInsecureAuthentication: Bool
    /// The largest response body read; a larger one is a transport failure.
    public var maximumResponseBytes: Int

    public static let defaultMaximumResponseBytes = 10 << 20

    public init(
        serviceURL: URL,
        method: HTTPMethod = .POST,
        authentication: ConnectorAuthentication = .none,
        claimsPlacement: ClaimsPlacement = .body,
        defaultClaims: JSONObject = JSONObject(),
        headers: [(name: String, value: String)] = [],
        timeouts: ConnectorTimeouts = ConnectorTimeouts(),
        retry: RetryPolicy = .default,
        tls: ConnectorTLS = ConnectorTLS(),
        allowInsecureAuthentication: Bool = false,
        maximumResponseBytes: Int = ConnectorConfiguration.defaultMaximumResponseBytes
    ) {
        self.serviceURL = serviceURL
        self.method = method
        self.authentication = authentication
        self.claimsPlacement = claimsPlacement
        self.defaultClaims = defaultClaims
        self.headers = headers
        self.timeouts = timeouts
        self.retry = retry
        self.tls = tls
        self.allowInsecureAuthentication = allowInsecureAuthentication
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// The client certificate presented in the TLS handshake: `client_certificate` authentication's, else
    /// `tls.clientCertificate`.
    public var effectiveClientCertificate: ClientIdentitySource? {
        if case .clientCertificate(let source) = authentication { return source }
        return tls.clientCertificate
    }

    /// Every named key the connector needs from the store (so a caller can open the store only when needed).
    public var namedKeyNames: [String] {
        var names: [String] = []
        switch authentication {
        case .none: break
        case .basic(let username, let password): names += [username.namedKeyName, password.namedKeyName].compactMap { $0 }
        case .clientCertificate(let source): names += source.namedKeyNames
        case .apiKey(_, let key): names += [key.namedKeyName].compactMap { $0 }
        case .bearer(.fixed(let token)): names += [token.namedKeyName].compactMap { $0 }
        case .bearer(.clientCredentials(let settings)):
            switch settings.clientAuthentication {
            case .secretBasic(let secret), .secretPost(let secret): names += [secret.namedKeyName].compactMap { $0 }
            case .certificateAssertion(let assertion): names += assertion.certificate.namedKeyNames
            }
        }
        if let source = tls.clientCertificate { names += source.namedKeyNames }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The checks that need no keys and no network: URL schemes, credentials over plain http, header syntax.
    public func validate() throws(ConnectorConfigurationError) {
        guard let scheme = serviceURL.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = serviceURL.host, !host.isEmpty
        else {
            throw .invalidURL(serviceURL.absoluteString)
        }
        if scheme == "http", authentication.sendsSecretInRequest, !allowInsecureAuthentication {
            throw .insecureAuthentication(
                type: authentication.typeName, keys: authentication.requestSecretReferences.map(\.description),
                url: serviceURL.absoluteString)
        }
        if case .basic(let username, _) = authentication, case .value(let value) = username, value.bytes.contains(UInt8(ascii: ":")) {
            throw .invalidValue(field: "authentication.username", reason: "a Basic username cannot contain ':'")
        }
        if case .apiKey(let header, _) = authentication, !HTTPToken.isValid(header) {
            throw .invalidValue(field: "authentication.header", reason: "'\(header)' is not a valid header name")
        }
        if case .clientCertificate = authentication, tls.clientCertificate != nil {
            throw .invalidValue(field: "tls.client_certificate", reason: "client_certificate authentication names its certificate; give it once")
        }
        if case .bearer(.clientCredentials(let settings)) = authentication {
            try validate(settings)
        }
        for header in headers {
            guard HTTPToken.isValid(header.name) else { throw .invalidValue(field: "headers", reason: "'\(header.name)' is not a valid header name") }
            guard HTTPToken.isValidFieldValue(header.value) else {
                throw .invalidValue(field: "headers.\(header.name)", reason: "the value contains control characters")
            }
        }
    }

    private func validate(_ settings: ClientCredentialsSettings) throws(ConnectorConfigurationError) {
        let url = settings.endpoint.url
        guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty else {
            throw .invalidURL(url.absoluteString)
        }
        guard !settings.clientID.isEmpty else { throw .invalidValue(field: "client_credentials.client_id", reason: "must not be empty") }
        // The client's own credential (a secret, or an assertion that grants tokens while it lives) crosses this
        // hop, and so does the access token coming back.
        if scheme == "http", !allowInsecureAuthentication {
            let keys = settings.clientAuthentication.secretReferences.map(\.description)
            throw .insecureAuthentication(
                type: "bearer (client credentials)", keys: keys.isEmpty ? ["the client assertion"] : keys, url: url.absoluteString)
        }
    }
}
