/// Whether a host asks TLS clients for a certificate, and what a request without an acceptable one gets.
///
/// The certificate is always requested during the handshake (never by renegotiation, which TLS 1.3 and
/// HTTP/2 forbid); the decision is made per request, so the client learns why it was refused.
public enum ClientCertificateMode: String, Sendable, Hashable, CaseIterable {
    /// Every request needs an acceptable certificate, except on excluded paths.
    case required
    /// A certificate is asked for but may be absent; one that is presented must be acceptable.
    case optional
    /// No CertificateRequest is sent.
    case ignore

    /// Whether the TLS handshake sends a CertificateRequest.
    public var requestsCertificate: Bool { self != .ignore }
}
