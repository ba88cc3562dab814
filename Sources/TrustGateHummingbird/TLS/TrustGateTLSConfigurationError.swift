/// Why a ``TrustGateTLSConfiguration`` cannot be used.
public enum TrustGateTLSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Mode `required` or `optional` without a certificate policy: presented certificates could not be judged.
    case missingClientCertificatePolicy(TLSClientCertificateMode)
    /// The server certificate chain is empty.
    case missingServerCertificate

    public var description: String {
        switch self {
        case .missingClientCertificatePolicy(let mode):
            "client certificate mode '\(mode.rawValue)' needs a certificate policy to judge the certificates clients present"
        case .missingServerCertificate:
            "the server certificate chain is empty"
        }
    }
}
