import Foundation
import TrustGateAuth
import TrustGateClient
import TrustGateHummingbird
import TrustGateStore
import TrustGateX509
import X509
import XCTest

@testable import trustgate

/// Named keys in the store: round trips, encrypted at rest (the values are not in the database files), bound to
/// their names, and refused with another store key.
final class NamedKeyStoreTests: XCTestCase {
    private var pki: ClientTestPKI!
    private var path: String!

    override func setUpWithError() throws {
        pki = try ClientTestPKI()
        path = pki.directory + "/store.db"
    }

    override func tearDown() {
        pki?.remove()
    }

    func testSecretsAndCertificatesRoundTripEncryptedAtRest() async throws {
        let storeKey = KeyEncryptionKey.generate()
        let secret = "TG-NAMED-SECRET-" + UUID().uuidString
        let store = try SQLiteRegistrationStore(path: path)
        let version = try await store.schemaVersion()
        XCTAssertGreaterThanOrEqual(version, 2)
        try await store.addNamedKey(try NamedKey.secret(name: "rest-password", value: Array(secret.utf8), storeKey: storeKey))
        try await store.addNamedKey(try NamedKey.certificate(name: "rest-client-cert", bundle: pki.bundle(pki.connector), storeKey: storeKey))

        // Nothing secret in any of the database's files, in any encoding the value or key had.
        let keyPEM = try PEMSerialization.privateKey(pki.connector.issued.privateKey)
        let keyBody = keyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let keyDER = try XCTUnwrap(Data(base64Encoded: keyBody))
        for suffix in ["", "-wal", "-shm"] {
            guard let data = FileManager.default.contents(atPath: path + suffix) else { continue }
            XCTAssertNil(data.range(of: Data(secret.utf8)), "the secret is in \(path + suffix)")
            XCTAssertNil(data.range(of: Data(keyBody.prefix(64).utf8)), "the private key's PEM is in \(path + suffix)")
            XCTAssertNil(data.range(of: keyDER.prefix(64)), "the private key's DER is in \(path + suffix)")
        }
        await store.close()

        let reopened = try SQLiteRegistrationStore(path: path, create: false)
        let keys = try await reopened.namedKeys()
        XCTAssertEqual(keys.map(\.name), ["rest-client-cert", "rest-password"])
        XCTAssertEqual(keys.map(\.kind), [.certificate, .secret])
        XCTAssertEqual(keys[0].certificate?.subject, "CN=b2c-api-connector")
        XCTAssertEqual(keys[0].certificate?.notAfter, pki.connector.leaf.notValidAfter)
        XCTAssertNil(keys[1].certificate)

        let provider = StoreNamedKeys(store: reopened, storeKey: storeKey)
        let opened = try await provider.secret(named: "rest-password")
        XCTAssertEqual(opened, Array(secret.utf8))
        let bundle = try await provider.certificate(named: "rest-client-cert")
        XCTAssertEqual(bundle.certificates.map(\.derBytes), pki.connector.chainDER)
        XCTAssertEqual(bundle.privateKey?.publicKey, pki.connector.leaf.publicKey)

        // Another store key opens nothing; a kind mismatch is named; an unknown name is named.
        XCTAssertThrowsError(try keys[1].secretValue(using: KeyEncryptionKey.generate())) { error in
            XCTAssertEqual(error as? NamedKeyError, .storeKeyDoesNotMatch("rest-password"))
        }
        XCTAssertThrowsError(try keys[0].secretValue(using: storeKey)) { error in
            XCTAssertEqual(error as? NamedKeyError, .wrongKind(name: "rest-client-cert", expected: .secret, found: .certificate))
        }
        do {
            _ = try await provider.secret(named: "nowhere")
            XCTFail("unknown names must fail")
        } catch {
            XCTAssertEqual(error as? NamedKeyError, .unknown("nowhere"))
        }

        // A sealed value moved onto another name does not open (the name is authenticated with it).
        let moved = try NamedKey(name: "stolen", kind: .secret, sealedValue: keys[1].sealedValue, certificate: nil, createdAt: Date())
        XCTAssertThrowsError(try moved.secretValue(using: storeKey)) { error in
            XCTAssertEqual(error as? NamedKeyError, .storeKeyDoesNotMatch("stolen"))
        }
        await reopened.close()
    }

    func testDuplicatesReplaceAndRemove() async throws {
        let storeKey = KeyEncryptionKey.generate()
        let store = try SQLiteRegistrationStore(path: path)
        try await store.addNamedKey(try NamedKey.secret(name: "functions-key", value: Array("one".utf8), storeKey: storeKey))
        do {
            try await store.addNamedKey(try NamedKey.secret(name: "functions-key", value: Array("two".utf8), storeKey: storeKey))
            XCTFail("a name is taken once")
        } catch {
            XCTAssertEqual(error as? NamedKeyError, .alreadyExists("functions-key"))
        }
        try await store.addNamedKey(try NamedKey.secret(name: "functions-key", value: Array("two".utf8), storeKey: storeKey), replacing: true)
        let replaced = try await store.namedKey(name: "functions-key")
        XCTAssertEqual(try replaced?.secretValue(using: storeKey), Array("two".utf8))

        try await store.removeNamedKey(name: "functions-key")
        let removed = try await store.namedKey(name: "functions-key")
        XCTAssertNil(removed)
        do {
            try await store.removeNamedKey(name: "functions-key")
            XCTFail("removing twice fails")
        } catch {
            XCTAssertEqual(error as? NamedKeyError, .unknown("functions-key"))
        }
        XCTAssertThrowsError(try NamedKey.secret(name: "with space", value: [1], storeKey: storeKey))
        XCTAssertThrowsError(try NamedKey.secret(name: "empty", value: [], storeKey: storeKey))
        XCTAssertThrowsError(try NamedKey.certificate(
            name: "no-key", bundle: CertificateBundle(certificates: [pki.connector.leaf], privateKey: nil), storeKey: storeKey))
        await store.close()
    }

    func testAConnectorUsesNamedKeysFromTheStore() async throws {
        let storeKey = KeyEncryptionKey.generate()
        let store = try SQLiteRegistrationStore(path: path)
        try await store.addNamedKey(try NamedKey.secret(name: "functions-key", value: Array(TestSecrets.apiKey.utf8), storeKey: storeKey))
        let api = EchoAPI()
        let middleware = AuthenticationMiddleware<TrustGateRequestContext>(requirement: .scheme(try TestSecrets.apiKeyScheme()))
        try await TestServer.run(router: api.router(middleware), server: try pki.tlsServer(.ignore)) { port in
            var configuration = ConnectorConfiguration(
                serviceURL: URL(string: "https://127.0.0.1:\(port)/echo")!,
                authentication: .apiKey(header: "x-functions-key", key: .namedKey("functions-key")))
            configuration.tls.trustedCAFiles = [pki.caFile]
            let connector = try await Connector(configuration: configuration, keys: StoreNamedKeys(store: store, storeKey: storeKey))
            let status = try await connector.call().status
            XCTAssertEqual(status, 200)
            let caught1 = await connectorError { () async throws(ConnectorError) in
                _ = try await Connector(configuration: configuration, keys: StoreNamedKeys(store: store, storeKey: KeyEncryptionKey.generate()))
                XCTFail("a wrong store key must fail when the connector is made")
            }
            switch caught1?.code {
            case .configuration?:
                let message = caught1?.message ?? ""
                XCTAssertTrue(message.contains("different store key"), message)
            default:
                XCTFail("unexpected outcome: \(String(describing: caught1))")
            }
        }
        await store.close()
    }
}
