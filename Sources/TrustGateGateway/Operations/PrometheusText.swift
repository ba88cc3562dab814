import Foundation

/// Writes the Prometheus text exposition format, version 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/). Only rendering lives here; recording is in
/// ``GatewayMetrics``, so the hot path never touches strings beyond hashing its label keys.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    enum MetricType: String {
        case counter, gauge, histogram
    }

    private(set) var output = ""

    init() {
        output.reserveCapacity(4096)
    }

    mutating func family(_ name: String, type: MetricType, help: String) {
        output += "# HELP \(name) \(Self.escapeHelp(help))\n"
        output += "# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample; `labels` in the order they should appear.
    mutating func sample(_ name: String, labels: KeyValuePairs<String, String>, value: String) {
        sample(name, labels: labels.map { ($0.key, $0.value) }, value: value)
    }

    mutating func sample(_ name: String, labels: [(String, String)], value: String) {
        output += name
        if !labels.isEmpty {
            output += "{"
            var first = true
            for (label, labelValue) in labels {
                if !first { output += "," }
                first = false
                output += label
                output += "=\""
                output += Self.escapeLabelValue(labelValue)
                output += "\""
            }
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }

    /// Cumulative `_bucket` lines (ending with `le="+Inf"`), then `_sum` and `_count`.
    mutating func histogram(_ name: String, labels: [(String, String)], snapshot: HistogramSnapshot) {
        var cumulative = 0
        for (index, bound) in snapshot.bounds.enumerated() {
            cumulative += snapshot.bucketCounts[index]
            sample("\(name)_bucket", labels: labels + [("le", Self.formatValue(bound))], value: String(cumulative))
        }
        sample("\(name)_bucket", labels: labels + [("le", "+Inf")], value: String(snapshot.count))
        sample("\(name)_sum", labels: labels, value: Self.formatValue(snapshot.sum))
        sample("\(name)_count", labels: labels, value: String(snapshot.count))
    }

    /// Label values escape backslash, double quote and line feed; nothing else.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// HELP text escapes backslash and line feed (not quotes).
    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integral values without a fraction (`1`, not `1.0`), others in Swift's shortest round-tripping form,
    /// which Prometheus' Go float parser reads back exactly.
    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    /// Days from `now` to `date`, three decimals: expiry gauges are read by humans and alert rules alike.
    static func formatDays(until date: Date, now: Date) -> String {
        let days = date.timeIntervalSince(now) / 86_400
        let thousandths = (days * 1000).rounded()
        // "-0.000" would read as "already expired"; a value that rounds to zero is zero.
        if thousandths == 0 { return "0.000" }
        return String(format: "%.3f", thousandths / 1000)
    }
}

/// Observations per bucket (not cumulative) under fixed upper bounds; cumulated only when rendered.
struct HistogramSnapshot: Sendable {
    let bounds: [Double]
    var bucketCounts: [Int]
    /// Observations above the last bound are counted here (and in `count`) only.
    var count: Int = 0
    var sum: Double = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        self.bucketCounts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        // Non-finite or negative durations come only from clock steps; they must not poison `sum` forever.
        let value = value.isFinite ? max(0, value) : 0
        count += 1
        sum += value
        // Linear scan: a dozen bounds, usually a hit in the first few.
        for index in bounds.indices where value <= bounds[index] {
            bucketCounts[index] += 1
            return
        }
    }
}
