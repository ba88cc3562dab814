public import TrustGateX509

/// The client certificate a request arrived with, and where it came from.
public struct ClientCertificateEvidence: Sendable {
    public enum Source: Sendable, Equatable {
        /// Presented in this connection's TLS handshake.
        case tlsConnection
        /// Read from a trusted proxy's header in the given format.
        case forwardedHeader(ForwardedCertificateFormat)
    }

    public var chain: PresentedCertificateChain
    public var source: Source
    /// The verdict when the caller already judged the chain (the gateway does so in the handshake); nil makes
    /// the certificate authenticator evaluate its own policy.
    public var verdict: CertificateVerdict?

    public init(chain: PresentedCertificateChain, source: Source, verdict: CertificateVerdict? = nil) {
        self.chain = chain
        self.source = source
        self.verdict = verdict
    }

    /// SHA-256 of the leaf's DER (the RFC 8705 `x5t#S256` value, before base64url), or nil without a leaf.
    public var leafDER: [UInt8]? { chain.derCertificates.first }
}
