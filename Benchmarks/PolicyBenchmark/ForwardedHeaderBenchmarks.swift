import Foundation
import TrustGateX509

/// Writing and reading the client-certificate headers a TLS terminator forwards, for every format, with the
/// 2-certificate chain a client presents (leaf + issuing CA).
enum ForwardedHeaderBenchmarks {
    static let group = "forwarded-headers"

    nonisolated(nonsending) static func run(
        _ recorder: inout BenchmarkRecorder, pki: BenchPKI, kind: KeyKind, iterations: Int
    ) async throws {
        let chain = pki.presented.derCertificates
        // XFCC carries Subject and URI from the accepted certificate's identity, as the gateway sends it.
        let verdict = await PolicyVerdictBenchmarks.policy(for: pki, revocation: .off).evaluate(pki.presented)
        guard case .accepted(let accepted) = verdict else {
            throw BenchmarkFailure("the \(kind.rawValue) benchmark chain is not accepted: \(verdict.rejections)")
        }
        let identity = accepted.identity

        for format in ForwardedCertificateFormat.allCases {
            let headers = ForwardedCertificateHeader.headers(for: chain, format: format, identity: identity)
            // The reader asks for header values by lower-case name; a dictionary stands in for HTTPHeaders.
            let valuesByName = Dictionary(grouping: headers, by: { $0.name.lowercased() }).mapValues { $0.map(\.value) }
            let values: (String) -> [String] = { valuesByName[$0] ?? [] }
            // Formats that carry only the leaf give back only the leaf.
            let expected = format == .arrClientCert || format == .nginxEscapedPEM ? [chain[0]] : chain
            guard (try? ForwardedCertificateHeader.chain(format: format, values: values)) == expected else {
                throw BenchmarkFailure("\(format.rawValue) headers do not read back as the chain that was written")
            }
            let bytes = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
            // Sizes go to the context, not the name: ECDSA signatures vary in length, names must not.
            recorder.note("forwarded_\(format.rawValue)_header_bytes", Double(bytes))

            recorder.measure(
                group, "write \(format.rawValue) headers, 2-cert \(kind.rawValue) chain", iterations: iterations
            ) { _ in
                ForwardedCertificateHeader.headers(for: chain, format: format, identity: identity)
                    .reduce(0) { $0 &+ $1.value.utf8.count }
            }
            recorder.measure(group, "read \(format.rawValue) headers, 2-cert \(kind.rawValue) chain", iterations: iterations) { _ in
                guard let read = try? ForwardedCertificateHeader.chain(format: format, values: values) else { return -1 }
                return read.reduce(0) { $0 &+ $1.count }
            }
        }
    }
}
