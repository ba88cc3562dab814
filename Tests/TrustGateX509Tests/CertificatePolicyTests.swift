import Crypto
import Foundation
import SwiftASN1
import X509
import XCTest

@testable import TrustGateX509

/// The policy engine, one rule at a time, with certificates made here (EC P-256 unless stated).
final class CertificatePolicyTests: XCTestCase {
    let at = TestPKI.referenceDate

    struct Fixture {
        let root: TestPKI.Identity
        let intermediate: TestPKI.Identity
        let leaf: TestPKI.Identity
        var presented: [Certificate] { [leaf.certificate, intermediate.certificate] }
    }

    func makeFixture(
        sans: [GeneralName] = [.dnsName("client.example.com"), .uniformResourceIdentifier("spiffe://example.org/ns/prod/sa/orders")],
        eku: [ExtendedKeyUsage.Usage]? = [.clientAuth],
        leafNotBefore: Date? = nil,
        leafNotAfter: Date? = nil
    ) throws -> Fixture {
        let root = try TestPKI.makeRoot()
        let intermediate = try TestPKI.makeIntermediate(issuer: root)
        let leaf = try TestPKI.makeLeaf(
            name: "orders", issuer: intermediate, sans: sans, eku: eku,
            notBefore: leafNotBefore ?? at.addingTimeInterval(-3_600),
            notAfter: leafNotAfter ?? at.addingTimeInterval(90 * 86_400))
        return Fixture(root: root, intermediate: intermediate, leaf: leaf)
    }

    func crl(_ issuer: TestPKI.Identity, revoking: [Certificate] = [], thisUpdate: Date? = nil, nextUpdate: Date? = nil,
             signer: Certificate.PrivateKey? = nil) throws -> CertificateRevocationList {
        let builder = CertificateRevocationListBuilder(
            issuerCertificate: issuer.certificate,
            thisUpdate: thisUpdate ?? at.addingTimeInterval(-86_400),
            nextUpdate: nextUpdate ?? at.addingTimeInterval(7 * 86_400),
            crlNumber: 1,
            entries: revoking.map { .init(serialNumber: $0.serialNumber, revocationDate: at.addingTimeInterval(-3_600), reason: .keyCompromise) })
        return try CertificateRevocationList(derEncoded: builder.signed(with: signer ?? issuer.key))
    }

    func evaluate(_ settings: CertificatePolicySettings, _ chain: [Certificate], at time: Date? = nil) async -> CertificateEvaluation {
        await CertificatePolicy(settings).explain(PresentedCertificateChain(chain), at: time ?? at)
    }

    // MARK: - Trust

    func testAcceptsAValidChainAndReportsTheIdentity() async throws {
        let f = try makeFixture()
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate]), f.presented)
        guard case .accepted(let accepted) = result.verdict else { return XCTFail("rejected: \(result.verdict.rejections)") }
        XCTAssertEqual(accepted.chain, [f.leaf.certificate, f.intermediate.certificate, f.root.certificate])
        XCTAssertEqual(accepted.identity.commonNames, ["orders"])
        XCTAssertEqual(accepted.identity.subjectAlternativeNames.uris, ["spiffe://example.org/ns/prod/sa/orders"])
        XCTAssertEqual(accepted.identity.fingerprints, CertificateFingerprints(f.leaf.certificate))
        XCTAssertEqual(accepted.identity.issuerFingerprints, CertificateFingerprints(f.intermediate.certificate))
        XCTAssertTrue(accepted.warnings.isEmpty)
    }

    func testConfiguredIntermediatesCompleteAChainTheClientSentWithoutThem() async throws {
        let f = try makeFixture()
        let withoutIntermediate = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate]), [f.leaf.certificate])
        XCTAssertEqual(withoutIntermediate.verdict.codes, [.untrustedIssuer])
        let settings = CertificatePolicySettings(trustAnchors: [f.root.certificate], intermediates: [f.intermediate.certificate])
        let result = await evaluate(settings, [f.leaf.certificate])
        XCTAssertTrue(result.verdict.isAccepted, "\(result.verdict.rejections)")
    }

    func testAnIntermediateUploadedAsAnchorIsTrustedDirectly() async throws {
        let f = try makeFixture()
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.intermediate.certificate]), [f.leaf.certificate])
        XCTAssertTrue(result.verdict.isAccepted, "\(result.verdict.rejections)")
        XCTAssertEqual(result.chain.count, 2)
    }

    func testUntrustedIssuer() async throws {
        let f = try makeFixture()
        let otherRoot = try TestPKI.makeRoot(name: "Another Root")
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [otherRoot.certificate]), f.presented)
        XCTAssertEqual(result.verdict.codes, [.untrustedIssuer])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("TrustGate Test Intermediate CA"))
    }

    func testBadSignatureWhenTheNamedIssuerDidNotSign() async throws {
        let f = try makeFixture()
        // Same issuer name, different key: the leaf names the intermediate but was not signed by it.
        let impostor = TestPKI.Identity(certificate: f.intermediate.certificate, key: try TestPKI.makeKey())
        let forged = try TestPKI.makeLeaf(name: "orders", issuer: impostor)
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate]), [forged.certificate, f.intermediate.certificate])
        XCTAssertEqual(result.verdict.codes, [.badSignature])
    }

    func testChainTooLong() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.maxDepth = 1
        let result = await evaluate(settings, f.presented)
        XCTAssertEqual(result.verdict.codes, [.chainTooLong])
        settings.maxDepth = 2
        let allowed = await evaluate(settings, f.presented)
        XCTAssertTrue(allowed.verdict.isAccepted)
    }

    func testTooManyPresentedCertificatesAreRefusedUpFront() async throws {
        let f = try makeFixture()
        let flood = [f.leaf.certificate] + Array(repeating: f.intermediate.certificate, count: CertificatePolicy.maxPresentedCertificates)
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate]), flood)
        XCTAssertEqual(result.verdict.codes, [.chainTooLong])
    }

    func testPathBuildingIsBoundedAgainstFactorialCertificateSets() async throws {
        // Twelve CA certificates with one name and one key but distinct SANs (so swift-certificates' loop
        // detection, which compares subject, key and SAN, treats them as different): each can issue each,
        // 12! candidate paths, none reaching a trusted root.
        let key = try TestPKI.makeKey()
        let shared = TestPKI.Identity(certificate: try TestPKI.makeRoot(name: "Loop CA", key: key).certificate, key: key)
        var flood: [Certificate] = []
        for index in 0..<12 {
            flood.append(try Certificate(
                version: .v3, serialNumber: .init(), publicKey: key.publicKey,
                notValidBefore: at.addingTimeInterval(-86_400), notValidAfter: at.addingTimeInterval(86_400),
                issuer: shared.certificate.subject, subject: shared.certificate.subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    SubjectAlternativeNames([.dnsName("loop\(index).example")])
                },
                issuerPrivateKey: key))
        }
        let leaf = try TestPKI.makeLeaf(issuer: shared)
        let trusted = try TestPKI.makeRoot(name: "Real Root")
        let clock = ContinuousClock()
        let started = clock.now
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [trusted.certificate]), [leaf.certificate] + flood)
        XCTAssertEqual(result.verdict.codes, [.untrustedIssuer])
        // A hang guard, not a benchmark: unbounded, this search does not finish in hours.
        XCTAssertLessThan(clock.now - started, .seconds(20))
    }

    // MARK: - Input

    func testNoCertificateAndMalformedInput() async throws {
        let f = try makeFixture()
        let policy = CertificatePolicy(CertificatePolicySettings(trustAnchors: [f.root.certificate]))
        let empty = await policy.evaluate(PresentedCertificateChain(derCertificates: []))
        XCTAssertEqual(empty.codes, [.noCertificate])
        var truncated = f.leaf.certificate.derBytes
        truncated.removeLast(10)
        for bad in [[0x30, 0x03, 0x02, 0x01, 0x01], truncated, Array("hello".utf8), []] as [[UInt8]] {
            let verdict = await policy.evaluate(PresentedCertificateChain(derCertificates: [bad]))
            XCTAssertEqual(verdict.codes, [.malformed])
        }
        // An unreadable intermediate is left out: it cannot be on an accepted path, and is named if refused.
        let badIntermediate = await policy.explain(PresentedCertificateChain(derCertificates: [f.leaf.certificate.derBytes, [0x01, 0x02]]), at: at)
        XCTAssertEqual(badIntermediate.verdict.codes, [.untrustedIssuer, .malformed])
        XCTAssertTrue(badIntermediate.verdict.rejections[1].message.contains("#2"))
        let extraGarbage = await policy.explain(PresentedCertificateChain(derCertificates: [f.leaf.certificate.derBytes, [0x01, 0x02], f.intermediate.certificate.derBytes]), at: at)
        XCTAssertTrue(extraGarbage.verdict.isAccepted, "\(extraGarbage.verdict.rejections)")
    }

    // MARK: - Validity

    func testExpiredAndNotYetValidWithClockSkew() async throws {
        let f = try makeFixture(leafNotBefore: at.addingTimeInterval(-86_400), leafNotAfter: at.addingTimeInterval(-30))
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        let withinSkew = await evaluate(settings, f.presented)
        XCTAssertTrue(withinSkew.verdict.isAccepted, "30 s past notAfter is inside the default 60 s skew")
        settings.clockSkew = 0
        let expired = await evaluate(settings, f.presented)
        XCTAssertEqual(expired.verdict.codes, [.expired])
        XCTAssertTrue(expired.verdict.rejections[0].message.contains("client certificate"))

        let future = try makeFixture(leafNotBefore: at.addingTimeInterval(3_600), leafNotAfter: at.addingTimeInterval(86_400))
        let notYet = await evaluate(CertificatePolicySettings(trustAnchors: [future.root.certificate]), future.presented)
        XCTAssertEqual(notYet.verdict.codes, [.notYetValid])
    }

    func testValidityIsCheckedAtEveryEvaluationTime() async throws {
        let f = try makeFixture()
        let settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        let later = await evaluate(settings, f.presented, at: at.addingTimeInterval(91 * 86_400))
        XCTAssertEqual(later.verdict.codes, [.expired])
    }

    func testAnExpiredIntermediateIsNamed() async throws {
        let root = try TestPKI.makeRoot()
        let intermediate = try TestPKI.makeIntermediate(issuer: root, notBefore: at.addingTimeInterval(-10 * 86_400), notAfter: at.addingTimeInterval(-86_400))
        let leaf = try TestPKI.makeLeaf(issuer: intermediate)
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [root.certificate]), [leaf.certificate, intermediate.certificate])
        XCTAssertEqual(result.verdict.codes, [.expired])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("intermediate CA certificate"))
    }

    // MARK: - Usage

    func testExtendedKeyUsage() async throws {
        let server = try makeFixture(eku: [.serverAuth])
        var settings = CertificatePolicySettings(trustAnchors: [server.root.certificate])
        let refused = await evaluate(settings, server.presented)
        XCTAssertEqual(refused.verdict.codes, [.ekuMismatch])
        settings.requiredKeyPurpose = nil
        let unchecked = await evaluate(settings, server.presented)
        XCTAssertTrue(unchecked.verdict.isAccepted)

        let noEKU = try makeFixture(eku: nil)
        let accepted = await evaluate(CertificatePolicySettings(trustAnchors: [noEKU.root.certificate]), noEKU.presented)
        XCTAssertTrue(accepted.verdict.isAccepted, "no EKU extension means no restriction")

        let any = try makeFixture(eku: [.any])
        let anyRefused = await evaluate(CertificatePolicySettings(trustAnchors: [any.root.certificate]), any.presented)
        XCTAssertEqual(anyRefused.verdict.codes, [.ekuMismatch])
    }

    // MARK: - Revocation

    func testRevokedLeafInLeafAndChainModes() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.intermediate, revoking: [f.leaf.certificate])]
        settings.revocation = RevocationSettings(mode: .off)
        let off = await evaluate(settings, f.presented)
        XCTAssertTrue(off.verdict.isAccepted, "mode off is VerifyNoRevocation()")
        for mode in [RevocationSettings.Mode.leaf, .chain] {
            settings.revocation = RevocationSettings(mode: mode)
            let result = await evaluate(settings, f.presented)
            XCTAssertEqual(result.verdict.codes, [.revoked], "\(mode)")
            XCTAssertTrue(result.verdict.rejections[0].message.contains("keyCompromise"))
        }
    }

    func testRevokedIntermediateOnlyInChainMode() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.root, revoking: [f.intermediate.certificate]), try crl(f.intermediate)]
        settings.revocation = RevocationSettings(mode: .leaf)
        let leafMode = await evaluate(settings, f.presented)
        XCTAssertTrue(leafMode.verdict.isAccepted)
        settings.revocation = RevocationSettings(mode: .chain)
        let chainMode = await evaluate(settings, f.presented)
        XCTAssertEqual(chainMode.verdict.codes, [.revoked])
        XCTAssertTrue(chainMode.verdict.rejections[0].message.contains("intermediate CA certificate"))
    }

    func testStaleCRLFailsOrWarns() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.intermediate, thisUpdate: at.addingTimeInterval(-10 * 86_400), nextUpdate: at.addingTimeInterval(-86_400))]
        settings.revocation = RevocationSettings(mode: .leaf, staleCRL: .fail)
        let failed = await evaluate(settings, f.presented)
        XCTAssertEqual(failed.verdict.codes, [.crlStale])
        settings.revocation.staleCRL = .warn
        let warned = await evaluate(settings, f.presented)
        guard case .accepted(let accepted) = warned.verdict else { return XCTFail("stale_crl: warn must accept") }
        XCTAssertEqual(accepted.warnings.map(\.code), [.crlStale])
    }

    func testStaleCRLStillRevokesUnderWarn() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.intermediate, revoking: [f.leaf.certificate], thisUpdate: at.addingTimeInterval(-10 * 86_400), nextUpdate: at.addingTimeInterval(-86_400))]
        settings.revocation = RevocationSettings(mode: .leaf, staleCRL: .warn)
        let result = await evaluate(settings, f.presented)
        XCTAssertEqual(result.verdict.codes, [.revoked])
    }

    func testMissingCRLOnlyWhenRequired() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.root)]  // nothing from the intermediate
        settings.revocation = RevocationSettings(mode: .chain, requireCRL: false)
        let lenient = await evaluate(settings, f.presented)
        XCTAssertTrue(lenient.verdict.isAccepted)
        settings.revocation.requireCRL = true
        let strict = await evaluate(settings, f.presented)
        XCTAssertEqual(strict.verdict.codes, [.crlMissing])
    }

    func testACRLNotSignedByTheIssuerIsIgnored() async throws {
        let f = try makeFixture()
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        // Names the intermediate as issuer and revokes the leaf, but is signed by an attacker's key.
        settings.crls = [try crl(f.intermediate, revoking: [f.leaf.certificate], signer: try TestPKI.makeKey())]
        settings.revocation = RevocationSettings(mode: .leaf, requireCRL: true)
        let result = await evaluate(settings, f.presented)
        XCTAssertEqual(result.verdict.codes, [.crlMissing])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("valid signature"))
    }

    // MARK: - Identity

    func testIdentityClaims() async throws {
        let f = try makeFixture()
        let prints = CertificateFingerprints(f.leaf.certificate)
        func check(_ configure: (inout IdentityClaims) throws -> Void) async throws -> CertificateVerdict {
            var claims = IdentityClaims()
            try configure(&claims)
            var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
            settings.identity = IdentityRequirement(identities: [claims])
            return await evaluate(settings, f.presented).verdict
        }
        let spaced = prints.sha1Hex.lowercased().enumerated().map { $0.offset % 2 == 0 && $0.offset > 0 ? ":\($0.element)" : "\($0.element)" }.joined()
        let passing: [(String, (inout IdentityClaims) throws -> Void)] = [
            ("sha1", { $0.thumbprint = CertificateFingerprints.normalizedHex(spaced) }),
            ("sha256", { $0.thumbprint = prints.sha256Hex }),
            ("serial", { $0.serialNumber = "00" + f.leaf.certificate.serialNumberHex }),
            ("cn", { $0.commonName = "ORDERS" }),
            ("subject", { $0.subject = try DistinguishedName(parsing: "cn=orders,  O = TrustGate Tests, C=US") }),
            ("dns", { $0.dnsName = "Client.Example.com." }),
            ("uri", { $0.uri = "spiffe://example.org/ns/prod/sa/orders" }),
            ("issuer", { $0.issuerSubject = try DistinguishedName(parsing: "CN=TrustGate Test Intermediate CA, O=TrustGate Tests, C=US") }),
            ("issuer thumbprint", { $0.issuerThumbprint = CertificateFingerprints(f.intermediate.certificate).sha1Hex }),
            ("spki", { $0.spkiSHA256 = prints.spkiSHA256 }),
        ]
        for (label, configure) in passing {
            let verdict = try await check(configure)
            XCTAssertTrue(verdict.isAccepted, "\(label): \(verdict.rejections)")
        }
        let failing: [(String, (inout IdentityClaims) throws -> Void)] = [
            ("thumbprint", { $0.thumbprint = String(repeating: "A", count: 40) }),
            ("serial_number", { $0.serialNumber = "01" }),
            ("common_name", { $0.commonName = "billing" }),
            ("subject", { $0.subject = try DistinguishedName(parsing: "CN=orders, O=Other, C=US") }),
            ("subject", { $0.subject = try DistinguishedName(parsing: "C=US, O=TrustGate Tests, CN=orders") }),
            ("dns_name", { $0.dnsName = "evil.example.com" }),
            ("uri", { $0.uri = "spiffe://example.org/ns/prod/sa/billing" }),
            ("email", { $0.email = "orders@example.com" }),
            ("ip", { $0.ipAddress = IPAddressText.bytes("10.0.0.1") }),
            ("issuer_subject", { $0.issuerSubject = try DistinguishedName(parsing: "CN=Someone Else") }),
            ("issuer_thumbprint", { $0.issuerThumbprint = prints.sha1Hex }),
            ("spki_sha256", { $0.spkiSHA256 = Array(repeating: 0, count: 32) }),
        ]
        for (claim, configure) in failing {
            let verdict = try await check(configure)
            XCTAssertEqual(verdict.codes, [.identityMismatch], claim)
            XCTAssertTrue(verdict.rejections.first?.message.contains(claim) ?? false, "\(claim): \(verdict.rejections)")
        }
    }

    func testIPAddressesCompareAsAddresses() async throws {
        let f = try makeFixture(sans: [.ipAddress(ASN1OctetString(contentBytes: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]))])
        var claims = IdentityClaims()
        claims.ipAddress = IPAddressText.bytes("2001:DB8:0:0::1")
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.identity = IdentityRequirement(identities: [claims])
        let result = await evaluate(settings, f.presented)
        XCTAssertTrue(result.verdict.isAccepted, "\(result.verdict.rejections)")
    }

    func testAPIManagementSemanticsTopLevelAndAnyIdentity() async throws {
        let f = try makeFixture()
        var issuer = IdentityClaims()
        issuer.issuerSubject = f.intermediate.certificate.subject
        var wrongIssuer = IdentityClaims()
        wrongIssuer.issuerSubject = try DistinguishedName(parsing: "CN=Elsewhere")
        var billing = IdentityClaims()
        billing.uri = "spiffe://example.org/ns/prod/sa/billing"
        var orders = IdentityClaims()
        orders.uri = "spiffe://example.org/ns/prod/sa/orders"
        var ordersWithWrongCN = orders
        ordersWithWrongCN.commonName = "billing"

        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.identity = IdentityRequirement(required: issuer, identities: [billing, orders])
        let anyOf = await evaluate(settings, f.presented)
        XCTAssertTrue(anyOf.verdict.isAccepted, "one identity entry matching fully is enough")

        settings.identity = IdentityRequirement(required: issuer, identities: [billing, ordersWithWrongCN])
        let noEntry = await evaluate(settings, f.presented)
        XCTAssertEqual(noEntry.verdict.codes, [.identityMismatch], "every claim of an entry must hold")

        settings.identity = IdentityRequirement(required: wrongIssuer, identities: [orders])
        let topLevel = await evaluate(settings, f.presented)
        XCTAssertEqual(topLevel.verdict.codes, [.identityMismatch], "top-level claims must hold too")
        XCTAssertTrue(topLevel.verdict.rejections[0].message.contains("issuer_subject"))
    }

    // MARK: - Self-signed

    func testSelfSignedOnlyWhenPinned() async throws {
        let root = try TestPKI.makeRoot()
        let selfSigned = try TestPKI.makeLeaf(name: "partner", issuer: nil)
        let prints = CertificateFingerprints(selfSigned.certificate)

        var settings = CertificatePolicySettings(trustAnchors: [root.certificate])
        let refused = await evaluate(settings, [selfSigned.certificate])
        XCTAssertEqual(refused.verdict.codes, [.selfSignedNotPinned])

        settings.trustAnchors.append(selfSigned.certificate)
        let asAnchor = await evaluate(settings, [selfSigned.certificate])
        XCTAssertEqual(asAnchor.verdict.codes, [.selfSignedNotPinned], "listing it as a CA is not a pin")

        settings.pinnedSelfSigned = PinnedCertificates(thumbprints: [prints.sha1Hex.lowercased()])
        let bySHA1 = await evaluate(settings, [selfSigned.certificate])
        XCTAssertTrue(bySHA1.verdict.isAccepted, "\(bySHA1.verdict.rejections)")

        settings.pinnedSelfSigned = PinnedCertificates(spkiSHA256: [prints.spkiSHA256])
        let bySPKI = await evaluate(settings, [selfSigned.certificate])
        XCTAssertTrue(bySPKI.verdict.isAccepted)

        let expiredPin = await evaluate(settings, [selfSigned.certificate], at: at.addingTimeInterval(400 * 86_400))
        XCTAssertEqual(expiredPin.verdict.codes, [.expired], "a pin does not exempt from validity")
    }

    // MARK: - Certificate profile

    /// An intermediate CA with the given keyUsage and (optional) extendedKeyUsage.
    func makeIssuingCA(_ name: String, under root: TestPKI.Identity, keyUsage: KeyUsage, eku: [ExtendedKeyUsage.Usage]?) throws
        -> (Certificate, Certificate.PrivateKey)
    {
        let key = try TestPKI.makeKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: at.addingTimeInterval(-86_400), notValidAfter: at.addingTimeInterval(86_400 * 365),
            issuer: root.certificate.subject, subject: try TestPKI.name(name), signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(keyUsage)
                if let eku { try ExtendedKeyUsage(eku) }
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: root.key.publicKey).keyIdentifier))
            },
            issuerPrivateKey: root.key)
        return (certificate, key)
    }

    func testIssuersMustBeAllowedToIssueForClientAuth() async throws {
        let root = try TestPKI.makeRoot()
        // An issuing CA restricted (by EKU) to server certificates may not vouch for a client.
        let (serverOnlyCA, key) = try makeIssuingCA("Server-only CA", under: root, keyUsage: KeyUsage(keyCertSign: true, cRLSign: true), eku: [.serverAuth])
        let leaf = try TestPKI.makeLeaf(issuer: TestPKI.Identity(certificate: serverOnlyCA, key: key))
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [root.certificate]), [leaf.certificate, serverOnlyCA])
        XCTAssertEqual(result.verdict.codes, [.ekuMismatch])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("Server-only CA"))
    }

    func testAnIssuerWithoutKeyCertSignIsNotTrusted() async throws {
        let root = try TestPKI.makeRoot()
        let (notACertSigner, key) = try makeIssuingCA("CRL-only CA", under: root, keyUsage: KeyUsage(cRLSign: true), eku: nil)
        let leaf = try TestPKI.makeLeaf(issuer: TestPKI.Identity(certificate: notACertSigner, key: key))
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [root.certificate]), [leaf.certificate, notACertSigner])
        XCTAssertEqual(result.verdict.codes, [.untrustedIssuer])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("keyCertSign"))
    }

    func testACACertificateIsNotAClientCertificate() async throws {
        let f = try makeFixture()
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate]), [f.intermediate.certificate])
        XCTAssertEqual(result.verdict.codes, [.ekuMismatch])
        XCTAssertTrue(result.verdict.rejections[0].message.contains("CA certificate"))
    }

    func testStrictProfileRequiresKeyIdentifiersCompatibleDoesNot() async throws {
        let root = try TestPKI.makeRoot()
        let intermediate = try TestPKI.makeIntermediate(issuer: root)
        let leafKey = try TestPKI.makeKey()
        // As some older tools issue them: no authorityKeyIdentifier.
        let bare = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: leafKey.publicKey,
            notValidBefore: at.addingTimeInterval(-3_600), notValidAfter: at.addingTimeInterval(86_400),
            issuer: intermediate.certificate.subject, subject: try TestPKI.name("legacy-client"), signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
            issuerPrivateKey: intermediate.key)
        var settings = CertificatePolicySettings(trustAnchors: [root.certificate])
        let strict = await evaluate(settings, [bare, intermediate.certificate])
        XCTAssertEqual(strict.verdict.codes, [.malformed])
        XCTAssertTrue(strict.verdict.rejections[0].message.contains("authorityKeyIdentifier"))
        settings.profile = .compatible
        let compatible = await evaluate(settings, [bare, intermediate.certificate])
        XCTAssertTrue(compatible.verdict.isAccepted, "\(compatible.verdict.rejections)")
    }

    func testStrictProfileIgnoresCRLsWithoutANumber() async throws {
        let root = try TestPKI.makeRoot()
        let intermediateKey = P256.Signing.PrivateKey()
        let intermediate = try TestPKI.makeIntermediate(issuer: root, key: Certificate.PrivateKey(intermediateKey))
        let leaf = try TestPKI.makeLeaf(issuer: intermediate)
        // A CRL without cRLNumber (RFC 5280 §5.2.3 requires one), revoking the leaf.
        var factory = CRLTestFactory(signingKey: intermediateKey, issuer: intermediate.certificate.subject,
                                     thisUpdate: at.addingTimeInterval(-60), nextUpdate: at.addingTimeInterval(86_400))
        factory.crlNumber = nil
        factory.entries = [.init(serial: Array(leaf.certificate.serialNumber.bytes), revocationDate: at.addingTimeInterval(-60))]
        let numberless = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertNil(numberless.crlNumber)
        var settings = CertificatePolicySettings(trustAnchors: [root.certificate])
        settings.crls = [numberless]
        settings.revocation = RevocationSettings(mode: .leaf, requireCRL: true)
        let strict = await evaluate(settings, [leaf.certificate, intermediate.certificate])
        XCTAssertEqual(strict.verdict.codes, [.crlMissing])
        settings.profile = .compatible
        let compatible = await evaluate(settings, [leaf.certificate, intermediate.certificate])
        XCTAssertEqual(compatible.verdict.codes, [.revoked])
    }

    // MARK: - Every reason

    func testEveryReasonIsReported() async throws {
        let f = try makeFixture(eku: [.serverAuth], leafNotBefore: at.addingTimeInterval(-20 * 86_400), leafNotAfter: at.addingTimeInterval(-10 * 86_400))
        var settings = CertificatePolicySettings(trustAnchors: [f.root.certificate])
        settings.crls = [try crl(f.intermediate, revoking: [f.leaf.certificate])]
        settings.revocation = RevocationSettings(mode: .chain, requireCRL: true)
        var claims = IdentityClaims()
        claims.commonName = "billing"
        settings.identity = IdentityRequirement(identities: [claims])
        let result = await evaluate(settings, f.presented)
        XCTAssertEqual(Set(result.verdict.codes), [.expired, .ekuMismatch, .revoked, .crlMissing, .identityMismatch])
        XCTAssertEqual(result.chain.count, 3, "the diagnosed chain is reported")
    }

    func testRejectionMessagesAreSafeToShow() async throws {
        let f = try makeFixture(leafNotAfter: at.addingTimeInterval(-86_400))
        let result = await evaluate(CertificatePolicySettings(trustAnchors: [f.root.certificate], clockSkew: 0), f.presented)
        for reason in result.verdict.rejections {
            XCTAssertFalse(reason.message.contains("/"), "no paths: \(reason.message)")
            XCTAssertFalse(reason.message.contains("PRIVATE"), reason.message)
        }
    }
}
