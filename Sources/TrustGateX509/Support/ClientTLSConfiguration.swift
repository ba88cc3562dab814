package import NIOSSL
import SwiftASN1
package import X509

extension TLSConfiguration {
    /// The TLS client settings of every outgoing TrustGate connection (the CLI's token requests, the client
    /// library's connector, JWKS downloads, the gateway's https upstreams), assembled in this one place: TLS 1.2 at
    /// the least, the given trust roots (nil: the system's), and the client certificate chain and key when the
    /// client presents one.
    package static func trustGateClient(
        trustRoots: [Certificate]?,
        identity: (chain: [Certificate], privateKey: Certificate.PrivateKey)? = nil,
        applicationProtocols: [String] = []
    ) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = applicationProtocols
        if let trustRoots {
            tls.trustRoots = .certificates(try trustRoots.map { try NIOSSLCertificate(bytes: $0.derBytes, format: .der) })
        }
        if let identity {
            tls.certificateChain = try identity.chain.map {
                .certificate(try NIOSSLCertificate(bytes: $0.derBytes, format: .der))
            }
            tls.privateKey = .privateKey(try identity.privateKey.niosslPrivateKey())
        }
        return tls
    }
}

extension Certificate.PrivateKey {
    /// The key as NIOSSL takes it (for a client or a server TLS context), by way of its PEM encoding.
    package func niosslPrivateKey() throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(try self.serializeAsPEM().pemString.utf8), format: .pem)
    }
}
