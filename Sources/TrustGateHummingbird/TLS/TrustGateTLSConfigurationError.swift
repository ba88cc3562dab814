/// Why a ``TrustGateTLSConfiguration`` cannot be used.
public struct TrustGateTLSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Mode `required` or `optional` without a certificate policy: presented certificates could not be judged.
        public static let missingClientCertificatePolicy = Code(description: "missingClientCertificatePolicy")

        /// The server certificate chain is empty.
        public static let missingServerCertificate = Code(description: "missingServerCertificate")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func missingClientCertificatePolicy(_ mode: TLSClientCertificateMode) -> Self {
        Self(
            code: .missingClientCertificatePolicy,
            message: "client certificate mode '\(mode.rawValue)' needs a certificate policy to judge the certificates clients present")
    }

    public static var missingServerCertificate: Self {
        Self(code: .missingServerCertificate, message: "the server certificate chain is empty")
    }
}
