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
    }

    static func head(
        for request: HTTPRequestHead,
        target: RequestTarget,
        route: CompiledRoute,
        certificate: AcceptedCertificate?,
        presented: PresentedCertificateChain?,
        context: Context
    ) -> HTTPRequestHead {
        var headers = request.headers
        HopByHopHeaders.remove(from: &headers)
        headers.remove(name: "expect")
        var spoofed: [String] = []
        for (name, _) in headers where SpoofableHeaders.isSpoofable(name) {
            spoofed.append(name)
        }
        for name in spoofed { headers.remove(name: name) }

        if !headers.contains(name: "host") {
            headers.add(name: "Host", value: context.hostName)
        }
        addClientAddressHeaders(&headers, style: route.configuration.forwardedHeaders, context: context)

        if let certificate, let presented {
            for format in route.configuration.forwarding.formats {
                for (name, value) in ForwardedCertificateHeader.headers(for: presented.derCertificates, format: format, identity: certificate.identity) {
                    headers.add(name: name, value: value)
                }
            }
            if route.configuration.forwarding.infoHeaders {
                for (name, value) in CertificateInfoHeaders.headers(for: certificate.identity) {
                    headers.add(name: name, value: value)
                }
            }
        }

        // HTTP/1.1 without `Connection: close`: the upstream connection goes back to the pool.
        return HTTPRequestHead(
            version: .http1_1, method: request.method,
            uri: target.upstreamURI(basePath: route.upstream.endpoint.configuration.basePath),
            headers: headers)
    }

    private static func addClientAddressHeaders(_ headers: inout HTTPHeaders, style: ForwardedHeaderStyle, context: Context) {
        // Only a trusted proxy's account of earlier hops is kept; anyone else could forge it.
        let incomingFor = context.peerIsTrustedProxy ? headers["x-forwarded-for"].joined(separator: ", ") : ""
        let incomingProto = context.peerIsTrustedProxy ? headers.first(name: "x-forwarded-proto") : nil
        let incomingHost = context.peerIsTrustedProxy ? headers.first(name: "x-forwarded-host") : nil
        let incomingForwarded = context.peerIsTrustedProxy ? headers["forwarded"].joined(separator: ", ") : ""
        for name in ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded"] {
            headers.remove(name: name)
        }
        if style == .xForwarded || style == .both {
            headers.add(name: "X-Forwarded-For", value: incomingFor.isEmpty ? context.clientAddress : "\(incomingFor), \(context.clientAddress)")
            headers.add(name: "X-Forwarded-Proto", value: incomingProto ?? context.scheme)
            headers.add(name: "X-Forwarded-Host", value: incomingHost ?? (headers.first(name: "host") ?? context.hostName))
        }
        if style == .rfc7239 || style == .both {
            let node = context.clientAddressIsIPv6 ? "\"[\(context.clientAddress)]\"" : context.clientAddress
            let host = headers.first(name: "host") ?? context.hostName
            let element = "for=\(node);proto=\(context.scheme);host=\(quotedIfNeeded(host))"
            headers.add(name: "Forwarded", value: incomingForwarded.isEmpty ? element : "\(incomingForwarded), \(element)")
        }
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let token = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
        if token { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
