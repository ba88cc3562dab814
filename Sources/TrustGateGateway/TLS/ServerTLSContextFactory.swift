import NIOCore
import NIOSSL
import TrustGateX509
import X509

/// Builds a host's `NIOSSLContext` once, at configuration time.
///
/// Verification is always TrustGate's own (the custom callback of ``ClientCertificateVerifier``): BoringSSL
/// would accept revoked certificates and cannot express the identity rules. What the context decides is only
/// whether a CertificateRequest is sent, and whether a missing certificate fails the handshake.
enum ServerTLSContextFactory {
    static let closeNotifyWait: TimeAmount = .milliseconds(250)

    static func makeContext(
        pair: CertificateKeyPair,
        tls: ListenerTLSConfiguration,
        clientCertificates: ClientCertificateSettings,
        requestProxyCertificate: Bool
    ) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try pair.chain.map { .certificate(try NIOSSLCertificate(bytes: $0.derBytes, format: .der)) },
            privateKey: .privateKey(try pair.privateKey.niosslPrivateKey()))
        // Suites, groups and signature algorithms of the listener's profile, never swift-nio-ssl's defaults.
        TLSParameters(tls).apply(to: &configuration)
        configuration.applicationProtocols = tls.http2 ? ["h2", "http/1.1"] : ["http/1.1"]
        configuration.renegotiationSupport = .none
        // How long a closing connection waits for the client's close_notify. swift-nio-ssl keeps the whole
        // connection (its 48 KiB of buffers included) until this timer fires even when the client has already
        // gone, which most clients do without a close_notify: with the default 5 s, a gateway making 2,000
        // connections a second held 10,000 dead ones (400 MB). nginx does not wait at all.
        configuration.shutdownTimeout = ServerTLSContextFactory.closeNotifyWait

        let mode = clientCertificates.mode
        if mode == .ignore && !requestProxyCertificate {
            configuration.certificateVerification = .none
        } else if mode == .required && clientCertificates.rejectInHandshake && !requestProxyCertificate {
            // HAProxy-style: no certificate, no handshake.
            configuration.certificateVerification = .noHostnameVerification
        } else {
            // Ask, accept none: the request decides (403 with a reason the client can read).
            configuration.certificateVerification = .optionalVerification
        }
        let anchors = clientCertificates.policy?.trustAnchors ?? []
        if !anchors.isEmpty {
            // Only used for the CertificateRequest's CA list, which lets clients (curl, browsers) pick the
            // right certificate; verification itself is the custom callback's.
            configuration.trustRoots = .certificates(try anchors.map { try NIOSSLCertificate(bytes: $0.derBytes, format: .der) })
            configuration.sendCANameList = true
        } else {
            configuration.trustRoots = .certificates([])
            configuration.sendCANameList = false
        }
        let context = try NIOSSLContext(configuration: configuration)
        InternalSessionCache.disable(in: context)
        try TLSParameters.finish(context)
        try SessionResumption.apply(tls.sessionTickets, to: context)
        return context
    }
}
