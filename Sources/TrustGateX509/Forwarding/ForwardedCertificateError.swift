/// Why a forwarded certificate header could not be read. Messages never repeat the header's value.
public enum ForwardedCertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidBase64(header: String)
    case invalidByteSequence(header: String, reason: String)
    case invalidPEM(header: String, reason: String)
    case invalidXFCC(reason: String)
    case hashMismatch
    case notACertificate(header: String)
    case tooLarge(header: String, limit: Int)

    public var description: String {
        switch self {
        case .invalidBase64(let header): "\(header): not base64"
        case .invalidByteSequence(let header, let reason): "\(header): not an RFC 9440 byte sequence (\(reason))"
        case .invalidPEM(let header, let reason): "\(header): not URL-escaped PEM (\(reason))"
        case .invalidXFCC(let reason): "x-forwarded-client-cert: \(reason)"
        case .hashMismatch: "x-forwarded-client-cert: Hash does not match the SHA-256 of Cert"
        case .notACertificate(let header): "\(header): the value is not a DER certificate"
        case .tooLarge(let header, let limit): "\(header): larger than \(limit) bytes"
        }
    }
}
