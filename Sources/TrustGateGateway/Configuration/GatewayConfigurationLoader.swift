public import Foundation
import TrustGateAuth
public import TrustGateConfiguration
import TrustGateX509
import X509

/// Reads the gateway's YAML configuration into a ``GatewayConfiguration``, loading every certificate, key,
/// policy and CRL it names, and refusing anything it cannot make sense of with a `ConfigurationError` that
/// names file, line and key path. Unknown keys are errors. Relative paths are relative to the file that
/// names them. Durations: `60`, `60s`, `500ms`, `5m`, `1h`.
///
/// ```yaml
/// listeners:                         # required, at least one
///   - name: public                   # default "listener-N" (N counts from 1)
///     address: 127.0.0.1:8443        # required: host:port, [v6]:port, :port (= 0.0.0.0); port 0 = ephemeral
///     tls:                           # absent, empty or `false`: plain HTTP; `true` or a mapping: TLS
///       min_version: "1.2"           # "1.2" (default) | "1.3"
///       profile: intermediate        # intermediate (default) | modern (TLS 1.3 only) | compatible (+ ECDHE CBC)
///       session_tickets:             # or true / false
///         enabled: true              # default true
///         lifetime: 1h               # default 1h, at most 7d
///         key_files: [ticket.key]    # 48- or 80-byte files (openssl rand 80); the first encrypts, all decrypt
///       http2: true                  # offer h2 in ALPN (default true)
///     trusted_proxies:               # the client certificate arrives in a header set by these proxies
///       addresses: [10.0.0.0/8, 127.0.0.1]   # required, non-empty: addresses or CIDR blocks
///       header: x-arr-clientcert     # x-arr-clientcert (default) | rfc9440 | xfcc | nginx
///       proxy_spki_sha256: [base64…] # TLS listeners only: the proxy must also present a certificate with one
///                                    # of these SPKI SHA-256 pins (base64 or base64url of 32 bytes)
///     client_limits:                 # shed slow or greedy clients (each closes the connection; see README)
///       handshake_timeout: 10s       # TLS listeners: handshake complete within this from accept
///       request_head_timeout: 30s    # HTTP/1.1: a head complete within this from its first byte; else 408
///       request_body_timeout: 60s    # longest wait for the next piece of a request body; else 408
///       request_body_min_rate: 0     # bytes/s a body must average after request_body_timeout; 0 = off
///       max_connections_per_address: 0       # open connections per client address; 0 = unlimited
///     underscores_in_headers: false  # forward request header names with `_` (default: dropped, as nginx)
///     hosts:                         # required, at least one; the first is the default host
///       - names: [localhost, 127.0.0.1]      # required (a single string too): DNS names, IPs, *.domain, *
///         certificate: server.pem    # required on TLS listeners, refused on plain ones: PEM chain (leaf first),
///                                    # or a PFX / PKCS#12 (.pfx, .p12)
///         key: server.key            # PEM or DER key; omit when the certificate file (PFX or PEM) holds it
///         password_file: key.pass    # or password_env: VAR — for an encrypted key or a PFX
///         client_certificate:        # absent: mode ignore
///           mode: required           # required | optional | ignore (default)
///           reject_in_handshake: false       # TLS listeners only; not with exclude_paths
///           exclude_paths: "/public;/health" # required mode: these path prefixes pass without a certificate
///           policy: policy.yaml      # required unless mode is ignore: a policy file, or the policy inline
///                                    # (the schema of `trustgate check --policy`, see README)
/// upstreams:                         # required: name -> upstream
///   app:
///     url: http://127.0.0.1:9000/base        # http or https; [v6] hosts; default ports 80 / 443; the path is
///                                    # prefixed to every request path; no query, fragment or user:password@
///     ca: upstream-ca.pem            # https only: trusted roots (files or directories; default: system store)
///     certificate: gw.pem            # https only: the gateway's client certificate for this hop,
///     key: gw.key                    #   with key / password_file / password_env as for hosts
///     server_name: app.internal      # https only: the name checked in the upstream's certificate
///     connect_timeout: 5s            # defaults: 5s, 60s, 60s, 64
///     response_timeout: 60s
///     idle_timeout: 60s
///     max_idle_connections: 64       # 0…10000, per event loop
/// routes:                            # required, at least one; the longest matching path wins
///   - name: api                      # default "route-N" (N counts from 1)
///     hosts: [localhost]             # names of configured hosts; absent = every host
///     path: /api                     # default "/"; a prefix matched on path segments
///     methods: [GET, POST]           # absent = any method
///     upstream: app                  # required: a name under upstreams
///     require_certificate: false     # true: a certificate is needed here even on an optional host or an
///                                    # excluded path
///     identity: { uri: spiffe://prod/orders }   # tightens the host's policy (the policy's identity schema)
///     forward_certificate: [x-arr-clientcert]  # default; `none` or [] for no certificate headers
///     certificate_info_headers: false          # X-TrustGate-Client-Subject, -Issuer, -SHA1, -SHA256, -Verdict
///     forwarded_headers: x-forwarded # x-forwarded (default) | rfc7239 | both
///     underscores_in_headers: true   # overrides the listener's setting for this route
///     auth: { any_of: [certificate, staff] }   # a scheme name, { any_of: […] } or { all_of: […] } of auth_schemes
///     allow_insecure_auth: false     # with auth: accept passwords, keys and tokens over plain HTTP
///     principal_headers: true        # with auth: X-TrustGate-Principal, -Auth-Method, -Roles, -Scopes, -Client-Id,
///                                    # or { name:, method:, roles:, scopes:, client_id: } (names without `_`)
///     forward_credentials: false     # with auth: pass the consumed Authorization / API-key headers upstream
/// auth_schemes:                      # named ways to authenticate (`certificate` is built in); read by
///   staff:                           # TrustGateAuth's AuthenticationSchemesConfiguration
///     type: basic                    # basic | api_key | bearer_token | jwt
///     users: { connector: "$pbkdf2-sha256$…" }  # name -> hash from `trustgate hash-secret`
///   entra:
///     type: jwt
///     issuer: https://login.example.com/tenant/v2.0
///     audience: api://loyalty
///     jwks_url: https://login.example.com/keys  # or jwks_file / jwks
/// token_service:                     # the OAuth 2.0 client-credentials token service (TokenServiceReading):
///   issuer: https://127.0.0.1:8443/demo        # required, https
///   store: trustgate.db              # required: the SQLite registration store
///   store_key_file: store.key        # default: base64 in $TRUSTGATE_STORE_KEY
///   hosts: [localhost]               # configured host names serving it; absent: every host
///   signing_algorithm: RS256         # and clock_skew, max_assertion_age, strict_assertion_audience,
///                                    # bind_tokens_to_certificates, tenant_id, jwks_cache_time, key_rotation
/// admin:                             # absent: no admin listener; `admin: {}`: on 127.0.0.1:9901
///   address: 127.0.0.1:9901
/// access_log: stdout                 # stdout (default) | off | a file path
/// log: { level: info, format: text } # the operator log on stderr: trace … critical; text | json (lines)
/// shutdown: { drain_timeout: 30s }
/// reload: { watch_files: true, poll_interval: 2s }
/// ```
///
/// Beyond the form of each value, the configuration as a whole is refused when it cannot work as written:
/// two listeners on one address, a name used by two hosts of a listener, a client-certificate mode without a
/// policy (or a policy that mode `ignore` would silently never apply), `reject_in_handshake` with
/// `exclude_paths` (the handshake happens before the path is known), a route needing a certificate on a
/// host that never receives one, a key that is not the certificate's, an unknown upstream or host name.
/// Doubtful but workable choices are reported by ``GatewayConfigurationExplanation/warnings(_:)`` instead.
public enum GatewayConfigurationLoader {
    public static func load(
        contentsOfFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> GatewayConfiguration {
        try parse(ConfigurationNode.load(contentsOfFile: path), environment: environment)
    }

    /// Reads a configuration already parsed as YAML; relative paths resolve against `root.file`'s directory.
    public static func parse(_ root: ConfigurationNode, environment: [String: String]) throws -> GatewayConfiguration {
        var reader = GatewayConfigurationReader(credentials: GatewayCredentialReader(environment: environment))
        return try reader.read(root)
    }
}

/// The loader's state while reading one configuration: the files read so far.
struct GatewayConfigurationReader {
    let credentials: GatewayCredentialReader
    var sourceFiles = GatewaySourceFiles()

    static let topLevelKeys: Set<String> = ["listeners", "upstreams", "auth_schemes", "routes", "token_service", "admin", "access_log", "log", "shutdown", "reload"]

    mutating func read(_ root: ConfigurationNode) throws -> GatewayConfiguration {
        if FileManager.default.fileExists(atPath: root.file) { sourceFiles.add(root.file) }
        let map = try root.mapping(allowedKeys: Self.topLevelKeys)
        let listeners = try readListeners(map.required("listeners"))
        let upstreams = try readUpstreams(map.required("upstreams"))
        // The gateway judges certificates itself (host policies, in the handshake): the `certificate` scheme
        // takes the verdict the request arrives with.
        let schemes = try AuthenticationSchemesConfiguration.parse(map["auth_schemes"], certificatePolicy: nil)
        let routes = try readRoutes(map.required("routes"), listeners: listeners, upstreams: upstreams, schemes: schemes)

        var configuration = GatewayConfiguration(listeners: listeners, upstreams: upstreams, routes: routes, authenticationSchemes: schemes)
        if let tokenService = map["token_service"] {
            let service = try TokenServiceReading.read(tokenService, listeners: listeners, environment: credentials.environment)
            if let keyFile = try tokenService.mappingWithAnyKeys()["store_key_file"] { sourceFiles.add(try keyFile.path()) }
            configuration.tokenService = service
        }
        if let admin = map["admin"] {
            configuration.admin = try readAdmin(admin, listeners: listeners)
        }
        if let accessLog = map["access_log"] {
            configuration.accessLog = try readAccessLog(accessLog)
        }
        if let log = map["log"] {
            let logMap = try log.mapping(allowedKeys: ["level", "format"])
            if let level = logMap["level"] {
                let text = try level.nonEmptyString().lowercased()
                guard OperatorLog.levels.contains(text) else {
                    throw level.error("expected one of \(OperatorLog.levels.joined(separator: ", "))")
                }
                configuration.log.level = text
            }
            if let format = logMap["format"] { configuration.log.format = try format.oneOf(OperatorLogConfiguration.Format.self) }
        }
        if let shutdown = map["shutdown"] {
            let shutdownMap = try shutdown.mapping(allowedKeys: ["drain_timeout"])
            if let drain = shutdownMap["drain_timeout"] { configuration.shutdown.drainTimeout = try drain.duration(max: 3600) }
        }
        if let reload = map["reload"] {
            let reloadMap = try reload.mapping(allowedKeys: ["watch_files", "poll_interval"])
            if let watch = reloadMap["watch_files"] { configuration.reload.watchFiles = try watch.bool() }
            if let poll = reloadMap["poll_interval"] {
                let interval = try poll.duration(max: 3600)
                guard interval > 0 else { throw poll.error("must be greater than 0") }
                configuration.reload.pollInterval = interval
            }
        }
        configuration.sourceFiles = sourceFiles.paths
        return configuration
    }

    // MARK: - Listeners

    private mutating func readListeners(_ node: ConfigurationNode) throws -> [ListenerConfiguration] {
        let items = try node.list()
        guard !items.isEmpty else { throw node.error("at least one listener is required") }
        var listeners: [ListenerConfiguration] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let map = try item.mapping(allowedKeys: ["name", "address", "tls", "trusted_proxies", "hosts", "client_limits", "underscores_in_headers"])
            let name = try map["name"]?.nonEmptyString() ?? "listener-\(index + 1)"
            guard names.insert(name).inserted else {
                throw (map["name"] ?? item).error("another listener is already named '\(name)'")
            }
            let addressNode = try map.required("address")
            let address = try GatewayAddressParsing.listenAddress(addressNode)
            // Port 0 is a new ephemeral port for each socket, so only fixed ports can collide.
            if address.port != 0, let other = listeners.first(where: { Self.sameSocket($0.address, address) }) {
                throw addressNode.error("listener '\(other.name)' already listens on \(other.address)")
            }
            var tls: ListenerTLSConfiguration?
            if let tlsNode = map["tls"] { tls = try readTLS(tlsNode) }
            let trustedProxies = try map["trusted_proxies"].map { try readTrustedProxies($0, listenerHasTLS: tls != nil) }
            let hostsNode = try map.required("hosts")
            let hostItems = try hostsNode.list()
            guard !hostItems.isEmpty else { throw hostsNode.error("at least one host is required") }
            var hosts: [HostConfiguration] = []
            var hostNames: Set<String> = []
            for hostItem in hostItems {
                hosts.append(try readHost(hostItem, listenerName: name, listenerHasTLS: tls != nil, namesOnListener: &hostNames))
            }
            let limits = try map["client_limits"].map { try Self.readClientLimits($0, listenerHasTLS: tls != nil) } ?? ClientConnectionLimits()
            let underscores = try map["underscores_in_headers"]?.bool() ?? false
            listeners.append(ListenerConfiguration(
                name: name, address: address, tls: tls, hosts: hosts, trustedProxies: trustedProxies,
                clientLimits: limits, allowsUnderscoresInHeaders: underscores))
        }
        return listeners
    }

    private static func readClientLimits(_ node: ConfigurationNode, listenerHasTLS: Bool) throws -> ClientConnectionLimits {
        let map = try node.mapping(allowedKeys: ClientConnectionLimits.keys)
        var limits = ClientConnectionLimits()
        /// A timeout of 0 would shed every client; "off" is not offered for these (the idle timeout is no
        /// substitute: every byte resets it).
        func timeout(_ key: String, max: TimeInterval) throws -> TimeInterval? {
            guard let value = map[key] else { return nil }
            let seconds = try value.duration(max: max)
            guard seconds >= 0.1 else { throw value.error("must be at least 100ms") }
            return seconds
        }
        if let handshake = map["handshake_timeout"], !listenerHasTLS {
            throw handshake.error("only applies to a listener with tls: a plain HTTP listener has no handshake")
        }
        if let seconds = try timeout("handshake_timeout", max: 300) { limits.handshakeTimeout = seconds }
        if let seconds = try timeout("request_head_timeout", max: 3600) { limits.requestHeadTimeout = seconds }
        if let seconds = try timeout("request_body_timeout", max: 3600) { limits.requestBodyTimeout = seconds }
        if let rate = map["request_body_min_rate"] {
            let bytes = try rate.integer(in: 0...1_000_000_000)
            limits.requestBodyMinimumRate = bytes == 0 ? nil : bytes
        }
        if let maximum = map["max_connections_per_address"] {
            let count = try maximum.integer(in: 0...1_000_000)
            limits.maximumConnectionsPerAddress = count == 0 ? nil : count
        }
        return limits
    }

    /// Whether two fixed addresses would bind the same socket (the wildcard address collides with every
    /// address of its family).
    static func sameSocket(_ a: ListenAddress, _ b: ListenAddress) -> Bool {
        guard a.port == b.port else { return false }
        if a.host == b.host { return true }
        let wildcards = ["0.0.0.0", "::"]
        let aIsV6 = a.host.contains(":"), bIsV6 = b.host.contains(":")
        return aIsV6 == bIsV6 && (wildcards.contains(a.host) || wildcards.contains(b.host))
    }

    private mutating func readTLS(_ node: ConfigurationNode) throws -> ListenerTLSConfiguration? {
        if (try? node.string()) != nil {
            guard let enabled = try? node.bool() else {
                throw node.error("expected true, false or a mapping (min_version, profile, http2, session_tickets)")
            }
            return enabled ? ListenerTLSConfiguration() : nil
        }
        let map = try node.mapping(allowedKeys: ["min_version", "profile", "http2", "session_tickets"])
        var tls = ListenerTLSConfiguration()
        if let profile = map["profile"] { tls.profile = try profile.oneOf(TLSProfile.self) }
        if let version = map["min_version"] {
            tls.minimumVersion = try version.oneOf(ListenerTLSConfiguration.Version.self)
            if tls.profile == .modern, tls.minimumVersion == .tls12 {
                throw version.error("\"1.2\" contradicts profile: modern, which is TLS 1.3 only (drop min_version, or choose profile intermediate)")
            }
        }
        if let http2 = map["http2"] { tls.http2 = try http2.bool() }
        if let tickets = map["session_tickets"] { tls.sessionTickets = try readSessionTickets(tickets) }
        return tls
    }

    private mutating func readSessionTickets(_ node: ConfigurationNode) throws -> SessionTicketSettings {
        if (try? node.string()) != nil {
            guard let enabled = try? node.bool() else { throw node.error("expected true, false or a mapping (enabled, lifetime, key_files)") }
            return SessionTicketSettings(enabled: enabled)
        }
        let map = try node.mapping(allowedKeys: ["enabled", "lifetime", "key_files"])
        var settings = SessionTicketSettings()
        if let enabled = map["enabled"] { settings.enabled = try enabled.bool() }
        if let lifetime = map["lifetime"] {
            settings.lifetime = try lifetime.duration(max: SessionTicketSettings.maximumLifetime)
            guard settings.lifetime >= 1 else { throw lifetime.error("must be at least 1s (to resume nothing, set enabled: false)") }
        }
        if let files = map["key_files"] {
            if !settings.enabled { throw files.error("session tickets are disabled (enabled: false): key_files would never be used") }
            for item in try files.list() {
                let path = try item.path()
                let data: Data
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw item.error("cannot read the ticket key file \(path)")
                }
                do {
                    settings.keys.append(try SessionTicketKey(bytes: Array(data), path: path))
                } catch {
                    throw item.error("\(path): \(error)")
                }
                if settings.keys.dropLast().contains(where: { $0.name == settings.keys.last?.name }) {
                    throw item.error("\(path) has the same key name (first 16 bytes) as an earlier key file")
                }
                sourceFiles.add(path)
            }
            guard !settings.keys.isEmpty else { throw files.error("lists no file: omit key_files for random keys") }
        }
        return settings
    }

    private func readTrustedProxies(_ node: ConfigurationNode, listenerHasTLS: Bool) throws -> TrustedProxyConfiguration {
        let map = try node.mapping(allowedKeys: ["addresses", "header", "proxy_spki_sha256"])
        let addressesNode = try map.required("addresses")
        var blocks: [CIDRBlock] = []
        for item in try addressesNode.list() {
            let text = try item.nonEmptyString()
            do {
                blocks.append(try CIDRBlock(parsing: text))
            } catch {
                throw item.error(error.description)
            }
        }
        guard !blocks.isEmpty else { throw addressesNode.error("at least one proxy address or CIDR block is required") }
        var proxies = TrustedProxyConfiguration(addresses: blocks, format: .arrClientCert)
        if let header = map["header"] { proxies.format = try header.oneOf(ForwardedCertificateFormat.self) }
        if let pins = map["proxy_spki_sha256"] {
            guard listenerHasTLS else {
                throw pins.error("only allowed on a listener with tls: the proxy's certificate comes from the TLS handshake")
            }
            for item in try pins.list() { proxies.proxySPKISHA256.append(try Self.spkiPin(item)) }
        }
        return proxies
    }

    /// base64 (standard or URL-safe, padding optional) of a 32-byte SHA-256, as Envoy and HPKP write pins.
    private static func spkiPin(_ node: ConfigurationNode) throws -> [UInt8] {
        var text = try node.nonEmptyString().replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), data.count == 32 else {
            throw node.error("expected the base64 SHA-256 (32 bytes) of the proxy certificate's SubjectPublicKeyInfo")
        }
        return Array(data)
    }

    // MARK: - Hosts

    private mutating func readHost(
        _ node: ConfigurationNode, listenerName: String, listenerHasTLS: Bool, namesOnListener: inout Set<String>
    ) throws -> HostConfiguration {
        let map = try node.mapping(allowedKeys: GatewayCredentialReader.keys.union(["names", "client_certificate"]))
        let namesNode = try map.required("names")
        var names: [String] = []
        for item in try namesNode.list() {
            let name = try GatewayAddressParsing.virtualHostName(item)
            guard namesOnListener.insert(name).inserted else {
                throw item.error("the host name '\(name)' is used twice on listener '\(listenerName)'")
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw namesNode.error("at least one host name is required") }

        if listenerHasTLS {
            guard map["certificate"] != nil else {
                throw ConfigurationError(
                    file: node.file, line: node.line, keyPath: Self.child(node, "certificate"),
                    problem: "is required: listener '\(listenerName)' uses TLS and host '\(names[0])' needs a server certificate")
            }
        } else {
            for key in GatewayCredentialReader.orderedKeys {
                if let present = map[key] {
                    throw present.error("listener '\(listenerName)' is plain HTTP (no tls): a host there has no server certificate")
                }
            }
        }
        let serverCertificate = try credentials.pair(map, sourceFiles: &sourceFiles)
        let clientCertificates = try readClientCertificates(map["client_certificate"], listenerHasTLS: listenerHasTLS)
        return HostConfiguration(names: names, serverCertificate: serverCertificate, clientCertificates: clientCertificates)
    }

    private mutating func readClientCertificates(_ node: ConfigurationNode?, listenerHasTLS: Bool) throws -> ClientCertificateSettings {
        guard let node else { return ClientCertificateSettings(mode: .ignore, policy: nil) }
        let map = try node.mapping(allowedKeys: ["mode", "reject_in_handshake", "exclude_paths", "policy"])
        let mode = try map["mode"]?.oneOf(ClientCertificateMode.self) ?? .ignore
        let rejectInHandshake = try map["reject_in_handshake"]?.bool() ?? false
        var excludedPaths = ExcludedPaths.none
        if let excludeNode = map["exclude_paths"] {
            // "/a;/b" as App Service writes it, or a YAML list.
            let text = try excludeNode.list().map { try $0.string() }.joined(separator: ";")
            do {
                excludedPaths = try ExcludedPaths(parsing: text)
            } catch {
                throw excludeNode.error(error.description)
            }
        }
        let rejectNode = map["reject_in_handshake"]
        let excludeNode = map["exclude_paths"]

        guard mode != .ignore else {
            if rejectInHandshake, let rejectNode {
                throw rejectNode.error("mode is ignore: no certificate is asked for, so none can be rejected in the handshake")
            }
            if !excludedPaths.prefixes.isEmpty, let excludeNode {
                throw excludeNode.error("mode is ignore: no path needs a certificate, so none can be excluded")
            }
            if let policy = map["policy"] {
                throw policy.error("mode is ignore (the default), so this policy would never be applied: set mode to required or optional")
            }
            return ClientCertificateSettings(mode: .ignore, policy: nil)
        }
        if rejectInHandshake, let rejectNode {
            if !excludedPaths.prefixes.isEmpty {
                throw rejectNode.error("cannot be combined with exclude_paths: the handshake happens before the request path is known")
            }
            if !listenerHasTLS {
                throw rejectNode.error("needs a TLS listener: a plain HTTP listener has no handshake")
            }
        }
        guard let policyNode = map["policy"] else {
            throw ConfigurationError(
                file: node.file, line: node.line, keyPath: Self.child(node, "policy"),
                problem: "is required when mode is \(mode.rawValue): a policy file or an inline policy decides which certificates are accepted")
        }
        let policy = try readPolicy(policyNode)
        return ClientCertificateSettings(mode: mode, rejectInHandshake: rejectInHandshake, excludedPaths: excludedPaths, policy: policy)
    }

    /// A policy file (a string) or the policy inline (a mapping).
    private mutating func readPolicy(_ node: ConfigurationNode) throws -> CertificatePolicySettings {
        guard (try? node.string()) != nil else {
            let settings = try CertificatePolicyConfiguration.parse(node)
            sourceFiles.addPolicyFiles(node)
            return settings
        }
        let path = try node.path()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw node.error("the policy file \(path) does not exist")
        }
        sourceFiles.add(path)
        let policyRoot = try ConfigurationNode.load(contentsOfFile: path)
        let settings = try CertificatePolicyConfiguration.parse(policyRoot)
        sourceFiles.addPolicyFiles(policyRoot)
        return settings
    }

    // MARK: - Upstreams

    private static let upstreamKeys: Set<String> = GatewayCredentialReader.keys.union([
        "url", "ca", "server_name", "connect_timeout", "response_timeout", "idle_timeout", "max_idle_connections",
    ])
    private static let httpsOnlyUpstreamKeys = ["ca", "certificate", "key", "password_file", "password_env", "server_name"]

    private mutating func readUpstreams(_ node: ConfigurationNode) throws -> [String: UpstreamConfiguration] {
        let map = try node.mappingWithAnyKeys()
        guard !map.order.isEmpty else { throw node.error("at least one upstream is required") }
        var upstreams: [String: UpstreamConfiguration] = [:]
        for name in map.order {
            guard let upstreamNode = map[name] else {
                throw ConfigurationError(file: node.file, line: node.line, keyPath: Self.child(node, name), problem: "is empty: an upstream needs at least a url")
            }
            upstreams[name] = try readUpstream(upstreamNode, name: name)
        }
        return upstreams
    }

    private mutating func readUpstream(_ node: ConfigurationNode, name: String) throws -> UpstreamConfiguration {
        let map = try node.mapping(allowedKeys: Self.upstreamKeys)
        let url = try GatewayAddressParsing.upstreamURL(map.required("url"))
        var upstream = UpstreamConfiguration(name: name, scheme: url.scheme, host: url.host, port: url.port, basePath: url.basePath)
        switch url.scheme {
        case .http:
            for key in Self.httpsOnlyUpstreamKeys {
                if let present = map[key] { throw present.error("only applies to https upstreams, and the url is http://") }
            }
        case .https:
            if let ca = map["ca"] {
                upstream.trustRoots = try CertificatePolicyConfiguration.certificates(from: ca)
                sourceFiles.addPaths(in: ca)
                if upstream.trustRoots?.isEmpty ?? true { throw ca.error("no CA certificate found") }
            }
            upstream.clientCertificate = try credentials.pair(map, sourceFiles: &sourceFiles)
            if let serverName = map["server_name"] {
                let text = try serverName.nonEmptyString().lowercased()
                guard GatewayAddressParsing.isValidHostName(text) else { throw serverName.error("'\(text)' is not a DNS name or IP address") }
                upstream.serverName = text
            }
        }
        if let node = map["connect_timeout"] { upstream.connectTimeout = try Self.positiveDuration(node, max: 3600) }
        if let node = map["response_timeout"] { upstream.responseTimeout = try Self.positiveDuration(node, max: 86_400) }
        if let node = map["idle_timeout"] { upstream.idleTimeout = try node.duration(max: 86_400) }
        if let node = map["max_idle_connections"] { upstream.maxIdleConnections = try node.integer(in: 0...10_000) }
        return upstream
    }

    private static func positiveDuration(_ node: ConfigurationNode, max: TimeInterval) throws -> TimeInterval {
        let value = try node.duration(max: max)
        guard value > 0 else { throw node.error("must be greater than 0") }
        return value
    }

    // MARK: - Routes

    private static let routeKeys: Set<String> = [
        "name", "hosts", "path", "methods", "upstream", "require_certificate", "identity", "forward_certificate",
        "certificate_info_headers", "forwarded_headers", "auth", "allow_insecure_auth", "principal_headers",
        "forward_credentials", "underscores_in_headers",
    ]

    private mutating func readRoutes(
        _ node: ConfigurationNode, listeners: [ListenerConfiguration], upstreams: [String: UpstreamConfiguration],
        schemes: AuthenticationSchemes
    ) throws -> [RouteConfiguration] {
        let items = try node.list()
        guard !items.isEmpty else { throw node.error("at least one route is required") }
        var routes: [RouteConfiguration] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let map = try item.mapping(allowedKeys: Self.routeKeys)
            let name = try map["name"]?.nonEmptyString() ?? "route-\(index + 1)"
            guard names.insert(name).inserted else {
                throw (map["name"] ?? item).error("another route is already named '\(name)'")
            }
            var route = RouteConfiguration(name: name, upstream: "")
            if let hosts = map["hosts"] { route.hosts = try Self.routeHosts(hosts, listeners: listeners) }
            if let path = map["path"] { route.pathPrefix = try Self.routePath(path) }
            if let methods = map["methods"] { route.methods = try Self.methods(methods) }

            let upstreamNode = try map.required("upstream")
            route.upstream = try upstreamNode.nonEmptyString()
            guard upstreams[route.upstream] != nil else {
                let known = upstreams.keys.sorted().joined(separator: ", ")
                throw upstreamNode.error("unknown upstream '\(route.upstream)' (configured: \(known))")
            }
            if let require = map["require_certificate"] { route.requireCertificate = try require.bool() }
            if let identity = map["identity"] {
                let requirement = try CertificatePolicyConfiguration.identityRequirement(identity)
                sourceFiles.addIdentityFiles(identity)
                route.identity = requirement.isEmpty ? nil : requirement
            }
            if let forward = map["forward_certificate"] { route.forwarding.formats = try Self.forwardedFormats(forward) }
            if let info = map["certificate_info_headers"] { route.forwarding.infoHeaders = try info.bool() }
            if let style = map["forwarded_headers"] { route.forwardedHeaders = try style.oneOf(ForwardedHeaderStyle.self) }
            if let underscores = map["underscores_in_headers"] { route.allowsUnderscoresInHeaders = try underscores.bool() }

            if route.requireCertificate || route.identity != nil {
                let blamed = route.requireCertificate ? map["require_certificate"] : map["identity"]
                try Self.checkSatisfiable(route, listeners: listeners, node: blamed ?? item)
            }
            route.authentication = try RouteAuthenticationReading.read(map, route: route, listeners: listeners, schemes: schemes)
            routes.append(route)
        }
        return routes
    }

    private static func routeHosts(_ node: ConfigurationNode, listeners: [ListenerConfiguration]) throws -> [String] {
        let configured = Set(listeners.flatMap { $0.hosts.flatMap(\.names) })
        var hosts: [String] = []
        for item in try node.list() {
            let name = try GatewayAddressParsing.virtualHostName(item)
            guard configured.contains(name) else {
                throw item.error("no configured host is named '\(name)' (host names: \(configured.sorted().joined(separator: ", ")))")
            }
            if !hosts.contains(name) { hosts.append(name) }
        }
        return hosts
    }

    private static func routePath(_ node: ConfigurationNode) throws -> String {
        let path = try node.nonEmptyString()
        guard path.hasPrefix("/") else { throw node.error("must start with '/'") }
        guard !path.contains("?"), !path.contains("#") else { throw node.error("must not contain '?' or '#': routes match on the path only") }
        guard !path.contains(where: \.isWhitespace) else { throw node.error("must not contain spaces") }
        return path
    }

    /// RFC 9110 §5.6.2 `token` characters.
    private static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    private static func methods(_ node: ConfigurationNode) throws -> Set<String> {
        var methods: Set<String> = []
        for item in try node.list() {
            let method = try item.nonEmptyString().uppercased()
            guard method.allSatisfy(tokenCharacters.contains) else { throw item.error("'\(method)' is not an HTTP method name") }
            methods.insert(method)
        }
        return methods
    }

    private static func forwardedFormats(_ node: ConfigurationNode) throws -> [ForwardedCertificateFormat] {
        if let text = try? node.string(), ["none", "off", "false"].contains(text.lowercased()) { return [] }
        var formats: [ForwardedCertificateFormat] = []
        for item in try node.list() {
            let format = try item.oneOf(ForwardedCertificateFormat.self)
            if !formats.contains(format) { formats.append(format) }
        }
        return formats
    }

    /// A route that needs a certificate on a host that never asks for one (mode ignore) and cannot get one
    /// from a proxy either would refuse every request: that is a configuration mistake, not a policy.
    private static func checkSatisfiable(_ route: RouteConfiguration, listeners: [ListenerConfiguration], node: ConfigurationNode) throws {
        let what = route.requireCertificate ? "requires a client certificate" : "has an identity requirement"
        for listener in listeners {
            for host in listener.hosts where host.clientCertificates.mode == .ignore {
                guard route.hosts.isEmpty || host.names.contains(where: route.hosts.contains) else { continue }
                let scope = route.hosts.isEmpty ? " (the route has no hosts, so it serves every host)" : ""
                throw node.error(
                    "route '\(route.name)' \(what), but it serves host '\(host.names[0])' of listener '\(listener.name)'\(scope), whose client_certificate mode is ignore (no certificate is asked for or taken from a trusted proxy): the requirement could never be satisfied")
            }
        }
    }

    // MARK: - Operations

    private func readAdmin(_ node: ConfigurationNode, listeners: [ListenerConfiguration]) throws -> AdminConfiguration {
        let map = try node.mapping(allowedKeys: ["address"])
        var admin = AdminConfiguration()
        let addressNode = map["address"]
        if let addressNode { admin.address = try GatewayAddressParsing.listenAddress(addressNode) }
        if admin.address.port != 0, let listener = listeners.first(where: { Self.sameSocket($0.address, admin.address) }) {
            throw (addressNode ?? node).error("listener '\(listener.name)' already listens on \(listener.address)")
        }
        return admin
    }

    private func readAccessLog(_ node: ConfigurationNode) throws -> AccessLogConfiguration {
        let text = try node.nonEmptyString()
        switch text.lowercased() {
        case "stdout", "-": return AccessLogConfiguration(destination: .standardOutput)
        case "off", "false", "none", "no": return AccessLogConfiguration(destination: .disabled)
        default: return AccessLogConfiguration(destination: .file(try node.path()))
        }
    }

    static func child(_ node: ConfigurationNode, _ key: String) -> String {
        node.keyPath.isEmpty ? key : "\(node.keyPath).\(key)"
    }
}
