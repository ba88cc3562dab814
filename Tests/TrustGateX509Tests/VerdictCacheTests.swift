import Foundation
import X509
import XCTest

@testable import TrustGateX509

/// The verdict cache: hits, generation invalidation, deadlines, LRU bounds.
final class VerdictCacheTests: XCTestCase {
    /// Certificates valid around the real current time, since only current-time evaluations are cached.
    func makeLiveChain(leafNotAfter: Date? = nil) throws -> (root: TestPKI.Identity, intermediate: TestPKI.Identity, leaf: TestPKI.Identity) {
        let now = Date()
        let root = try TestPKI.makeRoot(notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(365 * 86_400))
        let intermediate = try TestPKI.makeIntermediate(issuer: root, notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(300 * 86_400))
        let leaf = try TestPKI.makeLeaf(issuer: intermediate, notBefore: now.addingTimeInterval(-3_600), notAfter: leafNotAfter ?? now.addingTimeInterval(30 * 86_400))
        return (root, intermediate, leaf)
    }

    func testSecondEvaluationIsServedFromTheCache() async throws {
        let chain = try makeLiveChain()
        let policy = CertificatePolicy(CertificatePolicySettings(trustAnchors: [chain.root.certificate]))
        let presented = PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate])
        let first = await policy.evaluate(presented)
        XCTAssertTrue(first.isAccepted)
        XCTAssertEqual(policy.cache.misses, 1)
        let second = await policy.evaluate(PresentedCertificateChain(derCertificates: presented.derCertificates.map { Array($0) }))
        XCTAssertTrue(second.isAccepted)
        XCTAssertEqual(policy.cache.hits, 1)
        XCTAssertEqual(policy.cache.count, 1)
    }

    func testRejectionsAreCachedToo() async throws {
        let chain = try makeLiveChain()
        let other = try TestPKI.makeRoot(name: "Other")
        let policy = CertificatePolicy(CertificatePolicySettings(trustAnchors: [other.certificate]))
        let presented = PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate])
        _ = await policy.evaluate(presented)
        let again = await policy.evaluate(presented)
        XCTAssertEqual(again.codes, [.untrustedIssuer])
        XCTAssertEqual(policy.cache.hits, 1)
    }

    func testANewPolicyGenerationNeverSeesOldVerdicts() async throws {
        let chain = try makeLiveChain()
        let shared = VerdictCache()
        let presented = PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate])
        let trusting = CertificatePolicy(CertificatePolicySettings(trustAnchors: [chain.root.certificate]), cache: shared)
        let accepted = await trusting.evaluate(presented)
        XCTAssertTrue(accepted.isAccepted)

        // Reload: the CA is removed from the trust store. The shared cache must not answer with the old verdict.
        let reloaded = CertificatePolicy(CertificatePolicySettings(trustAnchors: [try TestPKI.makeRoot(name: "New").certificate]), cache: shared)
        XCTAssertNotEqual(trusting.generation, reloaded.generation)
        let afterReload = await reloaded.evaluate(presented)
        XCTAssertEqual(afterReload.codes, [.untrustedIssuer])
        XCTAssertEqual(shared.hits, 0)
    }

    func testVerdictsEvaluatedAtAnotherTimeAreNotCached() async throws {
        let chain = try makeLiveChain()
        let policy = CertificatePolicy(CertificatePolicySettings(trustAnchors: [chain.root.certificate]))
        _ = await policy.evaluate([chain.leaf.certificate, chain.intermediate.certificate], at: Date().addingTimeInterval(-60))
        XCTAssertEqual(policy.cache.count, 0)
    }

    func testEntryExpiresAtTheCertificatesNotAfter() async throws {
        let notAfter = Date().addingTimeInterval(120)
        let chain = try makeLiveChain(leafNotAfter: notAfter)
        var settings = CertificatePolicySettings(trustAnchors: [chain.root.certificate])
        settings.clockSkew = 0
        let policy = CertificatePolicy(settings)
        let presented = PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate])
        let evaluation = await policy.explain(presented)
        XCTAssertEqual(evaluation.deadline?.timeIntervalSince1970 ?? 0, notAfter.timeIntervalSince1970, accuracy: 1)

        _ = await policy.evaluate(presented)
        XCTAssertNotNil(policy.cache.lookup(presented, generation: policy.generation, now: Date()))
        XCTAssertNil(policy.cache.lookup(presented, generation: policy.generation, now: notAfter.addingTimeInterval(1)),
                     "a verdict must not outlive the certificate")
    }

    func testEntryExpiresAtTheCRLsNextUpdate() async throws {
        let chain = try makeLiveChain()
        let nextUpdate = Date().addingTimeInterval(600)
        let crl = try CertificateRevocationList(derEncoded: CertificateRevocationListBuilder(
            issuerCertificate: chain.intermediate.certificate, thisUpdate: Date().addingTimeInterval(-60), nextUpdate: nextUpdate,
            crlNumber: 1, entries: []).signed(with: chain.intermediate.key))
        var settings = CertificatePolicySettings(trustAnchors: [chain.root.certificate])
        settings.crls = [crl]
        settings.revocation = RevocationSettings(mode: .leaf, requireCRL: true)
        let evaluation = await CertificatePolicy(settings).explain(PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate]))
        XCTAssertTrue(evaluation.verdict.isAccepted, "\(evaluation.verdict.rejections)")
        XCTAssertEqual(evaluation.deadline?.timeIntervalSince1970 ?? 0, nextUpdate.timeIntervalSince1970, accuracy: 1)
    }

    func testTTLBoundsEveryEntry() async throws {
        let chain = try makeLiveChain()
        var settings = CertificatePolicySettings(trustAnchors: [chain.root.certificate])
        settings.cacheTTL = 5
        let policy = CertificatePolicy(settings)
        let presented = PresentedCertificateChain([chain.leaf.certificate, chain.intermediate.certificate])
        _ = await policy.evaluate(presented)
        XCTAssertNotNil(policy.cache.lookup(presented, generation: policy.generation, now: Date()))
        XCTAssertNil(policy.cache.lookup(presented, generation: policy.generation, now: Date().addingTimeInterval(6)))
    }

    func testLeastRecentlyUsedEntryIsEvicted() {
        let cache = VerdictCache(capacity: 2)
        let keys = (0..<3).map { PresentedCertificateChain(derCertificates: [[UInt8(truncatingIfNeeded: $0), 1, 2, 3]]) }
        let verdict = CertificateVerdict.rejected([.init(.malformed, "x")])
        let later = Date().addingTimeInterval(3_600)
        cache.store(keys[0], verdict: verdict, generation: 1, expiresAt: later)
        cache.store(keys[1], verdict: verdict, generation: 1, expiresAt: later)
        XCTAssertNotNil(cache.lookup(keys[0], generation: 1, now: Date()))  // 0 is now the most recent
        cache.store(keys[2], verdict: verdict, generation: 1, expiresAt: later)
        XCTAssertEqual(cache.count, 2)
        XCTAssertNil(cache.lookup(keys[1], generation: 1, now: Date()), "the least recently used entry goes first")
        XCTAssertNotNil(cache.lookup(keys[0], generation: 1, now: Date()))
        XCTAssertNotNil(cache.lookup(keys[2], generation: 1, now: Date()))
    }

    func testKeysWithTheSameHashButDifferentBytesAreDistinct() {
        // Same lengths and same last 32 bytes: same hash by design; equality must still tell them apart.
        let tail = [UInt8](repeating: 7, count: 32)
        let a = PresentedCertificateChain(derCertificates: [[1] + tail])
        let b = PresentedCertificateChain(derCertificates: [[2] + tail])
        XCTAssertEqual(a.hashValue, b.hashValue)
        let cache = VerdictCache()
        cache.store(a, verdict: .rejected([.init(.malformed, "a")]), generation: 1, expiresAt: Date().addingTimeInterval(60))
        XCTAssertNil(cache.lookup(b, generation: 1, now: Date()))
    }

    func testManyEntriesStayWithinCapacity() {
        let cache = VerdictCache(capacity: 100)
        for index in 0..<1_000 {
            let key = PresentedCertificateChain(derCertificates: [withUnsafeBytes(of: index) { Array($0) }])
            cache.store(key, verdict: .rejected([]), generation: 1, expiresAt: Date().addingTimeInterval(60))
        }
        XCTAssertEqual(cache.count, 100)
    }
}
