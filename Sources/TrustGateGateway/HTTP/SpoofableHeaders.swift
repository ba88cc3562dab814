import Foundation
import NIOHTTP1
import TrustGateX509

/// Request headers that claim something only the gateway may say — a client certificate, its details, an
/// authenticated principal. Every copy arriving from a client is removed before the request goes upstream:
/// always, in every mode, on excluded paths too (the linkerd #2068 / traefik #5061 / CVE-2026-46579 class).
enum SpoofableHeaders {
    /// Exact names (lower-case): every forwarding format TrustGate reads or writes, plus the usual spellings
    /// of other terminators (Traefik, nginx/OpenShift conventions).
    static let exactNames: Set<String> = ForwardedCertificateFormat.allHeaderNames.union([
        "x-forwarded-tls-client-cert", "x-forwarded-tls-client-cert-info",
        "x-client-cert", "x-client-certificate", "x-client-verify", "ssl-client-cert", "x-ssl-cert",
    ])

    /// Prefixes (lower-case): TrustGate's own info/principal headers and nginx-style `X-SSL-Client-*`.
    static let prefixes = ["x-trustgate-", "x-ssl-client-"]

    /// `name` compared case-insensitively with `_` read as `-` (see ``RequestHeaderClass``).
    static func isSpoofable(_ name: String) -> Bool {
        let lowered = RequestHeaderClass.folded(name)
        if exactNames.contains(lowered) { return true }
        return prefixes.contains { lowered.hasPrefix($0) }
    }
}

/// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded in either direction, plus any header named in
/// `Connection`.
enum HopByHopHeaders {
    /// `headers` without the hop-by-hop ones, in one pass.
    static func removed(from headers: HTTPHeaders) -> HTTPHeaders {
        var named: [String] = []
        var result = HTTPHeaders()
        result.reserveCapacity(headers.count)
        for (name, value) in headers {
            if RequestHeaderClass.isHopByHop(name) {
                if name.utf8.count == 10, name.lowercased() == "connection" {
                    named += ConnectionHeader.nominatedNames(value)
                }
                continue
            }
            result.add(name: name, value: value)
        }
        for name in named { result.remove(name: name) }
        return result
    }
}

/// The `Connection` header's list (RFC 9110 §7.6.1): the options `close` and `keep-alive`, and the names of
/// the sender's hop-by-hop fields.
enum ConnectionHeader {
    /// The field names `value` nominates, lower-cased (`close` and `keep-alive` are connection options).
    static func nominatedNames(_ value: String) -> [String] {
        var names: [String] = []
        for token in value.split(separator: ",") {
            let trimmed = token.trimmingCharacters(in: .whitespaces).lowercased()
            if !trimmed.isEmpty && trimmed != "close" && trimmed != "keep-alive" { names.append(trimmed) }
        }
        return names
    }

    /// The first framing field (`Content-Length`, `Transfer-Encoding`, in any spelling) a client's
    /// `Connection` headers nominate: a request that asks for its own framing to be dropped by the next hop
    /// is refused (a proxy that obeyed would change how the upstream reads the body — a smuggling vector).
    static func nominatedFramingField(in headers: HTTPHeaders) -> String? {
        for value in headers["connection"] {
            for name in nominatedNames(value) {
                switch RequestHeaderClass.of(name) {
                case .contentLength: return name
                case .hopByHop where RequestHeaderClass.folded(name) == "transfer-encoding": return name
                case .underscored(protected: true):
                    let folded = RequestHeaderClass.folded(name)
                    if folded == "content-length" || folded == "transfer-encoding" { return name }
                default: continue
                }
            }
        }
        return nil
    }
}
