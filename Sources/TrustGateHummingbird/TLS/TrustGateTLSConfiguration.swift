public import NIOSSL
public import TrustGateX509
public import X509

/// A TLS listener for a Hummingbird service: its server certificate, whether clients are asked for a
/// certificate, and the policy that judges the certificates they present.
///
/// Verification is TrustGate's own (``CertificatePolicy`` in NIOSSL's custom verification callback):
/// BoringSSL would accept revoked certificates and cannot express identity rules. What the `NIOSSLContext`
/// decides is only whether a CertificateRequest is sent and whether a missing certificate fails the handshake.
public struct TrustGateTLSConfiguration: Sendable {
    /// Leaf first, then intermediates.
    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey
    public var clientCertificateMode: TLSClientCertificateMode
    /// Judges presented client certificates; required unless the mode is `ignore`.
    public var clientCertificatePolicy: CertificatePolicy?
    /// Offer `h2` before `http/1.1` in ALPN (HTTP/1.1 is always available on the same port).
    public var http2: Bool
    public var minimumTLSVersion: TLSVersion

    public init(
        certificateChain: [NIOSSLCertificate],
        privateKey: NIOSSLPrivateKey,
        clientCertificateMode: TLSClientCertificateMode,
        clientCertificatePolicy: CertificatePolicy?,
        http2: Bool = true,
        minimumTLSVersion: TLSVersion = .tlsv12
    ) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCertificateMode = clientCertificateMode
        self.clientCertificatePolicy = clientCertificatePolicy
        self.http2 = http2
        self.minimumTLSVersion = minimumTLSVersion
    }

    /// From swift-certificates values (as TrustGate's loaders return them).
    public init(
        certificateChain: [Certificate],
        privateKey: Certificate.PrivateKey,
        clientCertificateMode: TLSClientCertificateMode,
        clientCertificatePolicy: CertificatePolicy?,
        http2: Bool = true,
        minimumTLSVersion: TLSVersion = .tlsv12
    ) throws {
        self.init(
            certificateChain: try certificateChain.map { try NIOSSLCertificate(bytes: $0.derBytes, format: .der) },
            privateKey: try privateKey.niosslPrivateKey(),
            clientCertificateMode: clientCertificateMode,
            clientCertificatePolicy: clientCertificatePolicy,
            http2: http2,
            minimumTLSVersion: minimumTLSVersion)
    }

    /// The ALPN identifiers offered, most preferred first.
    var applicationProtocols: [String] { http2 ? ["h2", "http/1.1"] : ["http/1.1"] }

    func makeSSLContext() throws -> NIOSSLContext {
        guard !certificateChain.isEmpty else { throw TrustGateTLSConfigurationError.missingServerCertificate }
        if clientCertificateMode != .ignore, clientCertificatePolicy == nil {
            throw TrustGateTLSConfigurationError.missingClientCertificatePolicy(clientCertificateMode)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) },
            privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = minimumTLSVersion
        configuration.applicationProtocols = applicationProtocols
        configuration.renegotiationSupport = .none
        switch clientCertificateMode {
        case .required: configuration.certificateVerification = .noHostnameVerification
        case .optional: configuration.certificateVerification = .optionalVerification
        case .ignore: configuration.certificateVerification = .none
        }
        let anchors = clientCertificatePolicy?.settings.trustAnchors ?? []
        if clientCertificateMode != .ignore, !anchors.isEmpty {
            // Only the CertificateRequest's CA list (so curl and browsers pick the right certificate);
            // the verification itself is the custom callback's.
            configuration.trustRoots = .certificates(try anchors.map { try NIOSSLCertificate(bytes: $0.derBytes, format: .der) })
            configuration.sendCANameList = true
        } else {
            configuration.trustRoots = .certificates([])
            configuration.sendCANameList = false
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
