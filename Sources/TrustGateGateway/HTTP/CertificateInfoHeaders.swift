import TrustGateX509

/// Optional headers describing the accepted client certificate, for upstreams that want the facts without
/// parsing a certificate. Their names share the stripped `X-TrustGate-` prefix, so clients cannot forge them.
enum CertificateInfoHeaders {
    static func headers(for identity: CertificateIdentity) -> [(String, String)] {
        [
            ("X-TrustGate-Client-Subject", identity.subject.rfc4514String),
            ("X-TrustGate-Client-Issuer", identity.issuer.rfc4514String),
            ("X-TrustGate-Client-SHA1", identity.fingerprints.sha1Hex),
            ("X-TrustGate-Client-SHA256", identity.fingerprints.sha256Hex),
            ("X-TrustGate-Client-Verdict", "accepted"),
        ]
    }
}
