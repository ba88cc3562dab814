import Foundation
public import HummingbirdCore
import NIOSSL
public import TrustGateAuth
public import TrustGateConfiguration
public import TrustGateX509
import X509

/// A Hummingbird service's listener and authentication, read from YAML: what `LoyaltyAPI --config` takes,
/// reusable by any service built on this module.
///
/// ```yaml
/// listen: 127.0.0.1:8443            # host:port, [v6]:port, or :port
/// tls:                              # absent: plain HTTP
///   certificate: certs/server-chain.pem   # PEM chain (leaf first) or PFX (with password_env)
///   key: certs/server.key           # omit when the certificate file holds the key
///   password_env: SERVER_KEY_PASS   # the password of an encrypted key or PFX, from this variable
///   http2: true                     # ALPN h2 + http/1.1 (default); false: http/1.1 only
///   min_version: "1.2"              # "1.2" (default) | "1.3"
///   client_certificate: optional    # required | optional | ignore (default)
/// certificate_policy: policy.yaml   # judges client certificates (handshake or trusted proxy): a policy
///                                   #   file or the policy inline; required when certificates can arrive
/// trusted_proxies:                  # absent: no proxy is trusted
///   addresses: [127.0.0.1, 10.0.0.0/8]
///   header: x-arr-clientcert        # x-arr-clientcert (default) | rfc9440 | xfcc | nginx | none
/// allow_insecure_auth: false        # true: accept Basic / API keys / bearer tokens over plain HTTP
/// auth_schemes: { … }               # the gateway's schemes schema
/// auth: …                           # the gateway's route requirement schema; absent: no authentication
/// ```
/// Relative paths are relative to the configuration file. Unknown keys are errors.
public struct TrustGateServiceConfiguration: Sendable {
    public static let topLevelKeys: Set<String> = [
        "listen", "tls", "certificate_policy", "trusted_proxies", "allow_insecure_auth", "auth_schemes", "auth",
    ]

    public var listen: ListenAddress
    public var tls: TrustGateTLSConfiguration?
    public var certificatePolicy: CertificatePolicy?
    public var trustedProxies: TrustedProxies
    public var allowInsecureAuthentication: Bool
    /// nil: the service does no authentication of its own (it runs behind `trustgate serve`).
    public var requirement: AuthenticationRequirement?

    public init(
        listen: ListenAddress,
        tls: TrustGateTLSConfiguration? = nil,
        certificatePolicy: CertificatePolicy? = nil,
        trustedProxies: TrustedProxies = .none,
        allowInsecureAuthentication: Bool = false,
        requirement: AuthenticationRequirement? = nil
    ) {
        self.listen = listen
        self.tls = tls
        self.certificatePolicy = certificatePolicy
        self.trustedProxies = trustedProxies
        self.allowInsecureAuthentication = allowInsecureAuthentication
        self.requirement = requirement
    }

    // MARK: - Loading

    public static func load(contentsOfFile path: String) throws -> TrustGateServiceConfiguration {
        try parse(ConfigurationNode.load(contentsOfFile: path))
    }

    public static func parse(_ node: ConfigurationNode) throws -> TrustGateServiceConfiguration {
        let root = try node.mapping(allowedKeys: topLevelKeys)
        let listenNode = try root.required("listen")
        guard let listen = ListenAddress(parsing: try listenNode.nonEmptyString()) else {
            throw listenNode.error("expected host:port, [v6]:port or :port with a port from 0 to 65535")
        }
        var configuration = TrustGateServiceConfiguration(listen: listen)

        if let policyNode = root["certificate_policy"] {
            configuration.certificatePolicy = CertificatePolicy(try policySettings(policyNode))
        }
        if let tlsNode = root["tls"] {
            configuration.tls = try tlsConfiguration(tlsNode, policy: configuration.certificatePolicy)
        }
        if let proxiesNode = root["trusted_proxies"] {
            configuration.trustedProxies = try trustedProxies(proxiesNode)
        }
        if let insecure = root["allow_insecure_auth"] {
            configuration.allowInsecureAuthentication = try insecure.bool()
        }
        if configuration.trustedProxies.certificateFormat != nil, configuration.certificatePolicy == nil {
            throw (root["trusted_proxies"] ?? node).error("trusted proxies forward client certificates (header), but no certificate_policy is configured to judge them; add one or set header: none")
        }
        configuration.requirement = try TrustGateServiceAuthenticationConfiguration.requirement(
            schemes: root["auth_schemes"], auth: root["auth"], certificatePolicy: configuration.certificatePolicy, owner: node)
        return configuration
    }

    static func policySettings(_ node: ConfigurationNode) throws -> CertificatePolicySettings {
        if let path = try? node.path() {
            return try CertificatePolicyConfiguration.load(contentsOfFile: path)
        }
        return try CertificatePolicyConfiguration.parse(node)
    }

    static func tlsConfiguration(_ node: ConfigurationNode, policy: CertificatePolicy?) throws -> TrustGateTLSConfiguration {
        let map = try node.mapping(allowedKeys: ["certificate", "key", "password_env", "http2", "min_version", "client_certificate"])
        var password: String?
        if let variable = map["password_env"] {
            let name = try variable.nonEmptyString()
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw variable.error("the environment variable \(name) is not set")
            }
            password = value
        }
        let certificateNode = try map.required("certificate")
        var bundle: CertificateBundle
        do {
            bundle = try CertificateBundle.load(contentsOfFile: try certificateNode.path(), password: password)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw certificateNode.error("cannot load the server certificate: \(error)")
        }
        if let keyNode = map["key"] {
            do {
                bundle.privateKey = try PrivateKeyDecoder.privateKey(contentsOfFile: try keyNode.path(), password: password)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw keyNode.error("cannot load the private key: \(error)")
            }
        }
        guard let privateKey = bundle.privateKey else {
            throw certificateNode.error("no private key: give `key`, or a certificate file that holds the key")
        }
        guard let leaf = bundle.certificates.first, leaf.publicKey == privateKey.publicKey else {
            throw (map["key"] ?? certificateNode).error("the private key does not belong to the first certificate of the chain")
        }
        var mode = TLSClientCertificateMode.ignore
        if let modeNode = map["client_certificate"] {
            mode = try modeNode.oneOf(TLSClientCertificateMode.self)
            if mode != .ignore, policy == nil {
                throw modeNode.error("client_certificate: \(mode.rawValue) needs a certificate_policy to judge the certificates")
            }
        }
        var minimum = TLSVersion.tlsv12
        if let versionNode = map["min_version"] {
            switch try versionNode.nonEmptyString() {
            case "1.2": minimum = .tlsv12
            case "1.3": minimum = .tlsv13
            default: throw versionNode.error("expected \"1.2\" or \"1.3\"")
            }
        }
        return try TrustGateTLSConfiguration(
            certificateChain: bundle.certificates,
            privateKey: privateKey,
            clientCertificateMode: mode,
            clientCertificatePolicy: mode == .ignore ? nil : policy,
            http2: try map["http2"]?.bool() ?? true,
            minimumTLSVersion: minimum)
    }

    static func trustedProxies(_ node: ConfigurationNode) throws -> TrustedProxies {
        let map = try node.mapping(allowedKeys: ["addresses", "header"])
        let addressesNode = try map.required("addresses")
        var networks: [CIDRBlock] = []
        for item in try addressesNode.list() {
            do {
                networks.append(try CIDRBlock(parsing: try item.nonEmptyString()))
            } catch let error as CIDRBlock.ParseError {
                throw item.error(error.description)
            }
        }
        guard !networks.isEmpty else { throw addressesNode.error("must list at least one address or CIDR block") }
        var format: ForwardedCertificateFormat? = .arrClientCert
        if let headerNode = map["header"] {
            let text = try headerNode.nonEmptyString().lowercased()
            if ["none", "off", "false"].contains(text) {
                format = nil
            } else {
                format = try headerNode.oneOf(ForwardedCertificateFormat.self)
            }
        }
        return TrustedProxies(networks: networks, certificateFormat: format)
    }

    // MARK: - Building

    /// The Hummingbird server: TLS (HTTP/2 + HTTP/1.1, client certificates) or plain HTTP/1.1, both giving
    /// requests their ``TrustGateConnection``.
    public func serverBuilder() throws -> HTTPServerBuilder {
        if let tls { return try .trustGateTLS(tls) }
        return .trustGatePlainHTTP1()
    }

    public var bindAddress: BindAddress { .hostname(listen.host, port: listen.port) }

    /// The middleware enforcing ``requirement``; nil when none is configured.
    public func authenticationMiddleware<Context: PrincipalRequestContext>(for context: Context.Type = Context.self) -> AuthenticationMiddleware<Context>? {
        requirement.map {
            AuthenticationMiddleware(requirement: $0, allowInsecureAuthentication: allowInsecureAuthentication, trustedProxies: trustedProxies)
        }
    }

    /// Workable but doubtful choices, to print at start.
    public var warnings: [String] {
        var warnings: [String] = []
        if requirement == nil, !listen.isLoopback {
            warnings.append("no `auth` is configured and the service listens on \(listen): anyone who can reach it can call it (run it on loopback behind trustgate serve, or add `auth`)")
        }
        if tls == nil, trustedProxies.networks.isEmpty, !listen.isLoopback {
            warnings.append("plain HTTP on \(listen) without trusted_proxies: credentials would cross the network unencrypted")
        }
        if allowInsecureAuthentication {
            warnings.append("allow_insecure_auth is true: passwords, API keys and tokens are accepted over plain HTTP")
        }
        if let requirement, requirement.usesClientCertificate, (tls?.clientCertificateMode ?? .ignore) == .ignore, trustedProxies.certificateFormat == nil {
            warnings.append("`auth` accepts client certificates, but none can arrive: set tls.client_certificate, or trusted_proxies.header")
        }
        return warnings
    }
}
