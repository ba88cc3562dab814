import Crypto
import Foundation
import SwiftASN1
import X509
import XCTest
import _CryptoExtras

@testable import TrustGateX509

final class CertificateRevocationListTests: XCTestCase {
    // MARK: - CRLs made by openssl

    func testOpenSSLCRLWithECIssuer() throws {
        try self.checkOpenSSLCRL(keyKind: .ecP256)
    }

    func testOpenSSLCRLWithRSAIssuer() throws {
        try self.checkOpenSSLCRL(keyKind: .rsa2048)
    }

    /// Everything openssl was told (index.txt, `-revoke -crl_reason`, crlnumber, update times) must come back out,
    /// and the signature must verify for the issuer only and only for the untouched bytes.
    private func checkOpenSSLCRL(keyKind: OpenSSLCA.KeyKind) throws {
        let directory = try TemporaryDirectory()
        let startedAt = Date()
        let ca = try OpenSSLCA(keyKind: keyKind, in: directory.url)
        let pem = try ca.generateCRL()
        let finishedAt = Date()

        let crls = try CertificateRevocationList.parseAll(Array(pem.utf8))
        XCTAssertEqual(crls.count, 1)
        let crl = try XCTUnwrap(crls.first)

        XCTAssertEqual(crl.version, 2)
        XCTAssertEqual(crl.issuer, ca.certificate.subject)
        XCTAssertEqual(crl.issuer.description, ca.subjectDescription)
        XCTAssertEqual(crl.thisUpdate, utc("2024-01-05T06:07:08Z"))
        XCTAssertEqual(crl.nextUpdate, utc("2024-01-12T06:07:08Z"))
        XCTAssertEqual(crl.crlNumber, [0x10, 0x00])
        let subjectKeyIdentifier = try XCTUnwrap(ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        XCTAssertEqual(crl.authorityKeyIdentifier, Array(subjectKeyIdentifier))
        XCTAssertFalse(crl.onlyContainsUserCerts)
        XCTAssertFalse(crl.onlyContainsCACerts)
        XCTAssertFalse(crl.hasDistributionPointName)
        XCTAssertEqual(crl.signatureAlgorithm, keyKind == .ecP256 ? .ecdsaWithSHA256 : .sha256WithRSAEncryption)

        let expected = OpenSSLCA.indexRevocations
        XCTAssertEqual(crl.revokedCount, expected.count + 1)
        for revocation in expected {
            let entry = try XCTUnwrap(crl.revocation(of: serial(revocation.serial)), "serial \(revocation.serial)")
            XCTAssertEqual(entry.serialNumber, serial(revocation.serial))
            XCTAssertEqual(entry.revocationDate, revocation.date, "serial \(revocation.serial)")
            XCTAssertEqual(entry.reason, revocation.reason, "serial \(revocation.serial)")
            XCTAssertEqual(entry.invalidityDate, revocation.invalidityDate, "serial \(revocation.serial)")
        }
        // The certificate revoked with `openssl ca -revoke -crl_reason superseded`, dated by openssl's clock.
        let leafEntry = try XCTUnwrap(crl.revocation(of: ca.revokedLeaf.serialNumber))
        XCTAssertEqual(leafEntry.reason, .superseded)
        XCTAssertNil(leafEntry.invalidityDate)
        XCTAssertGreaterThanOrEqual(leafEntry.revocationDate, startedAt.addingTimeInterval(-2))
        XCTAssertLessThanOrEqual(leafEntry.revocationDate, finishedAt.addingTimeInterval(2))
        // Valid in index.txt, so absent from the CRL.
        XCTAssertNil(crl.revocation(of: serial("1004")))
        XCTAssertNil(crl.revocation(of: serial("99")))
        XCTAssertEqual(
            Set(crl.revokedCertificates.map(\.serialNumber)),
            Set(expected.map { serial($0.serial) } + [ca.revokedLeaf.serialNumber])
        )

        // Signature: the issuer verifies it; a CA with the same name and another key does not.
        XCTAssertTrue(crl.isSignatureValid(signedBy: ca.certificate))
        let impostor = try OpenSSLCA.impostor(of: ca.certificate, keyKind: keyKind)
        XCTAssertEqual(impostor.subject, ca.certificate.subject)
        XCTAssertFalse(crl.isSignatureValid(signedBy: impostor))
        XCTAssertFalse(crl.isSignatureValid(signedBy: ca.revokedLeaf), "a certificate with another subject")

        // One flipped bit in the signature value.
        var signatureFlipped = crl.derBytes
        signatureFlipped[signatureFlipped.count - 1] ^= 0x01
        let badSignature = try CertificateRevocationList(derEncoded: signatureFlipped)
        XCTAssertFalse(badSignature.isSignatureValid(signedBy: ca.certificate))

        // One flipped bit in the TBSCertList: serial 1001 becomes 1041, still a well-formed CRL.
        var tbsFlipped = crl.derBytes
        let serialTLV: [UInt8] = [0x02, 0x02, 0x10, 0x01]
        let serialOffset = try XCTUnwrap(firstOffset(of: serialTLV, in: tbsFlipped))
        tbsFlipped[serialOffset + 3] ^= 0x40
        let badTBS = try CertificateRevocationList(derEncoded: tbsFlipped)
        XCTAssertNotNil(badTBS.revocation(of: serial("1041")))
        XCTAssertNil(badTBS.revocation(of: serial("1001")))
        XCTAssertFalse(badTBS.isSignatureValid(signedBy: ca.certificate))

        // The same CRL as DER (openssl's own conversion) parses to the same thing.
        let der = try ca.convertCRLToDER()
        let fromDER = try CertificateRevocationList.parseAll(der)
        XCTAssertEqual(fromDER.map(\.derBytes), [crl.derBytes])
        XCTAssertTrue(fromDER[0].isSignatureValid(signedBy: ca.certificate))
    }

    // MARK: - Input forms

    func testPEMWithTwoCRLsDERAndCRLFPEM() throws {
        let first = try CRLTestFactory.sample(commonName: "First CA")
        let second = try CRLTestFactory.sample(commonName: "Second CA")
        let firstDER = try first.derEncoded()
        let secondDER = try second.derEncoded()
        let bundle =
            "Comment before the blocks\n"
            + PEMDocument(type: "X509 CRL", derBytes: firstDER).pemString + "\n"
            + PEMDocument(type: "CERTIFICATE", derBytes: try first.issuerCertificate().serializeAsPEM().derBytes)
            .pemString + "\n"
            + PEMDocument(type: "X509 CRL", derBytes: secondDER).pemString + "\n"

        let parsed = try CertificateRevocationList.parseAll(Array(bundle.utf8))
        XCTAssertEqual(parsed.map(\.derBytes), [firstDER, secondDER], "CRL blocks in order, other blocks skipped")
        XCTAssertTrue(parsed[0].isSignatureValid(signedBy: try first.issuerCertificate()))
        XCTAssertTrue(parsed[1].isSignatureValid(signedBy: try second.issuerCertificate()))
        XCTAssertFalse(parsed[1].isSignatureValid(signedBy: try first.issuerCertificate()))

        let crlf = bundle.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try CertificateRevocationList.parseAll(Array(crlf.utf8)).map(\.derBytes), [firstDER, secondDER])

        // Lines longer than PEM's 64 characters (as some Windows tools write them) are accepted too.
        let oneLine =
            "-----BEGIN X509 CRL-----\n" + Data(firstDER).base64EncodedString() + "\n-----END X509 CRL-----\n"
        XCTAssertEqual(try CertificateRevocationList.parseAll(Array(oneLine.utf8)).map(\.derBytes), [firstDER])

        XCTAssertEqual(try CertificateRevocationList.parseAll(firstDER).map(\.derBytes), [firstDER])

        // Text starting with "0" (the DER SEQUENCE byte) and blocks of other kinds that are not even base64.
        let awkward =
            "0 revoked so far\n-----BEGIN PGP SIGNATURE-----\nVersion: 1\n\n*not base64*\n-----END PGP SIGNATURE-----\n"
            + PEMDocument(type: "X509 CRL", derBytes: secondDER).pemString + "\n"
        XCTAssertEqual(try CertificateRevocationList.parseAll(Array(awkward.utf8)).map(\.derBytes), [secondDER])
    }

    func testPEMErrors() {
        let certificateOnly = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array(certificateOnly.utf8))) { error in
            XCTAssertEqual(error as? CRLParsingError, .noCRLInPEM(foundLabels: ["CERTIFICATE"]))
        }
        let unterminated = "-----BEGIN X509 CRL-----\nMAA=\n"
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array(unterminated.utf8))) { error in
            guard (error as? CRLParsingError)?.code == .invalidPEM else { return XCTFail("\(error)") }
        }
        let badBase64 = "-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n"
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array(badBase64.utf8))) { error in
            guard (error as? CRLParsingError)?.code == .invalidPEM else { return XCTFail("\(error)") }
        }
        let notACRLInside = "-----BEGIN X509 CRL-----\nAgEB\n-----END X509 CRL-----\n"
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array(notACRLInside.utf8))) { error in
            XCTAssertEqual(error as? CRLParsingError, .wrongOuterTag(0x02))
        }
    }

    func testLoadFromFile() throws {
        let directory = try TemporaryDirectory()
        let factory = try CRLTestFactory.sample(commonName: "File CA")
        let der = try factory.derEncoded()

        let pemPath = directory.url.appendingPathComponent("ca.crl.pem").path
        try Data(PEMDocument(type: "X509 CRL", derBytes: der).pemString.utf8).write(to: URL(fileURLWithPath: pemPath))
        XCTAssertEqual(try CertificateRevocationList.load(contentsOfFile: pemPath).map(\.derBytes), [der])

        let derPath = directory.url.appendingPathComponent("ca.crl").path
        try Data(der).write(to: URL(fileURLWithPath: derPath))
        XCTAssertEqual(try CertificateRevocationList.load(contentsOfFile: derPath).map(\.derBytes), [der])

        let missingPath = directory.url.appendingPathComponent("missing.crl").path
        XCTAssertThrowsError(try CertificateRevocationList.load(contentsOfFile: missingPath)) { error in
            guard let error = error as? CRLParsingError, error.code == .fileUnreadable else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.hasPrefix("cannot read CRL file \(missingPath): "), error.message)
            XCTAssertTrue("\(error)".contains(missingPath))
        }

        let garbagePath = directory.url.appendingPathComponent("garbage.crl").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: garbagePath))
        XCTAssertThrowsError(try CertificateRevocationList.load(contentsOfFile: garbagePath)) { error in
            XCTAssertEqual(error as? CRLParsingError, .invalidFile(path: garbagePath, error: .wrongOuterTag(0x68)))
            XCTAssertTrue("\(error)".hasPrefix(garbagePath + ": "))
        }

        let emptyPath = directory.url.appendingPathComponent("empty.crl").path
        try Data().write(to: URL(fileURLWithPath: emptyPath))
        XCTAssertThrowsError(try CertificateRevocationList.load(contentsOfFile: emptyPath)) { error in
            XCTAssertEqual(error as? CRLParsingError, .invalidFile(path: emptyPath, error: .empty()))
        }
    }

    // MARK: - Malformed input never crashes

    func testEmptyGarbageWrongTagAndTrailingData() throws {
        let der = try CRLTestFactory.sample().derEncoded()

        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: [])) { error in
            XCTAssertEqual(error as? CRLParsingError, .empty())
        }
        XCTAssertThrowsError(try CertificateRevocationList.parseAll([])) { error in
            XCTAssertEqual(error as? CRLParsingError, .empty())
        }
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array("not a CRL at all".utf8))) { error in
            XCTAssertEqual(error as? CRLParsingError, .wrongOuterTag(UInt8(ascii: "n")))
        }
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let garbage = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            XCTAssertThrowsError(try CertificateRevocationList.parseAll(garbage))
        }

        var wrongTag = der
        wrongTag[0] = 0x31
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: wrongTag)) { error in
            XCTAssertEqual(error as? CRLParsingError, .wrongOuterTag(0x31))
        }

        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: der + [0x00])) { error in
            XCTAssertEqual(error as? CRLParsingError, .trailingData(byteCount: 1))
        }
        XCTAssertThrowsError(try CertificateRevocationList.parseAll(der + der)) { error in
            XCTAssertEqual(error as? CRLParsingError, .trailingData(byteCount: der.count))
        }

        // A signature BIT STRING with unused bits is not a signature.
        var unusedBits = der
        guard case .constructed(let parts) = try DER.parse(der).content else { return XCTFail("not constructed") }
        let signatureValue = try XCTUnwrap(Array(parts).last)
        XCTAssertEqual(signatureValue.identifier, .bitString)
        let unusedBitsOffset = signatureValue.encodedBytes.startIndex + 2
        XCTAssertEqual(unusedBits[unusedBitsOffset], 0x00)
        unusedBits[unusedBitsOffset] = 0x01
        unusedBits[unusedBits.count - 1] &= 0xFE  // DER also requires the unused bit itself to be zero
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: unusedBits)) { error in
            XCTAssertEqual(error as? CRLParsingError, .malformed(field: "signatureValue", reason: "BIT STRING has unused bits"))
        }
    }

    func testEveryTruncationThrows() throws {
        let der = try CRLTestFactory.sample().derEncoded()
        for length in 0..<der.count {
            XCTAssertThrowsError(try CertificateRevocationList(derEncoded: Array(der.prefix(length))), "prefix \(length)")
            XCTAssertThrowsError(try CertificateRevocationList.parseAll(Array(der.prefix(length))), "prefix \(length)")
        }
        XCTAssertNoThrow(try CertificateRevocationList(derEncoded: der))
    }

    /// Every single-byte change either is rejected or leaves a CRL whose signature no longer verifies.
    func testSingleByteMutationsThrowOrFailVerification() throws {
        let factory = try CRLTestFactory.sample()
        let issuer = try factory.issuerCertificate()
        let der = try factory.derEncoded()
        XCTAssertTrue(try CertificateRevocationList(derEncoded: der).isSignatureValid(signedBy: issuer))

        var parsedCount = 0
        for offset in 0..<der.count {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var mutated = der
                mutated[offset] ^= mask
                if let crl = try? CertificateRevocationList(derEncoded: mutated) {
                    parsedCount += 1
                    XCTAssertFalse(crl.isSignatureValid(signedBy: issuer), "offset \(offset) mask \(mask)")
                    _ = crl.revocation(of: serial("1001"))
                }
            }
            for replacement: UInt8 in [0x00, 0x30, 0x80, 0x84, 0xA0] where der[offset] != replacement {
                var mutated = der
                mutated[offset] = replacement
                if let crl = try? CertificateRevocationList(derEncoded: mutated) {
                    parsedCount += 1
                    XCTAssertFalse(crl.isSignatureValid(signedBy: issuer), "offset \(offset) byte \(replacement)")
                }
            }
        }
        // Most bytes are inside values (serials, times, signature) where a change still parses.
        XCTAssertGreaterThan(parsedCount, der.count / 2)
    }

    // MARK: - Fail-closed rules

    func testUnknownCriticalExtensionsAreRejected() throws {
        var factory = try CRLTestFactory.sample()
        let unknown: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99999, 1]

        factory.extraExtensions = [Certificate.Extension(oid: unknown, critical: false, value: [0x05, 0x00])]
        XCTAssertNoThrow(try CertificateRevocationList(derEncoded: factory.derEncoded()), "non-critical is ignored")

        factory.extraExtensions = [Certificate.Extension(oid: unknown, critical: true, value: [0x05, 0x00])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .unknownCriticalExtension(oid: "1.3.6.1.4.1.99999.1"))
            XCTAssertTrue("\(error)".contains("1.3.6.1.4.1.99999.1"))
        }

        factory = try CRLTestFactory.sample()
        factory.entries[0].extraExtensions = [Certificate.Extension(oid: unknown, critical: false, value: [0x05, 0x00])]
        XCTAssertNoThrow(try CertificateRevocationList(derEncoded: factory.derEncoded()))
        factory.entries[0].extraExtensions = [Certificate.Extension(oid: unknown, critical: true, value: [0x05, 0x00])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(
                error as? CRLParsingError,
                .unknownCriticalEntryExtension(oid: "1.3.6.1.4.1.99999.1", serialNumber: "1001")
            )
        }
    }

    func testDeltaCRLIsRejected() throws {
        var factory = try CRLTestFactory.sample()
        factory.extraExtensions = [Certificate.Extension(oid: [2, 5, 29, 27], critical: true, value: [0x02, 0x01, 0x05])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .deltaCRLUnsupported())
        }
        factory.extraExtensions[0].critical = false
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .deltaCRLUnsupported(), "rejected even when not marked critical")
        }
    }

    func testIssuingDistributionPoint() throws {
        var factory = try CRLTestFactory.sample()
        let trueBoolean: (UInt8) -> [UInt8] = { [0x80 | $0, 0x01, 0xFF] }
        // [0] { [0] { [6] "http://crl.example/ca.crl" } }
        let uri = Array("http://crl.example/ca.crl".utf8)
        let generalName = CRLTestFactory.derHeader(tag: 0x86, length: uri.count) + uri
        let fullName = CRLTestFactory.derHeader(tag: 0xA0, length: generalName.count) + generalName
        let distributionPoint = CRLTestFactory.derHeader(tag: 0xA0, length: fullName.count) + fullName

        factory.extraExtensions = [CRLTestFactory.issuingDistributionPoint(fields: [distributionPoint, trueBoolean(1)])]
        var crl = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertTrue(crl.hasDistributionPointName)
        XCTAssertTrue(crl.onlyContainsUserCerts)
        XCTAssertFalse(crl.onlyContainsCACerts)

        factory.extraExtensions = [CRLTestFactory.issuingDistributionPoint(fields: [trueBoolean(2)])]
        crl = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertFalse(crl.hasDistributionPointName)
        XCTAssertFalse(crl.onlyContainsUserCerts)
        XCTAssertTrue(crl.onlyContainsCACerts)

        let rejected: [([[UInt8]], CRLParsingError)] = [
            ([trueBoolean(4)], .indirectCRLUnsupported()),
            ([[0x83, 0x02, 0x07, 0x80]], .onlySomeReasonsUnsupported()),
            ([trueBoolean(5)], .attributeCertificateCRLUnsupported()),
            ([trueBoolean(1), trueBoolean(2)], .conflictingIssuingDistributionPointScope()),
        ]
        for (fields, expectedError) in rejected {
            factory.extraExtensions = [CRLTestFactory.issuingDistributionPoint(fields: fields)]
            XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
                XCTAssertEqual(error as? CRLParsingError, expectedError)
            }
        }

        // DER forbids writing a DEFAULT FALSE; out-of-order fields are not the RFC's structure.
        for fields in [[[0x81, 0x01, 0x00]], [trueBoolean(2), trueBoolean(1)]] as [[[UInt8]]] {
            factory.extraExtensions = [CRLTestFactory.issuingDistributionPoint(fields: fields)]
            XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
                guard let error = error as? CRLParsingError, error.code == .malformed,
                      error.message.hasPrefix("malformed CRL: issuingDistributionPoint: ")
                else {
                    return XCTFail("\(error)")
                }
            }
        }
    }

    func testIndirectCRLEntryIsRejected() throws {
        var factory = try CRLTestFactory.sample()
        // certificateIssuer: GeneralNames { [4] Name } — the value is not even looked at.
        factory.entries[1].extraExtensions = [Certificate.Extension(oid: [2, 5, 29, 29], critical: true, value: [0x30, 0x00])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .certificateIssuerEntryExtensionUnsupported(serialNumber: "80F1"))
        }
    }

    func testVersionRules() throws {
        var factory = try CRLTestFactory.sample()

        factory.encodedVersion = nil
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .extensionsInVersion1CRL(), "v1 with a cRLNumber")
        }
        factory.crlNumber = nil
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .extensionsInVersion1CRL(), "v1 with entry extensions")
        }
        factory.entries = factory.entries.map { entry in
            var entry = entry
            entry.reason = nil
            entry.invalidityDate = nil
            return entry
        }
        let v1 = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertEqual(v1.version, 1)
        XCTAssertNil(v1.crlNumber)
        XCTAssertEqual(v1.revokedCount, 3)
        XCTAssertTrue(v1.isSignatureValid(signedBy: try factory.issuerCertificate()))

        for encodedVersion in [0, 2, -1] {
            factory.encodedVersion = encodedVersion
            XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
                XCTAssertEqual(error as? CRLParsingError, .unsupportedVersion(encodedValue: encodedVersion))
            }
        }
    }

    func testEntryAndExtensionValueRules() throws {
        var factory = try CRLTestFactory.sample()
        factory.entries[0].rawReasonCode = 7
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .invalidReasonCode(7, serialNumber: "1001"))
        }
        factory.entries[0].rawReasonCode = 11
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .invalidReasonCode(11, serialNumber: "1001"))
        }
        factory.entries[0].rawReasonCode = nil
        factory.entries[0].reason = .removeFromCRL
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .removeFromCRLInCompleteCRL(serialNumber: "1001"))
        }

        factory = try CRLTestFactory.sample()
        factory.extraExtensions = [Certificate.Extension(oid: [2, 5, 29, 20], critical: false, value: [0x02, 0x01, 0x07])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .duplicateExtension(oid: "2.5.29.20"))
        }
        factory.crlNumber = nil
        factory.extraExtensions = [Certificate.Extension(oid: [2, 5, 29, 20], critical: false, value: [0x02, 0x01, 0xFF])]
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .negativeCRLNumber())
        }
        factory.extraExtensions = []
        factory.crlNumber = [0x00]
        XCTAssertEqual(try CertificateRevocationList(derEncoded: factory.derEncoded()).crlNumber, [0x00])
        factory.crlNumber = [0xFF, 0x01]
        XCTAssertEqual(try CertificateRevocationList(derEncoded: factory.derEncoded()).crlNumber, [0xFF, 0x01])

        factory = try CRLTestFactory.sample()
        factory.nextUpdate = factory.thisUpdate.addingTimeInterval(-1)
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: factory.derEncoded())) { error in
            XCTAssertEqual(error as? CRLParsingError, .nextUpdateBeforeThisUpdate())
        }
        factory.nextUpdate = nil
        let withoutNextUpdate = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertNil(withoutNextUpdate.nextUpdate)
        XCTAssertFalse(withoutNextUpdate.isStale(at: .distantFuture))

        // Errors name the entry (1-based) and the field.
        factory = try CRLTestFactory.sample()
        var der = try factory.derEncoded()
        let secondRevocationDate = Array("240122000000Z".utf8)
        let dateOffset = try XCTUnwrap(firstOffset(of: secondRevocationDate, in: der))
        der[dateOffset + 2] = UInt8(ascii: "9")  // month 92
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: der)) { error in
            XCTAssertEqual(
                error as? CRLParsingError,
                .malformed(field: "revokedCertificates[2].revocationDate", reason: "invalid ASN.1 structure")
            )
        }
        der = try factory.derEncoded()
        let secondSerial: [UInt8] = [0x02, 0x03, 0x00, 0x80, 0xF1]
        let serialOffset = try XCTUnwrap(firstOffset(of: secondSerial, in: der))
        der[serialOffset + 2] = 0xFF  // a negative serial number
        XCTAssertThrowsError(try CertificateRevocationList(derEncoded: der)) { error in
            guard let error = error as? CRLParsingError, error.code == .malformed,
                  error.message.hasPrefix("malformed CRL: revokedCertificates[2]: ")
            else {
                return XCTFail("\(error)")
            }
        }

        factory.entries[2].serial = [0x00]
        XCTAssertEqual(
            try CertificateRevocationList(derEncoded: factory.derEncoded()).revocation(of: Certificate.SerialNumber(bytes: [0x00]))?.reason,
            factory.entries[2].reason,
            "serial 0"
        )
    }

    func testTimesFlagsAndDuplicates() throws {
        var factory = try CRLTestFactory.sample()
        // After 2049 RFC 5280 requires GeneralizedTime.
        factory.thisUpdate = utc("2051-02-03T04:05:06Z")
        factory.nextUpdate = utc("2051-02-10T04:05:06Z")
        factory.entries[0].revocationDate = utc("2050-12-31T23:59:59Z")
        factory.entries[0].invalidityDate = utc("1999-12-31T23:59:59Z")
        factory.authorityKeyIdentifier = [0xAB, 0xCD]
        factory.entries.append(.init(serial: [0x10, 0x01], revocationDate: utc("2049-01-01T00:00:00Z"), reason: .superseded))
        let crl = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertEqual(crl.thisUpdate, utc("2051-02-03T04:05:06Z"))
        XCTAssertEqual(crl.nextUpdate, utc("2051-02-10T04:05:06Z"))
        XCTAssertEqual(crl.authorityKeyIdentifier, [0xAB, 0xCD])
        XCTAssertFalse(crl.isStale(at: utc("2051-02-10T04:05:06Z")))
        XCTAssertTrue(crl.isStale(at: utc("2051-02-10T04:05:07Z")))

        // The duplicate serial keeps the first entry.
        XCTAssertEqual(crl.revokedCount, 3)
        XCTAssertEqual(crl.revokedCertificates.count, 3)
        let first = try XCTUnwrap(crl.revocation(of: serial("1001")))
        XCTAssertEqual(first.revocationDate, utc("2050-12-31T23:59:59Z"))
        XCTAssertEqual(first.reason, .keyCompromise)
        XCTAssertEqual(first.invalidityDate, utc("1999-12-31T23:59:59Z"))
        XCTAssertEqual(crl.revokedCertificates.map(\.serialNumber), [serial("1001"), serial("80F1"), serial("A1B2C3")])
        XCTAssertTrue(crl.isSignatureValid(signedBy: try factory.issuerCertificate()))

        // Empty optional lists are tolerated.
        factory = try CRLTestFactory.sample()
        factory.entries = []
        factory.forceRevokedCertificatesField = true
        XCTAssertEqual(try CertificateRevocationList(derEncoded: factory.derEncoded()).revokedCount, 0)
        factory.forceRevokedCertificatesField = false
        XCTAssertEqual(try CertificateRevocationList(derEncoded: factory.derEncoded()).revokedCount, 0)
    }

    func testSignatureAlgorithmRules() throws {
        var factory = try CRLTestFactory.sample()
        let issuer = try factory.issuerCertificate()

        // Inner AlgorithmIdentifier differs from the outer one: the TBS is still signed correctly, but must not verify.
        factory.innerSignatureAlgorithm = [1, 2, 840, 10045, 4, 3, 3]
        let mismatched = try CertificateRevocationList(derEncoded: factory.derEncoded())
        XCTAssertEqual(mismatched.signatureAlgorithm, .ecdsaWithSHA256)
        XCTAssertFalse(mismatched.isSignatureValid(signedBy: issuer))

        XCTAssertEqual(
            SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 113549, 1, 1, 11], parameters: [0x05, 0x00]),
            .sha256WithRSAEncryption
        )
        XCTAssertEqual(
            SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 113549, 1, 1, 12], parameters: nil),
            .sha384WithRSAEncryption
        )
        XCTAssertEqual(SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 3, 101, 112], parameters: nil), .ed25519)
        XCTAssertEqual(
            SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 10045, 4, 3, 4], parameters: nil),
            .ecdsaWithSHA512
        )
        XCTAssertNil(SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 10045, 4, 3, 2], parameters: [0x05, 0x00]))
        XCTAssertNil(SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 113549, 1, 1, 11], parameters: [0x04, 0x00]))
        XCTAssertNil(SignatureAlgorithmOID.signatureAlgorithm(oid: [1, 2, 840, 113549, 1, 1, 10], parameters: nil), "RSASSA-PSS")

        // An unknown algorithm (the same bytes, relabelled as RSASSA-PSS in both places) never verifies.
        let der = try CRLTestFactory.sample(signingKey: factory.signingKey).derEncoded()
        let ecdsaOID: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        let pssOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]
        XCTAssertEqual(ecdsaOID.count + 1, pssOID.count)
        let relabelled = try XCTUnwrap(replacingAll(ecdsaOID, with: pssOID, in: der))
        let unknown = try CertificateRevocationList(derEncoded: relabelled)
        XCTAssertNil(unknown.signatureAlgorithm)
        XCTAssertEqual(unknown.signatureAlgorithmOID, [1, 2, 840, 113549, 1, 1, 10])
        XCTAssertFalse(unknown.isSignatureValid(signedBy: issuer))
    }

    func testKeyUsageAllowsCRLSigning() throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("Key usage CA") }
        let withCRLSign = try CRLTestFactory.selfSignedCA(subject: name, key: key)
        XCTAssertTrue(CertificateRevocationList.keyUsageAllowsCRLSigning(withCRLSign))

        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        func certificate(_ extensions: Certificate.Extensions) throws -> Certificate {
            try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions, issuerPrivateKey: .init(key)
            )
        }
        XCTAssertTrue(CertificateRevocationList.keyUsageAllowsCRLSigning(try certificate(Certificate.Extensions())))
        let certSignOnly = try certificate(Certificate.Extensions { KeyUsage(keyCertSign: true) })
        XCTAssertFalse(CertificateRevocationList.keyUsageAllowsCRLSigning(certSignOnly))
    }

    // MARK: - CRLReason

    func testCRLReasonNames() throws {
        XCTAssertEqual(CRLReason.allCases.map(\.rawValue), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10])
        XCTAssertEqual(
            CRLReason.allCases.map(\.name),
            [
                "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
                "cessationOfOperation", "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise",
            ]
        )
        for reason in CRLReason.allCases {
            XCTAssertEqual(CRLReason(name: reason.name), reason)
            XCTAssertEqual(CRLReason(name: reason.name.uppercased()), reason)
        }
        XCTAssertEqual(CRLReason(name: "key-compromise"), .keyCompromise)
        XCTAssertEqual(CRLReason(name: "key_compromise"), .keyCompromise)
        XCTAssertEqual(CRLReason(name: "CACompromise"), .cACompromise)
        XCTAssertEqual(CRLReason(name: "ca-compromise"), .cACompromise)
        XCTAssertEqual(CRLReason(name: "Cessation Of Operation"), .cessationOfOperation)
        XCTAssertEqual(CRLReason(name: "remove_from_crl"), .removeFromCRL)
        XCTAssertNil(CRLReason(name: ""))
        XCTAssertNil(CRLReason(name: "-"))
        XCTAssertNil(CRLReason(name: "compromised"))
        XCTAssertNil(CRLReason(rawValue: 7))

        let encoded = try JSONEncoder().encode([CRLReason.keyCompromise, .aACompromise])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), "[1,10]")
        XCTAssertEqual(try JSONDecoder().decode([CRLReason].self, from: encoded), [.keyCompromise, .aACompromise])
    }

    func testErrorMessagesAreClear() {
        XCTAssertEqual(CRLParsingError.empty().description, "CRL is empty")
        XCTAssertEqual(
            CRLParsingError.wrongOuterTag(0x02).description,
            "not a CRL: expected a DER SEQUENCE (0x30) or PEM \"X509 CRL\" text, found first byte 0x02"
        )
        XCTAssertEqual(
            CRLParsingError.unknownCriticalEntryExtension(oid: "1.2.3", serialNumber: "1001").description,
            "CRL entry for serial 1001 has an unknown critical extension 1.2.3"
        )
        XCTAssertEqual(
            CRLParsingError.invalidFile(path: "/etc/ca.crl", error: .deltaCRLUnsupported()).description,
            "/etc/ca.crl: delta CRLs (deltaCRLIndicator, 2.5.29.27) are not supported; use a complete CRL"
        )
    }

    // MARK: - Large CRL

    /// 100,000 entries written with the test writer, signed for real, checked by openssl, looked up in O(1).
    func testHundredThousandEntryCRL() throws {
        let entryCount = 100_000
        var factory = CRLTestFactory(
            issuer: try DistinguishedName {
                OrganizationName("TrustGate Test")
                CommonName("Large CRL CA")
            },
            thisUpdate: utc("2024-03-01T00:00:00Z"),
            nextUpdate: utc("2024-03-08T00:00:00Z")
        )
        factory.crlNumber = [0x01, 0x00, 0x00]
        let reasons: [CRLReason?] = [nil, .keyCompromise, .superseded, .cessationOfOperation, .affiliationChanged]
        let base = utc("2024-01-01T00:00:00Z")
        factory.entries = (0..<entryCount).map { index in
            .init(
                serial: largeCRLSerial(index),
                revocationDate: base.addingTimeInterval(Double(index)),
                reason: reasons[index % reasons.count]
            )
        }
        let der = try factory.derEncoded()

        let parseStart = ContinuousClock.now
        let crl = try CertificateRevocationList(derEncoded: der)
        let parseDuration = ContinuousClock.now - parseStart
        print("CertificateRevocationListTests: parsed \(entryCount) entries (\(der.count) bytes) in \(parseDuration)")
        #if !DEBUG
        // The target is for optimised builds (`swift test -c release`); a debug build takes a few seconds.
        XCTAssertLessThan(parseDuration, .seconds(1))
        #endif

        XCTAssertEqual(crl.revokedCount, entryCount)
        XCTAssertEqual(crl.crlNumber, [0x01, 0x00, 0x00])
        XCTAssertTrue(crl.isSignatureValid(signedBy: try factory.issuerCertificate()))

        for index in stride(from: 0, to: entryCount, by: 997) + [entryCount - 1] {
            let entry = try XCTUnwrap(crl.revocation(of: Certificate.SerialNumber(bytes: largeCRLSerial(index))))
            XCTAssertEqual(entry.revocationDate, base.addingTimeInterval(Double(index)))
            XCTAssertEqual(entry.reason, reasons[index % reasons.count])
        }
        for index in entryCount..<(entryCount + 500) {
            XCTAssertNil(crl.revocation(of: Certificate.SerialNumber(bytes: largeCRLSerial(index))))
        }
        // Serials whose top bit is set are encoded with a 0x00 sign byte; callers may pass it or not.
        let highBit = largeCRLSerial(2)
        XCTAssertEqual(highBit.first, 0x80)
        var withSignByte = Certificate.SerialNumber(bytes: highBit)
        withSignByte.bytes = [0x00] + highBit
        XCTAssertEqual(crl.revocation(of: withSignByte)?.serialNumber.bytes, highBit[...])
        withSignByte.bytes = [0x00, 0x00] + highBit
        XCTAssertNotNil(crl.revocation(of: withSignByte))
        var lowBitWithZero = Certificate.SerialNumber(bytes: largeCRLSerial(1))
        lowBitWithZero.bytes = [0x00] + largeCRLSerial(1)
        XCTAssertNotNil(crl.revocation(of: lowBitWithZero))

        // O(1): a lookup costs the same for a 100,000-entry CRL as for a 3-entry one, and is cheap.
        // Indexes 0, 10, 20, ... 199,990: the first half is in the CRL, the second half is not.
        let probes = (0..<20_000).map { Certificate.SerialNumber(bytes: largeCRLSerial($0 * 10)) }
        let small = try CertificateRevocationList(derEncoded: CRLTestFactory.sample().derEncoded())
        let (largeLookup, largeFound) = measureLookups(probes, in: crl)
        let (smallLookup, smallFound) = measureLookups(probes, in: small)
        XCTAssertEqual(largeFound, 10_000)
        XCTAssertEqual(smallFound, 0)
        print("CertificateRevocationListTests: 20,000 lookups took \(largeLookup) (100k CRL) and \(smallLookup) (3-entry CRL)")
        XCTAssertLessThan(largeLookup, .milliseconds(500), "20,000 lookups, even in a debug build")

        // openssl reads the test writer's output and verifies its signature.
        guard let openssl = ExternalTool.find("openssl") else {
            throw XCTSkip("openssl is not installed; skipping the openssl cross-check of the 100,000-entry CRL")
        }
        let directory = try TemporaryDirectory()
        let crlPath = directory.url.appendingPathComponent("large.crl").path
        let caPath = directory.url.appendingPathComponent("ca.pem").path
        try Data(der).write(to: URL(fileURLWithPath: crlPath))
        try Data(try factory.issuerCertificate().serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: caPath))
        let verify = try ExternalTool.run(openssl, ["crl", "-inform", "DER", "-in", crlPath, "-CAfile", caPath, "-noout"])
        XCTAssertEqual(verify.status, 0, verify.standardError)
        XCTAssertTrue(verify.standardError.contains("verify OK"), verify.standardError)
    }

    func testTestWriterOutputIsValidForOpenSSL() throws {
        guard let openssl = ExternalTool.find("openssl") else {
            throw XCTSkip("openssl is not installed; skipping the openssl cross-check of the test CRL writer")
        }
        var factory = try CRLTestFactory.sample()
        factory.authorityKeyIdentifier = [0x01, 0x02, 0x03, 0x04]
        factory.crlNumber = [0x12, 0x34]
        let directory = try TemporaryDirectory()
        let crlPath = directory.url.appendingPathComponent("writer.crl").path
        let caPath = directory.url.appendingPathComponent("ca.pem").path
        try Data(try factory.derEncoded()).write(to: URL(fileURLWithPath: crlPath))
        try Data(try factory.issuerCertificate().serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: caPath))

        let text = try ExternalTool.run(openssl, ["crl", "-inform", "DER", "-in", crlPath, "-noout", "-text"])
        XCTAssertEqual(text.status, 0, text.standardError)
        for expected in [
            "Version 2 (0x1)", "Signature Algorithm: ecdsa-with-SHA256", "CN = Factory CA",
            "Last Update: Feb  1 12:00:00 2024 GMT", "Next Update: Feb  8 12:00:00 2024 GMT",
            "X509v3 CRL Number: \n                4660", "01:02:03:04",
            "Serial Number: 1001", "Key Compromise", "Invalidity Date: \n                Jan 20 08:00:00 2024 GMT",
            "Serial Number: 80F1", "Serial Number: A1B2C3", "Cessation Of Operation",
        ] {
            XCTAssertTrue(text.standardOutput.contains(expected), "missing \(expected.debugDescription) in\n\(text.standardOutput)")
        }
        let verify = try ExternalTool.run(openssl, ["crl", "-inform", "DER", "-in", crlPath, "-CAfile", caPath, "-noout"])
        XCTAssertEqual(verify.status, 0, verify.standardError)
        XCTAssertTrue(verify.standardError.contains("verify OK"), verify.standardError)
    }

    // MARK: - Helpers

    private func measureLookups(
        _ probes: [Certificate.SerialNumber],
        in crl: CertificateRevocationList
    ) -> (Duration, found: Int) {
        var found = 0
        let start = ContinuousClock.now
        for probe in probes where crl.revocation(of: probe) != nil {
            found += 1
        }
        return (ContinuousClock.now - start, found)
    }
}

// MARK: - Fixtures

extension CRLTestFactory {
    /// A small v2 CRL: three entries (one with a high-bit serial), a CRL number and update times.
    static func sample(
        commonName: String = "Factory CA",
        signingKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()
    ) throws -> CRLTestFactory {
        var factory = CRLTestFactory(
            signingKey: signingKey,
            issuer: try DistinguishedName {
                CountryName("US")
                OrganizationName("TrustGate Test")
                CommonName(commonName)
            },
            thisUpdate: utc("2024-02-01T12:00:00Z"),
            nextUpdate: utc("2024-02-08T12:00:00Z")
        )
        factory.entries = [
            .init(
                serial: [0x10, 0x01], revocationDate: utc("2024-01-21T09:30:00Z"), reason: .keyCompromise,
                invalidityDate: utc("2024-01-20T08:00:00Z")
            ),
            .init(serial: [0x80, 0xF1], revocationDate: utc("2024-01-22T00:00:00Z")),
            .init(serial: [0xA1, 0xB2, 0xC3], revocationDate: utc("2024-01-23T00:00:00Z"), reason: .cessationOfOperation),
        ]
        return factory
    }
}

/// Serials for the large CRL: distinct for every index, 9 bytes, every other one with the top bit set.
private func largeCRLSerial(_ index: Int) -> [UInt8] {
    let mixed = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    var bytes: [UInt8] = [index % 2 == 0 ? 0x80 : 0x01]
    for shift in stride(from: 56, through: 0, by: -8) {
        bytes.append(UInt8(truncatingIfNeeded: mixed >> UInt64(shift)))
    }
    return bytes
}

private func serial(_ hex: String) -> Certificate.SerialNumber {
    var bytes: [UInt8] = []
    var digits = Array(hex.utf8)
    if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
    for index in stride(from: 0, to: digits.count, by: 2) {
        bytes.append(UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16)!)
    }
    return Certificate.SerialNumber(bytes: bytes)
}

private func utc(_ iso8601: String) -> Date {
    ISO8601DateFormatter().date(from: iso8601)!
}

private func firstOffset(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= pattern.count else { return nil }
    return (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
}

/// Replaces every primitive TLV equal to `pattern` by `replacement`, re-encoding the lengths of everything around it.
private func replacingAll(_ pattern: [UInt8], with replacement: [UInt8], in der: [UInt8]) -> [UInt8]? {
    guard let root = try? DER.parse(der) else { return nil }
    func rewrite(_ node: ASN1Node) -> [UInt8] {
        switch node.content {
        case .primitive:
            let encoded = Array(node.encodedBytes)
            return encoded == pattern ? replacement : encoded
        case .constructed(let children):
            let content = children.flatMap { rewrite($0) }
            let tag = node.encodedBytes.first!
            return CRLTestFactory.derHeader(tag: tag, length: content.count) + content
        }
    }
    return rewrite(root)
}

/// A temporary directory removed when the value goes away.
private final class TemporaryDirectory {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-crl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: self.url)
    }
}

/// Deterministic random bytes for fuzz-style tests.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs command-line tools for cross-checks.
private enum ExternalTool {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drained before waiting; the tools run here write far less to stderr than a pipe buffer holds.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }

    @discardableResult
    static func runChecked(_ executable: String, _ arguments: [String], in directory: URL) throws -> Result {
        let result = try run(executable, arguments, in: directory)
        guard result.status == 0 else {
            throw ToolFailure(command: ([executable] + arguments).joined(separator: " "), output: result.standardError)
        }
        return result
    }

    struct ToolFailure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed: \(output)" }
    }
}

/// A CA run by `openssl ca` in a temporary directory: its own config, an index.txt with revocations (the dates,
/// reasons and compromise times openssl writes there), plus one certificate issued and then revoked by openssl.
private struct OpenSSLCA {
    enum KeyKind {
        case ecP256
        case rsa2048
    }

    struct Revocation {
        let serial: String
        let date: Date
        let reason: CRLReason?
        let invalidityDate: Date?
        /// The revocation column of index.txt.
        let indexField: String
    }

    static let indexRevocations: [Revocation] = [
        .init(serial: "1001", date: utc("2024-01-01T00:00:00Z"), reason: .keyCompromise, invalidityDate: nil,
              indexField: "240101000000Z,keyCompromise"),
        .init(serial: "80F1", date: utc("2024-01-02T00:00:00Z"), reason: nil, invalidityDate: nil,
              indexField: "240102000000Z"),
        .init(serial: "1003", date: utc("2024-01-03T00:00:00Z"), reason: .keyCompromise,
              invalidityDate: utc("2023-12-25T12:00:00Z"), indexField: "240103000000Z,keyTime,20231225120000Z"),
        .init(serial: "1006", date: utc("2024-01-04T00:00:00Z"), reason: .certificateHold, invalidityDate: nil,
              indexField: "240104000000Z,holdInstruction,holdInstructionReject"),
        .init(serial: "1007", date: utc("2024-01-05T00:00:00Z"), reason: .cACompromise,
              invalidityDate: utc("2023-12-01T00:00:00Z"), indexField: "240105000000Z,CAkeyTime,20231201000000Z"),
        .init(serial: "A1B2", date: utc("2024-01-05T00:00:00Z"), reason: .cessationOfOperation, invalidityDate: nil,
              indexField: "240105000000Z,cessationOfOperation"),
        .init(serial: "1008", date: utc("2049-12-31T23:59:59Z"), reason: .affiliationChanged, invalidityDate: nil,
              indexField: "491231235959Z,affiliationChanged"),
    ]

    let directory: URL
    let openssl: String
    let certificate: Certificate
    let subjectDescription: String
    let revokedLeaf: Certificate

    init(keyKind: KeyKind, in directory: URL) throws {
        guard let openssl = ExternalTool.find("openssl") else {
            throw XCTSkip("openssl is not installed; skipping the openssl-generated CRL tests")
        }
        self.directory = directory
        self.openssl = openssl
        let commonName = keyKind == .ecP256 ? "EC CRL Test CA" : "RSA CRL Test CA"
        self.subjectDescription = "CN=\(commonName),O=TrustGate Test,C=US"

        try Data(Self.config.utf8).write(to: directory.appendingPathComponent("ca.cnf"))
        var index = ""
        for revocation in Self.indexRevocations {
            index += "R\t301231235959Z\t\(revocation.indexField)\t\(revocation.serial)\tunknown\t/CN=revoked \(revocation.serial)\n"
        }
        index += "V\t301231235959Z\t\t1004\tunknown\t/CN=still valid\n"
        try Data(index.utf8).write(to: directory.appendingPathComponent("index.txt"))
        try Data("1005\n".utf8).write(to: directory.appendingPathComponent("serial"))
        try Data("1000\n".utf8).write(to: directory.appendingPathComponent("crlnumber"))
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("newcerts"),
            withIntermediateDirectories: true
        )

        switch keyKind {
        case .ecP256:
            try Self.run(openssl, in: directory, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"])
        case .rsa2048:
            try Self.run(openssl, in: directory, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "ca.key"])
        }
        try Self.run(openssl, in: directory, [
            "req", "-config", "ca.cnf", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "3650",
            "-subj", "/C=US/O=TrustGate Test/CN=\(commonName)", "-out", "ca.pem",
        ])
        self.certificate = try Certificate(pemEncoded: String(contentsOf: directory.appendingPathComponent("ca.pem"), encoding: .utf8))

        // A certificate that openssl itself issues and then revokes.
        try Self.run(openssl, in: directory, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "leaf.key"])
        try Self.run(openssl, in: directory, ["req", "-config", "ca.cnf", "-new", "-key", "leaf.key", "-subj", "/CN=revoked leaf", "-out", "leaf.csr"])
        try Self.run(openssl, in: directory, ["ca", "-config", "ca.cnf", "-batch", "-notext", "-days", "30", "-in", "leaf.csr", "-out", "leaf.pem"])
        try Self.run(openssl, in: directory, ["ca", "-config", "ca.cnf", "-revoke", "leaf.pem", "-crl_reason", "superseded"])
        self.revokedLeaf = try Certificate(pemEncoded: String(contentsOf: directory.appendingPathComponent("leaf.pem"), encoding: .utf8))
    }

    func generateCRL() throws -> String {
        try self.run([
            "ca", "-config", "ca.cnf", "-gencrl", "-crl_lastupdate", "20240105060708Z",
            "-crl_nextupdate", "20240112060708Z", "-out", "crl.pem",
        ])
        return try String(contentsOf: self.directory.appendingPathComponent("crl.pem"), encoding: .utf8)
    }

    func convertCRLToDER() throws -> [UInt8] {
        try self.run(["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"])
        return Array(try Data(contentsOf: self.directory.appendingPathComponent("crl.der")))
    }

    /// A self-signed CA with exactly the same subject Name but a fresh key of the same kind.
    static func impostor(of ca: Certificate, keyKind: KeyKind) throws -> Certificate {
        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        let privateKey: Certificate.PrivateKey
        let algorithm: Certificate.SignatureAlgorithm
        switch keyKind {
        case .ecP256:
            privateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
            algorithm = .ecdsaWithSHA256
        case .rsa2048:
            privateKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            algorithm = .sha256WithRSAEncryption
        }
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: privateKey.publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(86_400 * 3650),
            issuer: ca.subject, subject: ca.subject, signatureAlgorithm: algorithm,
            extensions: Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            },
            issuerPrivateKey: privateKey
        )
    }

    @discardableResult
    private func run(_ arguments: [String]) throws -> ExternalTool.Result {
        try Self.run(self.openssl, in: self.directory, arguments)
    }

    @discardableResult
    private static func run(_ openssl: String, in directory: URL, _ arguments: [String]) throws -> ExternalTool.Result {
        try ExternalTool.runChecked(openssl, arguments, in: directory)
    }

    private static let config = """
        [ ca ]
        default_ca = test_ca

        [ test_ca ]
        dir = .
        database = ./index.txt
        new_certs_dir = ./newcerts
        certificate = ./ca.pem
        private_key = ./ca.key
        serial = ./serial
        crlnumber = ./crlnumber
        default_md = sha256
        default_crl_days = 7
        policy = any_name
        unique_subject = no
        crl_extensions = crl_ext

        [ any_name ]
        commonName = supplied

        [ crl_ext ]
        authorityKeyIdentifier = keyid:always

        [ req ]
        distinguished_name = req_dn
        x509_extensions = v3_ca
        prompt = no

        [ req_dn ]
        CN = unused

        [ v3_ca ]
        subjectKeyIdentifier = hash
        basicConstraints = critical, CA:true
        keyUsage = critical, keyCertSign, cRLSign

        """
}
