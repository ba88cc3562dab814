import Foundation

// x509-limbo harness for TrustGate's certificate policy engine.
//
//   swift run -c release trustgate-limbo [--id-prefix PREFIX] [--jobs N] < limbo.json > results.json
//
// Reads the suite (limbo schema v1) on stdin and writes a LimboResult on stdout; a one-line summary and
// any error go to stderr. Exit status: 0 when results were written, 1 for unreadable input, 2 for bad usage.

struct HarnessOptions {
    let mode = HarnessMode()
    var idPrefix = ""
    var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)

    static let usage = "usage: trustgate-limbo [--id-prefix PREFIX] [--jobs N] < limbo.json > results.json"

    init(arguments: [String]) throws(HarnessError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--id-prefix":
                guard let value = remaining.popFirst() else { throw .usage("--id-prefix needs a value") }
                idPrefix = value
            case "--jobs":
                guard let value = remaining.popFirst(), let count = Int(value), count > 0 else {
                    throw .usage("--jobs needs a positive integer")
                }
                jobs = count
            case "-h", "--help":
                throw .usage(nil)
            default:
                throw .usage("unknown argument '\(argument)'")
            }
        }
    }
}

enum HarnessError: Error, CustomStringConvertible {
    case usage(String?)
    case unreadableSuite(String)
    case unsupportedSchemaVersion(Int)

    var description: String {
        switch self {
        case .usage(let problem): (problem.map { "trustgate-limbo: \($0)\n" } ?? "") + HarnessOptions.usage
        case .unreadableSuite(let reason): "trustgate-limbo: stdin is not a limbo suite: \(reason)"
        case .unsupportedSchemaVersion(let version): "trustgate-limbo: limbo schema version \(version) is not supported (expected 1)"
        }
    }

    var exitCode: Int32 {
        if case .usage = self { return 2 }
        return 1
    }
}

/// Evaluates the testcases with at most `jobs` in flight, keeping the suite's order in the output.
func evaluateAll(_ testcases: [LimboTestcase], mode: HarnessMode, jobs: Int) async -> [LimboTestcaseResult] {
    await withTaskGroup(of: (Int, LimboTestcaseResult).self) { group in
        var results = [LimboTestcaseResult?](repeating: nil, count: testcases.count)
        var next = 0
        func startNext() {
            guard next < testcases.count else { return }
            let index = next
            let testcase = testcases[index]
            group.addTask { (index, await LimboCaseRunner.run(testcase, mode: mode)) }
            next += 1
        }
        for _ in 0..<jobs { startNext() }
        while let (index, result) = await group.next() {
            results[index] = result
            startNext()
        }
        return results.compactMap { $0 }
    }
}

func runHarness() async throws(HarnessError) {
    let options = try HarnessOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    let started = ContinuousClock.now
    let input = FileHandle.standardInput.readDataToEndOfFile()
    let suite: LimboSuite
    do {
        suite = try JSONDecoder().decode(LimboSuite.self, from: input)
    } catch {
        throw .unreadableSuite(String(describing: error))
    }
    guard suite.version == 1 else { throw .unsupportedSchemaVersion(suite.version) }

    let selected = suite.testcases.filter { $0.id.hasPrefix(options.idPrefix) }
    let results = await evaluateAll(selected, mode: options.mode, jobs: options.jobs)

    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    do {
        let output = try encoder.encode(LimboResult(results: results))
        FileHandle.standardOutput.write(output)
        FileHandle.standardOutput.write(Data("\n".utf8))
    } catch {
        throw .unreadableSuite("results could not be encoded: \(error)")
    }

    let elapsed = started.duration(to: .now)
    var counts: [LimboTestcaseResult.Outcome: Int] = [:]
    for result in results { counts[result.outcome, default: 0] += 1 }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let summary = "trustgate-limbo: \(results.count) testcases in \(String(format: "%.1f", seconds)) s: "
        + "\(counts[.success, default: 0]) SUCCESS, \(counts[.failure, default: 0]) FAILURE, \(counts[.skipped, default: 0]) SKIPPED\n"
    FileHandle.standardError.write(Data(summary.utf8))
}

do {
    try await runHarness()
} catch {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    exit(error.exitCode)
}
