/// Where a connector finds a secret (a Basic username or password, an API key, a static bearer token, a client
/// secret): a named key in the store (B2C's policy key, `StorageReferenceId`), an environment variable, or a file
/// (its first line). Configuration files can only name a place; `.value` is for code.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    case namedKey(String)
    case environment(String)
    case file(String)
    case value(SecretValue)

    /// How errors name it (never the value).
    public var description: String {
        switch self {
        case .namedKey(let name): return "named key '\(name)'"
        case .environment(let variable): return "environment variable \(variable)"
        case .file(let path): return "file \(path)"
        case .value: return "a value given in code"
        }
    }

    /// The named key this reference needs from the store, if any.
    public var namedKeyName: String? {
        if case .namedKey(let name) = self { return name }
        return nil
    }
}
