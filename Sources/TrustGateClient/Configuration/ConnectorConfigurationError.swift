/// A connector configuration that cannot be used, found before any call. Texts name keys and files, never values.
public struct ConnectorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let invalidURL = Code(description: "invalidURL")

        /// Basic, bearer or API key over plain http without `allow_insecure_auth`.
        public static let insecureAuthentication = Code(description: "insecureAuthentication")

        public static let invalidValue = Code(description: "invalidValue")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func invalidURL(_ url: String) -> Self {
        Self(code: .invalidURL, message: "'\(url)' is not an http or https URL with a host")
    }

    public static func insecureAuthentication(type: String, keys: [String], url: String) -> Self {
        let named = keys.isEmpty ? "" : " (\(keys.joined(separator: ", ")))"
        return Self(
            code: .insecureAuthentication,
            message: "\(type) authentication would send its credential\(named) in clear text to \(url): use https, or set allow_insecure_auth: true")
    }

    public static func invalidValue(field: String, reason: String) -> Self {
        Self(code: .invalidValue, message: "\(field): \(reason)")
    }
}
