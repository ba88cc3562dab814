public import X509

/// TLS towards the API: which server certificates are trusted (the system's roots unless CA files or
/// certificates are given, which then replace them), and the client certificate to present when the server asks
/// (also usable with Basic, bearer or API key authentication; `client_certificate` authentication names its own).
public struct ConnectorTLS: Sendable {
    public var trustedCAFiles: [String]
    /// Anchors given in code, in addition to `trustedCAFiles`.
    public var trustedCertificates: [Certificate]
    public var clientCertificate: ClientIdentitySource?

    public init(trustedCAFiles: [String] = [], trustedCertificates: [Certificate] = [], clientCertificate: ClientIdentitySource? = nil) {
        self.trustedCAFiles = trustedCAFiles
        self.trustedCertificates = trustedCertificates
        self.clientCertificate = clientCertificate
    }
}
