/// A connector configuration that cannot be used, found before any call. Texts name keys and files, never values.
public enum ConnectorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String)
    /// Basic, bearer or API key over plain http without `allow_insecure_auth`.
    case insecureAuthentication(type: String, keys: [String], url: String)
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "'\(url)' is not an http or https URL with a host"
        case .insecureAuthentication(let type, let keys, let url):
            let named = keys.isEmpty ? "" : " (\(keys.joined(separator: ", ")))"
            return "\(type) authentication would send its credential\(named) in clear text to \(url): use https, or set allow_insecure_auth: true"
        case .invalidValue(let field, let reason):
            return "\(field): \(reason)"
        }
    }
}
