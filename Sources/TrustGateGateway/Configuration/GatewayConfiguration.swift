public import Foundation
public import TrustGateAuth
public import TrustGateX509
public import X509

/// The gateway's whole configuration as typed values: parsed once from YAML by
/// ``GatewayConfigurationLoader``, then turned into a ``GatewayRuntime`` (TLS contexts, policies, route
/// table) before any connection is accepted. Nothing is looked up by string at request time.
public struct GatewayConfiguration: Sendable {
    public var listeners: [ListenerConfiguration]
    /// By name; routes refer to them.
    public var upstreams: [String: UpstreamConfiguration]
    /// In file order; the most specific match wins (see ``RouteTable``).
    public var routes: [RouteConfiguration]
    /// The named ways to authenticate (`auth_schemes:`) that routes' `auth` requirements use.
    public var authenticationSchemes: AuthenticationSchemes
    /// The OAuth 2.0 token service the gateway serves itself; nil: none.
    public var tokenService: TokenServiceConfiguration?
    public var admin: AdminConfiguration?
    public var accessLog: AccessLogConfiguration
    /// `log:` — the operator log on stderr (level, text or JSON lines).
    public var log: OperatorLogConfiguration = OperatorLogConfiguration()
    public var shutdown: ShutdownConfiguration
    public var reload: ReloadConfiguration
    /// Every file the configuration read (itself, certificates, keys, CAs, CRLs): watched for hot reload.
    public var sourceFiles: [String]

    public init(
        listeners: [ListenerConfiguration],
        upstreams: [String: UpstreamConfiguration],
        routes: [RouteConfiguration],
        authenticationSchemes: AuthenticationSchemes = AuthenticationSchemes(certificatePolicy: nil),
        admin: AdminConfiguration? = nil,
        accessLog: AccessLogConfiguration = AccessLogConfiguration(),
        shutdown: ShutdownConfiguration = ShutdownConfiguration(),
        reload: ReloadConfiguration = ReloadConfiguration(),
        sourceFiles: [String] = []
    ) {
        self.listeners = listeners
        self.upstreams = upstreams
        self.routes = routes
        self.authenticationSchemes = authenticationSchemes
        self.admin = admin
        self.accessLog = accessLog
        self.shutdown = shutdown
        self.reload = reload
        self.sourceFiles = sourceFiles
    }
}

/// `host:port`, `[v6]:port` or `:port` (all addresses).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One listening socket: TLS (hosts chosen by SNI) or plain HTTP (only behind a trusted TLS terminator).
public struct ListenerConfiguration: Sendable {
    public var name: String
    public var address: ListenAddress
    /// nil: plain HTTP. Then every host's client certificates come from ``trustedProxies`` or not at all.
    public var tls: ListenerTLSConfiguration?
    /// The first host is the default for a handshake without SNI or with an unknown name.
    public var hosts: [HostConfiguration]
    /// When set, the client certificate is read from a forwarded header sent by these proxies.
    public var trustedProxies: TrustedProxyConfiguration?
    /// Timeouts and limits that shed slow or greedy clients.
    public var clientLimits: ClientConnectionLimits
    /// `underscores_in_headers`: request header names containing `_` are forwarded (false, the default, as
    /// nginx: dropped). Even when true, a name that reads as a header the gateway manages once `_` is read as
    /// `-` is dropped. A route can override it.
    public var allowsUnderscoresInHeaders: Bool

    public init(
        name: String, address: ListenAddress, tls: ListenerTLSConfiguration?, hosts: [HostConfiguration], trustedProxies: TrustedProxyConfiguration? = nil,
        clientLimits: ClientConnectionLimits = ClientConnectionLimits(), allowsUnderscoresInHeaders: Bool = false
    ) {
        self.name = name
        self.address = address
        self.tls = tls
        self.hosts = hosts
        self.trustedProxies = trustedProxies
        self.clientLimits = clientLimits
        self.allowsUnderscoresInHeaders = allowsUnderscoresInHeaders
    }
}

public struct ListenerTLSConfiguration: Sendable {
    public enum Version: String, Sendable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    public var minimumVersion: Version
    /// ALPN offers `h2` (then `http/1.1`) when true.
    public var http2: Bool
    /// `profile`: the cipher suites, curves and signature algorithms offered and accepted (``TLSProfile``).
    public var profile: TLSProfile
    /// `session_tickets`: whether and how sessions resume.
    public var sessionTickets: SessionTicketSettings

    public init(minimumVersion: Version = .tls12, http2: Bool = true, profile: TLSProfile = .intermediate, sessionTickets: SessionTicketSettings = SessionTicketSettings()) {
        self.minimumVersion = minimumVersion
        self.http2 = http2
        self.profile = profile
        self.sessionTickets = sessionTickets
    }

    /// The lowest version in force: `profile: modern` is TLS 1.3 only whatever `min_version` says (the loader
    /// refuses `modern` with an explicit "1.2").
    public var effectiveMinimumVersion: Version {
        profile == .modern ? .tls13 : minimumVersion
    }
}

/// The TLS parameter sets a listener can offer, after Mozilla's server-side TLS guidelines. None of them
/// offers static-RSA key exchange (no forward secrecy) or accepts SHA-1 or MD5 handshake signatures
/// (RFC 9155); see ``TLSParameters`` for the lists themselves.
public enum TLSProfile: String, Sendable, CaseIterable {
    /// TLS 1.2 and 1.3; TLS 1.2 with ECDHE and AEAD suites only (the default).
    case intermediate
    /// TLS 1.3 only (the same as `min_version: "1.3"`).
    case modern
    /// `intermediate` plus the ECDHE CBC suites, for clients too old for AEAD suites.
    case compatible
}

/// `tls.session_tickets`: session resumption (TLS 1.2 tickets and TLS 1.3 PSK tickets; the session-ID cache
/// is always off). A resumed session is still judged by the current policy on every request.
public struct SessionTicketSettings: Sendable, Equatable {
    /// `enabled` (default true): false issues no tickets, so no session resumes.
    public var enabled: Bool
    /// `lifetime` (default 1 h, at most 7 days as RFC 8446 §4.6.1 allows): how long a ticket resumes.
    public var lifetime: TimeInterval
    /// `key_files`: ticket keys as nginx's `ssl_session_ticket_key` takes them, in order; the first encrypts new
    /// tickets, every one decrypts. Empty: random keys per process, rotated by BoringSSL (see README).
    public var keys: [SessionTicketKey]

    public static let maximumLifetime: TimeInterval = 7 * 86_400

    public init(enabled: Bool = true, lifetime: TimeInterval = 3600, keys: [SessionTicketKey] = []) {
        self.enabled = enabled
        self.lifetime = lifetime
        self.keys = keys
    }
}

/// One ticket key file's content: 48 bytes (a 16-byte name, an AES-128 key, a 16-byte HMAC-SHA256 key) or 80
/// bytes (a name, a 32-byte HMAC-SHA256 key, an AES-256 key) — nginx's layouts, so the same file serves both.
public struct SessionTicketKey: Sendable, Equatable {
    public let bytes: [UInt8]
    /// Where it was read from (for messages; never its content).
    public let path: String

    public static let validLengths: Set<Int> = [48, 80]

    public init(bytes: [UInt8], path: String) throws {
        guard Self.validLengths.contains(bytes.count) else { throw SessionTicketKeyError(length: bytes.count) }
        self.bytes = bytes
        self.path = path
    }

    /// The key's 16-byte name, which tickets carry so that the right key is found to decrypt them.
    public var name: ArraySlice<UInt8> { bytes[0..<16] }
}

/// A ticket key file of the wrong size.
public struct SessionTicketKeyError: Error, CustomStringConvertible, Sendable {
    public let length: Int
    public var description: String {
        "a session ticket key file holds 48 or 80 random bytes (openssl rand 80 > ticket.key), not \(length)"
    }
}

/// A virtual host: its names, its server certificate and how its clients authenticate.
public struct HostConfiguration: Sendable {
    /// Lower-case DNS names or IP literals; `*.example.com` matches one label; `*` matches anything.
    public var names: [String]
    /// Required on TLS listeners.
    public var serverCertificate: CertificateKeyPair?
    public var clientCertificates: ClientCertificateSettings

    public init(names: [String], serverCertificate: CertificateKeyPair?, clientCertificates: ClientCertificateSettings) {
        self.names = names
        self.serverCertificate = serverCertificate
        self.clientCertificates = clientCertificates
    }
}

/// A certificate chain (leaf first) and the leaf's private key, from PEM files or a PFX.
public struct CertificateKeyPair: Sendable {
    public var chain: [Certificate]
    public var privateKey: Certificate.PrivateKey

    public init(chain: [Certificate], privateKey: Certificate.PrivateKey) {
        self.chain = chain
        self.privateKey = privateKey
    }
}

public struct ClientCertificateSettings: Sendable {
    public var mode: ClientCertificateMode
    /// Fail the TLS handshake (instead of answering 403) when the certificate is missing or refused.
    public var rejectInHandshake: Bool
    public var excludedPaths: ExcludedPaths
    /// nil only when `mode` is `ignore`.
    public var policy: CertificatePolicySettings?

    public init(mode: ClientCertificateMode, rejectInHandshake: Bool = false, excludedPaths: ExcludedPaths = .none, policy: CertificatePolicySettings?) {
        self.mode = mode
        self.rejectInHandshake = rejectInHandshake
        self.excludedPaths = excludedPaths
        self.policy = policy
    }
}

/// Proxies whose forwarded client-certificate header is believed.
public struct TrustedProxyConfiguration: Sendable {
    public var addresses: [CIDRBlock]
    public var format: ForwardedCertificateFormat
    /// When not empty, the proxy must also present (over TLS) a client certificate whose SPKI SHA-256 is listed.
    public var proxySPKISHA256: [[UInt8]]

    public init(addresses: [CIDRBlock], format: ForwardedCertificateFormat, proxySPKISHA256: [[UInt8]] = []) {
        self.addresses = addresses
        self.format = format
        self.proxySPKISHA256 = proxySPKISHA256
    }
}

public struct UpstreamConfiguration: Sendable {
    public enum Scheme: String, Sendable { case http, https }

    public var name: String
    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// Prefixed to the request path (no trailing slash); empty for none.
    public var basePath: String
    /// For https: the CAs that may sign the upstream's certificate; nil = the system's trust store.
    public var trustRoots: [Certificate]?
    /// For https: the certificate the gateway presents to the upstream.
    public var clientCertificate: CertificateKeyPair?
    /// For https: the name checked in the upstream's certificate (default: `host`).
    public var serverName: String?
    public var connectTimeout: TimeInterval
    /// From the end of the request to the response head.
    public var responseTimeout: TimeInterval
    /// Idle pooled connections are closed after this long.
    public var idleTimeout: TimeInterval
    /// Idle keep-alive connections kept per event loop.
    public var maxIdleConnections: Int

    public init(
        name: String, scheme: Scheme, host: String, port: Int, basePath: String = "",
        trustRoots: [Certificate]? = nil, clientCertificate: CertificateKeyPair? = nil, serverName: String? = nil,
        connectTimeout: TimeInterval = 5, responseTimeout: TimeInterval = 60, idleTimeout: TimeInterval = 60,
        maxIdleConnections: Int = 64
    ) {
        self.name = name
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.trustRoots = trustRoots
        self.clientCertificate = clientCertificate
        self.serverName = serverName
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
        self.maxIdleConnections = maxIdleConnections
    }
}

public struct RouteConfiguration: Sendable {
    public var name: String
    /// Host names this route serves (lower-case); empty = every host.
    public var hosts: [String]
    /// Matched case-insensitively on path-segment boundaries; `/` matches everything.
    public var pathPrefix: String
    /// Upper-case method names; nil = any method.
    public var methods: Set<String>?
    public var upstream: String
    /// true: a certificate is needed here even on an `optional` host or an excluded path.
    public var requireCertificate: Bool
    /// Tightens the host's policy: the accepted certificate must also satisfy this.
    public var identity: IdentityRequirement?
    public var forwarding: CertificateForwarding
    public var forwardedHeaders: ForwardedHeaderStyle
    /// Basic / API key / bearer / certificate requirements; nil: the host's certificate rule alone.
    public var authentication: RouteAuthentication?
    /// `underscores_in_headers` for this route; nil: the listener's
    /// (``ListenerConfiguration/allowsUnderscoresInHeaders``).
    public var allowsUnderscoresInHeaders: Bool?

    public init(
        name: String, hosts: [String] = [], pathPrefix: String = "/", methods: Set<String>? = nil, upstream: String,
        requireCertificate: Bool = false, identity: IdentityRequirement? = nil,
        forwarding: CertificateForwarding = CertificateForwarding(), forwardedHeaders: ForwardedHeaderStyle = .xForwarded,
        authentication: RouteAuthentication? = nil, allowsUnderscoresInHeaders: Bool? = nil
    ) {
        self.allowsUnderscoresInHeaders = allowsUnderscoresInHeaders
        self.name = name
        self.hosts = hosts
        self.pathPrefix = pathPrefix
        self.methods = methods
        self.upstream = upstream
        self.requireCertificate = requireCertificate
        self.identity = identity
        self.forwarding = forwarding
        self.forwardedHeaders = forwardedHeaders
        self.authentication = authentication
    }
}

/// How the client certificate travels to the upstream.
public struct CertificateForwarding: Sendable {
    /// Each format's headers are added (default: `X-ARR-ClientCert`, as App Service).
    public var formats: [ForwardedCertificateFormat]
    /// Adds `X-TrustGate-Client-Subject`, `-Issuer`, `-SHA1`, `-SHA256` and `-Verdict`.
    public var infoHeaders: Bool

    public init(formats: [ForwardedCertificateFormat] = [.arrClientCert], infoHeaders: Bool = false) {
        self.formats = formats
        self.infoHeaders = infoHeaders
    }
}

/// Which client-address headers the upstream receives.
public enum ForwardedHeaderStyle: String, Sendable, CaseIterable {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`.
    case xForwarded = "x-forwarded"
    /// RFC 7239 `Forwarded: for=…;proto=…;host=…`.
    case rfc7239
    /// Both.
    case both
}

public struct AdminConfiguration: Sendable {
    public var address: ListenAddress

    public init(address: ListenAddress = ListenAddress(host: "127.0.0.1", port: 9901)) {
        self.address = address
    }
}

/// `log: { level: info, format: text }`: the operator log (what the gateway did and why: upstream failures,
/// refused handshakes and tokens, reloads, shed clients), on stderr. `serve --log-level` overrides `level`.
public struct OperatorLogConfiguration: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        /// `trustgate: [level: ]message key=value …`, one line per event.
        case text
        /// One JSON object per line (`time`, `level`, `message`, then the metadata), for log shippers.
        case json
    }

    /// One of swift-log's levels: trace, debug, info, notice, warning, error, critical.
    public var level: String
    public var format: Format

    public init(level: String = "info", format: Format = .text) {
        self.level = level
        self.format = format
    }
}

public struct AccessLogConfiguration: Sendable {
    public enum Destination: Sendable, Hashable {
        case standardOutput
        case file(String)
        case disabled
    }

    public var destination: Destination

    public init(destination: Destination = .standardOutput) {
        self.destination = destination
    }
}

public struct ShutdownConfiguration: Sendable {
    /// How long in-flight requests may take to finish after SIGTERM.
    public var drainTimeout: TimeInterval

    public init(drainTimeout: TimeInterval = 30) {
        self.drainTimeout = drainTimeout
    }
}

public struct ReloadConfiguration: Sendable {
    /// Reload when any of ``GatewayConfiguration/sourceFiles`` changes (checked every `pollInterval`).
    public var watchFiles: Bool
    public var pollInterval: TimeInterval

    public init(watchFiles: Bool = true, pollInterval: TimeInterval = 2) {
        self.watchFiles = watchFiles
        self.pollInterval = pollInterval
    }
}
