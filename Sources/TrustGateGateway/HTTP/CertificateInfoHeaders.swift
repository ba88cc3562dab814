import TrustGateX509

/// Optional headers describing the accepted client certificate, for upstreams that want the facts without
/// parsing a certificate. Their names share the stripped `X-TrustGate-` prefix, so clients cannot forge them.
enum CertificateInfoHeaders {
    static func headers(for identity: CertificateIdentity) -> [(String, String)] {
        var headers: [(String, String)] = []
        // A certificate may have an empty subject (SPIFFE SVIDs): no header rather than an empty one.
        let subject = identity.subject.rfc4514String
        if !subject.isEmpty { headers.append(("X-TrustGate-Client-Subject", subject)) }
        headers.append(("X-TrustGate-Client-Issuer", identity.issuer.rfc4514String))
        headers.append(("X-TrustGate-Client-SHA1", identity.fingerprints.sha1Hex))
        headers.append(("X-TrustGate-Client-SHA256", identity.fingerprints.sha256Hex))
        headers.append(("X-TrustGate-Client-Verdict", "accepted"))
        return headers
    }
}
