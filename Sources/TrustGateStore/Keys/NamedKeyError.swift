/// Why a named key could not be stored, found or opened. Texts name keys, never their values.
public enum NamedKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    case alreadyExists(String)
    case unknown(String)
    /// The key exists but is of the other kind (a secret where a certificate was asked for, or the reverse).
    case wrongKind(name: String, expected: NamedKey.Kind, found: NamedKey.Kind)
    /// AES-GCM authentication failed: the value was sealed with another store key, or the row was altered.
    case storeKeyDoesNotMatch(String)
    /// The sealed bytes are not in a format this version writes, or the opened value is not what its kind holds.
    case malformedValue(String)
    case sealingFailed(String)
    /// The certificate and key could not be prepared for storing (the reason never holds key material).
    case unusableCertificate(name: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyExists(let name): return "a named key '\(name)' already exists (remove it first, or use --replace)"
        case .unknown(let name): return "no named key '\(name)' (see `trustgate keys list`)"
        case .wrongKind(let name, let expected, let found):
            return "named key '\(name)' is a \(found.rawValue), not a \(expected.rawValue)"
        case .storeKeyDoesNotMatch(let name):
            return "the store key does not match: named key '\(name)' was encrypted with a different store key"
        case .malformedValue(let name): return "the encrypted value of named key '\(name)' is malformed"
        case .sealingFailed(let name): return "cannot encrypt named key '\(name)'"
        case .unusableCertificate(let name, let reason): return "named key '\(name)': \(reason)"
        }
    }
}
