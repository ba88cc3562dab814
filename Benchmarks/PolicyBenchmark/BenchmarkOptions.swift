import Foundation

/// Command line: `trustgate-policy-bench [iterations] [--json] [--runs R] [--only group,…]`.
struct BenchmarkOptions {
    static let groups = [PolicyVerdictBenchmarks.group, CRLBenchmarks.group, ForwardedHeaderBenchmarks.group, GatewayMetricsBenchmarks.group, TokenBenchmarks.group]
    static let usage = """
        usage: trustgate-policy-bench [iterations] [--json] [--runs R] [--only GROUP[,GROUP…]]
          iterations  base iteration count per run (default 2000); each benchmark scales it to its cost
          --json      print all results as one JSON object on stdout (the table goes to stderr)
          --runs R    timed runs per benchmark, the median is reported (default 5)
          --only      run only these groups: \(groups.joined(separator: ", "))
        """

    var iterations = 2000
    var runs = 5
    var json = false
    var groups = Set(Self.groups)
    var help = false

    init(_ arguments: [String]) throws(BenchmarkFailure) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--json":
                json = true
            case "--runs":
                guard let value = remaining.popFirst().flatMap(Int.init), value > 0 else { throw BenchmarkFailure("--runs needs a positive number") }
                runs = value
            case "--only":
                let chosen = Set((remaining.popFirst() ?? "").split(separator: ",").map(String.init))
                guard !chosen.isEmpty, chosen.isSubset(of: Self.groups) else {
                    throw BenchmarkFailure("--only takes groups from: \(Self.groups.joined(separator: ", "))")
                }
                groups = chosen
            case "-h", "--help":
                help = true
            default:
                guard let value = Int(argument), value > 0 else { throw BenchmarkFailure("unknown argument \(argument)\n\(Self.usage)") }
                iterations = value
            }
        }
    }
}

/// What `--json` prints: one object, results in run order, times in nanoseconds per operation.
struct BenchmarkReport: Encodable {
    let tool = "trustgate-policy-bench"
    let date: String
    let cores: Int
    let iterations: Int
    let runs: Int
    /// Hex of the folded results of every timed body: printed so the optimiser must compute them.
    let checksum: String
    let context: [String: Double]
    let results: [BenchmarkResult]

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
