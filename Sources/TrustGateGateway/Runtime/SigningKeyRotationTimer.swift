import Foundation
import Synchronization
import TrustGateStore
import TrustGateTokens

/// Runs the automatic key rotation schedule for one gateway runtime: a task that wakes every `checkPeriod`,
/// asks the store whether the signing key has aged past the interval, and rotates when it has. Requests never
/// pay for it. The runtime owns the timer and cancels it when it is replaced (reload) or shut down.
final class SigningKeyRotationTimer: Sendable {
    private let schedule: SigningKeyRotationSchedule
    private let store: any ConditionalSigningKeyRotation
    private let storeKey: KeyEncryptionKey
    private let algorithm: SigningKeyAlgorithm
    private let jwksCacheTime: TimeInterval
    private let clock: @Sendable () -> Date
    private struct LoopState {
        var task: Task<Void, Never>?
        /// Set by `cancel()`: a `start()` arriving later (a reload's deferred start racing the next reload) must
        /// not bring a retired runtime's loop back.
        var cancelled = false
    }

    private let loop = Mutex(LoopState())
    private let rotations = Mutex(0)

    init(
        schedule: SigningKeyRotationSchedule,
        store: any ConditionalSigningKeyRotation,
        storeKey: KeyEncryptionKey,
        algorithm: SigningKeyAlgorithm,
        jwksCacheTime: TimeInterval,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.schedule = schedule
        self.store = store
        self.storeKey = storeKey
        self.algorithm = algorithm
        self.jwksCacheTime = jwksCacheTime
        self.clock = clock
    }

    /// How many rotations this timer performed (not counting other gateways').
    var rotationCount: Int { rotations.withLock { $0 } }

    /// One look at the key's age: rotates when due. Returns the rotation, nil when nothing was due (or another
    /// gateway on the same store rotated first).
    @discardableResult
    func tick() async throws -> SigningKeyRotation.Result? {
        let rotation = schedule.rotation(jwksCacheTime: jwksCacheTime)
        let result = try await rotation.rotateIfDue(
            in: store, interval: schedule.interval, algorithm: algorithm, storeKey: storeKey, now: clock())
        if result != nil { rotations.withLock { $0 += 1 } }
        return result
    }

    /// Starts the loop (once; later calls, and calls after `cancel()`, do nothing). A failed check (store busy, disk full) is retried at the
    /// next period: a rotation late by one period is harmless, the old key keeps signing meanwhile.
    func start() {
        let period = schedule.checkPeriod
        loop.withLock { state in
            guard state.task == nil, !state.cancelled else { return }
            state.task = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    _ = try? await self.tick()
                    try? await Task.sleep(nanoseconds: UInt64(period * 1_000_000_000))
                }
            }
        }
    }

    func cancel() {
        loop.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.cancelled = true
        }
    }

    deinit {
        loop.withLock { $0.task?.cancel() }
    }
}
