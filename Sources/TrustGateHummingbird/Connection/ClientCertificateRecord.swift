public import TrustGateAuth
public import TrustGateX509

/// The client certificate one TLS connection presented in its handshake, and what the connection's
/// ``CertificatePolicy`` said about it. Made once per handshake and shared by every request on the
/// connection (HTTP/1.1 keep-alive requests, HTTP/2 streams).
public struct ClientCertificateRecord: Sendable {
    /// The certificates exactly as the client sent them (DER, leaf first).
    public let chain: PresentedCertificateChain
    public let verdict: CertificateVerdict

    public init(chain: PresentedCertificateChain, verdict: CertificateVerdict) {
        self.chain = chain
        self.verdict = verdict
    }

    /// What authenticators see: the chain with its verdict already made, so the certificate scheme does not
    /// evaluate it again per request.
    public var evidence: ClientCertificateEvidence {
        ClientCertificateEvidence(chain: chain, source: .tlsConnection, verdict: verdict)
    }
}
