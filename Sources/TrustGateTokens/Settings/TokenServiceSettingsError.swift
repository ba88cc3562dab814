/// Why token service settings were refused. Texts name the setting and the rule it breaks.
public struct TokenServiceSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// The issuer is not an absolute `https` URL with a host, without query, fragment or user info.
        public static let invalidIssuer = Code(description: "invalidIssuer")

        /// A numeric setting is outside its bounds.
        public static let outOfRange = Code(description: "outOfRange")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static func invalidIssuer(_ issuer: String, reason: String) -> Self {
        Self(code: .invalidIssuer, message: "issuer '\(issuer)': \(reason)")
    }

    public static func outOfRange(setting: String, reason: String) -> Self {
        Self(code: .outOfRange, message: "\(setting): \(reason)")
    }
}
