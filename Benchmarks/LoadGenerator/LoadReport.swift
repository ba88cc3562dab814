/// The figures of one run, as text for people and as one JSON object for scripts.
///
/// Definitions: `requests` = complete responses in the measured window (ok + bad); `ok` = 2xx, `bad` = any other
/// status; req/s = ok ÷ measured seconds (as the kit's mtlsload counts); handshakes/s = TLS handshakes completed in
/// the window ÷ measured seconds; latency = request sent → last byte of the response; client CPU = this process's
/// user + system CPU seconds over the measured window ÷ its wall time (100 % = one core).
struct LoadReport: Sendable {
    struct IdleSummary: Sendable {
        var requested: Int
        var established: Int
        var failed: Int
        var stillOpen: Int
        var closedByPeer: Int
        /// From the start to the moment every connection was established or had given up; nil if interrupted first.
        var secondsToEstablish: Double?
        var heldSeconds: Double
    }

    var mode: LoadMode
    var http2: Bool
    var target: String
    var connections: Int
    var threads: Int
    var warmupSeconds: Double
    var measuredSeconds: Double
    var interrupted: Bool
    var counters: LoadCounters
    var clientCPUPercent: Double
    var idle: IdleSummary?

    var requestsPerSecond: Double {
        measuredSeconds > 0 ? Double(counters.ok) / measuredSeconds : 0
    }

    var handshakesPerSecond: Double {
        measuredSeconds > 0 ? Double(counters.handshakes) / measuredSeconds : 0
    }

    private var protocolName: String { http2 ? "h2" : "http/1.1" }

    private static func ms(_ value: Double) -> String { DecimalFormatting.fixed(value, 3) }

    var text: String {
        let f = DecimalFormatting.fixed
        var lines: [String] = []
        let errors = LoadErrorKind.allCases.map { "\($0.rawValue)=\(counters.errors($0))" }.joined(separator: " ")
        if let idle {
            lines.append(
                "mode=idle \(protocolName) target=\(target) idle_count=\(idle.requested) parallel=\(connections)"
                    + " threads=\(threads)"
            )
            let toEstablish = idle.secondsToEstablish.map { f($0, 2) + "s" } ?? "interrupted"
            lines.append(
                "established=\(idle.established) failed=\(idle.failed) still_open=\(idle.stillOpen)"
                    + " closed_by_peer=\(idle.closedByPeer) time_to_establish=\(toEstablish) held=\(f(idle.heldSeconds, 2))s"
            )
            lines.append("ok=\(counters.ok) bad=\(counters.bad) errors: \(errors)")
            lines.append(
                "handshake ms (connect → done): p50=\(Self.ms(counters.handshakeLatency.percentileMilliseconds(50)))"
                    + " p99=\(Self.ms(counters.handshakeLatency.percentileMilliseconds(99)))"
                    + " max=\(Self.ms(counters.handshakeLatency.percentileMilliseconds(100)))"
            )
        } else {
            lines.append(
                "mode=\(mode.rawValue) \(protocolName) target=\(target) connections=\(connections) threads=\(threads)"
                    + " measured=\(f(measuredSeconds, 2))s warmup=\(f(warmupSeconds, 2))s"
                    + (interrupted ? (measuredSeconds > 0 ? " (interrupted)" : " (interrupted during warm-up: nothing measured)") : "")
            )
            var rates = "req/s=\(f(requestsPerSecond, 1))"
            if mode == .new { rates += " handshakes/s=\(f(handshakesPerSecond, 1))" }
            lines.append(
                "\(rates) requests=\(counters.responses) ok=\(counters.ok) bad=\(counters.bad) errors: \(errors)"
            )
            let latency = counters.latency
            lines.append(
                "latency ms (send → response): p50=\(Self.ms(latency.percentileMilliseconds(50)))"
                    + " p90=\(Self.ms(latency.percentileMilliseconds(90)))"
                    + " p99=\(Self.ms(latency.percentileMilliseconds(99)))"
                    + " max=\(Self.ms(latency.percentileMilliseconds(100)))"
                    + " mean=\(Self.ms(latency.meanMilliseconds))"
            )
            if mode == .new {
                lines.append(
                    "handshake ms (connect → done): p50=\(Self.ms(counters.handshakeLatency.percentileMilliseconds(50)))"
                        + " p99=\(Self.ms(counters.handshakeLatency.percentileMilliseconds(99)))"
                        + "; connect → response: p50=\(Self.ms(counters.connectionLatency.percentileMilliseconds(50)))"
                        + " p99=\(Self.ms(counters.connectionLatency.percentileMilliseconds(99)))"
                )
            }
        }
        lines.append("client_cpu=\(f(clientCPUPercent, 1))% (user+sys ÷ wall over the measured window; 100% = one core)")
        if let firstError = counters.firstError { lines.append("first error: \(firstError)") }
        return lines.joined(separator: "\n")
    }

    var json: String {
        let f = DecimalFormatting.fixed
        var fields: [(String, String)] = [
            ("mode", DecimalFormatting.jsonString(mode.rawValue)),
            ("protocol", DecimalFormatting.jsonString(protocolName)),
            ("target", DecimalFormatting.jsonString(target)),
            ("connections", String(connections)),
            ("threads", String(threads)),
        ]
        if let idle {
            fields += [
                ("idle_count", String(idle.requested)),
                ("established", String(idle.established)),
                ("failed", String(idle.failed)),
                ("still_open", String(idle.stillOpen)),
                ("closed_by_peer", String(idle.closedByPeer)),
                ("time_to_establish_s", idle.secondsToEstablish.map { f($0, 3) } ?? "null"),
                ("held_s", f(idle.heldSeconds, 3)),
            ]
        } else {
            fields += [
                ("duration_s", f(measuredSeconds, 3)),
                ("warmup_s", f(warmupSeconds, 3)),
                ("requests", String(counters.responses)),
            ]
        }
        fields += [
            ("ok", String(counters.ok)),
            ("bad", String(counters.bad)),
            (
                "errors",
                "{" + LoadErrorKind.allCases.map { "\"\($0.rawValue)\":\(counters.errors($0))" }.joined(separator: ",")
                    + "}"
            ),
            ("handshakes", String(counters.handshakes)),
        ]
        if idle == nil {
            fields += [
                ("rps", f(requestsPerSecond, 1)),
                ("hsps", f(handshakesPerSecond, 1)),
                ("latency_ms", Self.jsonPercentiles(counters.latency, [50, 90, 99, 100])),
            ]
        }
        fields.append(("handshake_ms", Self.jsonPercentiles(counters.handshakeLatency, [50, 90, 99, 100])))
        if mode == .new { fields.append(("connection_ms", Self.jsonPercentiles(counters.connectionLatency, [50, 90, 99, 100]))) }
        fields += [
            ("client_cpu_pct", f(clientCPUPercent, 1)),
            ("interrupted", interrupted ? "true" : "false"),
            ("first_error", counters.firstError.map(DecimalFormatting.jsonString) ?? "null"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func jsonPercentiles(_ histogram: LatencyHistogram, _ percentiles: [Double]) -> String {
        let entries = percentiles.map { p -> String in
            let name = p >= 100 ? "max" : "p" + String(Int(p))
            return "\"\(name)\":\(ms(histogram.percentileMilliseconds(p)))"
        }
        return "{" + entries.joined(separator: ",") + ",\"mean\":\(ms(histogram.meanMilliseconds)),\"count\":\(histogram.count)}"
    }
}
