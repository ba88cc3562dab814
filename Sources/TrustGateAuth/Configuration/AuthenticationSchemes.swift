public import TrustGateX509

/// The authentication schemes a configuration defines, by name, ready to be referenced by requirements.
/// `certificate` is always present (a client certificate judged by the verdict the caller supplies, or by
/// the policy given here).
public struct AuthenticationSchemes: Sendable {
    public struct Entry: Sendable {
        public let authenticator: any Authenticator
        /// The scheme in words, for requirement explanations.
        public let summary: String
    }

    /// Scheme names in definition order, `certificate` first.
    public private(set) var names: [String] = []
    private var entries: [String: Entry] = [:]

    /// Only the built-in `certificate` scheme.
    public init(certificatePolicy: CertificatePolicy?) {
        let certificate = ClientCertificateAuthenticator(name: ClientCertificateAuthenticator.defaultName, policy: certificatePolicy)
        add(certificate, summary: certificate.summary)
    }

    public subscript(name: String) -> (any Authenticator)? { entries[name]?.authenticator }

    public func entry(named name: String) -> Entry? { entries[name] }

    /// Adds (or replaces) a scheme under its authenticator's name.
    public mutating func add(_ authenticator: any Authenticator, summary: String? = nil) {
        let name = authenticator.name
        if entries[name] == nil { names.append(name) }
        let text = summary ?? (authenticator as? any DescribedAuthenticator)?.summary ?? "the \(name) scheme"
        entries[name] = Entry(authenticator: authenticator, summary: text)
    }
}
