import Foundation
import Synchronization
import TrustGateClient

/// A connector clock that records the waits it is asked for instead of sleeping, with no jitter (the full
/// backoff) and a time the test sets.
final class TestClock: ConnectorClock {
    private let state: Mutex<(now: Date, sleeps: [Double])>

    init(now: Date = Date()) {
        state = Mutex((now, []))
    }

    func now() -> Date { state.withLock { $0.now } }
    func sleep(seconds: Double) async throws { state.withLock { $0.sleeps.append(seconds) } }
    func jitterSample() -> Double { 0 }

    var sleeps: [Double] { state.withLock { $0.sleeps } }
    func advance(by seconds: TimeInterval) { state.withLock { $0.now = $0.now.addingTimeInterval(seconds) } }
}

/// A time several test servers share (the token service's and the API's), moved by the test.
final class SharedTime: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date = Date()) {
        value = Mutex(start)
    }

    var now: Date { value.withLock { $0 } }
    func advance(by seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
