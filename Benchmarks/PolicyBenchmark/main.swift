// Micro-benchmarks of TrustGate's per-request and per-connection work: policy verdicts (cold and cached),
// CRL parsing and lookups in a 100,000-entry CRL, forwarded-certificate headers, gateway metrics recording,
// token issuance per client-authentication method.
// Run: swift build -c release --product trustgate-policy-bench && .build/release/trustgate-policy-bench [iterations] [--json]
// Not a test: numbers go to docs/PERFORMANCE.md with the date and the command.
import Foundation

/// Nonisolated on purpose: closures made in top-level code would be main-actor isolated, and every
/// iteration would then pay two executor hops — measuring the scheduler, not the engine.
nonisolated func runBenchmarks(_ options: BenchmarkOptions) async throws {
    // With --json, stdout carries only the JSON object; the table still shows progress on stderr.
    let log: (String) -> Void = options.json
        ? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        : { print($0) }
    var recorder = BenchmarkRecorder(runs: options.runs, log: log)
    let date = Date().formatted(.iso8601)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    log("TrustGate policy benchmark — \(date), \(cores) cores, base iterations \(options.iterations), median of \(options.runs) runs")

    let ecPKI = try BenchPKI(.ec)
    if options.groups.contains(PolicyVerdictBenchmarks.group) {
        recorder.heading("Certificate policy verdicts")
        try await PolicyVerdictBenchmarks.run(&recorder, pki: ecPKI, kind: .ec, iterations: options.iterations)
        try await PolicyVerdictBenchmarks.run(&recorder, pki: try BenchPKI(.rsa), kind: .rsa, iterations: options.iterations)
    }
    if options.groups.contains(CRLBenchmarks.group) {
        recorder.heading("CRL with \(CRLBenchmarks.entryCount) entries")
        try CRLBenchmarks.run(&recorder, pki: ecPKI, iterations: options.iterations)
    }
    if options.groups.contains(ForwardedHeaderBenchmarks.group) {
        recorder.heading("Forwarded-certificate headers")
        try await ForwardedHeaderBenchmarks.run(&recorder, pki: ecPKI, kind: .ec, iterations: options.iterations)
    }
    if options.groups.contains(GatewayMetricsBenchmarks.group) {
        recorder.heading("Gateway per-request public API")
        GatewayMetricsBenchmarks.run(&recorder, iterations: options.iterations)
    }
    if options.groups.contains(TokenBenchmarks.group) {
        recorder.heading("Token service (TokenEndpoint.handle, one request stream)")
        try await TokenBenchmarks.run(&recorder, iterations: options.iterations)
    }

    let checksum = String(recorder.checksum, radix: 16)
    log("")
    log("checksum \(checksum)")
    if options.json {
        let report = BenchmarkReport(
            date: date, cores: cores, iterations: options.iterations, runs: options.runs,
            checksum: checksum, context: recorder.context, results: recorder.results)
        print(try report.jsonText())
    }
}

do {
    let options = try BenchmarkOptions(Array(CommandLine.arguments.dropFirst()))
    if options.help {
        print(BenchmarkOptions.usage)
    } else {
        try await runBenchmarks(options)
    }
} catch {
    FileHandle.standardError.write(Data("trustgate-policy-bench: \(error)\n".utf8))
    exit(1)
}
