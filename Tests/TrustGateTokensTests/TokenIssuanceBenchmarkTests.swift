import Foundation
import TrustGateStore
import TrustGateTokenBenchmark
import TrustGateTokens
import XCTest

/// The benchmark entry point runs every scenario (a handful of iterations: a smoke test, no timing assertions).
final class TokenIssuanceBenchmarkTests: XCTestCase {
    func testEveryScenarioIssuesTokens() async throws {
        let directory = NSTemporaryDirectory() + "trustgate-token-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for scenario in TokenIssuanceBenchmark.Scenario.allCases {
            let result = try await TokenIssuanceBenchmark.run(scenario: scenario, tokenAlgorithm: .es256, iterations: 5, directory: directory)
            XCTAssertEqual(result.iterations, 5)
            XCTAssertGreaterThan(result.tokensPerSecond, 0, "\(scenario)")
        }
    }
}
