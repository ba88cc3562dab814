import Foundation
import TrustGateGateway
import TrustGateX509
import X509
import XCTest

final class DemoPKITests: XCTestCase {
    private var directory = ""

    override func setUp() {
        directory = NSTemporaryDirectory() + "trustgate-demo-pki-\(UUID().uuidString)/.trustgate-demo"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent)
    }

    func testPrepareCreatesEveryFileWithPrivateKeys() throws {
        let pki = try DemoPKI.prepare(in: directory)

        for file in Self.files(of: pki) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file), "\(file) is missing")
        }
        for key in [pki.serverKeyFile, pki.clientKeyFile, pki.expiredKeyFile, pki.revokedKeyFile,
                    pki.caDirectory + "/root.key", pki.caDirectory + "/intermediate.key"] {
            XCTAssertEqual(try Self.permissions(key), 0o600, "\(key) is readable by others")
        }
        XCTAssertEqual(try Self.permissions(pki.directory), 0o700)
        XCTAssertEqual(pki.crlFiles.count, 2)
    }

    func testPolicyLoadsAndAcceptsTheClientChain() async throws {
        let pki = try DemoPKI.prepare(in: directory)
        let settings = try CertificatePolicyConfiguration.load(contentsOfFile: pki.policyFile)
        XCTAssertEqual(settings.revocation.mode, .chain)
        XCTAssertTrue(settings.revocation.requireCRL)
        XCTAssertEqual(settings.requiredKeyPurpose, .clientAuth)
        XCTAssertEqual(settings.crls.count, 2)
        XCTAssertEqual(settings.trustAnchors, try CertificateDecoder.certificates(contentsOfFile: pki.caFile))

        let chain = try CertificateDecoder.certificates(contentsOfFile: pki.clientCertificateFile)
        XCTAssertEqual(chain.count, 2, "leaf and intermediate")
        let verdict = await CertificatePolicy(settings).evaluate(chain)

        guard case .accepted(let accepted) = verdict else {
            return XCTFail("the client chain was rejected: \(verdict.rejections.map(\.message))")
        }
        XCTAssertEqual(accepted.identity.commonNames, ["demo-client"])
        XCTAssertEqual(accepted.identity.subjectAlternativeNames.uris, ["spiffe://demo.trustgate/client"])
        XCTAssertEqual(accepted.chain.count, 3, "leaf, intermediate, root")
        XCTAssertEqual(try chain[0].extensions.extendedKeyUsage.map(Array.init), [.clientAuth])
    }

    func testExpiredClientIsRejectedAsExpired() async throws {
        let pki = try DemoPKI.prepare(in: directory)
        let policy = CertificatePolicy(try CertificatePolicyConfiguration.load(contentsOfFile: pki.policyFile))

        let chain = try CertificateDecoder.certificates(contentsOfFile: pki.expiredCertificateFile)
        let verdict = await policy.evaluate(chain)

        XCTAssertEqual(verdict.codes, [.expired])
        XCTAssertLessThan(chain[0].notValidAfter, Date())
    }

    func testRevokedClientIsRejectedAsRevoked() async throws {
        let pki = try DemoPKI.prepare(in: directory)
        let policy = CertificatePolicy(try CertificatePolicyConfiguration.load(contentsOfFile: pki.policyFile))

        let verdict = await policy.evaluate(try CertificateDecoder.certificates(contentsOfFile: pki.revokedCertificateFile))

        XCTAssertEqual(verdict.codes, [.revoked])
    }

    func testServerCertificateNamesLocalhostAndTheLoopbackAddresses() throws {
        let pki = try DemoPKI.prepare(in: directory)
        let chain = try CertificateDecoder.certificates(contentsOfFile: pki.serverCertificateFile)
        let root = try CertificateDecoder.certificates(contentsOfFile: pki.caFile)

        XCTAssertEqual(chain.count, 2)
        let names = try SubjectAlternativeNameValues(chain[0])
        XCTAssertEqual(names.dnsNames, ["localhost"])
        XCTAssertEqual(names.ipAddresses, ["127.0.0.1", "::1"])
        XCTAssertEqual(try chain[0].extensions.extendedKeyUsage.map(Array.init), [.serverAuth])
        XCTAssertEqual(chain[0].issuer, chain[1].subject)
        XCTAssertEqual(chain[1].issuer, root.first?.subject)
        let key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: pki.serverKeyFile, encoding: .utf8))
        XCTAssertEqual(key.publicKey, chain[0].publicKey)
    }

    func testSecondPrepareReusesTheSameFiles() throws {
        let first = try DemoPKI.prepare(in: directory)
        let before = try Self.contents(of: Self.files(of: first))

        let second = try DemoPKI.prepare(in: directory)

        XCTAssertEqual(second.directory, first.directory)
        XCTAssertEqual(try Self.contents(of: Self.files(of: second)), before)
    }

    func testPrepareSignsNewCRLsWhenTheirNextUpdateHasPassedAndKeepsTheCertificates() async throws {
        let start = Date()
        let pki = try DemoPKI.prepare(in: directory, now: start)
        let certificates = [pki.caFile, pki.serverCertificateFile, pki.clientCertificateFile, pki.revokedCertificateFile]
        let certificatesBefore = try Self.contents(of: certificates)
        let crlsBefore = try Self.contents(of: pki.crlFiles)

        let later = start.addingTimeInterval(40 * 86_400)
        _ = try DemoPKI.prepare(in: directory, now: later)

        XCTAssertEqual(try Self.contents(of: certificates), certificatesBefore)
        XCTAssertNotEqual(try Self.contents(of: pki.crlFiles), crlsBefore)
        let refreshed = try CertificateRevocationList.load(contentsOfFile: pki.crlFiles[0])
        XCTAssertEqual(refreshed.count, 1)
        XCTAssertGreaterThan(refreshed.first?.nextUpdate ?? .distantPast, later)
        XCTAssertEqual(refreshed.first?.crlNumber, [2], "the next CRL number")
        let settings = try CertificatePolicyConfiguration.load(contentsOfFile: pki.policyFile)
        let verdict = await CertificatePolicy(settings).evaluate(
            try CertificateDecoder.certificates(contentsOfFile: pki.revokedCertificateFile), at: later)
        XCTAssertEqual(verdict.codes, [.revoked], "the revocation is still listed")
    }

    func testPrepareReplacesAnIncompletePKI() throws {
        let first = try DemoPKI.prepare(in: directory)
        let rootBefore = try Self.contents(of: [first.caFile])
        try FileManager.default.removeItem(atPath: first.clientKeyFile)

        let second = try DemoPKI.prepare(in: directory)

        XCTAssertTrue(FileManager.default.fileExists(atPath: second.clientKeyFile))
        XCTAssertNotEqual(try Self.contents(of: [second.caFile]), rootBefore, "a new CA")
        XCTAssertNoThrow(try CertificatePolicyConfiguration.load(contentsOfFile: second.policyFile))
    }

    func testPrepareReplacesAPKIWhoseServerCertificateEndsWithinADay() throws {
        let start = Date()
        let first = try DemoPKI.prepare(in: directory, now: start)
        let serverBefore = try CertificateDecoder.certificates(contentsOfFile: first.serverCertificateFile)[0]

        let nearEnd = serverBefore.notValidAfter.addingTimeInterval(-3600)
        let second = try DemoPKI.prepare(in: directory, now: nearEnd)

        let serverAfter = try CertificateDecoder.certificates(contentsOfFile: second.serverCertificateFile)[0]
        XCTAssertNotEqual(serverAfter, serverBefore)
        XCTAssertGreaterThan(serverAfter.notValidAfter, nearEnd.addingTimeInterval(DemoPKI.reuseMargin))
    }

    // MARK: Helpers

    private static func files(of pki: DemoPKI) -> [String] {
        [
            pki.caFile, pki.serverCertificateFile, pki.serverKeyFile, pki.clientCertificateFile, pki.clientKeyFile,
            pki.expiredCertificateFile, pki.expiredKeyFile, pki.revokedCertificateFile, pki.revokedKeyFile, pki.policyFile,
        ] + pki.crlFiles + ["root.pem", "root.key", "intermediate.pem", "intermediate.key", "state.json"].map { pki.caDirectory + "/" + $0 }
    }

    private static func contents(of files: [String]) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for file in files {
            result[file] = try Data(contentsOf: URL(fileURLWithPath: file))
        }
        return result
    }

    private static func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}
