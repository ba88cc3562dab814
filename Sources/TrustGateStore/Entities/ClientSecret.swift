public import Foundation
public import TrustGateAuth
import TrustGateJOSE

/// A client secret as stored: its slow salted hash and a short hint, never the secret itself.
public struct ClientSecret: Sendable {
    public let id: UUID
    public let clientID: String
    public let hash: SecretHash
    /// The first characters of the secret (as Entra shows them), so people can tell which secret a client holds
    /// without the store being able to reproduce it.
    public let hint: String
    public let createdAt: Date
    public let expiresAt: Date?

    /// How many leading characters of a secret the hint keeps: 3 of 43 base64url characters leaves 240 unknown bits.
    public static let hintLength = 3

    public init(id: UUID = UUID(), clientID: String, hash: SecretHash, hint: String, createdAt: Date = Date(), expiresAt: Date? = nil)
        throws(InvalidRegistrationValue)
    {
        try Client.checkID(clientID)
        guard hint.count <= Self.hintLength else {
            throw InvalidRegistrationValue(field: "secret hint", reason: "longer than \(Self.hintLength) characters")
        }
        if let expiresAt, expiresAt <= createdAt {
            throw InvalidRegistrationValue(field: "secret expiry", reason: "the secret would expire before it was created")
        }
        self.id = id
        self.clientID = clientID
        self.hash = hash
        self.hint = hint
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public func isExpired(at time: Date) -> Bool {
        expiresAt.map { $0 <= time } ?? false
    }

    /// Whether `presented` is this secret and it has not expired. Slow (PBKDF2 / scrypt): call it off the event
    /// loop, and cache successes (`VerifiedSecretCache`).
    public func verify(_ presented: String, at time: Date = Date()) -> Bool {
        let matches = hash.verify(Array(presented.utf8))
        return matches && !isExpired(at: time)
    }

    /// A new random secret for `clientID` and its record. The plaintext exists only in the returned value: show it
    /// once and drop it.
    public static func generate(
        for clientID: String,
        expiresAt: Date? = nil,
        hashAlgorithm: SecretHash.Algorithm = .pbkdf2SHA256(iterations: SecretHash.defaultPBKDF2Iterations),
        now: Date = Date()
    ) throws(ClientSecretGenerationError) -> GeneratedClientSecret {
        let value = randomSecret()
        let hash: SecretHash
        do {
            hash = try SecretHash.create(for: Array(value.utf8), algorithm: hashAlgorithm)
        } catch {
            throw .hashing(error)
        }
        do {
            let record = try ClientSecret(
                clientID: clientID, hash: hash, hint: String(value.prefix(hintLength)), createdAt: now, expiresAt: expiresAt)
            return GeneratedClientSecret(record: record, value: value)
        } catch {
            throw .invalid(error)
        }
    }

    /// 32 bytes from the system CSPRNG, base64url without padding (43 characters): safe in Basic credentials
    /// and form bodies without escaping.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

/// A freshly generated secret: the record to store and the only copy of the plaintext.
public struct GeneratedClientSecret: Sendable {
    public let record: ClientSecret
    /// The secret to hand to the client. Never log it; it cannot be recovered from the store.
    public let value: String
}

/// Why a secret could not be generated.
public struct ClientSecretGenerationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let hashing = Code(description: "hashing")

        public static let invalid = Code(description: "invalid")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    /// Why hashing failed, for ``Code/hashing`` (a cost out of bounds is the caller's input; anything else is not).
    public let hashError: SecretHashError?

    public var description: String { message }

    init(code: Code, message: String, hashError: SecretHashError? = nil) {
        (self.code, self.message, self.hashError) = (code, message, hashError)
    }

    public static func hashing(_ error: SecretHashError) -> Self {
        Self(code: .hashing, message: "cannot hash the secret: \(error)", hashError: error)
    }

    public static func invalid(_ error: InvalidRegistrationValue) -> Self {
        Self(code: .invalid, message: error.description)
    }
}
