public import TrustGateX509

/// A client certificate, from the TLS handshake or a trusted proxy's header (``ClientCertificateEvidence``),
/// judged by the verdict the caller already reached (the gateway judges in the handshake) or else by this
/// authenticator's ``CertificatePolicy``. The principal's name is the subject DN as RFC 4514 text.
///
/// Fails closed: a certificate with neither a verdict nor a policy to judge it is refused. Certificates come
/// with TLS, so they are never refused for insecure transport, and there is no `WWW-Authenticate` challenge.
public final class ClientCertificateAuthenticator: DescribedAuthenticator {
    public static let defaultName = "certificate"

    public let name: String
    public let policy: CertificatePolicy?
    public var method: AuthenticationMethod { .clientCertificate }
    public var headerNames: [String] { [] }

    public init(name: String = defaultName, policy: CertificatePolicy?) {
        self.name = name
        self.policy = policy
    }

    public var summary: String { "a client certificate" }

    public func immediateOutcome(for request: AuthenticationRequest) -> AuthenticationOutcome? {
        guard let evidence = request.clientCertificate, !evidence.chain.isEmpty else { return .notPresented(nil) }
        if let verdict = evidence.verdict { return outcome(verdict) }
        guard let policy else { return unjudged }
        return policy.cachedVerdict(evidence.chain).map(outcome)
    }

    public func authenticate(_ request: AuthenticationRequest) async -> AuthenticationOutcome {
        guard let evidence = request.clientCertificate, !evidence.chain.isEmpty else { return .notPresented(nil) }
        if let verdict = evidence.verdict { return outcome(verdict) }
        guard let policy else { return unjudged }
        return outcome(await policy.evaluate(evidence.chain))
    }

    private func outcome(_ verdict: CertificateVerdict) -> AuthenticationOutcome {
        switch verdict {
        case .accepted(let accepted):
            return .authenticated(Principal(
                name: accepted.identity.subject.rfc4514String, methods: [.clientCertificate], schemes: [name],
                certificate: accepted.identity))
        case .rejected(let rejections):
            let code = rejections.first?.code ?? .malformed
            let detail = rejections.first?.message ?? "the client certificate was refused"
            return failed(code, detail)
        }
    }

    private var unjudged: AuthenticationOutcome {
        failed(.untrustedIssuer, "no certificate policy is configured to judge the client certificate")
    }

    private func failed(_ code: RejectionCode, _ detail: String) -> AuthenticationOutcome {
        .failed(AuthenticationFailure(.invalidCertificate(code), scheme: name, method: .clientCertificate, detail: detail), challenge: nil)
    }
}
