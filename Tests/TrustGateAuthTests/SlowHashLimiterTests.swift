import Foundation
import Synchronization
import XCTest
@testable import TrustGateAuth

/// Slow secret-hash verifications (PBKDF2, scrypt) reached from the authenticators run at most
/// `SlowHashLimiter.limit` at a time, wait in arrival order, and leave the line when cancelled.
final class SlowHashLimiterTests: XCTestCase {
    /// Enough PBKDF2 work (tens of milliseconds) that verifications started together overlap.
    private static let iterations = 200_000

    // MARK: - Through the authenticators

    func testBasicRunsAtMostTheLimitAtOnceAndAnswersEveryRequest() async throws {
        var users: [String: SecretHash] = [:]
        for index in 0..<3 { users["user\(index)"] = try AuthTest.cheapHash("password\(index)", iterations: Self.iterations) }
        let limiter = SlowHashLimiter(limit: 2)
        let authenticator = BasicAuthenticator(name: "staff", users: users, slowHashLimiter: limiter)
        // Eight distinct credentials, so the cache answers none: right passwords, wrong ones, unknown users (the decoy).
        let attempts: [(user: String, password: String, accepted: Bool)] = [
            ("user0", "password0", true), ("user1", "password1", true), ("user2", "password2", true),
            ("user0", "wrong0", false), ("user1", "wrong1", false), ("user2", "wrong2", false),
            ("nobody", "password0", false), ("someone", "x", false),
        ]
        let results = await Self.concurrently(attempts.map { attempt in
            { @Sendable in await authenticator.authenticate(AuthTest.request([AuthTest.basic(attempt.user, attempt.password)])) }
        })
        for (attempt, outcome) in zip(attempts, results) {
            if attempt.accepted {
                XCTAssertEqual(AuthTest.principalName(outcome), attempt.user, "\(attempt)")
            } else {
                XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCredentials, "\(attempt)")
            }
        }
        XCTAssertEqual(authenticator.slowHashes.value, 8)
        XCTAssertLessThanOrEqual(authenticator.slowHashes.peakConcurrency, 2)
        XCTAssertEqual(limiter.waiting, 0)
    }

    func testAPIKeysRunAtMostTheLimitAtOnce() async throws {
        let keys = [
            "alpha": try AuthTest.cheapHash("alpha-key", iterations: Self.iterations),
            "beta": try AuthTest.cheapHash("beta-key", iterations: Self.iterations),
        ]
        let limiter = SlowHashLimiter(limit: 2)
        let authenticator = APIKeyAuthenticator(name: "functions", keys: keys, slowHashLimiter: limiter)
        let presented = ["alpha-key", "beta-key", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        let results = await Self.concurrently(presented.map { key in
            { @Sendable in await authenticator.authenticate(AuthTest.request([(APIKeyAuthenticator.defaultHeader, key)])) }
        })
        XCTAssertEqual(AuthTest.principalName(results[0]), "alpha")
        XCTAssertEqual(AuthTest.principalName(results[1]), "beta")
        for outcome in results.dropFirst(2) { XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCredentials) }
        // alpha matches first try; beta after alpha; each unknown key is tried against both.
        XCTAssertEqual(authenticator.slowHashes.value, 1 + 2 + 6 * 2)
        XCTAssertLessThanOrEqual(authenticator.slowHashes.peakConcurrency, 2)
    }

    func testStaticBearerTokensRunAtMostTheLimitAtOnce() async throws {
        let limiter = SlowHashLimiter(limit: 2)
        let authenticator = StaticBearerAuthenticator(
            name: "static", tokens: ["svc": try AuthTest.cheapHash("the-token", iterations: Self.iterations)], slowHashLimiter: limiter)
        let presented = ["the-token"] + (1...7).map { "other-token-\($0)" }
        let results = await Self.concurrently(presented.map { token in
            { @Sendable in await authenticator.authenticate(AuthTest.request([("authorization", "Bearer \(token)")])) }
        })
        XCTAssertEqual(AuthTest.principalName(results[0]), "svc")
        for outcome in results.dropFirst() { XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidToken) }
        XCTAssertEqual(authenticator.slowHashes.value, 8)
        XCTAssertLessThanOrEqual(authenticator.slowHashes.peakConcurrency, 2)
    }

    func testTheDefaultLimitIsTheActiveCPUCount() {
        XCTAssertEqual(SlowHashLimiter().limit, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(SlowHashLimiter.shared.limit, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(SlowHashLimiter(limit: 0).limit, 1)
    }

    // MARK: - The limiter itself

    func testWaitersRunInArrivalOrder() async throws {
        let limiter = SlowHashLimiter(limit: 1)
        let gate = Gate()
        let order = Log()
        let executor = ThreadPerJobExecutor()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: executor) {
                try await limiter.run { gate.wait() }
            }
            try await Self.waitUntil { gate.isWaiting }
            for index in 0..<5 {
                group.addTask(executorPreference: executor) {
                    try await limiter.run { order.append("\(index)") }
                }
                // The next one queues only once this one is in line, so arrival order is index order.
                try await Self.waitUntil { limiter.waiting == index + 1 }
            }
            gate.open()
            try await group.waitForAll()
        }
        XCTAssertEqual(order.entries, ["0", "1", "2", "3", "4"])
        XCTAssertEqual(limiter.waiting, 0)
    }

    func testACancelledWaiterLeavesTheLineAndDoesNotRun() async throws {
        let limiter = SlowHashLimiter(limit: 1)
        let gate = Gate()
        let ran = Log()
        let executor = ThreadPerJobExecutor()
        let holder = Task(executorPreference: executor) {
            try await limiter.run { gate.wait() }
        }
        try await Self.waitUntil { gate.isWaiting }
        let cancelled = Task(executorPreference: executor) {
            try await limiter.run { ran.append("cancelled") }
        }
        try await Self.waitUntil { limiter.waiting == 1 }
        let next = Task(executorPreference: executor) {
            try await limiter.run { ran.append("next") }
        }
        try await Self.waitUntil { limiter.waiting == 2 }

        cancelled.cancel()
        do {
            try await cancelled.value
            XCTFail("a waiter cancelled in line must not get a permit")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(limiter.waiting, 1)

        gate.open()
        try await holder.value
        try await next.value
        XCTAssertEqual(ran.entries, ["next"])

        // Every permit came back: one run proceeds at once, and a task already cancelled still gets a free one.
        let alreadyCancelled = Task(executorPreference: executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.run { "ran" }
        }
        let free = try await alreadyCancelled.value
        XCTAssertEqual(free, "ran")
        XCTAssertEqual(limiter.waiting, 0)
    }

    func testATaskCancelledBeforeWaitingIsRefusedWhenNoPermitIsFree() async throws {
        let limiter = SlowHashLimiter(limit: 1)
        let gate = Gate()
        let executor = ThreadPerJobExecutor()
        let holder = Task(executorPreference: executor) { try await limiter.run { gate.wait() } }
        try await Self.waitUntil { gate.isWaiting }
        let late = Task(executorPreference: executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.run { "ran" }
        }
        do {
            _ = try await late.value
            XCTFail("no permit was free and the task was cancelled")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(limiter.waiting, 0)
        gate.open()
        try await holder.value
        let after = try await limiter.run { 42 }
        XCTAssertEqual(after, 42)
    }

    // MARK: - Support

    /// Runs every operation as its own task on its own thread and returns the results in order. Threads, not
    /// the global executor: its width is the CPU count, which on a 2-CPU machine would cap concurrency at 2
    /// with or without a limiter.
    private static func concurrently<Result: Sendable>(_ operations: [@Sendable () async -> Result]) async -> [Result] {
        let executor = ThreadPerJobExecutor()
        return await withTaskGroup(of: (Int, Result).self) { group in
            for (index, operation) in operations.enumerated() {
                group.addTask(executorPreference: executor) { (index, await operation()) }
            }
            var results: [Int: Result] = [:]
            for await (index, result) in group { results[index] = result }
            return operations.indices.compactMap { results[$0] }
        }
    }

    /// Polls `condition` (no deadline assertions: it gives up only after a generous minute).
    private static func waitUntil(_ condition: @Sendable () -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
        for _ in 0..<60_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        XCTFail("the condition never came true", file: file, line: line)
        throw CancellationError()
    }
}

/// A body that blocks its thread until opened, standing in for a long verification that holds a permit.
private final class Gate: Sendable {
    private let opened = DispatchSemaphore(value: 0)
    private let entered = Atomic<Bool>(false)

    var isWaiting: Bool { entered.load(ordering: .sequentiallyConsistent) }

    func wait() {
        entered.store(true, ordering: .sequentiallyConsistent)
        opened.wait()
    }

    func open() { opened.signal() }
}

/// What ran, in order.
private final class Log: Sendable {
    private let recorded = Mutex<[String]>([])

    func append(_ entry: String) { recorded.withLock { $0.append(entry) } }

    var entries: [String] { recorded.withLock { $0 } }
}

/// Runs each job on a thread of its own.
private final class ThreadPerJobExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        Thread { job.runSynchronously(on: executor) }.start()
    }
}
