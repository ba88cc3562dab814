import Foundation
import TrustGateGateway

/// The gateway's per-request work that is public API: recording a request and a verdict in the Prometheus
/// registry (a hash and an increment under a lock each).
///
/// The pure per-request functions (request-target normalisation, route and host lookup, header
/// classification and filtering, upstream request head, certificate info headers) are internal to
/// TrustGateGateway and cannot be reached from an executable built in release, so they are not measured here.
enum GatewayMetricsBenchmarks {
    static let group = "gateway"

    static func run(_ recorder: inout BenchmarkRecorder, iterations: Int) {
        let metrics = GatewayMetrics()
        // A handful of routes and statuses, as a configuration has; durations spread over the histogram buckets.
        let routes = ["api", "admin", "static", "health", "orders", "users", "search", "upload"]
        let statuses = [200, 200, 200, 204, 304, 404, 200, 502]
        let durations = [0.0004, 0.0011, 0.0023, 0.0048, 0.009, 0.02, 0.0007, 0.15]
        recorder.measure(group, "metrics: record request (route, status, duration)", iterations: iterations * 50) { index in
            let slot = index & 7
            metrics.recordRequest(route: routes[slot], status: statuses[slot], duration: durations[slot])
            return slot
        }
        recorder.measure(group, "metrics: record verdict", iterations: iterations * 50) { _ in
            metrics.recordVerdict("accepted")
            return 1
        }
        recorder.absorb(metrics.render().utf8.count)
    }
}
