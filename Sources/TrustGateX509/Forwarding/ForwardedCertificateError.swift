/// Why a forwarded certificate header could not be read. Messages never repeat the header's value.
public struct ForwardedCertificateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let invalidBase64 = Code(description: "invalidBase64")

        public static let invalidByteSequence = Code(description: "invalidByteSequence")

        public static let invalidPEM = Code(description: "invalidPEM")

        public static let invalidXFCC = Code(description: "invalidXFCC")

        public static let hashMismatch = Code(description: "hashMismatch")

        public static let notACertificate = Code(description: "notACertificate")

        public static let tooLarge = Code(description: "tooLarge")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func invalidBase64(header: String) -> Self {
        Self(code: .invalidBase64, message: "\(header): not base64")
    }

    public static func invalidByteSequence(header: String, reason: String) -> Self {
        Self(code: .invalidByteSequence, message: "\(header): not an RFC 9440 byte sequence (\(reason))")
    }

    public static func invalidPEM(header: String, reason: String) -> Self {
        Self(code: .invalidPEM, message: "\(header): not URL-escaped PEM (\(reason))")
    }

    public static func invalidXFCC(reason: String) -> Self {
        Self(code: .invalidXFCC, message: "x-forwarded-client-cert: \(reason)")
    }

    public static var hashMismatch: Self {
        Self(code: .hashMismatch, message: "x-forwarded-client-cert: Hash does not match the SHA-256 of Cert")
    }

    public static func notACertificate(header: String) -> Self {
        Self(code: .notACertificate, message: "\(header): the value is not a DER certificate")
    }

    public static func tooLarge(header: String, limit: Int) -> Self {
        Self(code: .tooLarge, message: "\(header): larger than \(limit) bytes")
    }
}
