public import Foundation

/// A client assertion's `jti`, remembered until the assertion would have expired anyway (CA-10). Keyed by
/// client: one client can never burn another client's `jti`.
public struct ReplayRecord: Sendable, Hashable {
    public let clientID: String
    public let jti: String
    public let expiresAt: Date

    /// Longer `jti`s are refused before they reach storage (the token endpoint caps them at 256, CA-9).
    public static let maximumJTILength = 1024

    public init(clientID: String, jti: String, expiresAt: Date) throws(InvalidRegistrationValue) {
        guard !clientID.isEmpty, clientID.utf8.count <= 1024 else {
            throw InvalidRegistrationValue(field: "client id", reason: "empty or longer than 1024 bytes")
        }
        guard !jti.isEmpty, jti.utf8.count <= Self.maximumJTILength else {
            throw InvalidRegistrationValue(field: "jti", reason: "empty or longer than \(Self.maximumJTILength) bytes")
        }
        self.clientID = clientID
        self.jti = jti
        self.expiresAt = expiresAt
    }
}
