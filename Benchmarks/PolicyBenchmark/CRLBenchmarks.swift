import Foundation
import TrustGateX509
import X509

/// A 100,000-entry CRL from the issuing CA: parse, signature check and revocation lookups.
enum CRLBenchmarks {
    static let group = "crl"
    static let entryCount = 100_000
    /// Distinct serials the random lookup loops cycle through (a power of two: the index is masked, not divided).
    static let probeCount = 4096

    static func run(_ recorder: inout BenchmarkRecorder, pki: BenchPKI, iterations: Int) throws {
        // Random 20-byte serials as a CA issues them, one second apart, every fifth without a reason code.
        let now = Date()
        let reasons: [CRLReason?] = [nil, .keyCompromise, .superseded, .cessationOfOperation, .affiliationChanged]
        let entries = (0..<entryCount).map { index in
            CertificateRevocationListBuilder.Entry(
                serialNumber: Certificate.SerialNumber(),
                revocationDate: now - Double(entryCount - index),
                reason: reasons[index % reasons.count])
        }
        let buildStart = ContinuousClock.now
        let der = try CertificateRevocationListBuilder(
            issuerCertificate: pki.intermediate, thisUpdate: now - 60, nextUpdate: now + 86_400,
            crlNumber: 7, entries: entries
        ).signed(with: pki.intermediateKey)
        let buildTime = ContinuousClock.now - buildStart
        recorder.note("crl_entries", Double(entryCount))
        recorder.note("crl_der_bytes", Double(der.count))
        recorder.note("crl_build_and_sign_ms", BenchmarkRecorder.nanoseconds(buildTime) / 1e6)
        recorder.log("(setup: built and signed a \(entryCount)-entry CRL of \(der.count) bytes in \(buildTime))")

        let crl = try CertificateRevocationList(derEncoded: der)
        guard crl.revokedCount == entryCount, crl.isSignatureValid(signedBy: pki.intermediate) else {
            throw BenchmarkFailure("the \(entryCount)-entry CRL parsed to \(crl.revokedCount) entries or did not verify")
        }
        var generator = SystemRandomNumberGenerator()
        let revokedProbes = (0..<probeCount).map { _ in entries[Int.random(in: 0..<entryCount, using: &generator)].serialNumber }
        let unrevokedProbes = (0..<probeCount).map { _ in Certificate.SerialNumber() }
        guard revokedProbes.allSatisfy({ crl.revocation(of: $0) != nil }),
              unrevokedProbes.allSatisfy({ crl.revocation(of: $0) == nil })
        else {
            throw BenchmarkFailure("CRL lookups gave wrong answers")
        }

        recorder.measure(group, "parse \(entryCount)-entry CRL (~5 MB DER)", iterations: 1, warmUp: 1) { _ in
            (try? CertificateRevocationList(derEncoded: der))?.revokedCount ?? -1
        }
        recorder.measure(
            group, "verify signature of \(entryCount)-entry CRL (EC P-256)", iterations: max(2, iterations / 200), warmUp: 2
        ) { _ in
            crl.isSignatureValid(signedBy: pki.intermediate) ? 1 : 0
        }
        // Random serials over the whole CRL are what cold verdicts see: the dictionary and entry arrays (several
        // MB) are not in cache. The hot pair reuses 16 serials, leaving hashing and comparing alone.
        for (probes, label) in [(probeCount, "\(probeCount) random serials"), (16, "16 serials, cache-hot")] {
            let mask = probes - 1
            recorder.measure(group, "lookup in \(entryCount)-entry CRL, revoked (\(label))", iterations: iterations * 50) { index in
                crl.revocation(of: revokedProbes[index & mask])?.reason?.rawValue ?? -1
            }
            recorder.measure(group, "lookup in \(entryCount)-entry CRL, not revoked (\(label))", iterations: iterations * 50) { index in
                crl.revocation(of: unrevokedProbes[index & mask]) == nil ? 1 : 0
            }
        }
    }
}
