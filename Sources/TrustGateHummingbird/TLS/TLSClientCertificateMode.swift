/// Whether the TLS handshake asks the client for a certificate, and whether it may be absent.
///
/// A certificate that is presented is always judged by the policy and recorded, in every mode; the
/// handshake completes even when the policy rejects it, so the request can be answered with a readable
/// 403 naming the reason instead of a TLS alert.
public enum TLSClientCertificateMode: String, Sendable, Hashable, CaseIterable {
    /// A CertificateRequest is sent and a handshake without a certificate fails
    /// (TLS 1.3: `certificate_required` alert).
    case required
    /// A CertificateRequest is sent; a client may send none (the request decides).
    case optional
    /// No CertificateRequest is sent: no client certificate can arrive on this listener.
    case ignore
}
