/// Why a named key could not be stored, found or opened. Texts name keys, never their values.
public struct NamedKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let alreadyExists = Code(description: "alreadyExists")

        public static let unknown = Code(description: "unknown")

        /// The key exists but is of the other kind (a secret where a certificate was asked for, or the reverse).
        public static let wrongKind = Code(description: "wrongKind")

        /// AES-GCM authentication failed: the value was sealed with another store key, or the row was altered.
        public static let storeKeyDoesNotMatch = Code(description: "storeKeyDoesNotMatch")

        /// The sealed bytes are not in a format this version writes, or the opened value is not what its kind holds.
        public static let malformedValue = Code(description: "malformedValue")

        public static let sealingFailed = Code(description: "sealingFailed")

        /// The certificate and key could not be prepared for storing (the reason never holds key material).
        public static let unusableCertificate = Code(description: "unusableCertificate")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func alreadyExists(_ name: String) -> Self {
        Self(code: .alreadyExists, message: "a named key '\(name)' already exists (remove it first, or use --replace)")
    }

    public static func unknown(_ name: String) -> Self {
        Self(code: .unknown, message: "no named key '\(name)' (see `trustgate keys list`)")
    }

    public static func wrongKind(name: String, expected: NamedKey.Kind, found: NamedKey.Kind) -> Self {
        Self(code: .wrongKind, message: "named key '\(name)' is a \(found.rawValue), not a \(expected.rawValue)")
    }

    public static func storeKeyDoesNotMatch(_ name: String) -> Self {
        Self(
            code: .storeKeyDoesNotMatch,
            message: "the store key does not match: named key '\(name)' was encrypted with a different store key")
    }

    public static func malformedValue(_ name: String) -> Self {
        Self(code: .malformedValue, message: "the encrypted value of named key '\(name)' is malformed")
    }

    public static func sealingFailed(_ name: String) -> Self {
        Self(code: .sealingFailed, message: "cannot encrypt named key '\(name)'")
    }

    public static func unusableCertificate(name: String, reason: String) -> Self {
        Self(code: .unusableCertificate, message: "named key '\(name)': \(reason)")
    }
}
