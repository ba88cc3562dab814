/// One reason a certificate chain was refused (or, for a tolerated problem, a warning about it).
///
/// `message` is written to be safe to show to the client: it names certificates by subject and serial
/// only, never file paths or internal state.
public struct CertificateRejection: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: RejectionCode
    public let message: String

    public init(_ code: RejectionCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
