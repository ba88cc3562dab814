/// Figures collected by one event loop. Only ever touched on that loop; merged across loops at the end.
struct LoadCounters: Sendable {
    /// Complete responses (ok + bad).
    var responses: UInt64 = 0
    /// 2xx responses.
    var ok: UInt64 = 0
    /// Non-2xx responses.
    var bad: UInt64 = 0
    /// Completed TLS handshakes.
    var handshakes: UInt64 = 0
    var errors: [LoadErrorKind: UInt64] = [:]
    /// Request sent → complete response.
    var latency = LatencyHistogram()
    /// TCP connect started → TLS handshake complete.
    var handshakeLatency = LatencyHistogram()
    /// TCP connect started → complete response (new and idle modes).
    var connectionLatency = LatencyHistogram()
    /// First error seen (also outside the measured window), for diagnosis.
    var firstError: String?

    mutating func recordError(_ kind: LoadErrorKind) {
        errors[kind, default: 0] &+= 1
    }

    func errors(_ kind: LoadErrorKind) -> UInt64 {
        errors[kind] ?? 0
    }

    var totalErrors: UInt64 {
        errors.values.reduce(0, &+)
    }

    mutating func merge(_ other: LoadCounters) {
        responses &+= other.responses
        ok &+= other.ok
        bad &+= other.bad
        handshakes &+= other.handshakes
        for (kind, value) in other.errors { errors[kind, default: 0] &+= value }
        latency.merge(other.latency)
        handshakeLatency.merge(other.handshakeLatency)
        connectionLatency.merge(other.connectionLatency)
        if firstError == nil { firstError = other.firstError }
    }
}
