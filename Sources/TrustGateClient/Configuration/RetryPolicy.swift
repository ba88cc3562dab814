/// When a call is tried again. Only when it is safe: idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE)
/// after a transport failure or a 429 / 503; any method, POST included, only when the connection could not be
/// made at all, so the request provably never reached the server. 429 and 503 wait what `Retry-After` says
/// (seconds or an HTTP date), at most `maximumRetryAfter`; other waits grow exponentially with jitter.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included (1 = never retry).
    public var maximumAttempts: Int
    /// The wait before the second attempt; doubled for each further one.
    public var baseDelay: Double
    public var maximumDelay: Double
    /// The longest `Retry-After` honoured; longer requests are shortened to this.
    public var maximumRetryAfter: Double
    /// The fraction of each backoff wait that is random (0: exact, 0.5: between half and all of it), so that
    /// many clients failing together do not retry together.
    public var jitter: Double

    public static let `default` = RetryPolicy()
    public static let never = RetryPolicy(maximumAttempts: 1)

    public init(maximumAttempts: Int = 3, baseDelay: Double = 0.2, maximumDelay: Double = 5, maximumRetryAfter: Double = 30, jitter: Double = 0.5) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maximumDelay = max(0, maximumDelay)
        self.maximumRetryAfter = max(0, maximumRetryAfter)
        self.jitter = min(1, max(0, jitter))
    }

    /// The exponential wait after failed attempt number `attempt` (1-based), before jitter.
    public func backoff(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        return min(maximumDelay, baseDelay * pow2(exponent))
    }

    /// `backoff` with jitter applied: `random` is a value in 0...1.
    public func jitteredBackoff(afterAttempt attempt: Int, random: Double) -> Double {
        let full = backoff(afterAttempt: attempt)
        return full * (1 - jitter * min(1, max(0, random)))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
