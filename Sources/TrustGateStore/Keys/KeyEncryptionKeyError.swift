/// Why the store key (the key that encrypts signing keys at rest) could not be used. Messages name files and
/// variables, never key bytes.
public enum KeyEncryptionKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither a key file nor the environment variable was given.
    case missing(environmentVariable: String)
    case fileUnreadable(path: String, reason: String)
    /// The key file is readable by group or others; a key anyone on the machine can read protects nothing.
    case fileTooOpen(path: String, mode: UInt32)
    case notARegularFile(path: String)
    /// The key is not 32 bytes (AES-256).
    case wrongLength(source: String, byteCount: Int)
    /// The environment variable is not base64.
    case notBase64(source: String)
    /// AES-GCM authentication failed: the private key was sealed with another store key (or the record was
    /// altered).
    case doesNotMatch(keyID: String)
    /// The sealed bytes are not in a format this version writes.
    case malformedSealedKey(keyID: String)
    case sealingFailed(keyID: String)

    public var description: String {
        switch self {
        case .missing(let variable):
            return "no store key: give --key-file FILE or set \(variable) (base64 of 32 random bytes)"
        case .fileUnreadable(let path, let reason):
            return "cannot read the store key file \(path): \(reason)"
        case .fileTooOpen(let path, let mode):
            return "the store key file \(path) has mode \(String(mode & 0o777, radix: 8)); it must not be readable by group or others (chmod 600)"
        case .notARegularFile(let path):
            return "the store key file \(path) is not a regular file"
        case .wrongLength(let source, let count):
            return "the store key from \(source) is \(count) bytes; it must be 32 bytes"
        case .notBase64(let source):
            return "the store key in \(source) is not base64"
        case .doesNotMatch(let keyID):
            return "the store key does not match: signing key \(keyID) was encrypted with a different store key"
        case .malformedSealedKey(let keyID):
            return "the encrypted private key of signing key \(keyID) is malformed"
        case .sealingFailed(let keyID):
            return "cannot encrypt the private key of signing key \(keyID)"
        }
    }
}
