import Foundation
import TrustGateStore
import TrustGateTokenBenchmark
import TrustGateTokens

/// The token service end to end (`TokenEndpoint.handle`: form, client authentication, store, replay record,
/// signing, audit) per client-authentication method and token algorithm, against a fresh SQLite store.
/// Reported as tokens per CPU-second (the figure that survives a shared machine) and per wall second.
enum TokenBenchmarks {
    static let group = "tokens"

    static func run(_ recorder: inout BenchmarkRecorder, iterations: Int) async throws {
        let directory = NSTemporaryDirectory() + "trustgate-token-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for algorithm in [SigningKeyAlgorithm.es256, .rs256] {
            for scenario in TokenIssuanceBenchmark.Scenario.allCases {
                let result = try await TokenIssuanceBenchmark.run(
                    scenario: scenario, tokenAlgorithm: algorithm, iterations: max(200, iterations), directory: directory)
                recorder.line("  \(result)")
                recorder.note("tokens.\(scenario.rawValue).\(algorithm.rawValue).per_cpu_second", result.tokensPerCPUSecond)
                recorder.note("tokens.\(scenario.rawValue).\(algorithm.rawValue).per_second", result.tokensPerSecond)
                recorder.absorb(result.iterations)
            }
        }
    }
}
