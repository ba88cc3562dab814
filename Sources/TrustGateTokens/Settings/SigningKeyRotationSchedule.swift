public import Foundation
public import TrustGateStore

/// The automatic rotation schedule (`token_service: key_rotation:`, JK-3): a new signing key when the current one
/// has signed for `interval`, published `publishAhead` before it signs.
public struct SigningKeyRotationSchedule: Sendable, Equatable {
    /// How long a key signs before the schedule replaces it.
    public var interval: TimeInterval
    /// How long a new key is only published before it signs: at least the JWKS cache time, so resource servers
    /// that cached the JWKS just before the rotation know the key when its first token arrives.
    public var publishAhead: TimeInterval

    public init(interval: TimeInterval, publishAhead: TimeInterval) {
        self.interval = interval
        self.publishAhead = publishAhead
    }

    /// Checks the schedule against the service's JWKS cache time.
    public func validate(jwksCacheTime: TimeInterval) throws(SigningKeyRotationScheduleError) {
        guard interval > 0 else { throw .intervalNotPositive }
        guard publishAhead >= jwksCacheTime else { throw .publishAheadShorterThanCache(publishAhead: publishAhead, jwksCacheTime: jwksCacheTime) }
        guard interval > publishAhead else { throw .intervalNotLongerThanPublishAhead }
    }

    /// The rotation that publishes `publishAhead` early and keeps retired keys for the longest token lifetime
    /// plus `jwksCacheTime`, as `trustgate keys rotate` does.
    public func rotation(jwksCacheTime: TimeInterval) -> SigningKeyRotation {
        SigningKeyRotation(publishDelay: publishAhead, jwksCacheTime: jwksCacheTime)
    }

    /// How often a gateway looks at the key's age: often enough to rotate within a small fraction of the
    /// interval, rarely enough to cost nothing (one indexed read per minute at most).
    public var checkPeriod: TimeInterval {
        min(max(interval / 10, 0.01), 60)
    }
}

public struct SigningKeyRotationScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to compare with `==`. A struct rather than an enum: a release may add codes without
    /// breaking a `switch` in code that uses TrustGate.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        public static let intervalNotPositive = Code(description: "intervalNotPositive")

        public static let publishAheadShorterThanCache = Code(description: "publishAheadShorterThanCache")

        public static let intervalNotLongerThanPublishAhead = Code(description: "intervalNotLongerThanPublishAhead")
    }

    public let code: Code
    /// The complete text, safe to show and log (it is the `description`).
    public let message: String

    public var description: String { message }

    init(code: Code, message: String) {
        (self.code, self.message) = (code, message)
    }

    public static var intervalNotPositive: Self {
        Self(code: .intervalNotPositive, message: "the rotation interval must be positive")
    }

    public static func publishAheadShorterThanCache(publishAhead: TimeInterval, jwksCacheTime: TimeInterval) -> Self {
        Self(
            code: .publishAheadShorterThanCache,
            message: "publish_ahead (\(Int(publishAhead))s) must be at least jwks_cache_time (\(Int(jwksCacheTime))s): resource servers would meet the new key before their cached JWKS lists it")
    }

    public static var intervalNotLongerThanPublishAhead: Self {
        Self(
            code: .intervalNotLongerThanPublishAhead,
            message: "the rotation interval must be longer than publish_ahead, or keys would be replaced before they sign")
    }
}
