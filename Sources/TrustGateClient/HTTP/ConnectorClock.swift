public import Foundation

/// Time and chance for a connector: the current time (token expiry, `Retry-After` dates, assertion times), how
/// waiting between attempts is done, and the randomness of backoff jitter. Tests inject one that records waits
/// instead of sleeping.
public protocol ConnectorClock: Sendable {
    func now() -> Date
    func sleep(seconds: Double) async throws
    /// A value in 0...1.
    func jitterSample() -> Double
}

/// The real clock: `Date()`, `Task.sleep`, the system random generator.
public struct SystemConnectorClock: ConnectorClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }

    public func jitterSample() -> Double { Double.random(in: 0...1) }
}
