import Foundation

/// One measured operation: the per-operation time of each run, in nanoseconds.
struct BenchmarkResult: Encodable {
    /// Which part of the project: `policy`, `crl`, `forwarded-headers`, `gateway`.
    let group: String
    let name: String
    let runs: Int
    let iterationsPerRun: Int
    let medianNanoseconds: Double
    let minNanoseconds: Double
    let maxNanoseconds: Double

    enum CodingKeys: String, CodingKey {
        case group, name, runs
        case iterationsPerRun = "iterations_per_run"
        case medianNanoseconds = "median_ns"
        case minNanoseconds = "min_ns"
        case maxNanoseconds = "max_ns"
    }

    /// The table line, in the unit that keeps three or four significant digits visible.
    var tableLine: String {
        let (scale, unit) = Self.unit(for: medianNanoseconds)
        // Padded in Swift: Foundation on Linux ignores the width of `%@`.
        let label = name.count < 66 ? name.padding(toLength: 66, withPad: " ", startingAt: 0) : name
        return label + String(
            format: " %10.2f %@/op  (min %.2f, max %.2f; %d runs × %d)",
            medianNanoseconds / scale, unit, minNanoseconds / scale, maxNanoseconds / scale, runs, iterationsPerRun)
    }

    static func unit(for nanoseconds: Double) -> (scale: Double, unit: String) {
        switch nanoseconds {
        case ..<1_000: (1, "ns")
        case ..<1_000_000: (1_000, "µs")
        default: (1_000_000, "ms")
        }
    }
}

/// Runs the benchmarks' inner loops and keeps their results.
///
/// Each body returns a value derived from its work; the loop folds it into ``checksum``, which the report
/// prints, so the optimiser cannot drop the work as dead code. Bodies receive the iteration index so they can
/// vary their input (the same key every time could be hoisted out of the loop once inlined).
struct BenchmarkRecorder {
    /// Runs per measurement; the median is reported.
    let runs: Int
    /// Where table lines go: stdout normally, stderr when stdout carries the JSON report.
    let log: (String) -> Void
    private(set) var results: [BenchmarkResult] = []
    private(set) var checksum: UInt64 = 0
    /// Facts about the inputs (sizes, setup times) that the JSON report carries beside the results.
    private(set) var context: [String: Double] = [:]

    init(runs: Int, log: @escaping (String) -> Void) {
        self.runs = runs
        self.log = log
    }

    mutating func heading(_ text: String) {
        log("")
        log("## \(text)")
    }

    /// Times a synchronous body. `warmUp` iterations run first and are not timed.
    mutating func measure(
        _ group: String, _ name: String, iterations: Int, warmUp: Int? = nil,
        _ body: (Int) -> Int
    ) {
        var sink = 0
        for index in 0..<(warmUp ?? Self.defaultWarmUp(iterations)) { sink &+= body(index) }
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            for index in 0..<iterations { sink &+= body(index) }
            samples.append(Self.nanoseconds(ContinuousClock.now - start) / Double(iterations))
        }
        record(group, name, iterations: iterations, samples: samples, sink: sink)
    }

    /// Times an async body on the caller's executor (no hop per iteration; see `runBenchmarks`).
    nonisolated(nonsending) mutating func measure(
        _ group: String, _ name: String, iterations: Int, warmUp: Int? = nil,
        _ body: nonisolated(nonsending) (Int) async -> Int
    ) async {
        var sink = 0
        for index in 0..<(warmUp ?? Self.defaultWarmUp(iterations)) { sink &+= await body(index) }
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            for index in 0..<iterations { sink &+= await body(index) }
            samples.append(Self.nanoseconds(ContinuousClock.now - start) / Double(iterations))
        }
        record(group, name, iterations: iterations, samples: samples, sink: sink)
    }

    /// A line of the report that is not a timed result (a benchmark that times itself).
    mutating func line(_ text: String) {
        log(text)
    }

    mutating func note(_ key: String, _ value: Double) {
        context[key] = value
    }

    /// Folds a value computed outside a timed loop (e.g. a correctness check) into the checksum.
    mutating func absorb(_ value: Int) {
        checksum = checksum &* 31 &+ UInt64(bitPattern: Int64(value))
    }

    private mutating func record(_ group: String, _ name: String, iterations: Int, samples: [Double], sink: Int) {
        let sorted = samples.sorted()
        let result = BenchmarkResult(
            group: group, name: name, runs: sorted.count, iterationsPerRun: iterations,
            medianNanoseconds: sorted[sorted.count / 2],
            minNanoseconds: sorted[0], maxNanoseconds: sorted[sorted.count - 1])
        results.append(result)
        absorb(sink)
        log(result.tableLine)
    }

    private static func defaultWarmUp(_ iterations: Int) -> Int { max(10, iterations / 20) }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
}
