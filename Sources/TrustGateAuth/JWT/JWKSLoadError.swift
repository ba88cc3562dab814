public import TrustGateJOSE

/// Why an issuer's JWKS could not be loaded. Kept for diagnostics; clients only learn "keys unavailable".
public struct JWKSLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Not https, and not plain http to a loopback host.
        public static let insecureURL = Code(description: "insecureURL")

        public static let invalidTrustRoot = Code(description: "invalidTrustRoot")

        public static let unreadableFile = Code(description: "unreadableFile")

        public static let transport = Code(description: "transport")

        public static let httpStatus = Code(description: "httpStatus")

        public static let documentTooLarge = Code(description: "documentTooLarge")

        public static let invalidDocument = Code(description: "invalidDocument")

        public static let noUsableKey = Code(description: "noUsableKey")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var insecureURL: Self {
        Self(code: .insecureURL, message: "the JWKS URL must be https (http only for a loopback host)")
    }

    public static var invalidTrustRoot: Self {
        Self(code: .invalidTrustRoot, message: "a configured JWKS trust root could not be loaded")
    }

    public static func unreadableFile(_ path: String) -> Self {
        Self(code: .unreadableFile, message: "cannot read the JWKS file \(path)")
    }

    public static func transport(_ reason: String) -> Self {
        Self(code: .transport, message: "fetching the JWKS failed: \(reason)")
    }

    public static func httpStatus(_ status: Int) -> Self {
        Self(code: .httpStatus, message: "the JWKS endpoint answered HTTP \(status)")
    }

    public static func documentTooLarge(limit: Int) -> Self {
        Self(code: .documentTooLarge, message: "the JWKS is larger than \(limit) bytes")
    }

    public static func invalidDocument(_ error: JSONWebKeyError) -> Self {
        Self(code: .invalidDocument, message: "the JWKS is invalid: \(error)")
    }

    public static var noUsableKey: Self {
        Self(code: .noUsableKey, message: "the JWKS holds no usable key")
    }
}
