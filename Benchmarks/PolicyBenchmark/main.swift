// Micro-benchmark of the certificate policy engine: cold (cache-miss) and cached verdicts.
// Run: swift run -c release trustgate-policy-bench [iterations]
// Not a test: numbers go to docs/PERFORMANCE.md with the date and the command.
import Crypto
import Foundation
import SwiftASN1
import TrustGateX509
import _CryptoExtras
import X509

enum KeyKind: String { case ec = "EC P-256", rsa = "RSA 2048" }

struct BenchPKI {
    let root: Certificate
    let intermediate: Certificate
    let leaf: Certificate
    let crls: [CertificateRevocationList]

    init(_ kind: KeyKind) throws {
        func key() throws -> Certificate.PrivateKey {
            switch kind {
            case .ec: return Certificate.PrivateKey(P256.Signing.PrivateKey())
            case .rsa: return Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            }
        }
        let algorithm: Certificate.SignatureAlgorithm = kind == .ec ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
        let now = Date()
        let rootKey = try key(), intermediateKey = try key(), leafKey = try key()
        let rootName = try DistinguishedName { CommonName("Bench Root"); OrganizationName("TrustGate") }
        let intermediateName = try DistinguishedName { CommonName("Bench Issuing CA"); OrganizationName("TrustGate") }
        let leafName = try DistinguishedName { CommonName("bench-client"); OrganizationName("TrustGate") }
        func keyIdentifier(_ key: Certificate.PrivateKey) -> AuthorityKeyIdentifier {
            AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: key.publicKey).keyIdentifier))
        }
        func caExtensions(_ key: Certificate.PrivateKey, issuer: Certificate.PrivateKey?) throws -> Certificate.Extensions {
            try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
                if let issuer { keyIdentifier(issuer) }
            }
        }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: rootKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365,
            issuer: rootName, subject: rootName, signatureAlgorithm: algorithm,
            extensions: try caExtensions(rootKey, issuer: nil), issuerPrivateKey: rootKey)
        intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: intermediateKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365,
            issuer: rootName, subject: intermediateName, signatureAlgorithm: algorithm,
            extensions: try caExtensions(intermediateKey, issuer: rootKey), issuerPrivateKey: rootKey)
        leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: leafKey.publicKey,
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 30,
            issuer: intermediateName, subject: leafName, signatureAlgorithm: algorithm,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                keyIdentifier(intermediateKey)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier("spiffe://bench/client")])
            },
            issuerPrivateKey: intermediateKey)
        crls = [
            try CertificateRevocationList(derEncoded: CertificateRevocationListBuilder(
                issuerCertificate: root, thisUpdate: now - 60, nextUpdate: now + 86_400, crlNumber: 1, entries: []
            ).signed(with: rootKey)),
            try CertificateRevocationList(derEncoded: CertificateRevocationListBuilder(
                issuerCertificate: intermediate, thisUpdate: now - 60, nextUpdate: now + 86_400, crlNumber: 1, entries: []
            ).signed(with: intermediateKey)),
        ]
    }
}

nonisolated(nonsending) func measure(_ label: String, iterations: Int, _ body: nonisolated(nonsending) () async -> Void) async -> Double {
    for _ in 0..<max(10, iterations / 20) { await body() }  // warm up
    var samples: [Double] = []
    for _ in 0..<5 {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations { await body() }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        samples.append(seconds / Double(iterations) * 1e6)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    print(String(format: "%-58@ %10.2f µs/op  (min %.2f, max %.2f; 5 runs × %d)", label as NSString, median, samples.first!, samples.last!, iterations))
    return median
}

/// Nonisolated on purpose: closures made in top-level code would be main-actor isolated, and every
/// iteration would then pay two executor hops — measuring the scheduler, not the engine.
nonisolated func runBenchmarks() async throws {
    let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
    print("TrustGate policy benchmark — \(Date().formatted(.iso8601)), \(ProcessInfo.processInfo.activeProcessorCount) cores")
    for kind in [KeyKind.ec, .rsa] {
        let pki = try BenchPKI(kind)
        let presented = PresentedCertificateChain([pki.leaf, pki.intermediate])
        for mode in [RevocationSettings.Mode.off, .chain] {
            var settings = CertificatePolicySettings(trustAnchors: [pki.root])
            settings.revocation = RevocationSettings(mode: mode, requireCRL: mode != .off)
            settings.crls = mode == .off ? [] : pki.crls
            var identity = IdentityClaims()
            identity.uri = "spiffe://bench/client"
            settings.identity = IdentityRequirement(identities: [identity])
            let policy = CertificatePolicy(settings)
            let verdict = await policy.evaluate(presented)
        guard verdict.isAccepted else {
            print("benchmark chain not accepted: \(verdict.rejections)")
            exit(1)
        }
            let revocation = mode == .off ? "no revocation" : "CRL chain mode"
            _ = await measure("cold verdict, 3-cert \(kind.rawValue) chain, \(revocation)", iterations: kind == .ec ? iterations / 4 : iterations / 8) {
                policy.cache.removeAll()
                _ = await policy.evaluate(presented)
            }
            _ = await measure("cached verdict, 3-cert \(kind.rawValue) chain, \(revocation)", iterations: iterations * 50) {
                _ = await policy.evaluate(presented)
            }
            _ = await measure("cached verdict (sync probe), \(kind.rawValue), \(revocation)", iterations: iterations * 50) {
                _ = policy.cachedVerdict(presented)
            }
        }
    }
}

try await runBenchmarks()
