/// Why the store key (the key that encrypts signing keys at rest) could not be used. Messages name files and
/// variables, never key bytes.
public struct KeyEncryptionKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// Neither a key file nor the environment variable was given.
        public static let missing = Code(description: "missing")

        public static let fileUnreadable = Code(description: "fileUnreadable")

        /// The key file is readable by group or others; a key anyone on the machine can read protects nothing.
        public static let fileTooOpen = Code(description: "fileTooOpen")

        public static let notARegularFile = Code(description: "notARegularFile")

        /// The key is not 32 bytes (AES-256).
        public static let wrongLength = Code(description: "wrongLength")

        /// The environment variable is not base64.
        public static let notBase64 = Code(description: "notBase64")

        /// AES-GCM authentication failed: the private key was sealed with another store key (or the record was
        /// altered).
        public static let doesNotMatch = Code(description: "doesNotMatch")

        /// The sealed bytes are not in a format this version writes.
        public static let malformedSealedKey = Code(description: "malformedSealedKey")

        public static let sealingFailed = Code(description: "sealingFailed")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func missing(environmentVariable variable: String) -> Self {
        Self(
            code: .missing,
            message: "no store key: give --key-file FILE or set \(variable) (base64 of 32 random bytes)")
    }

    public static func fileUnreadable(path: String, reason: String) -> Self {
        Self(code: .fileUnreadable, message: "cannot read the store key file \(path): \(reason)")
    }

    public static func fileTooOpen(path: String, mode: UInt32) -> Self {
        Self(
            code: .fileTooOpen,
            message: "the store key file \(path) has mode \(String(mode & 0o777, radix: 8)); it must not be readable by group or others (chmod 600)")
    }

    public static func notARegularFile(path: String) -> Self {
        Self(code: .notARegularFile, message: "the store key file \(path) is not a regular file")
    }

    public static func wrongLength(source: String, byteCount count: Int) -> Self {
        Self(code: .wrongLength, message: "the store key from \(source) is \(count) bytes; it must be 32 bytes")
    }

    public static func notBase64(source: String) -> Self {
        Self(code: .notBase64, message: "the store key in \(source) is not base64")
    }

    public static func doesNotMatch(keyID: String) -> Self {
        Self(
            code: .doesNotMatch,
            message: "the store key does not match: signing key \(keyID) was encrypted with a different store key")
    }

    public static func malformedSealedKey(keyID: String) -> Self {
        Self(code: .malformedSealedKey, message: "the encrypted private key of signing key \(keyID) is malformed")
    }

    public static func sealingFailed(keyID: String) -> Self {
        Self(code: .sealingFailed, message: "cannot encrypt the private key of signing key \(keyID)")
    }
}
