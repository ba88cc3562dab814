/// The ways a TLS terminator hands the client certificate to the application behind it.
public enum ForwardedCertificateFormat: String, Sendable, Hashable, CaseIterable {
    /// `X-ARR-ClientCert`: base64 of the leaf's DER (Azure App Service's front end; seed 002).
    case arrClientCert = "x-arr-clientcert"
    /// RFC 9440 `Client-Cert` (leaf) and `Client-Cert-Chain` (intermediates): structured-field byte sequences.
    case rfc9440
    /// Envoy's `X-Forwarded-Client-Cert`: `Hash=…;Cert="…";Chain="…";Subject="…";URI=…;DNS=…`, URL-escaped PEM.
    case xfcc
    /// `X-SSL-Client-Cert`: URL-escaped PEM, nginx's `$ssl_client_escaped_cert`.
    case nginxEscapedPEM = "nginx"

    /// The (lower-case) header names the format uses: all of them are stripped from untrusted requests.
    public var headerNames: [String] {
        switch self {
        case .arrClientCert: ["x-arr-clientcert"]
        case .rfc9440: ["client-cert", "client-cert-chain"]
        case .xfcc: ["x-forwarded-client-cert"]
        case .nginxEscapedPEM: ["x-ssl-client-cert"]
        }
    }

    /// Every certificate header TrustGate knows, in any format: what must never reach an upstream from a
    /// client unless a trusted proxy set it.
    public static let allHeaderNames: Set<String> = Set(allCases.flatMap(\.headerNames))
}
