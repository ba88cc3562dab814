import Foundation
import Hummingbird
import TrustGateAuth
import TrustGateX509

/// Turns a Hummingbird request and its connection into the framework-neutral ``AuthenticationRequest``:
/// only the headers the requirement's authenticators declare, whether the credentials travelled over TLS,
/// and the client certificate — from this connection's handshake, or from a trusted proxy's header.
struct AuthenticationRequestReader: Sendable {
    /// Lower-cased names of the headers authenticators read.
    let headerNames: Set<String>
    let trustedProxies: TrustedProxies

    /// The request could not be read: a trusted proxy sent a certificate header that does not decode.
    struct ForwardedCertificateUnreadable: Error {
        let error: ForwardedCertificateError
    }

    init(headerNames: [String], trustedProxies: TrustedProxies) {
        self.headerNames = Set(headerNames.map { $0.lowercased() })
        self.trustedProxies = trustedProxies
    }

    func read(_ request: Request, connection: TrustGateConnection?) throws(ForwardedCertificateUnreadable) -> AuthenticationRequest {
        var headers: [(name: String, value: String)] = []
        for field in request.headers where headerNames.contains(field.name.canonicalName) {
            headers.append((field.name.canonicalName, field.value))
        }
        let fromTrustedProxy = trustedProxies.trusts(connection)
        let isSecure = (connection?.isTLS ?? false) || (fromTrustedProxy && Self.forwardedProtoIsHTTPS(request.headers))

        var certificate: ClientCertificateEvidence?
        if fromTrustedProxy, let format = trustedProxies.certificateFormat {
            // Behind a TLS terminator the TLS client (if any) is the proxy: the client's certificate is the
            // one the proxy forwards, never the proxy's own.
            do {
                let chain = try ForwardedCertificateHeader.chain(format: format) { name in
                    Self.values(of: name, in: request.headers)
                }
                if let chain, !chain.isEmpty {
                    certificate = ClientCertificateEvidence(chain: PresentedCertificateChain(derCertificates: chain), source: .forwardedHeader(format))
                }
            } catch {
                throw ForwardedCertificateUnreadable(error: error)
            }
        } else {
            // An untrusted peer's certificate headers are never read: anyone can write them.
            certificate = connection?.clientCertificate?.evidence
        }
        return AuthenticationRequest(headers: headers, isSecureTransport: isSecure, clientCertificate: certificate)
    }

    /// `request` without the forwarded-certificate headers of every format, unless its peer is a trusted proxy
    /// that forwards certificates (then they are the proxy's word). Copies nothing when there are none.
    func withoutSpoofableHeaders(_ request: Request, connection: TrustGateConnection?) -> Request {
        if trustedProxies.certificateFormat != nil, trustedProxies.trusts(connection) { return request }
        let names = ForwardedCertificateFormat.allHeaderNames
        guard request.headers.contains(where: { names.contains($0.name.canonicalName) }) else { return request }
        var head = request.head
        head.headerFields = HTTPFields(request.headers.filter { !names.contains($0.name.canonicalName) })
        return Request(head: head, body: request.body)
    }

    /// Every value of the header with this lower-case name, in order.
    static func values(of lowercasedName: String, in headers: HTTPFields) -> [String] {
        var values: [String] = []
        for field in headers where field.name.canonicalName == lowercasedName { values.append(field.value) }
        return values
    }

    /// `X-Forwarded-Proto: https` on every value and list member: a chain of proxies where any hop saw
    /// plain HTTP is not a secure transport.
    static func forwardedProtoIsHTTPS(_ headers: HTTPFields) -> Bool {
        let values = values(of: "x-forwarded-proto", in: headers)
        guard !values.isEmpty else { return false }
        for value in values {
            for member in value.split(separator: ",") {
                guard member.trimmingCharacters(in: .whitespaces).lowercased() == "https" else { return false }
            }
        }
        return true
    }
}
