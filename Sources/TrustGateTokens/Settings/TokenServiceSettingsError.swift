/// Why token service settings were refused. Texts name the setting and the rule it breaks.
public enum TokenServiceSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The issuer is not an absolute `https` URL with a host, without query, fragment or user info.
    case invalidIssuer(String, reason: String)
    /// A numeric setting is outside its bounds.
    case outOfRange(setting: String, reason: String)

    public var description: String {
        switch self {
        case .invalidIssuer(let issuer, let reason): return "issuer '\(issuer)': \(reason)"
        case .outOfRange(let setting, let reason): return "\(setting): \(reason)"
        }
    }
}
