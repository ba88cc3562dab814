import Crypto
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509
import XCTest
import _CryptoExtras

@testable import TrustGateX509

/// The PKI library: key types, serials, file writing, CA directories, issuance profiles, revocation and CRLs.
/// Certificates and CRLs are checked through swift-certificates and the module's own CRL parser;
/// PKIInteropTests cross-checks the same artefacts with openssl and curl.
final class PKITests: XCTestCase {
    /// A fixed instant inside every CA these tests create (CAs are made from `now` = 2025-01-01 for 10 years).
    private let now = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    // MARK: - Key types

    func testKeyAlgorithmParsesCommonSpellings() throws {
        let cases: [(String, KeyAlgorithm)] = [
            ("ec-p256", .ecP256), ("P-256", .ecP256), ("prime256v1", .ecP256), ("ec", .ecP256),
            ("EC-P384", .ecP384), ("secp384r1", .ecP384),
            ("rsa-2048", .rsa2048), ("rsa", .rsa2048), ("RSA:3072", .rsa3072), ("rsa4096", .rsa4096),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try KeyAlgorithm(parsing: text), expected, text)
        }
        XCTAssertThrowsError(try KeyAlgorithm(parsing: "rsa-1024")) { error in
            XCTAssertEqual(error as? PKIError, .rsaKeyTooSmall(bits: 1024))
            XCTAssertTrue("\(error)".contains("refused"))
        }
        for bad in ["dsa", "rsa-1000000", "rsa-", "", "ed25519", "rsa-2047x"] {
            XCTAssertThrowsError(try KeyAlgorithm(parsing: bad), bad)
        }
    }

    func testGeneratedKeysHaveTheRequestedTypeAndSignatureAlgorithm() throws {
        for algorithm in [KeyAlgorithm.ecP256, .ecP384, .rsa2048] {
            let key = try algorithm.generatePrivateKey()
            XCTAssertEqual(KeyAlgorithm(of: key.publicKey), algorithm)
            XCTAssertEqual(try KeyAlgorithm.signatureAlgorithm(forIssuerKey: key.publicKey), algorithm.signatureAlgorithm)
        }
        XCTAssertEqual(KeyAlgorithm.ecP384.signatureAlgorithm, .ecdsaWithSHA384)
        XCTAssertEqual(KeyAlgorithm.rsa3072.signatureAlgorithm, .sha256WithRSAEncryption)
    }

    func testPrivateKeysAreWrittenAsPKCS8() throws {
        for algorithm in [KeyAlgorithm.ecP256, .rsa2048] {
            let key = try algorithm.generatePrivateKey()
            let pem = try PEMSerialization.privateKey(key)
            XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"), "\(algorithm): \(pem.prefix(40))")
            XCTAssertEqual(try Certificate.PrivateKey(pemEncoded: pem).publicKey, key.publicKey)
        }
    }

    // MARK: - Serial numbers

    func testSerialNumberTextParsesAndFormats() throws {
        let serial = try SerialNumberText.parse("0a:1B:ff")
        XCTAssertEqual(Array(serial.bytes), [0x0A, 0x1B, 0xFF])
        XCTAssertEqual(SerialNumberText.hex(serial), "0A1BFF")
        XCTAssertEqual(SerialNumberText.hex(try SerialNumberText.parse("0x00FF")), "FF")
        XCTAssertEqual(SerialNumberText.hex(try SerialNumberText.parse("abc")), "0ABC")
        // Leading zero bytes (an ASN.1 sign byte, or padding) are not part of the hex form.
        XCTAssertEqual(SerialNumberText.hex(try SerialNumberText.parse("80")), "80")
        XCTAssertEqual(SerialNumberText.hex(try SerialNumberText.parse("00:80")), "80")
        XCTAssertEqual(SerialNumberText.hex(try SerialNumberText.parse("0")), "00")
        for bad in ["", "xyz", "12 g4", String(repeating: "a", count: 65)] {
            XCTAssertThrowsError(try SerialNumberText.parse(bad), bad)
        }
    }

    func testRandomSerialsArePositiveSixteenBytesAndDistinct() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let serial = SerialNumberText.random()
            XCTAssertEqual(serial.bytes.count, 16)
            XCTAssertEqual((serial.bytes.first ?? 0) & 0xC0, 0x40, "positive, no leading zero byte")
            seen.insert(SerialNumberText.hex(serial))
        }
        XCTAssertEqual(seen.count, 200)
    }

    // MARK: - Files

    func testSecureFileWriterCreatesOwnerOnlyFilesAndNeverOverwritesByAccident() throws {
        let directory = try makeTemporaryDirectory().path
        let path = directory + "/secret.key"
        try SecureFileWriter.write("one", to: path, mode: SecureFileWriter.privateMode, overwrite: false)
        XCTAssertEqual(try mode(of: path), 0o600)

        XCTAssertThrowsError(try SecureFileWriter.write("two", to: path, mode: SecureFileWriter.privateMode, overwrite: false)) {
            XCTAssertEqual($0 as? PKIError, .fileExists(path: path))
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "one")

        try SecureFileWriter.write("three", to: path, mode: SecureFileWriter.privateMode, overwrite: true)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "three")
        XCTAssertEqual(try mode(of: path), 0o600)
        // No temporary files are left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["secret.key"])

        XCTAssertThrowsError(try SecureFileWriter.write("x", to: directory + "/missing/dir/file", mode: 0o600, overwrite: false)) {
            XCTAssertEqual(($0 as? PKIError)?.isInputError, false)
        }
    }

    // MARK: - Creating and loading CAs

    func testInitCAWithIntermediateWritesAProperHierarchy() throws {
        let directory = try makeTemporaryDirectory().path + "/ca"
        let ca = try makeCA(in: directory, intermediate: true)

        for file in ["root.key", "intermediate.key", "state.json"] {
            XCTAssertEqual(try mode(of: directory + "/" + file), 0o600, file)
        }
        XCTAssertEqual(try mode(of: directory), 0o700)

        let root = ca.root
        XCTAssertEqual(root.version, .v3)
        XCTAssertEqual(root.subject, root.issuer)
        XCTAssertTrue(root.publicKey.isValidSignature(root.signature, for: root))
        XCTAssertEqual(try root.extensions.basicConstraints, .isCertificateAuthority(maxPathLength: 1))
        XCTAssertEqual(root.extensions[oid: .X509ExtensionID.basicConstraints]?.critical, true)
        XCTAssertEqual(try root.extensions.keyUsage, KeyUsage(keyCertSign: true, cRLSign: true))
        XCTAssertEqual(root.extensions[oid: .X509ExtensionID.keyUsage]?.critical, true)
        XCTAssertNotNil(try root.extensions.subjectKeyIdentifier)
        XCTAssertNil(try root.extensions.authorityKeyIdentifier)
        XCTAssertEqual(root.notValidBefore, now)
        XCTAssertEqual(root.notValidAfter, now.addingTimeInterval(3650 * 86_400))

        let intermediate = try XCTUnwrap(ca.intermediate)
        XCTAssertEqual(intermediate.issuer, root.subject)
        XCTAssertTrue(root.publicKey.isValidSignature(intermediate.signature, for: intermediate))
        XCTAssertEqual(try intermediate.extensions.basicConstraints, .isCertificateAuthority(maxPathLength: 0))
        XCTAssertEqual(
            try intermediate.extensions.authorityKeyIdentifier?.keyIdentifier,
            try root.extensions.subjectKeyIdentifier?.keyIdentifier)
        XCTAssertEqual(ca.issuingCertificate, intermediate)
        XCTAssertEqual(ca.intermediates, [intermediate])

        let loaded = try CertificateAuthority.load(from: directory)
        XCTAssertEqual(loaded.root, root)
        XCTAssertEqual(loaded.intermediate, intermediate)
        XCTAssertEqual(loaded.issuingPrivateKey.publicKey, intermediate.publicKey)
    }

    func testInitCAWithoutIntermediateIssuesFromTheRootWithPathLengthZero() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false)
        XCTAssertNil(ca.intermediate)
        XCTAssertEqual(ca.issuingCertificate, ca.root)
        XCTAssertEqual(try ca.root.extensions.basicConstraints, .isCertificateAuthority(maxPathLength: 0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/intermediate.pem"))
    }

    func testInitCARefusesToReplaceAnExistingCAUnlessAskedTo() throws {
        let directory = try makeTemporaryDirectory().path
        let first = try makeCA(in: directory, intermediate: true)
        XCTAssertThrowsError(try makeCA(in: directory, intermediate: false)) {
            XCTAssertEqual($0 as? PKIError, .certificateAuthorityExists(directory: directory))
        }
        XCTAssertEqual(try CertificateAuthority.load(from: directory).root, first.root)

        let replaced = try makeCA(in: directory, intermediate: false, overwrite: true)
        XCTAssertNotEqual(replaced.root, first.root)
        // The old intermediate must not linger and be picked up as the issuing CA.
        XCTAssertNil(try CertificateAuthority.load(from: directory).intermediate)
    }

    func testLoadingReportsMissingDamagedAndMismatchedFiles() throws {
        let base = try makeTemporaryDirectory().path
        XCTAssertThrowsError(try CertificateAuthority.load(from: base + "/none")) {
            guard ($0 as? PKIError)?.code == .notACertificateAuthority else { return XCTFail("\($0)") }
        }

        let directory = base + "/ca"
        _ = try makeCA(in: directory, intermediate: true)
        let otherKey = try PEMSerialization.privateKey(KeyAlgorithm.ecP256.generatePrivateKey())
        try SecureFileWriter.write(otherKey, to: directory + "/intermediate.key", mode: 0o600, overwrite: true)
        XCTAssertThrowsError(try CertificateAuthority.load(from: directory)) {
            XCTAssertEqual($0 as? PKIError, .keyDoesNotMatchCertificate(
                keyPath: directory + "/intermediate.key", certificatePath: directory + "/intermediate.pem"))
        }

        let second = base + "/ca2"
        _ = try makeCA(in: second, intermediate: false)
        try SecureFileWriter.write("{\"format\": 1, \"issued\": 3}", to: second + "/state.json", mode: 0o600, overwrite: true)
        XCTAssertThrowsError(try CertificateAuthority.load(from: second)) { error in
            guard let error = error as? PKIError, error.code == .malformedState else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.hasPrefix(second + "/state.json is damaged: "), error.message)
        }
    }

    func testTheRootKeyMayBeTakenOfflineOnceThereIsAnIntermediate() throws {
        let directory = try makeTemporaryDirectory().path
        _ = try makeCA(in: directory, intermediate: true)
        try FileManager.default.removeItem(atPath: directory + "/root.key")
        let ca = try CertificateAuthority.load(from: directory)
        XCTAssertNoThrow(try ca.issue(clientRequest(cn: "offline-root"), now: now))
    }

    // MARK: - Issuing

    func testIssuedClientCertificateHasTheClientProfileAndValidates() async throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: true)
        let names: [GeneralName] = [
            try SubjectAlternativeNameText.dnsName("billing.example.com"),
            try SubjectAlternativeNameText.uri("spiffe://example.org/ns/prod/sa/billing"),
            try SubjectAlternativeNameText.email("billing@example.com"),
            try SubjectAlternativeNameText.ipAddress("2001:db8::1"),
        ]
        let validity = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(30 * 86_400))
        let issued = try ca.issue(
            IssuanceRequest(profile: .client, subject: try DistinguishedName(parsing: "CN=billing, O=Example"),
                            subjectAlternativeNames: names, validity: validity),
            now: now)
        let leaf = issued.certificate

        XCTAssertEqual(leaf.version, .v3)
        XCTAssertEqual(leaf.subject.displayString, "CN=billing, O=Example")
        XCTAssertEqual(leaf.issuer, ca.issuingCertificate.subject)
        XCTAssertEqual(leaf.notValidBefore, validity.notBefore)
        XCTAssertEqual(leaf.notValidAfter, validity.notAfter)
        XCTAssertEqual(leaf.signatureAlgorithm, .ecdsaWithSHA256)
        XCTAssertEqual(leaf.publicKey, issued.privateKey.publicKey)
        XCTAssertEqual(leaf.serialNumber.bytes.count, 16)

        let extensions = leaf.extensions
        XCTAssertEqual(try extensions.basicConstraints, .notCertificateAuthority)
        XCTAssertEqual(extensions[oid: .X509ExtensionID.basicConstraints]?.critical, true)
        XCTAssertEqual(try extensions.keyUsage, KeyUsage(digitalSignature: true))
        XCTAssertEqual(extensions[oid: .X509ExtensionID.keyUsage]?.critical, true)
        XCTAssertEqual(try extensions.extendedKeyUsage, try ExtendedKeyUsage([.clientAuth]))
        XCTAssertEqual(try extensions.subjectAlternativeNames.map(Array.init), names)
        XCTAssertEqual(extensions[oid: .X509ExtensionID.subjectAlternativeName]?.critical, false)
        XCTAssertEqual(try extensions.subjectKeyIdentifier, SubjectKeyIdentifier(hash: leaf.publicKey))
        XCTAssertEqual(
            try extensions.authorityKeyIdentifier?.keyIdentifier,
            try ca.issuingCertificate.extensions.subjectKeyIdentifier?.keyIdentifier)

        XCTAssertEqual(issued.chain, [leaf, try XCTUnwrap(ca.intermediate)])
        let state = try ca.state()
        XCTAssertEqual(state.issued.map(\.serialNumber), [issued.serialNumberHex])
        XCTAssertEqual(state.issued.first?.subject, "CN=billing,O=Example")
        XCTAssertEqual(state.issued.first?.profile, "client")

        // swift-certificates' RFC 5280 verifier builds leaf → intermediate → root.
        var verifier = Verifier(rootCertificates: CertificateStore([ca.root])) {
            RFC5280Policy(fixedExpiryValidationTime: now.addingTimeInterval(86_400))
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(ca.intermediates))
        guard case .validCertificate(let chain) = result else { return XCTFail("not valid: \(result)") }
        XCTAssertEqual(Array(chain), [leaf, try XCTUnwrap(ca.intermediate), ca.root])
    }

    func testKeyUsageFollowsProfileAndKeyType() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false, key: .rsa2048)
        let validity = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(86_400))
        let subject = try DistinguishedName(parsing: "CN=localhost")

        let rsaServer = try ca.issue(.init(profile: .server, subject: subject, validity: validity, keyAlgorithm: .rsa2048), now: now)
        XCTAssertEqual(try rsaServer.certificate.extensions.keyUsage, KeyUsage(digitalSignature: true, keyEncipherment: true))
        XCTAssertEqual(try rsaServer.certificate.extensions.extendedKeyUsage, try ExtendedKeyUsage([.serverAuth]))
        XCTAssertEqual(rsaServer.certificate.signatureAlgorithm, .sha256WithRSAEncryption)
        XCTAssertEqual(rsaServer.chain, [rsaServer.certificate], "no intermediate, and the root is never in the chain")

        let ecServer = try ca.issue(.init(profile: .server, subject: subject, validity: validity, keyAlgorithm: .ecP384), now: now)
        XCTAssertEqual(try ecServer.certificate.extensions.keyUsage, KeyUsage(digitalSignature: true))
        XCTAssertEqual(KeyAlgorithm(of: ecServer.certificate.publicKey), .ecP384)

        let rsaClient = try ca.issue(.init(profile: .client, subject: subject, validity: validity, keyAlgorithm: .rsa2048), now: now)
        XCTAssertEqual(try rsaClient.certificate.extensions.keyUsage, KeyUsage(digitalSignature: true))
    }

    func testExtendedKeyUsagesCanBeReplacedOrLeftOut() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false)
        var request = try clientRequest(cn: "custom")
        let customOID = try IssuanceProfile.extendedKeyUsage(parsing: "1.3.6.1.4.1.311.20.2.2")
        request.extendedKeyUsages = [try IssuanceProfile.extendedKeyUsage(parsing: "serverAuth"), customOID]
        let custom = try ca.issue(request, now: now)
        XCTAssertEqual(
            try custom.certificate.extensions.extendedKeyUsage,
            try ExtendedKeyUsage([.serverAuth, ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 4, 1, 311, 20, 2, 2])]))

        request.extendedKeyUsages = []
        let none = try ca.issue(request, now: now)
        XCTAssertNil(try none.certificate.extensions.extendedKeyUsage)

        for bad in ["clientauthx", "1", "1..2", "a.b"] {
            XCTAssertThrowsError(try IssuanceProfile.extendedKeyUsage(parsing: bad), bad)
        }
    }

    func testAnEmptySubjectMakesTheAlternativeNamesCriticalAndRequiresOne() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false)
        var request = try clientRequest(cn: "x")
        request.subject = DistinguishedName()
        XCTAssertThrowsError(try ca.issue(request, now: now)) {
            XCTAssertEqual($0 as? PKIError, .subjectAndAlternativeNamesEmpty)
        }
        XCTAssertTrue(try ca.state().issued.isEmpty, "nothing recorded for a refused request")

        request.subjectAlternativeNames = [try SubjectAlternativeNameText.uri("spiffe://example.org/svc")]
        let svid = try ca.issue(request, now: now).certificate
        XCTAssertTrue(svid.subject.isEmpty)
        XCTAssertEqual(svid.extensions[oid: .X509ExtensionID.subjectAlternativeName]?.critical, true)
    }

    func testIssuanceRefusesCertificatesThatOutliveTheIssuingCA() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: true)
        var request = try clientRequest(cn: "long")
        request.validity = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(4000 * 86_400))
        XCTAssertThrowsError(try ca.issue(request, now: now)) { error in
            guard (error as? PKIError)?.code == .certificateWouldOutliveIssuer else { return XCTFail("\(error)") }
        }
        // Expired certificates (for tests of the `expired` rejection) are fine.
        request.validity = try ValidityPeriod(
            notBefore: try PKIDate.parse("2020-01-01"), notAfter: try PKIDate.parse("2020-12-31T23:59:59Z"))
        let expired = try ca.issue(request, now: now).certificate
        XCTAssertEqual(PKIDate.format(expired.notValidAfter), "2020-12-31T23:59:59Z")
    }

    func testValidityPeriodResolution() throws {
        let fromDays = try ValidityPeriod.resolve(days: 10, notBefore: nil, notAfter: nil, defaultDays: 365, now: now)
        XCTAssertEqual(fromDays.notBefore, now)
        XCTAssertEqual(fromDays.notAfter, now.addingTimeInterval(10 * 86_400))

        let byDefault = try ValidityPeriod.resolve(days: nil, notBefore: nil, notAfter: nil, defaultDays: 365, now: now.addingTimeInterval(0.75))
        XCTAssertEqual(byDefault.notBefore, now, "whole seconds")
        XCTAssertEqual(byDefault.notAfter, now.addingTimeInterval(365 * 86_400))

        let future = now.addingTimeInterval(86_400)
        let notYetValid = try ValidityPeriod.resolve(days: 2, notBefore: future, notAfter: nil, defaultDays: 365, now: now)
        XCTAssertEqual(notYetValid.notBefore, future)
        XCTAssertEqual(notYetValid.notAfter, future.addingTimeInterval(2 * 86_400))

        let explicit = try ValidityPeriod.resolve(days: nil, notBefore: nil, notAfter: future, defaultDays: 365, now: now)
        XCTAssertEqual(explicit.notAfter, future)

        XCTAssertThrowsError(try ValidityPeriod.resolve(days: 1, notBefore: nil, notAfter: future, defaultDays: 1, now: now))
        XCTAssertThrowsError(try ValidityPeriod.resolve(days: 0, notBefore: nil, notAfter: nil, defaultDays: 1, now: now))
        XCTAssertThrowsError(try ValidityPeriod.resolve(days: nil, notBefore: future, notAfter: now, defaultDays: 1, now: now))
    }

    func testDatesParse() throws {
        XCTAssertEqual(try PKIDate.parse("2025-01-01"), now)
        XCTAssertEqual(try PKIDate.parse("2025-01-01T00:00:00Z"), now)
        XCTAssertEqual(try PKIDate.parse("2025-01-01 00:00:00Z"), now)
        XCTAssertEqual(try PKIDate.parse("2025-01-01T00:00:00"), now)
        XCTAssertEqual(try PKIDate.parse("2025-01-01T02:00:00+02:00"), now)
        XCTAssertEqual(try PKIDate.parse("2025-01-01T00:00:00.900Z"), now)
        for bad in ["", "yesterday", "2025-13-01", "2025-01-01T25:00:00Z", "01/02/2025"] {
            XCTAssertThrowsError(try PKIDate.parse(bad), bad)
        }
    }

    func testSubjectAlternativeNameValidation() throws {
        XCTAssertEqual(try SubjectAlternativeNameText.dnsName("*.Example.COM."), .dnsName("*.example.com"))
        XCTAssertEqual(try SubjectAlternativeNameText.ipAddress("192.0.2.1"), .ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 1])))
        guard case .ipAddress(let v6) = try SubjectAlternativeNameText.ipAddress("::1") else { return XCTFail() }
        XCTAssertEqual(Array(v6.bytes), Array(repeating: 0, count: 15) + [1])

        for bad in ["", "a..b", "-a.com", "a b.com", "bücher.de", "a.*.com", "127.0.0.1", String(repeating: "a", count: 64) + ".com"] {
            XCTAssertThrowsError(try SubjectAlternativeNameText.dnsName(bad), bad)
        }
        for bad in ["no-scheme/path", "spiffe://a b", ""] {
            XCTAssertThrowsError(try SubjectAlternativeNameText.uri(bad), bad)
        }
        for bad in ["a", "@b", "a@", "a@b@c"] {
            XCTAssertThrowsError(try SubjectAlternativeNameText.email(bad), bad)
        }
        for bad in ["1.2.3", "256.1.1.1", "example.com", "::g"] {
            XCTAssertThrowsError(try SubjectAlternativeNameText.ipAddress(bad), bad)
        }
    }

    func testSelfSignedCertificatesFollowKeyVaultsDefaults() throws {
        let validity = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(365 * 86_400))
        let issued = try SelfSignedCertificate.make(IssuanceRequest(
            profile: .selfSigned, subject: try DistinguishedName(parsing: "CN=legacy-client"),
            validity: validity, keyAlgorithm: .rsa2048))
        let certificate = issued.certificate
        XCTAssertEqual(certificate.issuer, certificate.subject)
        XCTAssertTrue(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        XCTAssertEqual(KeyAlgorithm(of: certificate.publicKey), .rsa2048)
        XCTAssertEqual(try certificate.extensions.extendedKeyUsage, try ExtendedKeyUsage([.serverAuth, .clientAuth]))
        XCTAssertEqual(try certificate.extensions.keyUsage, KeyUsage(digitalSignature: true, keyEncipherment: true))
        XCTAssertEqual(try certificate.extensions.basicConstraints, .notCertificateAuthority)
        XCTAssertNil(try certificate.extensions.authorityKeyIdentifier)
        XCTAssertEqual(issued.chain, [certificate])

        XCTAssertThrowsError(try SelfSignedCertificate.make(IssuanceRequest(
            profile: .selfSigned, subject: DistinguishedName(),
            subjectAlternativeNames: [.dnsName("x.example")], validity: validity)))
    }

    // MARK: - Revocation and CRLs

    func testRevocationIsRecordedOnceAndOnlyForThisCAsCertificates() throws {
        let base = try makeTemporaryDirectory().path
        let ca = try makeCA(in: base + "/a", intermediate: true)
        let other = try makeCA(in: base + "/b", intermediate: false)
        let issued = try ca.issue(try clientRequest(cn: "alice"), now: now)

        let first = try ca.revoke(certificate: issued.certificate, reason: .keyCompromise, at: now)
        guard case .revoked(let record) = first else { return XCTFail("\(first)") }
        XCTAssertEqual(record.serialNumber, issued.serialNumberHex)
        XCTAssertEqual(record.reason, .keyCompromise)

        let again = try ca.revoke(serialNumber: issued.certificate.serialNumber, reason: .superseded, at: now.addingTimeInterval(60))
        XCTAssertEqual(again, .alreadyRevoked(record), "the first record is kept")

        XCTAssertThrowsError(try ca.revoke(serialNumber: try SerialNumberText.parse("0123"))) {
            XCTAssertEqual($0 as? PKIError, .serialNotIssued("0123"))
        }
        guard case .revoked = try ca.revoke(serialNumber: try SerialNumberText.parse("0123"), requireIssued: false) else {
            return XCTFail("an unknown serial can be revoked deliberately")
        }

        let foreign = try other.issue(try clientRequest(cn: "mallory"), now: now)
        XCTAssertThrowsError(try ca.revoke(certificate: foreign.certificate)) { error in
            guard (error as? PKIError)?.code == .certificateNotIssuedByThisCA else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try ca.state().revoked.count, 2)
    }

    func testCRLListsRevocationsWithReasonsAndIsSignedByTheIssuingCA() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: true)
        let revoked = try ca.issue(try clientRequest(cn: "revoked"), now: now)
        let unspecified = try ca.issue(try clientRequest(cn: "unspecified"), now: now)
        let good = try ca.issue(try clientRequest(cn: "good"), now: now)
        let revokedAt = now.addingTimeInterval(3600)
        _ = try ca.revoke(certificate: revoked.certificate, reason: .keyCompromise, at: revokedAt)
        _ = try ca.revoke(certificate: unspecified.certificate, reason: nil, at: revokedAt)

        let thisUpdate = now.addingTimeInterval(7200)
        let generated = try ca.makeCRL(validity: 7 * 86_400, now: thisUpdate)
        XCTAssertEqual(generated.crlNumber, 1)
        XCTAssertEqual(generated.revokedCount, 2)

        let crl = try CertificateRevocationList(derEncoded: generated.derBytes)
        XCTAssertEqual(crl.version, 2)
        XCTAssertEqual(crl.issuer, try XCTUnwrap(ca.intermediate).subject)
        XCTAssertEqual(crl.thisUpdate, thisUpdate)
        XCTAssertEqual(crl.nextUpdate, thisUpdate.addingTimeInterval(7 * 86_400))
        XCTAssertEqual(crl.crlNumber, [1])
        XCTAssertEqual(crl.authorityKeyIdentifier.map { $0[...] }, try ca.issuingCertificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        XCTAssertEqual(crl.signatureAlgorithm, .ecdsaWithSHA256)
        XCTAssertTrue(crl.isSignatureValid(signedBy: ca.issuingCertificate))
        XCTAssertFalse(crl.isSignatureValid(signedBy: ca.root))

        let entry = try XCTUnwrap(crl.revocation(of: revoked.certificate.serialNumber))
        XCTAssertEqual(entry.reason, .keyCompromise)
        XCTAssertEqual(entry.revocationDate, revokedAt)
        let unspecifiedEntry = try XCTUnwrap(crl.revocation(of: unspecified.certificate.serialNumber))
        XCTAssertNil(unspecifiedEntry.reason, "unspecified is expressed by leaving the reasonCode out")
        XCTAssertNil(crl.revocation(of: good.certificate.serialNumber))

        let next = try ca.makeCRL(validity: 86_400, now: thisUpdate)
        XCTAssertEqual(next.crlNumber, 2, "CRL numbers increase")
        XCTAssertEqual(try CertificateRevocationList(derEncoded: next.derBytes).crlNumber, [2])
        XCTAssertEqual(try ca.state().lastCRLNumber, 2)
    }

    func testRevokingTheIntermediatePutsItOnTheRootsOwnCRL() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: true)
        let intermediate = try XCTUnwrap(ca.intermediate)
        let leaf = try ca.issue(try clientRequest(cn: "leaf"), now: now)
        _ = try ca.makeCRL(validity: 86_400, now: now)  // issuing CA's CRL number 1

        guard case .revoked = try ca.revoke(certificate: intermediate, reason: .cACompromise, at: now) else {
            return XCTFail("the root can revoke its intermediate")
        }
        XCTAssertEqual(try ca.revoke(serialNumber: intermediate.serialNumber).isAlreadyRevoked, true, "found by serial too")
        XCTAssertThrowsError(try ca.revoke(certificate: ca.root), "the root cannot revoke itself")

        let rootCRL = try CertificateRevocationList(derEncoded: ca.makeCRL(validity: 86_400, now: now, signer: .root).derBytes)
        XCTAssertEqual(rootCRL.issuer, ca.root.subject)
        XCTAssertTrue(rootCRL.isSignatureValid(signedBy: ca.root))
        XCTAssertEqual(rootCRL.crlNumber, [1], "the root numbers its CRLs on its own")
        XCTAssertEqual(rootCRL.revocation(of: intermediate.serialNumber)?.reason, .cACompromise)
        XCTAssertNil(rootCRL.revocation(of: leaf.certificate.serialNumber))

        let issuingCRL = try CertificateRevocationList(derEncoded: ca.makeCRL(validity: 86_400, now: now).derBytes)
        XCTAssertEqual(issuingCRL.crlNumber, [2])
        XCTAssertNil(issuingCRL.revocation(of: intermediate.serialNumber), "not on the intermediate's own CRL")

        // With the root key offline, the root's CRL cannot be signed.
        try FileManager.default.removeItem(atPath: directory + "/root.key")
        XCTAssertThrowsError(try CertificateAuthority.load(from: directory).makeCRL(validity: 86_400, now: now, signer: .root)) { error in
            XCTAssertTrue("\(error)".contains("root.key is needed"), "\(error)")
        }
    }

    func testCRLOfAnRSARootWithoutRevocations() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false, key: .rsa2048)
        let generated = try ca.makeCRL(validity: 86_400, now: now)
        let crl = try CertificateRevocationList(derEncoded: generated.derBytes)
        XCTAssertEqual(crl.revokedCount, 0)
        XCTAssertEqual(crl.signatureAlgorithm, .sha256WithRSAEncryption)
        XCTAssertTrue(crl.isSignatureValid(signedBy: ca.root))
        XCTAssertTrue(generated.pemString.hasPrefix("-----BEGIN X509 CRL-----"))
    }

    func testStaleCRLsCanBeMadeOnPurposeButNotBackwards() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false)
        let stale = try ca.makeCRL(thisUpdate: try PKIDate.parse("2020-01-01"), nextUpdate: try PKIDate.parse("2020-01-08"))
        XCTAssertTrue(try CertificateRevocationList(derEncoded: stale.derBytes).isStale(at: now))
        // GeneralizedTime from 2050 on (RFC 5280 §5.1.2.4).
        let far = try ca.makeCRL(thisUpdate: now, nextUpdate: try PKIDate.parse("2051-06-01"))
        XCTAssertEqual(try CertificateRevocationList(derEncoded: far.derBytes).nextUpdate, try PKIDate.parse("2051-06-01"))
        XCTAssertThrowsError(try ca.makeCRL(thisUpdate: now, nextUpdate: now))
    }

    func testReasonNamesParse() throws {
        XCTAssertEqual(try CertificateRevocationListBuilder.Reason(parsing: "keyCompromise"), .keyCompromise)
        XCTAssertEqual(try CertificateRevocationListBuilder.Reason(parsing: "key-compromise"), .keyCompromise)
        XCTAssertEqual(try CertificateRevocationListBuilder.Reason(parsing: "CA_COMPROMISE"), .cACompromise)
        XCTAssertEqual(try CertificateRevocationListBuilder.Reason(parsing: "cessationOfOperation"), .cessationOfOperation)
        XCTAssertThrowsError(try CertificateRevocationListBuilder.Reason(parsing: "removeFromCRL"))
        XCTAssertThrowsError(try CertificateRevocationListBuilder.Reason(parsing: "lost"))
        // Each reason's code matches the parser's view of it.
        for reason in CertificateRevocationListBuilder.Reason.allCases {
            XCTAssertEqual(CRLReason(rawValue: reason.rawValue)?.rawValue, reason.rawValue)
        }
    }

    // MARK: - State

    func testParallelIssuanceLosesNoRecords() throws {
        let directory = try makeTemporaryDirectory().path
        let ca = try makeCA(in: directory, intermediate: false)
        let request = try clientRequest(cn: "parallel")
        let now = self.now
        let count = 12
        let serials = LockedSerials()
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            if let issued = try? ca.issue(request, now: now) { serials.append(issued.serialNumberHex) }
        }
        XCTAssertEqual(serials.values.count, count)
        let recorded = try ca.state().issued.map(\.serialNumber)
        XCTAssertEqual(Set(recorded), Set(serials.values))
        XCTAssertEqual(recorded.count, count)
    }

    // MARK: - Helpers

    private func makeCA(
        in directory: String, intermediate: Bool, key: KeyAlgorithm = .ecP256, overwrite: Bool = false
    ) throws -> CertificateAuthority {
        let validity = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(3650 * 86_400))
        return try CertificateAuthority.create(
            in: directory,
            options: .init(
                rootSubject: try DistinguishedName(parsing: "CN=PKI Test Root, O=TrustGate Tests"),
                keyAlgorithm: key,
                validity: validity,
                intermediateSubject: intermediate ? try DistinguishedName(parsing: "CN=PKI Test Issuing CA, O=TrustGate Tests") : nil),
            overwrite: overwrite)
    }

    private func clientRequest(cn: String) throws -> IssuanceRequest {
        IssuanceRequest(
            profile: .client,
            subject: try DistinguishedName(parsing: "CN=\(cn)"),
            validity: try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(86_400)))
    }

    private func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

extension CertificateAuthority.RevocationOutcome {
    fileprivate var isAlreadyRevoked: Bool {
        if case .alreadyRevoked = self { return true }
        return false
    }
}

private final class LockedSerials: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ value: String) { lock.withLock { storage.append(value) } }
    var values: [String] { lock.withLock { storage } }
}
