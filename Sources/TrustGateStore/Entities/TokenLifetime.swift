/// How long an access token lives, in whole seconds, within 60 s … 1 day.
///
/// A token shorter than a minute expires before clock skew is even accounted for; one longer than a day outlives
/// any sensible revocation horizon (a removed client keeps its tokens until they expire).
public struct TokenLifetime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let minimumSeconds = 60
    public static let maximumSeconds = 86_400
    /// One hour: Hydra's `ttl.access_token`, and what resource servers expect without configuration.
    public static let `default` = TokenLifetime(uncheckedSeconds: 3600)

    public let seconds: Int

    public init(seconds: Int) throws(InvalidRegistrationValue) {
        guard (Self.minimumSeconds...Self.maximumSeconds).contains(seconds) else {
            throw InvalidRegistrationValue(
                field: "token lifetime",
                reason: "\(seconds) s is outside \(Self.minimumSeconds) s … \(Self.maximumSeconds) s (1 day)")
        }
        self.seconds = seconds
    }

    private init(uncheckedSeconds: Int) {
        self.seconds = uncheckedSeconds
    }

    public var timeInterval: Double { Double(seconds) }

    /// `3600 s`, or `1h`, `15m`, `1d` when the value is a whole number of those units.
    public var description: String {
        if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    public static func < (lhs: TokenLifetime, rhs: TokenLifetime) -> Bool { lhs.seconds < rhs.seconds }
}
