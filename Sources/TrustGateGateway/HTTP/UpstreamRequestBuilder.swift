import Foundation
import NIOHTTP1
import TrustGateX509

/// Turns a client's request head into the head sent upstream: hop-by-hop and spoofable headers removed,
/// client-address headers set, the client certificate forwarded in the route's formats.
enum UpstreamRequestBuilder {
    struct Context {
        let clientAddress: String
        let clientAddressIsIPv6: Bool
        let peerIsTrustedProxy: Bool
        let scheme: String
        let hostName: String
        /// Header names with `_` may be forwarded (the listener's or route's `underscores_in_headers`).
        var allowsUnderscores = false
        /// The request's id, sent as `X-Request-Id` (nil: none is sent).
        var requestID: String? = nil
    }

    /// Certificate headers for the upstream, computed once per connection and route (see
    /// ``DownstreamConnectionState/forwardedCertificateHeaders(route:certificate:presented:)``).
    static func certificateHeaders(route: CompiledRoute, certificate: AcceptedCertificate, presented: PresentedCertificateChain) -> [(String, String)] {
        var headers: [(String, String)] = []
        for format in route.configuration.forwarding.formats {
            for (name, value) in ForwardedCertificateHeader.headers(for: presented.derCertificates, format: format, identity: certificate.identity) {
                headers.append((name, value))
            }
        }
        if route.configuration.forwarding.infoHeaders {
            headers += CertificateInfoHeaders.headers(for: certificate.identity)
        }
        return headers
    }

    /// - Parameter dropped: receives the client's header names removed for their spelling (`_`), for the
    ///   operator's metric and debug log; empty on the usual path.
    static func head(
        for request: HTTPRequestHead,
        target: RequestTarget,
        route: CompiledRoute,
        certificateHeaders: [(String, String)],
        principalHeaders: [(String, String)] = [],
        context: Context,
        dropped: inout [String]
    ) -> HTTPRequestHead {
        // One pass over the client's headers: nothing is removed from a copy (each removal would be a scan).
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + certificateHeaders.count + principalHeaders.count + 3)
        let removed = route.authentication?.removedHeaders ?? []
        var connectionTokens: [String] = []
        var forwardedFor: [String] = []
        var forwardedProto: String?
        var forwardedHost: String?
        var forwarded: [String] = []
        var host: String?
        for (name, value) in request.headers {
            switch RequestHeaderClass.of(name) {
            case .endToEnd:
                // Principal headers and consumed credentials (routes with `auth` only).
                if !removed.isEmpty, removed.contains(name.lowercased()) { break }
                headers.add(name: name, value: value)
            case .contentLength:
                headers.add(name: name, value: value)
            case .underscored(let protected):
                // Dropped by default (nginx: underscores_in_headers off). Allowed, a name is still dropped when
                // an application folding `_` to `-` would read it as a header the gateway manages.
                if context.allowsUnderscores, !protected, removed.isEmpty || !removed.contains(RequestHeaderClass.folded(name)) {
                    headers.add(name: name, value: value)
                } else {
                    dropped.append(name)
                }
            case .host:
                host = host ?? value
                headers.add(name: name, value: value)
            case .connection:
                connectionTokens += ConnectionHeader.nominatedNames(value)
            case .clientAddress:
                // Only a trusted proxy's account of earlier hops is kept; anyone else could forge it.
                guard context.peerIsTrustedProxy else { break }
                switch name.lowercased() {
                case "x-forwarded-for": forwardedFor.append(value)
                case "x-forwarded-proto": forwardedProto = forwardedProto ?? value
                case "x-forwarded-host": forwardedHost = forwardedHost ?? value
                default: forwarded.append(value)
                }
            case .hopByHop, .spoofable, .expect, .requestID:
                // A trusted proxy's X-Request-Id became the request's id (Context.requestID), sent below.
                break
            }
        }
        // The client's Connection list applies to the client's own end-to-end fields only, and before the
        // gateway adds its own: `Connection: host` or `Connection: x-forwarded-for` must not remove what the
        // gateway sends (framing names were refused with the request head).
        for token in connectionTokens {
            switch RequestHeaderClass.of(token) {
            case .endToEnd, .underscored(protected: false): headers.remove(name: token)
            default: break
            }
        }
        if host == nil {
            headers.add(name: "Host", value: context.hostName)
        }
        let hostValue = host ?? context.hostName
        let style = route.configuration.forwardedHeaders
        if style == .xForwarded || style == .both {
            let previous = forwardedFor.joined(separator: ", ")
            headers.add(name: "X-Forwarded-For", value: previous.isEmpty ? context.clientAddress : "\(previous), \(context.clientAddress)")
            headers.add(name: "X-Forwarded-Proto", value: forwardedProto ?? context.scheme)
            headers.add(name: "X-Forwarded-Host", value: forwardedHost ?? hostValue)
        }
        if style == .rfc7239 || style == .both {
            let node = context.clientAddressIsIPv6 ? "\"[\(context.clientAddress)]\"" : context.clientAddress
            let element = "for=\(node);proto=\(context.scheme);host=\(quotedIfNeeded(hostValue))"
            let previous = forwarded.joined(separator: ", ")
            headers.add(name: "Forwarded", value: previous.isEmpty ? element : "\(previous), \(element)")
        }
        for (name, value) in certificateHeaders {
            headers.add(name: name, value: value)
        }
        for (name, value) in principalHeaders {
            headers.add(name: name, value: value)
        }
        if let requestID = context.requestID {
            headers.add(name: "X-Request-Id", value: requestID)
        }
        // HTTP/1.1 without `Connection: close`: the upstream connection goes back to the pool.
        return HTTPRequestHead(
            version: .http1_1, method: request.method,
            uri: target.upstreamURI(basePath: route.upstream.endpoint.configuration.basePath),
            headers: headers)
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let token = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
        if token { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
