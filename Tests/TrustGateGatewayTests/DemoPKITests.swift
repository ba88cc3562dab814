import Foundation
import TrustGateConfiguration
import TrustGateDemo
import TrustGateGateway
import TrustGateStore
import TrustGateTokens
import TrustGateX509
import X509
import XCTest
import _CryptoExtras

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
        for key in [pki.serverKeyFile, pki.clientKeyFile, pki.clientRSAKeyFile, pki.expiredKeyFile, pki.revokedKeyFile,
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

    func testRSAClientCertificateHasTheClientsNamesAnRSAKeyAndPassesThePolicy() async throws {
        let pki = try DemoPKI.prepare(in: directory)
        let chain = try CertificateDecoder.certificates(contentsOfFile: pki.clientRSACertificateFile)
        let ecChain = try CertificateDecoder.certificates(contentsOfFile: pki.clientCertificateFile)
        let key = try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: pki.clientRSAKeyFile, encoding: .utf8))

        XCTAssertEqual(chain.count, 2, "leaf and intermediate")
        XCTAssertEqual(key.publicKey, chain[0].publicKey)
        let rsa = try _RSA.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: pki.clientRSAKeyFile, encoding: .utf8))
        XCTAssertEqual(rsa.keySizeInBits, 2048, "MSAL signs assertions with RSA keys only")
        XCTAssertEqual(chain[0].subject, ecChain[0].subject, "the same client")
        let verdict = await CertificatePolicy(try CertificatePolicyConfiguration.load(contentsOfFile: pki.policyFile)).evaluate(chain)
        guard case .accepted(let accepted) = verdict else {
            return XCTFail("the RSA client chain was rejected: \(verdict.rejections.map(\.message))")
        }
        XCTAssertEqual(accepted.identity.subjectAlternativeNames.uris, [DemoPKI.clientURI])
    }

    func testTokenServiceStoreRegistersTheDemoClientWithBothCertificatesARuleAndTheRole() async throws {
        let pki = try DemoPKI.prepare(in: directory)
        try await DemoTokenService.prepare(pki: pki)
        XCTAssertEqual(try Self.permissions(pki.tokenStoreKeyFile), 0o600)
        XCTAssertNoThrow(try KeyEncryptionKey.load(file: pki.tokenStoreKeyFile))
        let keyBefore = try Self.contents(of: [pki.tokenStoreKeyFile])

        // A second run (the demo started again) re-registers without duplicates and keeps the store key.
        try await DemoTokenService.prepare(pki: pki)
        XCTAssertEqual(try Self.contents(of: [pki.tokenStoreKeyFile]), keyBefore)

        let store = try SQLiteRegistrationStore(path: pki.tokenStoreFile, create: false)
        let resource = try await store.resource(identifier: "api://demo")
        XCTAssertEqual(resource?.appRoles, ["service-api"])
        XCTAssertEqual(resource?.tokenProfile, .entra, "tokens carry azpacr")
        let client = try await store.client(id: "demo-client")
        XCTAssertEqual(client?.authenticationMethods, [.privateKeyJWT, .tlsClientAuth])
        let registered = try await store.certificates(clientID: "demo-client").map(\.derBytes)
        let expected = try [pki.clientCertificateFile, pki.clientRSACertificateFile].map {
            try CertificateDecoder.certificates(contentsOfFile: $0)[0].derBytes
        }
        XCTAssertEqual(Set(registered), Set(expected))
        XCTAssertEqual(registered.count, 2)
        let rules = try await store.subjectIssuerRules(clientID: "demo-client")
        XCTAssertEqual(rules.count, 1)
        let leaf = try CertificateDecoder.certificates(contentsOfFile: pki.clientCertificateFile)[0]
        XCTAssertEqual(rules.first?.trustAnchors, try CertificateDecoder.certificates(contentsOfFile: pki.caFile))
        XCTAssertEqual(rules.first?.matchesIdentity(of: leaf), true)
        let foreign = try CertificateDecoder.certificates(contentsOfFile: pki.serverCertificateFile)[0]
        XCTAssertEqual(rules.first?.matchesIdentity(of: foreign), false)
        let roles = try await store.grantedRoles(clientID: "demo-client", resource: "api://demo")
        XCTAssertEqual(roles, ["service-api"])
        await store.close()
    }

    func testDemoGatewayConfigurationLoadsWithTheTokenServiceAndTheTokenRoute() throws {
        let pki = try DemoPKI.prepare(in: directory)
        let file = pki.directory + "/gateway.yaml"
        try DemoGatewayConfiguration.text(port: 8443, adminPort: 9901, upstreamPort: 9).write(toFile: file, atomically: true, encoding: .utf8)
        // The store key comes from the file the demo writes; the environment must not be needed.
        try SecureFileWriter.write(
            Array(Data(KeyEncryptionKey.generate().rawBytes).base64EncodedString().utf8), to: pki.tokenStoreKeyFile,
            mode: SecureFileWriter.privateMode, overwrite: true)

        let configuration = try GatewayConfigurationLoader.load(contentsOfFile: file, environment: [:])

        XCTAssertEqual(configuration.tokenService?.settings.urls.issuer, "https://127.0.0.1:8443/demo")
        XCTAssertEqual(configuration.tokenService?.storePath, pki.tokenStoreFile)
        XCTAssertEqual(configuration.routes.map(\.pathPrefix), ["/api/orders", "/"])
        XCTAssertNotNil(configuration.routes.first?.authentication, "the token route needs a certificate and a token")
        XCTAssertEqual(configuration.listeners.first?.hosts.first?.clientCertificates.mode, .required)
    }

    // MARK: Helpers

    private static func files(of pki: DemoPKI) -> [String] {
        [
            pki.caFile, pki.serverCertificateFile, pki.serverKeyFile, pki.clientCertificateFile, pki.clientKeyFile,
            pki.clientRSACertificateFile, pki.clientRSAKeyFile,
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
