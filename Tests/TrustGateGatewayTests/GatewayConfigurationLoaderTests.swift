import Foundation
import SwiftASN1
import TrustGateConfiguration
import TrustGateX509
import X509
import XCTest

@testable import TrustGateGateway

final class GatewayConfigurationLoaderTests: XCTestCase {
    private var files: LoaderTestFiles!

    override func setUpWithError() throws {
        files = try LoaderTestFiles()
    }

    override func tearDown() {
        files?.remove()
        files = nil
    }

    override class func tearDown() {
        LoaderTestPKI.removeShared()
        super.tearDown()
    }

    // MARK: - Round trip

    func testFullConfigurationLandsInTypedValues() throws {
        let pinStandard = Data(repeating: 0xAB, count: 32).base64EncodedString()
        let pinBytes = [UInt8](repeating: 0xFB, count: 31) + [0xFF]
        let pinURLSafe = Data(pinBytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try files.write("policy.yaml", """
            trust:
              anchors: [ca.pem]
              intermediates: [intermediate.pem]
            revocation:
              mode: chain
              crls: [crl.pem]
            identity:
              allowed_certificates: [clients/]
            pinned_self_signed:
              - certificate: other.pem
            """)
        let path = try files.write("gateway.yaml", """
            listeners:
              - name: public
                address: 127.0.0.1:0
                tls:
                  min_version: "1.3"
                  http2: false
                trusted_proxies:
                  addresses: [10.0.0.0/8, 127.0.0.1]
                  header: xfcc
                  proxy_spki_sha256: ["\(pinStandard)", "\(pinURLSafe)"]
                hosts:
                  - names: [LocalHost, 127.0.0.1]
                    certificate: server.pem
                    key: server.key
                    client_certificate:
                      mode: required
                      exclude_paths: "/public;/api/health"
                      policy: policy.yaml
                  - names: "*.example.test"
                    certificate: server.pem
                    key: server.key
                    client_certificate:
                      mode: optional
                      reject_in_handshake: true
                      policy:
                        trust:
                          anchors: [ca.pem]
                          intermediates: [intermediate.pem]
                        identity:
                          identities:
                            - uri: spiffe://test/client
                            - certificate: client.pem
              - name: internal
                address: "[::1]:0"
                hosts:
                  - names: internal.test
            upstreams:
              app:
                url: http://127.0.0.1:9000/base/
                connect_timeout: 2s
                response_timeout: 1m
                idle_timeout: 500ms
                max_idle_connections: 8
              secure:
                url: https://[::1]/
                ca: [ca.pem]
                certificate: gw.pem
                key: gw.key
                server_name: App.Internal
            routes:
              - name: api
                hosts: [localhost]
                path: /api
                methods: [get, Post]
                upstream: app
                require_certificate: true
                identity:
                  uri: spiffe://test/client
                forward_certificate: [rfc9440, xfcc]
                certificate_info_headers: true
                forwarded_headers: both
              - upstream: secure
                hosts: [internal.test]
                forward_certificate: none
            admin:
              address: "[::1]:9901"
            access_log: logs/access.log
            shutdown: { drain_timeout: 10s }
            reload: { watch_files: false, poll_interval: 5 }
            """)
        let configuration = try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])

        XCTAssertEqual(configuration.listeners.count, 2)
        let listener = configuration.listeners[0]
        XCTAssertEqual(listener.name, "public")
        XCTAssertEqual(listener.address, ListenAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(listener.tls?.minimumVersion, .tls13)
        XCTAssertEqual(listener.tls?.http2, false)
        XCTAssertEqual(listener.trustedProxies?.addresses.map(\.description), ["10.0.0.0/8", "127.0.0.1/32"])
        XCTAssertEqual(listener.trustedProxies?.format, .xfcc)
        XCTAssertEqual(listener.trustedProxies?.proxySPKISHA256, [[UInt8](repeating: 0xAB, count: 32), pinBytes])

        XCTAssertEqual(listener.hosts.count, 2)
        let host = listener.hosts[0]
        XCTAssertEqual(host.names, ["localhost", "127.0.0.1"])
        XCTAssertEqual(host.serverCertificate?.chain, files.server.chain)
        XCTAssertEqual(host.serverCertificate?.privateKey.publicKey, files.server.certificate.publicKey)
        XCTAssertEqual(host.clientCertificates.mode, .required)
        XCTAssertFalse(host.clientCertificates.rejectInHandshake)
        XCTAssertEqual(host.clientCertificates.excludedPaths.prefixes, ["/public", "/api/health"])
        let filePolicy = try XCTUnwrap(host.clientCertificates.policy)
        XCTAssertEqual(filePolicy.trustAnchors, [files.authority.root])
        XCTAssertEqual(filePolicy.intermediates, files.authority.intermediates)
        XCTAssertEqual(filePolicy.revocation.mode, .chain)
        XCTAssertEqual(filePolicy.crls.count, 1)
        XCTAssertEqual(filePolicy.identity.identities.map(\.thumbprint), [CertificateFingerprints(files.client.certificate).sha256Hex])
        XCTAssertEqual(filePolicy.pinnedSelfSigned.thumbprints.count, 2, "other.pem holds the leaf and the intermediate")

        let wildcardHost = listener.hosts[1]
        XCTAssertEqual(wildcardHost.names, ["*.example.test"])
        XCTAssertEqual(wildcardHost.clientCertificates.mode, .optional)
        XCTAssertTrue(wildcardHost.clientCertificates.rejectInHandshake)
        let inlinePolicy = try XCTUnwrap(wildcardHost.clientCertificates.policy)
        XCTAssertEqual(inlinePolicy.trustAnchors, [files.authority.root])
        XCTAssertEqual(inlinePolicy.identity.identities.count, 2)
        XCTAssertEqual(inlinePolicy.identity.identities[0].uri, "spiffe://test/client")
        XCTAssertEqual(inlinePolicy.identity.identities[1].thumbprint, CertificateFingerprints(files.client.certificate).sha256Hex)

        let internalListener = configuration.listeners[1]
        XCTAssertEqual(internalListener.name, "internal")
        XCTAssertEqual(internalListener.address, ListenAddress(host: "::1", port: 0))
        XCTAssertNil(internalListener.tls)
        XCTAssertNil(internalListener.trustedProxies)
        XCTAssertEqual(internalListener.hosts.map(\.names), [["internal.test"]])
        XCTAssertNil(internalListener.hosts[0].serverCertificate)
        XCTAssertEqual(internalListener.hosts[0].clientCertificates.mode, .ignore)
        XCTAssertNil(internalListener.hosts[0].clientCertificates.policy)

        let app = try XCTUnwrap(configuration.upstreams["app"])
        XCTAssertEqual(app.name, "app")
        XCTAssertEqual(app.scheme, .http)
        XCTAssertEqual(app.host, "127.0.0.1")
        XCTAssertEqual(app.port, 9000)
        XCTAssertEqual(app.basePath, "/base")
        XCTAssertEqual(app.connectTimeout, 2)
        XCTAssertEqual(app.responseTimeout, 60)
        XCTAssertEqual(app.idleTimeout, 0.5, accuracy: 0.0001)
        XCTAssertEqual(app.maxIdleConnections, 8)
        XCTAssertNil(app.trustRoots)
        XCTAssertNil(app.clientCertificate)
        XCTAssertNil(app.serverName)

        let secure = try XCTUnwrap(configuration.upstreams["secure"])
        XCTAssertEqual(secure.scheme, .https)
        XCTAssertEqual(secure.host, "::1")
        XCTAssertEqual(secure.port, 443)
        XCTAssertEqual(secure.basePath, "")
        XCTAssertEqual(secure.trustRoots, [files.authority.root])
        XCTAssertEqual(secure.clientCertificate?.chain.first, files.gatewayClient.certificate)
        XCTAssertEqual(secure.clientCertificate?.privateKey.publicKey, files.gatewayClient.certificate.publicKey)
        XCTAssertEqual(secure.serverName, "app.internal")
        XCTAssertEqual(secure.connectTimeout, 5)
        XCTAssertEqual(secure.maxIdleConnections, 64)

        XCTAssertEqual(configuration.routes.count, 2)
        let api = configuration.routes[0]
        XCTAssertEqual(api.name, "api")
        XCTAssertEqual(api.hosts, ["localhost"])
        XCTAssertEqual(api.pathPrefix, "/api")
        XCTAssertEqual(api.methods, ["GET", "POST"])
        XCTAssertEqual(api.upstream, "app")
        XCTAssertTrue(api.requireCertificate)
        XCTAssertEqual(api.identity?.required.uri, "spiffe://test/client")
        XCTAssertEqual(api.forwarding.formats, [.rfc9440, .xfcc])
        XCTAssertTrue(api.forwarding.infoHeaders)
        XCTAssertEqual(api.forwardedHeaders, .both)
        let second = configuration.routes[1]
        XCTAssertEqual(second.name, "route-2")
        XCTAssertEqual(second.hosts, ["internal.test"])
        XCTAssertEqual(second.pathPrefix, "/")
        XCTAssertNil(second.methods)
        XCTAssertEqual(second.upstream, "secure")
        XCTAssertFalse(second.requireCertificate)
        XCTAssertNil(second.identity)
        XCTAssertEqual(second.forwarding.formats, [])
        XCTAssertFalse(second.forwarding.infoHeaders)
        XCTAssertEqual(second.forwardedHeaders, .xForwarded)

        XCTAssertEqual(configuration.admin?.address, ListenAddress(host: "::1", port: 9901))
        XCTAssertEqual(configuration.accessLog.destination, .file(files.path("logs/access.log")))
        XCTAssertEqual(configuration.shutdown.drainTimeout, 10)
        XCTAssertFalse(configuration.reload.watchFiles)
        XCTAssertEqual(configuration.reload.pollInterval, 5)

        XCTAssertEqual(configuration.sourceFiles.first, files.path("gateway.yaml"))
        XCTAssertEqual(configuration.sourceFiles.count, Set(configuration.sourceFiles).count, "each file once")
        XCTAssertEqual(Set(configuration.sourceFiles), Set([
            "gateway.yaml", "server.pem", "server.key", "policy.yaml", "ca.pem", "intermediate.pem", "crl.pem", "clients",
            "other.pem", "client.pem", "gw.pem", "gw.key",
        ].map(files.path)))
    }

    func testDefaultsOfAMinimalConfiguration() throws {
        let configuration = try load("""
            listeners:
              - address: "127.0.0.1:0"
                hosts:
                  - names: localhost
              - address: ":0"
                tls: {}
                hosts:
                  - { names: [a.test], certificate: server.pem, key: server.key }
              - address: "[::1]:0"
                tls: false
                hosts: [ { names: b.test } ]
            upstreams:
              app: { url: "https://app.internal" }
            routes:
              - upstream: app
            admin: {}
            """)
        XCTAssertEqual(configuration.listeners.map(\.name), ["listener-1", "listener-2", "listener-3"])
        XCTAssertNil(configuration.listeners[0].tls)
        XCTAssertEqual(configuration.listeners[1].address, ListenAddress(host: "0.0.0.0", port: 0))
        XCTAssertEqual(configuration.listeners[1].tls?.minimumVersion, .tls12)
        XCTAssertEqual(configuration.listeners[1].tls?.http2, true)
        XCTAssertNil(configuration.listeners[2].tls)
        XCTAssertEqual(configuration.listeners[0].hosts[0].clientCertificates.mode, .ignore)
        XCTAssertEqual(configuration.listeners[0].hosts[0].clientCertificates.excludedPaths, .none)

        let upstream = try XCTUnwrap(configuration.upstreams["app"])
        XCTAssertEqual(upstream.port, 443)
        XCTAssertNil(upstream.trustRoots)
        XCTAssertEqual(upstream.responseTimeout, 60)
        XCTAssertEqual(upstream.idleTimeout, 60)

        let route = configuration.routes[0]
        XCTAssertEqual(route.name, "route-1")
        XCTAssertEqual(route.hosts, [])
        XCTAssertEqual(route.pathPrefix, "/")
        XCTAssertNil(route.methods)
        XCTAssertFalse(route.requireCertificate)
        XCTAssertEqual(route.forwarding.formats, [.arrClientCert])
        XCTAssertEqual(route.forwardedHeaders, .xForwarded)

        XCTAssertEqual(configuration.admin?.address, ListenAddress(host: "127.0.0.1", port: 9901))
        XCTAssertEqual(configuration.accessLog.destination, .standardOutput)
        XCTAssertEqual(configuration.shutdown.drainTimeout, 30)
        XCTAssertTrue(configuration.reload.watchFiles)
        XCTAssertEqual(configuration.reload.pollInterval, 2)

        let noAdmin = try load(minimal(extra: "access_log: off"))
        XCTAssertNil(noAdmin.admin)
        XCTAssertEqual(noAdmin.accessLog.destination, .disabled)
    }

    func testPolicySourceFilesIncludeEveryNamedFileAndDirectory() throws {
        let configuration = try load(minimal(clientCertificate: """
            { mode: required, policy: { trust: { anchors: [clients/, ca.pem], intermediates: intermediate.pem }, revocation: { crls: [crl.pem] }, identity: { certificate: client.pem, identities: [ { certificate: client.pem } ] } } }
            """))
        for name in ["clients", "ca.pem", "intermediate.pem", "crl.pem", "client.pem"] {
            XCTAssertTrue(configuration.sourceFiles.contains(files.path(name)), name)
        }
    }

    func testRouteIdentityCertificateFilesAreSourceFiles() throws {
        let configuration = try load(minimal(
            clientCertificate: "{ mode: required, policy: policy.yaml }",
            routes: "routes: [ { upstream: app, identity: { allowed_certificates: [clients/] } } ]"))
        XCTAssertTrue(configuration.sourceFiles.contains(files.path("clients")))
        XCTAssertEqual(configuration.routes[0].identity?.identities.count, 1)
    }

    // MARK: - Certificates and keys

    func testPFXServerCertificateWithPasswordEnvironmentVariable() throws {
        try files.openssl(["pkcs12", "-export", "-in", files.path("server.pem"), "-inkey", files.path("server.key"),
                           "-out", files.path("server.pfx"), "-passout", "pass:s3cret"])
        let yaml = minimal(host: "{ names: [localhost], certificate: server.pfx, password_env: TG_TEST_PFX_PASSWORD }")
        let configuration = try load(yaml, environment: ["TG_TEST_PFX_PASSWORD": "s3cret"])
        let pair = try XCTUnwrap(configuration.listeners[0].hosts[0].serverCertificate)
        XCTAssertEqual(pair.chain.first, files.server.certificate)
        XCTAssertEqual(pair.privateKey.publicKey, files.server.certificate.publicKey)
        XCTAssertTrue(configuration.sourceFiles.contains(files.path("server.pfx")))

        assertError(yaml, environment: [:], keyPath: "listeners[0].hosts[0].password_env", contains: "TG_TEST_PFX_PASSWORD is not set")
        assertError(yaml, environment: ["TG_TEST_PFX_PASSWORD": "wrong"], keyPath: "listeners[0].hosts[0].certificate", contains: "password is incorrect")
        assertError(minimal(host: "{ names: [localhost], certificate: server.pfx }"),
                    keyPath: "listeners[0].hosts[0].certificate", contains: "needs a password")
    }

    func testEncryptedKeyWithPasswordFile() throws {
        try files.openssl(["pkcs8", "-topk8", "-in", files.path("server.key"), "-v2", "aes-256-cbc",
                           "-passout", "pass:pw", "-out", files.path("server-encrypted.key")])
        try files.write("key.pass", "pw\n")
        let configuration = try load(minimal(host: "{ names: [localhost], certificate: server.pem, key: server-encrypted.key, password_file: key.pass }"))
        XCTAssertEqual(configuration.listeners[0].hosts[0].serverCertificate?.privateKey.publicKey, files.server.certificate.publicKey)
        XCTAssertTrue(configuration.sourceFiles.contains(files.path("key.pass")))

        assertError(minimal(host: "{ names: [localhost], certificate: server.pem, key: server-encrypted.key }"),
                    keyPath: "listeners[0].hosts[0].key", contains: "needs a password")
        assertError(minimal(host: "{ names: [localhost], certificate: server.pem, key: server.key, password_file: key.pass, password_env: X }"),
                    keyPath: "listeners[0].hosts[0].password_env", contains: "not both")
    }

    func testKeyThatIsNotTheCertificatesIsRefused() {
        assertError(minimal(host: "{ names: [localhost], certificate: server.pem, key: other.key }"),
                    keyPath: "listeners[0].hosts[0].key", contains: "does not match the certificate")
        assertError(minimal(host: "{ names: [localhost], certificate: server.pem }"),
                    keyPath: "listeners[0].hosts[0].certificate", contains: "no private key")
        assertError(minimal(host: "{ names: [localhost], certificate: missing.pem, key: server.key }"),
                    keyPath: "listeners[0].hosts[0].certificate", contains: "missing.pem")
        assertError(minimal(upstreams: "upstreams: { app: { url: \"https://app.internal\", certificate: gw.pem, key: server.key } }"),
                    keyPath: "upstreams.app.key", contains: "does not match the certificate")
    }

    // MARK: - Validation errors

    func testUnknownKeysAreErrors() {
        assertError(minimal(extra: "listenrs: []"), keyPath: "listenrs", contains: "unknown key")
        assertError(minimal(host: "{ names: [localhost], certficate: server.pem }"), keyPath: "listeners[0].hosts[0].certficate", contains: "unknown key")
        assertError(minimal(clientCertificate: "{ mode: required, polcy: policy.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.polcy", contains: "unknown key")
        assertError(minimal(upstreams: "upstreams: { app: { url: \"http://a.test\", timeout: 5s } }"), keyPath: "upstreams.app.timeout", contains: "unknown key")
        assertError(minimal(routes: "routes: [ { upstream: app, require_cert: true } ]"), keyPath: "routes[0].require_cert", contains: "unknown key")
        assertError(minimal(extra: "reload: { watch: true }"), keyPath: "reload.watch", contains: "unknown key")
    }

    func testRequiredSectionsAndShapes() {
        assertError("upstreams: { app: { url: \"http://a.test\" } }\nroutes: [ { upstream: app } ]", keyPath: "listeners", contains: "is required")
        assertError(minimal(listeners: "listeners: []"), keyPath: "listeners", contains: "at least one listener")
        assertError(minimal(routes: "routes: []"), keyPath: "routes", contains: "at least one route")
        assertError(minimal(upstreams: "upstreams: {}"), keyPath: "upstreams", contains: "at least one upstream")
        assertError(minimal(listeners: "listeners: [ { address: \"127.0.0.1:0\", hosts: [] } ]"), keyPath: "listeners[0].hosts", contains: "at least one host")
        assertError(minimal(routes: "routes: [ { path: /x } ]"), keyPath: "routes[0].upstream", contains: "is required")
    }

    func testListenAddresses() throws {
        func address(_ text: String) throws -> ListenAddress {
            try load(minimal(listeners: "listeners: [ { address: \"\(text)\", hosts: [ { names: localhost } ] } ]")).listeners[0].address
        }
        XCTAssertEqual(try address("127.0.0.1:8080"), ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try address("[::1]:0"), ListenAddress(host: "::1", port: 0))
        XCTAssertEqual(try address(":65535"), ListenAddress(host: "0.0.0.0", port: 65535))
        XCTAssertEqual(try address("LocalHost:1"), ListenAddress(host: "localhost", port: 1))
        for (text, problem) in [
            ("127.0.0.1", "has no port"), ("::1:80", "brackets"), ("127.0.0.1:70000", "between 0 and 65535"),
            ("127.0.0.1:http", "between 0 and 65535"), ("[localhost]:80", "not an IPv6 address"), ("bad host:80", "spaces"),
        ] {
            assertError(minimal(listeners: "listeners: [ { address: \"\(text)\", hosts: [ { names: localhost } ] } ]"),
                        keyPath: "listeners[0].address", contains: problem)
        }
    }

    func testDuplicateListenerAddressesAreRefusedButEphemeralPortsAreNot() throws {
        let host = "hosts: [ { names: localhost } ]"
        assertError(minimal(listeners: """
            listeners:
              - { address: "127.0.0.1:8080", \(host) }
              - { address: "127.0.0.1:8080", \(host) }
            """), keyPath: "listeners[1].address", contains: "already listens on 127.0.0.1:8080")
        assertError(minimal(listeners: """
            listeners:
              - { address: "127.0.0.1:8080", \(host) }
              - { address: ":8080", \(host) }
            """), keyPath: "listeners[1].address", contains: "already listens")
        assertError(minimal(listeners: "listeners: [ { address: \"127.0.0.1:9901\", \(host) } ]", extra: "admin: {}"),
                    keyPath: "admin", contains: "already listens")
        let ephemeral = try load(minimal(listeners: """
            listeners:
              - { address: "127.0.0.1:0", \(host) }
              - { address: "127.0.0.1:0", \(host) }
            """))
        XCTAssertEqual(ephemeral.listeners.count, 2)
    }

    func testHostNameUsedTwiceOnAListener() {
        assertError(minimal(listeners: """
            listeners:
              - address: "127.0.0.1:0"
                hosts:
                  - names: [a.test, localhost]
                  - names: [LOCALHOST]
            """), keyPath: "listeners[0].hosts[1].names[0]", contains: "used twice")
        assertError(minimal(hostNames: "[\"*\", bad..name]"),
                    keyPath: "listeners[0].hosts[0].names[1]", contains: "not a host name")
    }

    func testServerCertificatesMustMatchTheListenerKind() {
        assertError(minimal(host: "{ names: [localhost] }"), keyPath: "listeners[0].hosts[0].certificate", contains: "is required")
        assertError(minimal(listeners: "listeners: [ { address: \"127.0.0.1:0\", hosts: [ { names: localhost, certificate: server.pem, key: server.key } ] } ]"),
                    keyPath: "listeners[0].hosts[0].certificate", contains: "plain HTTP")
    }

    func testClientCertificateModeConsistency() {
        assertError(minimal(clientCertificate: "{ mode: required }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.policy", contains: "is required when mode is required")
        assertError(minimal(clientCertificate: "{ mode: optional }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.policy", contains: "is required when mode is optional")
        assertError(minimal(clientCertificate: "{ mode: ignore, reject_in_handshake: true }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.reject_in_handshake", contains: "mode is ignore")
        assertError(minimal(clientCertificate: "{ exclude_paths: /public }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.exclude_paths", contains: "mode is ignore")
        assertError(minimal(clientCertificate: "{ policy: policy.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.policy", contains: "would never be applied")
        assertError(minimal(clientCertificate: "{ mode: required, reject_in_handshake: true, exclude_paths: \"/public\", policy: policy.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.reject_in_handshake", contains: "exclude_paths")
        assertError(minimal(clientCertificate: "{ mode: required, exclude_paths: public, policy: policy.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.exclude_paths", contains: "must start with '/'")
        assertError(minimal(clientCertificate: "{ mode: sometimes, policy: policy.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.mode", contains: "expected one of")
    }

    func testPolicyFileErrorsNameThePolicyFile() throws {
        try files.write("bad-policy.yaml", "trust: { anchors: [ca.pem] }\nrevocaton: { mode: chain }\n")
        let path = try files.write("gateway.yaml", minimal(clientCertificate: "{ mode: required, policy: bad-policy.yaml }"))
        XCTAssertThrowsError(try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])) { error in
            guard let error = error as? ConfigurationError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.file, self.files.path("bad-policy.yaml"))
            XCTAssertEqual(error.keyPath, "revocaton")
            XCTAssertEqual(error.line, 2)
        }
        assertError(minimal(clientCertificate: "{ mode: required, policy: nowhere.yaml }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.policy", contains: "does not exist")
        assertError(minimal(clientCertificate: "{ mode: required, policy: { trust: { max_depth: 2 } } }"),
                    keyPath: "listeners[0].hosts[0].client_certificate.policy", contains: "no trust anchors")
    }

    func testRouteNeedingACertificateOnAHostThatNeverGetsOne() throws {
        let twoHosts = """
            listeners:
              - address: "127.0.0.1:0"
                tls: true
                hosts:
                  - { names: [secure.test], certificate: server.pem, key: server.key, client_certificate: { mode: required, policy: policy.yaml } }
                  - { names: [open.test], certificate: server.pem, key: server.key }
            """
        assertError(minimal(listeners: twoHosts, routes: "routes: [ { upstream: app, hosts: [open.test], require_certificate: true } ]"),
                    keyPath: "routes[0].require_certificate", contains: "could never be satisfied")
        assertError(minimal(listeners: twoHosts, routes: "routes: [ { upstream: app, hosts: [open.test], identity: { uri: spiffe://x } } ]"),
                    keyPath: "routes[0].identity", contains: "could never be satisfied")
        // No hosts: the route serves every host, the open one included.
        assertError(minimal(listeners: twoHosts, routes: "routes: [ { upstream: app, require_certificate: true } ]"),
                    keyPath: "routes[0].require_certificate", contains: "serves every host")

        let restricted = try load(minimal(listeners: twoHosts, routes: "routes: [ { upstream: app, hosts: [secure.test], require_certificate: true } ]"))
        XCTAssertTrue(restricted.routes[0].requireCertificate)
        // An empty identity tightens nothing, so it needs nothing.
        let emptyIdentity = try load(minimal(listeners: twoHosts, routes: "routes: [ { upstream: app, identity: {} } ]"))
        XCTAssertNil(emptyIdentity.routes[0].identity)
        // Behind trusted proxies too: mode ignore does not read forwarded certificates either.
        assertError(minimal(listeners: """
            listeners:
              - address: "127.0.0.1:0"
                trusted_proxies: { addresses: [127.0.0.1] }
                hosts: [ { names: [open.test] } ]
            """, routes: "routes: [ { upstream: app, require_certificate: true } ]"), keyPath: "routes[0].require_certificate", contains: "could never be satisfied")
    }

    func testRouteReferencesAndValues() {
        assertError(minimal(routes: "routes: [ { upstream: nope } ]"), keyPath: "routes[0].upstream", contains: "unknown upstream 'nope' (configured: app)")
        assertError(minimal(routes: "routes: [ { upstream: app, hosts: [elsewhere.test] } ]"), keyPath: "routes[0].hosts[0]", contains: "no configured host is named 'elsewhere.test'")
        assertError(minimal(routes: "routes: [ { upstream: app, path: api } ]"), keyPath: "routes[0].path", contains: "must start with '/'")
        assertError(minimal(routes: "routes: [ { upstream: app, path: \"/api?x=1\" } ]"), keyPath: "routes[0].path", contains: "'?' or '#'")
        assertError(minimal(routes: "routes: [ { upstream: app, methods: [GET, \"GET/\"] } ]"), keyPath: "routes[0].methods[1]", contains: "not an HTTP method")
        assertError(minimal(routes: "routes: [ { upstream: app, forward_certificate: [pem] } ]"), keyPath: "routes[0].forward_certificate[0]", contains: "expected one of")
        assertError(minimal(routes: "routes: [ { upstream: app, forwarded_headers: x-real-ip } ]"), keyPath: "routes[0].forwarded_headers", contains: "expected one of")
        assertError(minimal(routes: "routes: [ { name: a, upstream: app }, { name: a, upstream: app } ]"), keyPath: "routes[1].name", contains: "already named 'a'")
    }

    func testUpstreamURLsAndHTTPSOnlyKeys() throws {
        func upstream(_ url: String) throws -> UpstreamConfiguration {
            try XCTUnwrap(try load(minimal(upstreams: "upstreams: { app: { url: \"\(url)\" } }")).upstreams["app"])
        }
        let v6 = try upstream("HTTP://[::1]:8080/a/b//")
        XCTAssertEqual([v6.scheme.rawValue, v6.host, "\(v6.port)", v6.basePath], ["http", "::1", "8080", "/a/b"])
        XCTAssertEqual(try upstream("http://App.Test").port, 80)
        XCTAssertEqual(try upstream("https://app.test/").basePath, "")

        for (url, problem) in [
            ("http://app.test/x?debug=1", "query"), ("http://app.test/#top", "fragment"),
            ("http://user:secret@app.test", "user information"), ("ftp://app.test", "http or https"),
            ("app.test:80", "not an absolute URL"), ("http://app.test:0", "between 1 and 65535"), ("http://:80", "no host"),
        ] {
            assertError(minimal(upstreams: "upstreams: { app: { url: \"\(url)\" } }"), keyPath: "upstreams.app.url", contains: problem)
        }
        for key in ["ca: ca.pem", "server_name: a.test", "certificate: gw.pem", "key: gw.key", "password_env: X"] {
            let name = String(key.prefix { $0 != ":" })
            assertError(minimal(upstreams: "upstreams: { app: { url: \"http://a.test\", \(key) } }"), keyPath: "upstreams.app.\(name)", contains: "only applies to https")
        }
        assertError(minimal(upstreams: "upstreams: { app: { url: \"https://a.test\", key: gw.key } }"), keyPath: "upstreams.app.key", contains: "together with certificate")
        assertError(minimal(upstreams: "upstreams: { app: { url: \"http://a.test\", max_idle_connections: 10001 } }"), keyPath: "upstreams.app.max_idle_connections", contains: "between 0 and 10000")
        assertError(minimal(upstreams: "upstreams: { app: { url: \"http://a.test\", connect_timeout: 0 } }"), keyPath: "upstreams.app.connect_timeout", contains: "greater than 0")
        assertError(minimal(upstreams: "upstreams: { app: }"), keyPath: "upstreams.app", contains: "is empty")
    }

    func testTrustedProxies() throws {
        let plain = "listeners: [ { address: \"127.0.0.1:0\", trusted_proxies: %@, hosts: [ { names: localhost } ] } ]"
        func proxies(_ value: String) -> String { minimal(listeners: plain.replacingOccurrences(of: "%@", with: value)) }
        assertError(proxies("{ addresses: [] }"), keyPath: "listeners[0].trusted_proxies.addresses", contains: "at least one")
        assertError(proxies("{ header: xfcc }"), keyPath: "listeners[0].trusted_proxies.addresses", contains: "is required")
        assertError(proxies("{ addresses: [10.0.0.0/33] }"), keyPath: "listeners[0].trusted_proxies.addresses[0]", contains: "not an IP address or CIDR block")
        assertError(proxies("{ addresses: [10.0.0.1], header: x-client-cert }"), keyPath: "listeners[0].trusted_proxies.header", contains: "expected one of")
        let pin = Data(repeating: 1, count: 32).base64EncodedString()
        assertError(proxies("{ addresses: [10.0.0.1], proxy_spki_sha256: [\"\(pin)\"] }"),
                    keyPath: "listeners[0].trusted_proxies.proxy_spki_sha256", contains: "only allowed on a listener with tls")
        assertError(minimal(listenerExtra: "trusted_proxies: { addresses: [10.0.0.1], proxy_spki_sha256: [c2hvcnQ=] }"),
                    keyPath: "listeners[0].trusted_proxies.proxy_spki_sha256[0]", contains: "32 bytes")
        let loaded = try load(proxies("{ addresses: [\"::1\", 192.168.0.0/16], header: nginx }"))
        XCTAssertEqual(loaded.listeners[0].trustedProxies?.addresses.map(\.description), ["::1/128", "192.168.0.0/16"])
        XCTAssertEqual(loaded.listeners[0].trustedProxies?.format, .nginxEscapedPEM)
    }

    func testErrorsNameFileLineAndKeyPath() throws {
        let path = try files.write("gateway.yaml", minimal(routes: "routes:\n  - upstream: nope\n"))
        XCTAssertThrowsError(try GatewayConfigurationLoader.load(contentsOfFile: path, environment: [:])) { error in
            guard let error = error as? ConfigurationError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.file, path)
            XCTAssertNotNil(error.line)
            XCTAssertTrue(error.description.hasPrefix("\(path):\(error.line ?? 0): routes[0].upstream: unknown upstream"), error.description)
        }
        XCTAssertThrowsError(try GatewayConfigurationLoader.load(contentsOfFile: files.path("absent.yaml"), environment: [:])) { error in
            XCTAssertEqual((error as? ConfigurationError)?.problem, "cannot read the file")
        }
    }

    // MARK: - Explanation and warnings

    func testExplanationDescribesEveryRouteAndItsEnforcement() throws {
        let configuration = try load("""
            listeners:
              - name: edge
                address: "127.0.0.1:0"
                tls: { min_version: "1.3" }
                hosts:
                  - names: [localhost]
                    certificate: server.pem
                    key: server.key
                    client_certificate: { mode: required, exclude_paths: "/public;/api/health", policy: policy.yaml }
                  - names: [opt.test]
                    certificate: server.pem
                    key: server.key
                    client_certificate: { mode: optional, policy: policy.yaml }
            upstreams:
              app: { url: "http://127.0.0.1:9000/base" }
            routes:
              - { name: api, hosts: [localhost], path: /api, methods: [GET], upstream: app, forward_certificate: [rfc9440] }
              - { name: public, hosts: [localhost], path: /public, upstream: app }
              - { name: admin, path: /admin, upstream: app, require_certificate: true, identity: { uri: "spiffe://test/admin" } }
              - { name: optional-only, hosts: [opt.test], path: /, upstream: app, forward_certificate: none }
            """)
        let text = GatewayConfigurationExplanation.explain(configuration)
        XCTAssertTrue(text.contains("Listener 'edge' on 127.0.0.1:0: TLS, profile intermediate, minimum version 1.3, ALPN h2, http/1.1"), text)
        XCTAssertTrue(text.contains("Client certificate: required; reject in handshake: no"), text)
        XCTAssertTrue(text.contains("Excluded paths (no certificate needed): /public, /api/health"), text)
        XCTAssertTrue(text.contains("Trust anchors: CN=Loader Test Root"), text)
        XCTAssertTrue(text.contains("Revocation: chain, 1 CRL"), text)
        XCTAssertTrue(text.contains("Trusted proxies: none"), text)

        XCTAssertTrue(text.contains("Route 'api'\n  Hosts: localhost\n  Path: /api\n  Methods: GET\n  Upstream: app (http://127.0.0.1:9000/base/api…)"), text)
        XCTAssertTrue(text.contains("Certificate required: yes; on excluded paths no (/api/health)"), text)
        XCTAssertTrue(text.contains("Forwarded certificate: rfc9440 (client-cert, client-cert-chain); info headers: no; client address headers: x-forwarded"), text)
        XCTAssertTrue(text.contains("Route 'public'"), text)
        XCTAssertTrue(text.contains("Certificate required: no (the route's path is excluded: /public)"), text)
        XCTAssertTrue(text.contains("Route 'admin'\n  Hosts: every host"), text)
        XCTAssertTrue(text.contains("    localhost on listener 'edge': yes (the route's require_certificate, on excluded paths too)"), text)
        XCTAssertTrue(text.contains("    opt.test on listener 'edge': yes (the route's require_certificate)"), text)
        XCTAssertTrue(text.contains("Identity tightening: all of {uri=spiffe://test/admin}"), text)
        XCTAssertTrue(text.contains("Route 'optional-only'"), text)
        XCTAssertTrue(text.contains("Certificate required: no (mode optional: a certificate that is presented must be acceptable)"), text)
        XCTAssertTrue(text.contains("Forwarded certificate: none"), text)
        XCTAssertTrue(text.contains("Warnings: none"), text)
    }

    func testWarnings() throws {
        let policy = CertificatePolicySettings(trustAnchors: [files.authority.root])
        let upstream = UpstreamConfiguration(name: "app", scheme: .http, host: "127.0.0.1", port: 9000)
        let configuration = GatewayConfiguration(
            listeners: [
                ListenerConfiguration(
                    name: "exposed", address: ListenAddress(host: "0.0.0.0", port: 8080), tls: nil,
                    hosts: [HostConfiguration(names: ["a.test"], serverCertificate: nil, clientCertificates: ClientCertificateSettings(mode: .ignore, policy: nil))]),
                ListenerConfiguration(
                    name: "edge", address: ListenAddress(host: "0.0.0.0", port: 8443), tls: ListenerTLSConfiguration(),
                    hosts: [HostConfiguration(
                        names: ["b.test"], serverCertificate: CertificateKeyPair(chain: files.server.chain, privateKey: files.server.privateKey),
                        clientCertificates: ClientCertificateSettings(mode: .optional, policy: policy))],
                    trustedProxies: TrustedProxyConfiguration(addresses: [try CIDRBlock(parsing: "0.0.0.0/0"), try CIDRBlock(parsing: "::/0")], format: .xfcc)),
                ListenerConfiguration(
                    name: "loopback", address: ListenAddress(host: "127.0.0.1", port: 8081), tls: nil,
                    hosts: [HostConfiguration(names: ["c.test"], serverCertificate: nil, clientCertificates: ClientCertificateSettings(mode: .ignore, policy: nil))]),
            ],
            upstreams: ["app": upstream, "spare": UpstreamConfiguration(name: "spare", scheme: .http, host: "127.0.0.1", port: 9001)],
            routes: [
                RouteConfiguration(name: "frozen", pathPrefix: "/frozen", methods: [], upstream: "app"),
                RouteConfiguration(name: "open", upstream: "app"),
            ])
        let warnings = GatewayConfigurationExplanation.warnings(configuration)
        func has(_ parts: String...) -> Bool { warnings.contains { warning in parts.allSatisfy(warning.contains) } }
        XCTAssertTrue(has("listener 'exposed'", "plain HTTP on a non-loopback address"), "\(warnings)")
        XCTAssertFalse(has("listener 'loopback'"), "\(warnings)")
        XCTAssertTrue(has("host 'b.test'", "mode optional", "no route serving it"), "\(warnings)")
        XCTAssertTrue(has("route 'frozen'", "empty methods list"), "\(warnings)")
        XCTAssertTrue(has("trusts 0.0.0.0/0"), "\(warnings)")
        XCTAssertTrue(has("trusts ::/0"), "\(warnings)")
        XCTAssertTrue(has("upstream 'spare' is not used"), "\(warnings)")
        XCTAssertEqual(warnings.count, 6, "\(warnings)")

        let text = GatewayConfigurationExplanation.explain(configuration)
        XCTAssertTrue(text.contains("Warnings:\n  - "), text)
        XCTAssertTrue(text.contains("Methods: none (the route matches no request)"), text)
    }

    func testExpiredServerCertificateIsAWarning() throws {
        let configuration = GatewayConfiguration(
            listeners: [ListenerConfiguration(
                name: "edge", address: ListenAddress(host: "127.0.0.1", port: 0), tls: ListenerTLSConfiguration(),
                hosts: [HostConfiguration(
                    names: ["localhost"], serverCertificate: CertificateKeyPair(chain: files.server.chain, privateKey: files.server.privateKey),
                    clientCertificates: ClientCertificateSettings(mode: .ignore, policy: nil))])],
            upstreams: ["app": UpstreamConfiguration(name: "app", scheme: .http, host: "127.0.0.1", port: 9000)],
            routes: [RouteConfiguration(name: "all", upstream: "app")])
        XCTAssertEqual(GatewayConfigurationExplanation.warnings(configuration), [])
        let later = GatewayConfigurationExplanation.warnings(configuration, now: Date().addingTimeInterval(86_400 * 365))
        XCTAssertEqual(later.count, 1)
        XCTAssertTrue(later[0].contains("server certificate of host 'localhost'") && later[0].contains("expired"), "\(later)")
    }

    // MARK: - Client limits and header names (issue 12)

    func testClientLimitsAndUnderscoreSettingsLandInTypedValues() throws {
        let defaults = try load(minimal())
        XCTAssertEqual(defaults.listeners[0].clientLimits, ClientConnectionLimits())
        XCTAssertEqual(defaults.listeners[0].clientLimits.requestHeadTimeout, 30)
        XCTAssertEqual(defaults.listeners[0].clientLimits.handshakeTimeout, 10)
        XCTAssertNil(defaults.listeners[0].clientLimits.maximumConnectionsPerAddress)
        XCTAssertFalse(defaults.listeners[0].allowsUnderscoresInHeaders)
        XCTAssertNil(defaults.routes[0].allowsUnderscoresInHeaders)

        let configured = try load(minimal(
            listenerExtra: """
            client_limits: { handshake_timeout: 5s, request_head_timeout: 15s, request_body_timeout: 500ms, request_body_min_rate: 2048, max_connections_per_address: 64 }
                underscores_in_headers: true
            """,
            routes: "routes: [ { upstream: app, underscores_in_headers: false } ]"))
        let limits = configured.listeners[0].clientLimits
        XCTAssertEqual(limits.handshakeTimeout, 5)
        XCTAssertEqual(limits.requestHeadTimeout, 15)
        XCTAssertEqual(limits.requestBodyTimeout, 0.5)
        XCTAssertEqual(limits.requestBodyMinimumRate, 2048)
        XCTAssertEqual(limits.maximumConnectionsPerAddress, 64)
        XCTAssertTrue(configured.listeners[0].allowsUnderscoresInHeaders)
        XCTAssertEqual(configured.routes[0].allowsUnderscoresInHeaders, false)

        // 0 turns the optional limits off.
        let off = try load(minimal(listenerExtra: "client_limits: { request_body_min_rate: 0, max_connections_per_address: 0 }"))
        XCTAssertNil(off.listeners[0].clientLimits.requestBodyMinimumRate)
        XCTAssertNil(off.listeners[0].clientLimits.maximumConnectionsPerAddress)
    }

    func testClientLimitErrorsNameTheKey() throws {
        assertError(minimal(listenerExtra: "client_limits: { request_head_timeout: 0s }"),
                    keyPath: "listeners[0].client_limits.request_head_timeout", contains: "at least 100ms")
        assertError(minimal(listenerExtra: "client_limits: { request_body_timeout: soon }"),
                    keyPath: "listeners[0].client_limits.request_body_timeout", contains: "expected a duration")
        assertError(minimal(listenerExtra: "client_limits: { header_timeout: 5s }"),
                    keyPath: "listeners[0].client_limits.header_timeout", contains: "unknown key")
        assertError(minimal(listenerExtra: "client_limits: { max_connections_per_address: -1 }"),
                    keyPath: "listeners[0].client_limits.max_connections_per_address", contains: "between 0 and")
        assertError(minimal(listenerExtra: "underscores_in_headers: sometimes"),
                    keyPath: "listeners[0].underscores_in_headers", contains: "expected true or false")
        let plain = """
            listeners:
              - address: "127.0.0.1:0"
                client_limits: { handshake_timeout: 5s }
                hosts: [ { names: [localhost] } ]
            upstreams: { app: { url: "http://127.0.0.1:9000" } }
            routes: [ { upstream: app } ]
            """
        assertError(plain, keyPath: "listeners[0].client_limits.handshake_timeout", contains: "no handshake")
    }

    // MARK: - Helpers

    /// A configuration with one TLS listener (host `localhost`), upstream `app` and one route, with parts replaced.
    private func minimal(
        listeners: String? = nil,
        host: String? = nil,
        listenerExtra: String = "",
        hostNames: String = "[localhost]",
        clientCertificate: String? = nil,
        upstreams: String = "upstreams: { app: { url: \"http://127.0.0.1:9000\" } }",
        routes: String = "routes: [ { upstream: app } ]",
        extra: String = ""
    ) -> String {
        let clientPart = clientCertificate.map { ", client_certificate: \($0)" } ?? ""
        let hostEntry = host ?? "{ names: \(hostNames), certificate: server.pem, key: server.key\(clientPart) }"
        let listenerSection = listeners ?? """
            listeners:
              - address: "127.0.0.1:0"
                tls: true
                \(listenerExtra)
                hosts:
                  - \(hostEntry)
            """
        return [listenerSection, upstreams, routes, extra].joined(separator: "\n") + "\n"
    }

    private func load(_ yaml: String, environment: [String: String] = [:]) throws -> GatewayConfiguration {
        if !FileManager.default.fileExists(atPath: files.path("policy.yaml")) {
            try files.write("policy.yaml", "trust: { anchors: [ca.pem], intermediates: [intermediate.pem] }\nrevocation: { mode: chain, crls: [crl.pem] }\n")
        }
        let path = try files.write("gateway.yaml", yaml)
        return try GatewayConfigurationLoader.load(contentsOfFile: path, environment: environment)
    }

    private func assertError(
        _ yaml: String, environment: [String: String] = [:], keyPath: String, contains problem: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try load(yaml, environment: environment), file: file, line: line) { error in
            guard let error = error as? ConfigurationError else {
                return XCTFail("not a ConfigurationError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.keyPath, keyPath, "\(error)", file: file, line: line)
            XCTAssertTrue(error.problem.contains(problem), "expected '\(problem)' in: \(error)", file: file, line: line)
            XCTAssertEqual(error.file, self.files.path("gateway.yaml"), file: file, line: line)
        }
    }
}

/// A throwaway directory with a root + intermediate CA and the PEM files the configurations name:
/// `ca.pem`, `intermediate.pem`, `server.pem`/`.key` (localhost, 127.0.0.1; chain), `other.pem`/`.key`,
/// `client.pem` (also as `clients/client.pem`), `gw.pem`/`.key` (the gateway's upstream client certificate),
/// `crl.pem` (the intermediate's CRL).
///
/// The PKI is made once per run (the CA writes its files with fsync, which is what takes time) and each test
/// gets its own copy of the directory to write configurations into.
private struct LoaderTestFiles {
    let directory: String
    private let pki: LoaderTestPKI

    var authority: CertificateAuthority { pki.authority }
    var server: IssuedCertificate { pki.server }
    var other: IssuedCertificate { pki.other }
    var client: IssuedCertificate { pki.client }
    var gatewayClient: IssuedCertificate { pki.gatewayClient }

    init() throws {
        pki = try LoaderTestPKI.shared.get()
        directory = NSTemporaryDirectory() + "trustgate-config-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: pki.directory, toPath: directory)
    }

    func path(_ name: String) -> String { directory + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = path(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the openssl command line (for PFX and encrypted keys); skips the test when it is not installed.
    func openssl(_ arguments: [String]) throws {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let executable = searchPath.split(separator: ":").map({ "\($0)/openssl" }).first(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("openssl is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: message])
        }
    }
}

private struct LoaderTestPKI: Sendable {
    static let shared = Result { try LoaderTestPKI() }

    let directory: String
    let authority: CertificateAuthority
    let server: IssuedCertificate
    let other: IssuedCertificate
    let client: IssuedCertificate
    let gatewayClient: IssuedCertificate

    private init() throws {
        let directory = NSTemporaryDirectory() + "trustgate-config-pki-\(UUID().uuidString)"
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/clients", withIntermediateDirectories: true)
        let now = Date()
        let validity = try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30))
        let authority = try CertificateAuthority.create(
            in: directory + "/ca",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Loader Test Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-7200), notAfter: now.addingTimeInterval(86_400 * 60)),
                intermediateSubject: try DistinguishedName { CommonName("Loader Test Intermediate") }))
        self.authority = authority

        func issue(_ name: String, _ profile: IssuanceProfile, _ names: [GeneralName]) throws -> IssuedCertificate {
            try authority.issue(IssuanceRequest(
                profile: profile, subject: try DistinguishedName { CommonName(name) }, subjectAlternativeNames: names, validity: validity), now: now)
        }
        server = try issue("server", .server, [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        other = try issue("other", .server, [.dnsName("other.test")])
        client = try issue("client", .client, [.uniformResourceIdentifier("spiffe://test/client")])
        gatewayClient = try issue("gateway", .client, [])

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        try write("ca.pem", PEMSerialization.certificates([authority.root]))
        try write("intermediate.pem", PEMSerialization.certificates(authority.intermediates))
        for (name, issued) in [("server", server), ("other", other), ("gw", gatewayClient)] {
            try write("\(name).pem", PEMSerialization.certificates(issued.chain))
            try write("\(name).key", PEMSerialization.privateKey(issued.privateKey))
        }
        try write("client.pem", PEMSerialization.certificates([client.certificate]))
        try write("clients/client.pem", PEMSerialization.certificates([client.certificate]))
        try write("crl.pem", authority.makeCRL(validity: 86_400 * 7, now: now).pemString)
    }

    static func removeShared() {
        if case .success(let pki) = shared { try? FileManager.default.removeItem(atPath: pki.directory) }
    }
}
