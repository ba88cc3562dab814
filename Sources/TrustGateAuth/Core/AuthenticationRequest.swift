/// What authenticators see of a request, independent of the HTTP framework that received it.
public struct AuthenticationRequest: Sendable {
    /// The headers authenticators read (each authenticator declares their names), names lower-cased, in the
    /// order received. Callers may pass more; only declared names are looked at.
    public var headers: [(name: String, value: String)]
    /// The credentials travelled over TLS: on this hop, or on the client's hop to a trusted TLS-terminating proxy.
    public var isSecureTransport: Bool
    public var clientCertificate: ClientCertificateEvidence?

    public init(headers: [(name: String, value: String)], isSecureTransport: Bool, clientCertificate: ClientCertificateEvidence?) {
        self.headers = headers
        self.isSecureTransport = isSecureTransport
        self.clientCertificate = clientCertificate
    }

    /// Every value of the header with this lower-cased name, in order.
    public func values(of lowercasedName: String) -> [String] {
        var result: [String] = []
        for header in headers where header.name == lowercasedName { result.append(header.value) }
        return result
    }
}
