public import Foundation

/// An access token from a token endpoint. `description` never shows the token.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible {
    /// Refresh this long before the token expires, so it does not expire on its way to the API.
    public static let refreshMargin: TimeInterval = 60

    public let value: String
    /// `token_type`, as sent (`Bearer`).
    public let type: String
    public let acquiredAt: Date
    /// `expires_in` as sent; nil when the server did not say.
    public let expiresIn: TimeInterval?
    /// When the cache stops handing the token out: `expires_in` − 60 s after it was acquired (no earlier than that
    /// moment itself); at once when the lifetime is unknown, so such a token serves only the calls waiting for it.
    public let refreshAt: Date

    public init(value: String, type: String, acquiredAt: Date, expiresIn: TimeInterval?) {
        self.value = value
        self.type = type
        self.acquiredAt = acquiredAt
        self.expiresIn = expiresIn
        self.refreshAt = acquiredAt.addingTimeInterval(max(0, (expiresIn ?? 0) - Self.refreshMargin))
    }

    public func isUsable(at time: Date) -> Bool { time < refreshAt }

    public var description: String {
        "\(type) token (\(value.utf8.count) bytes, expires in \(expiresIn.map { "\(Int($0)) s" } ?? "an unknown time"))"
    }
}

/// What tokens are cached under: the token endpoint (or the issuer it was discovered from), the client, the scope.
public struct TokenCacheKey: Sendable, Hashable, CustomStringConvertible {
    public let endpoint: String
    public let clientID: String
    public let scope: String

    public init(endpoint: String, clientID: String, scope: String?) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.scope = scope ?? ""
    }

    public var description: String { "\(clientID) at \(endpoint)\(scope.isEmpty ? "" : " for \(scope)")" }
}
