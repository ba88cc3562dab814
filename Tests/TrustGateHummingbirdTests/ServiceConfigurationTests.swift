import Foundation
import TrustGateAuth
import TrustGateConfiguration
import TrustGateHummingbird
import TrustGateX509
import XCTest

/// The service YAML's values and refusals, and the address types it is built from.
final class ServiceConfigurationTests: XCTestCase {
    private var pki: HummingbirdTestPKI!

    override func setUpWithError() throws {
        pki = try HummingbirdTestPKI()
    }

    override func tearDown() {
        pki?.remove()
    }

    private func parse(_ yaml: String) throws -> TrustGateServiceConfiguration {
        try TrustGateServiceConfiguration.parse(ConfigurationNode.parse(yaml, file: pki.directory + "/service.yaml"))
    }

    private func assertRefused(_ yaml: String, mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
        }
    }

    func testListenAddressForms() {
        XCTAssertEqual(ListenAddress(parsing: "127.0.0.1:8443"), ListenAddress(host: "127.0.0.1", port: 8443))
        XCTAssertEqual(ListenAddress(parsing: "[::1]:0"), ListenAddress(host: "::1", port: 0))
        XCTAssertEqual(ListenAddress(parsing: ":80"), ListenAddress(host: "0.0.0.0", port: 80))
        XCTAssertNil(ListenAddress(parsing: "localhost"))
        XCTAssertNil(ListenAddress(parsing: "::1:80"), "IPv6 needs brackets")
        XCTAssertNil(ListenAddress(parsing: "127.0.0.1:65536"))
        XCTAssertTrue(ListenAddress(host: "127.0.0.2", port: 1).isLoopback)
        XCTAssertFalse(ListenAddress(host: "0.0.0.0", port: 1).isLoopback)
    }

    func testCIDRBlockMatching() throws {
        let v4 = try CIDRBlock(parsing: "10.1.0.0/16")
        XCTAssertTrue(v4.contains([10, 1, 200, 3]))
        XCTAssertFalse(v4.contains([10, 2, 0, 1]))
        // What a dual-stack socket reports for an IPv4 peer.
        XCTAssertTrue(v4.contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 0, 9]))
        let host = try CIDRBlock(parsing: "::1")
        XCTAssertEqual(host.prefixLength, 128)
        XCTAssertFalse(host.contains([127, 0, 0, 1]))
        XCTAssertThrowsError(try CIDRBlock(parsing: "10.0.0.0/33"))
        XCTAssertThrowsError(try CIDRBlock(parsing: "example.com"))
    }

    func testTrustedProxiesDefaultToTheARRHeader() throws {
        let configuration = try parse("""
            listen: 127.0.0.1:0
            certificate_policy: { trust: { anchors: [\(pki.caFile)] } }
            trusted_proxies: { addresses: [127.0.0.1, 10.0.0.0/8] }
            auth: certificate
            """)
        XCTAssertEqual(configuration.trustedProxies.networks.map(\.description), ["127.0.0.1/32", "10.0.0.0/8"])
        XCTAssertEqual(configuration.trustedProxies.certificateFormat, .arrClientCert)
        XCTAssertNil(configuration.tls)
        XCTAssertEqual(configuration.requirement?.explanation, "a client certificate")
        XCTAssertEqual(configuration.warnings, [])
    }

    func testDoubtfulChoicesAreWarnedAbout() throws {
        let configuration = try parse("""
            listen: 0.0.0.0:8080
            allow_insecure_auth: true
            """)
        XCTAssertEqual(configuration.warnings.count, 3, "\(configuration.warnings)")
    }

    func testConfigurationsThatCannotWorkAreRefused() {
        assertRefused("listen: 8080", mentioning: "host:port")
        assertRefused("listen: 127.0.0.1:1\nlisten_address: x", mentioning: "unknown key")
        assertRefused("""
            listen: 127.0.0.1:1
            tls: { certificate: \(pki.server.chainFile), key: \(pki.server.keyFile), client_certificate: optional }
            """, mentioning: "needs a certificate_policy")
        assertRefused("""
            listen: 127.0.0.1:1
            tls: { certificate: \(pki.server.chainFile), key: \(pki.client.keyFile) }
            """, mentioning: "does not belong")
        assertRefused("""
            listen: 127.0.0.1:1
            trusted_proxies: { addresses: [127.0.0.1], header: rfc9440 }
            """, mentioning: "no certificate_policy")
        assertRefused("""
            listen: 127.0.0.1:1
            auth: certificate
            """, mentioning: "no certificate_policy")
        assertRefused("""
            listen: 127.0.0.1:1
            auth_schemes: { staff: { type: api_key, keys: { a: "$sha256$05elUvfSapEbnDNZD3fHFvjNouLCE99JBbojYfuab80" } } }
            """, mentioning: "no `auth`")
        assertRefused("""
            listen: 127.0.0.1:1
            auth: staff
            """, mentioning: "unknown auth scheme")
    }
}
