import Foundation
import TrustGateAuth
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509

/// What `trustgate serve --check-config` prints: the configuration as the gateway will enforce it, listener by
/// listener and route by route, so an operator can read *who needs which certificate where* without
/// re-deriving it from YAML — and the warnings about choices that work but are probably not meant.
public enum GatewayConfigurationExplanation {
    public static func explain(_ configuration: GatewayConfiguration) -> String {
        var lines: [String] = []
        let listenerCount = configuration.listeners.count
        lines.append("TrustGate configuration: \(plural(listenerCount, "listener")), \(plural(configuration.upstreams.count, "upstream")), \(plural(configuration.routes.count, "route"))")

        for listener in configuration.listeners {
            lines.append("")
            lines += listenerLines(listener)
        }

        lines.append("")
        lines.append("Upstreams")
        for name in configuration.upstreams.keys.sorted() {
            guard let upstream = configuration.upstreams[name] else { continue }
            lines += upstreamLines(upstream)
        }

        for route in configuration.routes {
            lines.append("")
            lines += routeLines(route, configuration)
        }

        if let tokenService = configuration.tokenService {
            let settings = tokenService.settings
            let urls = settings.urls
            lines.append("")
            lines.append("Token service (OAuth 2.0 client credentials)")
            lines.append("  Issuer: \(urls.issuer)")
            lines.append("  Served on: " + (tokenService.hosts.isEmpty ? "every host" : tokenService.hosts.joined(separator: ", "))
                + " — before the host's certificate rules (each client's registration judges its certificate)")
            lines.append("  Endpoints: token \(urls.tokenPath), JWKS \(urls.jwksPath), discovery \(urls.openIDConfigurationPath), \(urls.authorizationServerMetadataPath), \(urls.entraOpenIDConfigurationPath)")
            lines.append("  Store: \(tokenService.storePath); signing algorithm for new keys: \(settings.accessTokenAlgorithm.rawValue)")
            lines.append("  Client assertions: aud = " + (settings.strictAssertionAudience ? "the issuer only" : "the issuer or the token endpoint")
                + "; clock skew \(duration(settings.clockSkew)); max age \(duration(settings.maximumAssertionAge)); tokens bound to a presented certificate: \(yesNo(settings.bindTokensToPresentedCertificates))")
        }

        lines.append("")
        lines.append("Admin: " + (configuration.admin.map { "\($0.address)" } ?? "off"))
        switch configuration.accessLog.destination {
        case .standardOutput: lines.append("Access log: standard output")
        case .file(let path): lines.append("Access log: \(path)")
        case .disabled: lines.append("Access log: off")
        }
        lines.append("Shutdown: in-flight requests get \(duration(configuration.shutdown.drainTimeout)) to finish")
        if configuration.reload.watchFiles {
            lines.append("Reload: \(plural(configuration.sourceFiles.count, "file")) watched, checked every \(duration(configuration.reload.pollInterval))")
        } else {
            lines.append("Reload: files are not watched")
        }

        let warnings = warnings(configuration)
        lines.append("")
        if warnings.isEmpty {
            lines.append("Warnings: none")
        } else {
            lines.append("Warnings:")
            lines += warnings.map { "  - " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Listeners

    private static func listenerLines(_ listener: ListenerConfiguration) -> [String] {
        var lines: [String] = []
        if let tls = listener.tls {
            let alpn = tls.http2 ? "h2, http/1.1" : "http/1.1"
            let parameters = TLSParameters(tls)
            lines.append("Listener '\(listener.name)' on \(listener.address): TLS, profile \(tls.profile.rawValue), minimum version \(tls.effectiveMinimumVersion.rawValue), ALPN \(alpn)")
            lines.append("  Cipher suites: \(parameters.cipherSuiteNames.joined(separator: ", "))")
            lines.append("  Key exchange groups: \(parameters.curveNames.joined(separator: ", "))")
            lines.append("  Signature algorithms (client certificates and the server's own): \(parameters.signatureAlgorithmNames.joined(separator: ", "))")
            let tickets = tls.sessionTickets
            if !tickets.enabled {
                lines.append("  Session resumption: off (no tickets are issued)")
            } else {
                let keys = tickets.keys.isEmpty
                    ? "random keys per process, rotated every 48 h and on reload"
                    : "keys from \(tickets.keys.map(\.path).joined(separator: ", ")) (the first encrypts)"
                lines.append("  Session resumption: tickets valid \(Int(tickets.lifetime)) s, \(keys)")
            }
        } else {
            lines.append("Listener '\(listener.name)' on \(listener.address): plain HTTP (no TLS)")
        }
        if let proxies = listener.trustedProxies {
            var line = "  Trusted proxies: \(proxies.addresses.map(\.description).joined(separator: ", ")); client certificate read from the \(proxies.format.rawValue) header (\(proxies.format.headerNames.joined(separator: ", ")))"
            if !proxies.proxySPKISHA256.isEmpty {
                line += "; the proxy must present a certificate with one of \(plural(proxies.proxySPKISHA256.count, "SPKI pin"))"
            }
            lines.append(line)
        } else {
            lines.append("  Trusted proxies: none (forwarded certificate headers are stripped, never believed)")
        }
        for (index, host) in listener.hosts.enumerated() {
            lines += hostLines(host, isDefault: index == 0)
        }
        return lines
    }

    private static func hostLines(_ host: HostConfiguration, isDefault: Bool) -> [String] {
        var lines = ["  Host \(host.names.joined(separator: ", "))" + (isDefault ? " (default host)" : "")]
        if let pair = host.serverCertificate, let leaf = pair.chain.first {
            lines.append("    Server certificate: \(leaf.subject.displayString), valid until \(timestamp(leaf.notValidAfter)), chain of \(pair.chain.count)")
        }
        let settings = host.clientCertificates
        switch settings.mode {
        case .ignore:
            lines.append("    Client certificate: ignore (not requested)")
        case .required, .optional:
            lines.append("    Client certificate: \(settings.mode.rawValue); reject in handshake: \(yesNo(settings.rejectInHandshake))")
        }
        if !settings.excludedPaths.prefixes.isEmpty {
            lines.append("    Excluded paths (no certificate needed): \(settings.excludedPaths.prefixes.joined(separator: ", "))")
        }
        if let policy = settings.policy {
            lines += policyLines(policy)
        }
        return lines
    }

    private static func policyLines(_ policy: CertificatePolicySettings) -> [String] {
        var lines: [String] = []
        let anchors = policy.trustAnchors.map { $0.subject.displayString }
        lines.append("    Trust anchors: " + (anchors.isEmpty ? "none" : anchors.joined(separator: "; ")))
        if !policy.intermediates.isEmpty {
            lines.append("    Intermediates: " + policy.intermediates.map { $0.subject.displayString }.joined(separator: "; "))
        }
        let pinnedCount = policy.pinnedSelfSigned.thumbprints.count + policy.pinnedSelfSigned.spkiSHA256.count
        if pinnedCount > 0 {
            lines.append("    Pinned self-signed certificates: \(pinnedCount)")
        }
        var chain = "    Chain: at most \(policy.maxDepth) CA certificate(s) above the leaf; profile \(policy.profile.rawValue); clock skew \(duration(policy.clockSkew))"
        chain += policy.requiredKeyPurpose == nil ? "; any key usage" : "; clientAuth usage required"
        lines.append(chain)
        let revocation = policy.revocation
        if revocation.mode == .off {
            lines.append("    Revocation: off")
        } else {
            lines.append("    Revocation: \(revocation.mode.rawValue), \(plural(policy.crls.count, "CRL")), require_crl \(yesNo(revocation.requireCRL)), stale CRL \(revocation.staleCRL.rawValue)")
        }
        lines.append("    Identity rules: " + (policy.identity.isEmpty ? "none (any certificate the chain rules accept)" : describe(policy.identity)))
        lines.append("    Verdicts cached up to \(duration(policy.cacheTTL))")
        return lines
    }

    // MARK: - Upstreams

    private static func upstreamLines(_ upstream: UpstreamConfiguration) -> [String] {
        var line = "  \(upstream.name): \(url(of: upstream))"
        line += " (connect \(duration(upstream.connectTimeout)), response \(duration(upstream.responseTimeout)), idle \(duration(upstream.idleTimeout)), \(upstream.maxIdleConnections) idle connections kept)"
        var lines = [line]
        if upstream.scheme == .https {
            let roots = upstream.trustRoots.map { $0.map { $0.subject.displayString }.joined(separator: "; ") } ?? "the system trust store"
            lines.append("    Server certificate checked against: \(roots); name \(upstream.serverName ?? upstream.host)")
            if let leaf = upstream.clientCertificate?.chain.first {
                lines.append("    Gateway's client certificate: \(leaf.subject.displayString)")
            }
        }
        return lines
    }

    private static func url(of upstream: UpstreamConfiguration) -> String {
        let host = upstream.host.contains(":") ? "[\(upstream.host)]" : upstream.host
        return "\(upstream.scheme.rawValue)://\(host):\(upstream.port)\(upstream.basePath)"
    }

    // MARK: - Routes

    private static func routeLines(_ route: RouteConfiguration, _ configuration: GatewayConfiguration) -> [String] {
        var lines = ["Route '\(route.name)'"]
        lines.append("  Hosts: " + (route.hosts.isEmpty ? "every host" : route.hosts.joined(separator: ", ")))
        lines.append("  Path: \(route.pathPrefix)")
        if let methods = route.methods {
            lines.append("  Methods: " + (methods.isEmpty ? "none (the route matches no request)" : methods.sorted().joined(separator: ", ")))
        } else {
            lines.append("  Methods: any")
        }
        let upstreamURL = configuration.upstreams[route.upstream].map(url(of:)) ?? "unknown"
        lines.append("  Upstream: \(route.upstream) (\(upstreamURL)\(route.pathPrefix == "/" ? "/…" : route.pathPrefix + "…"))")

        let served = servedHosts(route, configuration)
        if served.isEmpty {
            lines.append("  Certificate required: no host serves this route")
        } else if served.count == 1, let only = served.first {
            lines.append("  Certificate required: " + enforcement(route, listener: only.listener, host: only.host))
        } else {
            lines.append("  Certificate required:")
            for (listener, host) in served {
                lines.append("    \(host.names[0]) on listener '\(listener.name)': " + enforcement(route, listener: listener, host: host))
            }
        }
        lines.append("  Identity tightening: " + (route.identity.map(describe) ?? "none"))
        if let authentication = route.authentication {
            lines.append("  Authentication: " + authentication.requirement.explanation)
            lines.append("    credentials over plain HTTP: " + (authentication.allowInsecure ? "accepted (allow_insecure_auth)" : "refused (403 insecure_transport)")
                + "; forwarded upstream: " + yesNo(authentication.forwardCredentials))
            if let names = authentication.principalHeaders {
                lines.append("    principal headers: " + principalHeaderList(names))
            }
        } else {
            lines.append("  Authentication: none beyond the certificate rules")
        }
        let formats = route.forwarding.formats.isEmpty
            ? "none"
            : route.forwarding.formats.map { "\($0.rawValue) (\($0.headerNames.joined(separator: ", ")))" }.joined(separator: ", ")
        lines.append("  Forwarded certificate: \(formats); info headers: \(yesNo(route.forwarding.infoHeaders)); client address headers: \(route.forwardedHeaders.rawValue)")
        return lines
    }

    private static func servedHosts(_ route: RouteConfiguration, _ configuration: GatewayConfiguration) -> [(listener: ListenerConfiguration, host: HostConfiguration)] {
        var result: [(ListenerConfiguration, HostConfiguration)] = []
        for listener in configuration.listeners {
            for host in listener.hosts where serves(route, host) {
                result.append((listener, host))
            }
        }
        return result
    }

    static func serves(_ route: RouteConfiguration, _ host: HostConfiguration) -> Bool {
        route.hosts.isEmpty || host.names.contains(where: route.hosts.contains)
    }

    static func needsCertificateAlways(_ route: RouteConfiguration) -> Bool {
        route.requireCertificate || !(route.identity?.isEmpty ?? true)
    }

    /// Mirrors ``RequestAuthorization``: what a request without a certificate gets on this route and host.
    private static func enforcement(_ route: RouteConfiguration, listener: ListenerConfiguration, host: HostConfiguration) -> String {
        let settings = host.clientCertificates
        let source = listener.trustedProxies.map { " (from the trusted proxies' \($0.format.rawValue) header, or the TLS handshake)" } ?? ""
        if needsCertificateAlways(route) {
            if settings.mode == .ignore {
                return "yes, but this host is in mode ignore and never receives a certificate: every request is refused"
            }
            let why = route.requireCertificate ? "require_certificate" : "identity rules"
            let excludedNote = settings.excludedPaths.prefixes.isEmpty ? "" : ", on excluded paths too"
            return "yes (the route's \(why)\(excludedNote))" + source
        }
        switch settings.mode {
        case .ignore:
            return "no (mode ignore: certificates are not requested)"
        case .optional:
            return "no (mode optional: a certificate that is presented must be acceptable)" + source
        case .required:
            let handshake = settings.rejectInHandshake ? "; a missing or refused certificate fails the TLS handshake" : ""
            let prefix = route.pathPrefix.lowercased()
            let covering = settings.excludedPaths.prefixes.filter { (try? ExcludedPaths(parsing: $0))?.contains(prefix) ?? false }
            if !covering.isEmpty {
                return "no (the route's path is excluded: \(covering.joined(separator: ", ")))"
            }
            let inside = settings.excludedPaths.prefixes.filter { RouteTable.prefix(prefix, matches: $0) }
            if inside.isEmpty { return "yes" + source + handshake }
            return "yes; on excluded paths no (\(inside.joined(separator: ", ")))" + source
        }
    }

    // MARK: - Identity

    static func describe(_ requirement: IdentityRequirement) -> String {
        var parts: [String] = []
        if !requirement.required.isEmpty {
            parts.append("all of {\(describe(requirement.required))}")
        }
        if !requirement.identities.isEmpty {
            let shown = requirement.identities.prefix(5).map { "{\(describe($0))}" }
            var text = "one of " + shown.joined(separator: " | ")
            if requirement.identities.count > shown.count {
                text += " … and \(requirement.identities.count - shown.count) more"
            }
            parts.append(text)
        }
        return parts.isEmpty ? "none" : parts.joined(separator: " and ")
    }

    private static func describe(_ claims: IdentityClaims) -> String {
        var items: [String] = []
        if let value = claims.thumbprint { items.append("thumbprint=\(value)") }
        if let value = claims.serialNumber { items.append("serial_number=\(value)") }
        if let value = claims.commonName { items.append("common_name=\(value)") }
        if let value = claims.subject { items.append("subject=\(value.displayString)") }
        if let value = claims.dnsName { items.append("dns_name=\(value)") }
        if let value = claims.uri { items.append("uri=\(value)") }
        if let value = claims.email { items.append("email=\(value)") }
        if let value = claims.ipAddress { items.append("ip=\(IPAddressText.text(value))") }
        if let value = claims.issuerSubject { items.append("issuer_subject=\(value.displayString)") }
        if let value = claims.issuerThumbprint { items.append("issuer_thumbprint=\(value)") }
        if let value = claims.spkiSHA256 { items.append("spki_sha256=\(Data(value).base64EncodedString())") }
        return items.joined(separator: ", ")
    }

    // MARK: - Warnings

    /// Choices that load and run but are probably not what was meant; each names what to change.
    public static func warnings(_ configuration: GatewayConfiguration) -> [String] {
        warnings(configuration, now: Date())
    }

    static func warnings(_ configuration: GatewayConfiguration, now: Date) -> [String] {
        var warnings: [String] = []
        for listener in configuration.listeners {
            let label = "listener '\(listener.name)' (\(listener.address))"
            if listener.tls == nil, listener.trustedProxies == nil, !GatewayAddressParsing.isLoopback(listener.address.host) {
                warnings.append("\(label) serves plain HTTP on a non-loopback address without trusted_proxies: traffic is unencrypted and no client certificate can reach it; add tls, or bind to 127.0.0.1 behind a TLS terminator listed in trusted_proxies")
            }
            if let proxies = listener.trustedProxies {
                for block in proxies.addresses where block.prefixLength == 0 {
                    warnings.append("\(label) trusts \(block) as proxies: any client can send a forged \(proxies.format.rawValue) certificate header; list only the proxies' own addresses")
                }
            }
            for host in listener.hosts {
                let hostLabel = "host '\(host.names[0])' on \(label)"
                let settings = host.clientCertificates
                if listener.tls == nil, listener.trustedProxies == nil, settings.mode != .ignore {
                    warnings.append("\(hostLabel) is in mode \(settings.mode.rawValue) but the listener is plain HTTP without trusted_proxies: no certificate can ever arrive")
                }
                if settings.mode == .optional,
                    !configuration.routes.contains(where: { serves($0, host) && (needsCertificateAlways($0) || $0.authentication != nil) })
                {
                    warnings.append("\(hostLabel) is in mode optional but no route serving it sets require_certificate or identity: requests without a certificate pass everywhere")
                }
                if let leaf = host.serverCertificate?.chain.first {
                    if leaf.notValidAfter < now {
                        warnings.append("the server certificate of \(hostLabel) (\(leaf.subject.displayString)) expired on \(timestamp(leaf.notValidAfter))")
                    } else if leaf.notValidBefore > now {
                        warnings.append("the server certificate of \(hostLabel) (\(leaf.subject.displayString)) is not valid before \(timestamp(leaf.notValidBefore))")
                    }
                }
            }
        }
        for route in configuration.routes {
            if let methods = route.methods, methods.isEmpty {
                warnings.append("route '\(route.name)' has an empty methods list and matches no request; remove methods to allow any method")
            }
            guard let authentication = route.authentication else { continue }
            let requirement = authentication.requirement
            for listener in configuration.listeners {
                for host in listener.hosts where serves(route, host) {
                    let hostLabel = "host '\(host.names[0])' on listener '\(listener.name)'"
                    if host.clientCertificates.mode == .ignore, requirement.usesClientCertificate {
                        warnings.append("route '\(route.name)' accepts a client certificate, but \(hostLabel) never asks for one (mode ignore): that alternative cannot succeed there")
                    }
                    if authentication.allowInsecure, listener.tls != nil {
                        warnings.append("route '\(route.name)' sets allow_insecure_auth on TLS \(hostLabel), where it has no effect")
                    }
                }
            }
        }
        let usedSchemes = Set(configuration.routes.flatMap { $0.authentication?.requirement.schemes.map(\.name) ?? [] })
        for name in configuration.authenticationSchemes.names where name != "certificate" && !usedSchemes.contains(name) {
            warnings.append("auth scheme '\(name)' is not used by any route")
        }
        let used = Set(configuration.routes.map(\.upstream))
        for name in configuration.upstreams.keys.sorted() where !used.contains(name) {
            warnings.append("upstream '\(name)' is not used by any route")
        }
        return warnings
    }

    // MARK: - Formatting

    private static func principalHeaderList(_ names: PrincipalHeaderNames) -> String {
        let pairs: [(String, String?)] = [("name", names.name), ("method", names.method), ("roles", names.roles), ("scopes", names.scopes), ("client id", names.clientID)]
        return pairs.compactMap { label, header in header.map { "\($0) (\(label))" } }.joined(separator: ", ")
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func yesNo(_ flag: Bool) -> String { flag ? "yes" : "no" }

    private static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 1, seconds > 0 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return String(format: "%.1fs", seconds)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
