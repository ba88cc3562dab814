import Foundation
import SwiftASN1
import TrustGateGateway
import TrustGateX509
import X509
import XCTest

/// Every configuration under `docs/examples/` loads as its README says it does.
///
/// Each example is copied to a temporary directory, where the PKI steps of its README are replayed with the
/// code behind `trustgate pki` (``CertificateAuthority``, ``SelfSignedCertificate``), so the files land under
/// the same names. Example thumbprints are replaced by the generated certificates' (as the READMEs tell the
/// reader to do). Then the configuration must load, have the listeners, hosts and routes described here, be
/// explained route by route without warnings, and judge the README's client certificates as the README says.
final class GatewayExampleConfigurationTests: XCTestCase {
    /// `Tests/TrustGateGatewayTests/<this file>` → `docs/examples`.
    static let examplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/examples").path

    private var workDirectories: [String] = []

    override func tearDown() {
        for directory in workDirectories { try? FileManager.default.removeItem(atPath: directory) }
        workDirectories = []
        super.tearDown()
    }

    func testEveryExampleDirectoryIsCoveredAndListedInTheIndex() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.examplesDirectory)
        let withConfiguration = names.filter {
            FileManager.default.fileExists(atPath: "\(Self.examplesDirectory)/\($0)/gateway.yaml")
        }
        XCTAssertEqual(Set(withConfiguration), Set(Example.all.map(\.directory)),
                       "every docs/examples/*/gateway.yaml needs an expectation here, and every expectation its directory")
        let index = try String(contentsOfFile: Self.examplesDirectory + "/README.md", encoding: .utf8)
        for example in Example.all {
            XCTAssertTrue(index.contains("(\(example.directory)/)"), "docs/examples/README.md does not link \(example.directory)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(Self.examplesDirectory)/\(example.directory)/README.md"),
                          "\(example.directory) has no README.md")
        }
    }

    func testB2CRestAPI() async throws { try await check(.b2cRestAPI) }
    func testAppServiceRequired() async throws { try await check(.appServiceRequired) }
    func testOptionalMode() async throws { try await check(.optionalMode) }
    func testBehindTLSTerminator() async throws { try await check(.behindTLSTerminator) }
    func testAPIManagementPolicies() async throws { try await check(.apiManagementPolicies) }
    func testUpstreamMTLS() async throws { try await check(.upstreamMTLS) }
    func testSNIVirtualHosts() async throws { try await check(.sniVirtualHosts) }

    // MARK: - Checking one example

    private func check(_ example: Example) async throws {
        let source = "\(Self.examplesDirectory)/\(example.directory)"
        let readme = try String(contentsOfFile: source + "/README.md", encoding: .utf8)
        for seed in example.seeds {
            XCTAssertTrue(readme.contains(seed), "\(example.directory)/README.md does not name \(seed)")
        }

        let work = NSTemporaryDirectory() + "trustgate-example-\(UUID().uuidString)"
        workDirectories.append(work)
        // Only the committed files: a PKI made while trying the example in place (ca/, certs/) is not copied.
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: "\(source)/\(name)", isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: "\(work)/\(name)")
        }
        let pki = PKIReplay(directory: work)
        try pki.run(example.setup)
        try replaceThumbprints(example, in: work, readme: readme)
        try checkReadmeNamesEveryCertificateFile(example, work: work, readme: readme)

        let configurationFile = work + "/gateway.yaml"
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfigurationLoader.load(contentsOfFile: configurationFile, environment: [:])
        } catch {
            XCTFail("\(example.directory)/gateway.yaml does not load: \(error)")
            return
        }
        checkStructure(example, configuration)

        let explanation = GatewayConfigurationExplanation.explain(configuration)
        for listener in example.listeners {
            XCTAssertTrue(explanation.contains("Listener '\(listener.name)'"), "\(example.directory): the explanation misses listener \(listener.name)")
        }
        for route in example.routes {
            XCTAssertTrue(explanation.contains("Route '\(route.name)'"), "\(example.directory): the explanation misses route \(route.name)")
        }
        XCTAssertEqual(GatewayConfigurationExplanation.warnings(configuration), [], "\(example.directory) should load without warnings")
        XCTAssertTrue(configuration.sourceFiles.contains(URL(fileURLWithPath: configurationFile).standardizedFileURL.path))

        try await checkVerdicts(example.verdicts, example: example, configuration: configuration, work: work)

        guard !example.later.isEmpty else { return }
        // The README's "Try it" changes files (a revocation and a new CRL); the reload sees the new state.
        try pki.run(example.later)
        let reloaded = try GatewayConfigurationLoader.load(contentsOfFile: configurationFile, environment: [:])
        try await checkVerdicts(example.verdictsLater, example: example, configuration: reloaded, work: work)
    }

    /// Puts the generated certificates' SHA-1 thumbprints where the example values are, and checks that the
    /// README calls them example values.
    private func replaceThumbprints(_ example: Example, in work: String, readme: String) throws {
        guard !example.thumbprints.isEmpty else { return }
        XCTAssertTrue(readme.lowercased().contains("example value"), "\(example.directory)/README.md must say its thumbprints are example values")
        let yamlFiles = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasSuffix(".yaml") }
        for (exampleValue, certificateFile) in example.thumbprints {
            XCTAssertTrue(readme.contains(exampleValue), "\(example.directory)/README.md does not show the example thumbprint \(exampleValue)")
            let leaf = try XCTUnwrap(CertificateDecoder.certificates(contentsOfFile: "\(work)/\(certificateFile)").first)
            let actual = CertificateFingerprints(leaf).sha1Hex
            var replaced = 0
            for name in yamlFiles {
                let path = "\(work)/\(name)"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let count = text.components(separatedBy: exampleValue).count - 1
                guard count > 0 else { continue }
                replaced += count
                try text.replacingOccurrences(of: exampleValue, with: actual).write(toFile: path, atomically: true, encoding: .utf8)
            }
            XCTAssertGreaterThan(replaced, 0, "\(example.directory): the example thumbprint \(exampleValue) appears in no YAML file")
        }
    }

    /// The README's list of expected files must name every `certs/…` path the YAML files mention.
    private func checkReadmeNamesEveryCertificateFile(_ example: Example, work: String, readme: String) throws {
        let yamlFiles = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasSuffix(".yaml") }
        let pattern = try NSRegularExpression(pattern: #"certs/[A-Za-z0-9._/-]+"#)
        for name in yamlFiles {
            let text = try String(contentsOfFile: "\(work)/\(name)", encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                let path = String(text[range])
                XCTAssertTrue(readme.contains(path), "\(example.directory)/README.md does not mention \(path), which \(name) reads")
            }
        }
    }

    private func checkStructure(_ example: Example, _ configuration: GatewayConfiguration) {
        let name = example.directory
        XCTAssertEqual(configuration.listeners.map(\.name), example.listeners.map(\.name), "\(name): listeners")
        for (listener, expected) in zip(configuration.listeners, example.listeners) {
            XCTAssertEqual(listener.tls != nil, expected.tls, "\(name): listener \(expected.name) TLS")
            XCTAssertEqual(listener.trustedProxies?.format, expected.trustedProxyHeader, "\(name): listener \(expected.name) trusted proxy header")
            XCTAssertEqual(listener.trustedProxies?.addresses.map(\.description), expected.trustedProxyAddresses, "\(name): listener \(expected.name) trusted proxies")
            XCTAssertEqual(listener.hosts.map(\.names), expected.hosts.map(\.names), "\(name): listener \(expected.name) hosts")
            for (host, expectedHost) in zip(listener.hosts, expected.hosts) {
                let label = "\(name): host \(expectedHost.names[0])"
                let settings = host.clientCertificates
                XCTAssertEqual(settings.mode, expectedHost.mode, "\(label) mode")
                XCTAssertEqual(settings.excludedPaths.prefixes, expectedHost.excludedPaths, "\(label) exclude_paths")
                XCTAssertEqual(settings.rejectInHandshake, expectedHost.rejectInHandshake, "\(label) reject_in_handshake")
                XCTAssertEqual(settings.policy != nil, expectedHost.mode != .ignore, "\(label) policy")
                XCTAssertEqual(host.serverCertificate != nil, expected.tls, "\(label) server certificate")
                if let leaf = host.serverCertificate?.chain.first {
                    let dnsNames = (try? SubjectAlternativeNameValues(leaf))?.dnsNames ?? []
                    for hostName in expectedHost.names {
                        XCTAssertTrue(dnsNames.contains(hostName), "\(label): the server certificate does not cover \(hostName) (SANs: \(dnsNames))")
                    }
                }
            }
        }
        XCTAssertEqual(Set(configuration.upstreams.keys), Set(example.upstreams.map(\.name)), "\(name): upstreams")
        for expected in example.upstreams {
            guard let upstream = configuration.upstreams[expected.name] else { continue }
            XCTAssertEqual(upstream.scheme, expected.scheme, "\(name): upstream \(expected.name) scheme")
            XCTAssertEqual(upstream.basePath, expected.basePath, "\(name): upstream \(expected.name) base path")
            XCTAssertEqual(upstream.clientCertificate != nil, expected.presentsCertificate, "\(name): upstream \(expected.name) client certificate")
            XCTAssertEqual(upstream.trustRoots != nil, expected.ownCA, "\(name): upstream \(expected.name) ca")
            XCTAssertEqual(upstream.serverName, expected.serverName, "\(name): upstream \(expected.name) server_name")
        }
        XCTAssertEqual(configuration.routes.map(\.name), example.routes.map(\.name), "\(name): routes")
        for (route, expected) in zip(configuration.routes, example.routes) {
            let label = "\(name): route \(expected.name)"
            XCTAssertEqual(route.hosts, expected.hosts, "\(label) hosts")
            XCTAssertEqual(route.pathPrefix, expected.path, "\(label) path")
            XCTAssertEqual(route.methods, expected.methods, "\(label) methods")
            XCTAssertEqual(route.upstream, expected.upstream, "\(label) upstream")
            XCTAssertEqual(route.requireCertificate, expected.requireCertificate, "\(label) require_certificate")
            XCTAssertEqual(route.identity != nil, expected.tightensIdentity, "\(label) identity")
            XCTAssertEqual(route.forwarding.formats, expected.forwarding, "\(label) forward_certificate")
            XCTAssertEqual(route.forwarding.infoHeaders, expected.infoHeaders, "\(label) certificate_info_headers")
        }
        XCTAssertEqual(configuration.admin?.address.description, example.admin, "\(name): admin")
    }

    /// Judges each client certificate with the host's policy and, on a route with identity rules, with those
    /// too — what the gateway does for a request carrying that certificate.
    private func checkVerdicts(_ expectations: [Verdict], example: Example, configuration: GatewayConfiguration, work: String) async throws {
        for expectation in expectations {
            let label = "\(example.directory): \(expectation.client) on \(expectation.host)\(expectation.route.map { " route \($0)" } ?? "")"
            let listeners = configuration.listeners.filter { expectation.listener == nil || $0.name == expectation.listener }
            let host = try XCTUnwrap(listeners.lazy.flatMap(\.hosts).first { $0.names.contains(expectation.host) }, "\(label): no such host")
            let settings = try XCTUnwrap(host.clientCertificates.policy, "\(label): the host has no policy")
            let chain = try CertificateDecoder.certificates(contentsOfFile: "\(work)/\(expectation.client)")
            let outcome: String
            switch await CertificatePolicy(settings).evaluate(chain) {
            case .rejected(let reasons):
                outcome = reasons.first?.code.rawValue ?? "rejected"
            case .accepted(let accepted):
                if let routeName = expectation.route {
                    let route = try XCTUnwrap(configuration.routes.first { $0.name == routeName }, "\(label): no such route")
                    outcome = route.identity?.rejection(for: accepted.identity)?.code.rawValue ?? "accepted"
                } else {
                    outcome = "accepted"
                }
            }
            XCTAssertEqual(outcome, expectation.expected, label)
        }
    }
}

// MARK: - What each example is expected to be

extension GatewayExampleConfigurationTests {
    struct Example {
        struct Listener {
            var name: String
            var tls: Bool
            var trustedProxyHeader: ForwardedCertificateFormat? = nil
            var trustedProxyAddresses: [String]? = nil
            var hosts: [Host]
        }

        struct Host {
            var names: [String]
            var mode: ClientCertificateMode
            var excludedPaths: [String] = []
            var rejectInHandshake = false
        }

        struct Upstream {
            var name: String
            var scheme: UpstreamConfiguration.Scheme = .http
            var basePath = ""
            var presentsCertificate = false
            var ownCA = false
            var serverName: String? = nil
        }

        struct Route {
            var name: String
            var hosts: [String] = []
            var path: String
            var methods: Set<String>? = nil
            var upstream: String
            var requireCertificate = false
            var tightensIdentity = false
            var forwarding: [ForwardedCertificateFormat] = [.arrClientCert]
            var infoHeaders = false
        }

        var directory: String
        /// How the README names the seeds it implements.
        var seeds: [String]
        /// The README's `trustgate pki` steps, in order.
        var setup: [PKIStep]
        /// Example thumbprint in the YAML → the certificate file whose SHA-1 replaces it.
        var thumbprints: [String: String] = [:]
        var listeners: [Listener]
        var upstreams: [Upstream]
        var routes: [Route]
        var admin: String? = nil
        var verdicts: [Verdict]
        /// Steps the README's "Try it" takes afterwards (revocations), and what is expected after them.
        var later: [PKIStep] = []
        var verdictsLater: [Verdict] = []

        static let all: [Example] = [
            .b2cRestAPI, .appServiceRequired, .optionalMode, .behindTLSTerminator, .apiManagementPolicies, .upstreamMTLS, .sniVirtualHosts,
        ]

        /// `pki init-ca --dir ca --name "CN=Example Root CA, O=Example" --intermediate --intermediate-name "CN=Example Issuing CA, O=Example"`
        static let exampleCA = PKIStep.initCA(directory: "ca", name: "CN=Example Root CA, O=Example", intermediate: "CN=Example Issuing CA, O=Example")

        static let b2cRestAPI = Example(
            directory: "b2c-rest-api",
            seeds: ["000", "001"],
            setup: [
                exampleCA,
                .mkdir("certs"), .mkdir("clients"),
                .issue(ca: "ca", type: .server, subject: "CN=identity-api.contoso.example", out: "certs/server"),
                .selfSigned(subject: "CN=b2c-api-connector, O=Contoso", out: "clients/b2c-client"),
                .copy("clients/b2c-client.pem", "certs/b2c-client.pem"),
                .selfSigned(subject: "CN=b2c-api-connector, O=Contoso", out: "clients/impostor"),
            ],
            thumbprints: ["9C4E1A7B3F2D8E605B1C4A9D7E3F2A1B0C8D6E54": "certs/b2c-client.pem"],
            listeners: [
                Listener(name: "public", tls: true, hosts: [Host(names: ["identity-api.contoso.example"], mode: .required, excludedPaths: ["/health"])]),
            ],
            upstreams: [Upstream(name: "identity-api")],
            routes: [
                Route(name: "claims-exchange", path: "/api/identity", methods: ["POST"], upstream: "identity-api", infoHeaders: true),
                Route(name: "health", path: "/health", methods: ["GET", "HEAD"], upstream: "identity-api", forwarding: []),
            ],
            verdicts: [
                Verdict(client: "clients/b2c-client.pem", host: "identity-api.contoso.example", expected: "accepted"),
                Verdict(client: "clients/impostor.pem", host: "identity-api.contoso.example", expected: "self_signed_not_pinned"),
            ])

        static let appServiceRequired = Example(
            directory: "app-service-required",
            seeds: ["seed 002"],
            setup: [
                exampleCA,
                .mkdir("certs"), .mkdir("clients"),
                .copy("ca/root.pem", "certs/ca.pem"), .copy("ca/intermediate.pem", "certs/intermediate.pem"),
                .issue(ca: "ca", type: .server, subject: "CN=app.example.test", out: "certs/server"),
                .issue(ca: "ca", type: .client, subject: "CN=app-client", out: "clients/app-client"),
            ],
            listeners: [
                Listener(name: "https", tls: true, hosts: [Host(names: ["app.example.test"], mode: .required, excludedPaths: ["/public", "/health"])]),
            ],
            upstreams: [Upstream(name: "app")],
            routes: [
                Route(name: "uploads", path: "/upload", methods: ["POST", "PUT"], upstream: "app"),
                Route(name: "site", path: "/", upstream: "app"),
            ],
            admin: "127.0.0.1:9901",
            verdicts: [
                Verdict(client: "clients/app-client-chain.pem", host: "app.example.test", expected: "accepted"),
                // The leaf alone: the configured intermediate completes the chain.
                Verdict(client: "clients/app-client.pem", host: "app.example.test", expected: "accepted"),
                // A server certificate is not a client certificate (clientAuth usage).
                Verdict(client: "certs/server-chain.pem", host: "app.example.test", expected: "eku_mismatch"),
            ])

        static let optionalMode = Example(
            directory: "optional-mode",
            seeds: ["seed 002"],
            setup: [
                exampleCA,
                .mkdir("certs"), .mkdir("clients"),
                .copy("ca/root.pem", "certs/ca.pem"), .copy("ca/intermediate.pem", "certs/intermediate.pem"),
                .issue(ca: "ca", type: .server, subject: "CN=portal.example.test", out: "certs/server"),
                .issue(ca: "ca", type: .client, subject: "CN=alice, O=Example", out: "clients/alice"),
                .issue(ca: "ca", type: .client, subject: "CN=old, O=Example", out: "clients/expired",
                       validity: ("2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")),
            ],
            listeners: [Listener(name: "portal", tls: true, hosts: [Host(names: ["portal.example.test"], mode: .optional)])],
            upstreams: [Upstream(name: "portal")],
            routes: [
                Route(name: "account", path: "/account", upstream: "portal", requireCertificate: true, forwarding: [.rfc9440, .arrClientCert], infoHeaders: true),
                Route(name: "pages", path: "/", upstream: "portal"),
            ],
            verdicts: [
                Verdict(client: "clients/alice-chain.pem", host: "portal.example.test", expected: "accepted"),
                Verdict(client: "clients/expired-chain.pem", host: "portal.example.test", expected: "expired"),
            ])

        static let behindTLSTerminator = Example(
            directory: "behind-tls-terminator",
            seeds: ["seed 002"],
            setup: [
                exampleCA,
                .mkdir("certs"), .mkdir("clients"),
                .copy("ca/root.pem", "certs/ca.pem"), .copy("ca/intermediate.pem", "certs/intermediate.pem"),
                .crl(ca: "ca", root: false, out: "certs/crl.pem"),
                .issue(ca: "ca", type: .client, subject: "CN=app-client, O=Example", out: "clients/app-client"),
            ],
            listeners: [
                Listener(name: "from-front-end", tls: false, trustedProxyHeader: .arrClientCert, trustedProxyAddresses: ["10.0.0.0/8"],
                         hosts: [Host(names: ["app.example.test"], mode: .required, excludedPaths: ["/health"])]),
                Listener(name: "from-rfc9440-proxy", tls: false, trustedProxyHeader: .rfc9440, trustedProxyAddresses: ["10.0.0.0/8"],
                         hosts: [Host(names: ["app.example.test"], mode: .required, excludedPaths: ["/health"])]),
            ],
            upstreams: [Upstream(name: "app")],
            routes: [Route(name: "app", path: "/", upstream: "app")],
            admin: "127.0.0.1:9901",
            verdicts: [
                // X-ARR-ClientCert carries only the leaf: policy.yaml's intermediate completes the chain.
                Verdict(client: "clients/app-client.pem", host: "app.example.test", listener: "from-front-end", expected: "accepted"),
                Verdict(client: "clients/app-client-chain.pem", host: "app.example.test", listener: "from-rfc9440-proxy", expected: "accepted"),
            ],
            later: [.revoke(ca: "ca", certificate: "clients/app-client.pem"), .crl(ca: "ca", root: false, out: "certs/crl.pem")],
            verdictsLater: [
                Verdict(client: "clients/app-client.pem", host: "app.example.test", listener: "from-front-end", expected: "revoked"),
            ])

        static let apiManagementPolicies = Example(
            directory: "api-management-policies",
            seeds: ["seed 003"],
            setup: [
                exampleCA,
                .mkdir("certs/uploaded-clients"), .mkdir("clients"),
                .copy("ca/root.pem", "certs/ca.pem"), .copy("ca/intermediate.pem", "certs/intermediate.pem"),
                .issue(ca: "ca", type: .server, subject: "CN=api.example.test", out: "certs/server"),
                .issue(ca: "ca", type: .client, subject: "CN=orders, O=Example", out: "clients/orders"),
                .issue(ca: "ca", type: .client, subject: "CN=billing, O=Example", out: "clients/billing"),
                .issue(ca: "ca", type: .client, subject: "", uris: ["spiffe://example.test/ns/prod/sa/admin-console"], out: "clients/admin-console"),
                .issue(ca: "ca", type: .client, subject: "CN=partner, O=Partner", out: "clients/partner"),
                .copy("clients/partner.pem", "certs/uploaded-clients/partner.pem"),
                .issue(ca: "ca", type: .client, subject: "CN=stranger, O=Example", out: "clients/stranger"),
                .crl(ca: "ca", root: false, out: "certs/crl.pem"),
                .crl(ca: "ca", root: true, out: "certs/root-crl.pem"),
            ],
            thumbprints: ["3A1F5C0E9B7D2A64C8E1F0B39D5A7C2E4B6D8F10": "clients/orders.pem"],
            listeners: [Listener(name: "api", tls: true, hosts: [Host(names: ["api.example.test"], mode: .required)])],
            upstreams: [Upstream(name: "backend", basePath: "/api")],
            routes: [
                Route(name: "admin", path: "/admin", upstream: "backend", tightensIdentity: true, infoHeaders: true),
                Route(name: "billing", path: "/billing", upstream: "backend", tightensIdentity: true),
                Route(name: "orders", path: "/orders", methods: ["GET", "POST"], upstream: "backend", tightensIdentity: true, forwarding: [.rfc9440]),
                Route(name: "catalog", path: "/", upstream: "backend"),
            ],
            admin: "127.0.0.1:9901",
            verdicts: [
                Verdict(client: "clients/orders-chain.pem", host: "api.example.test", route: "orders", expected: "accepted"),
                Verdict(client: "clients/billing-chain.pem", host: "api.example.test", route: "orders", expected: "identity_mismatch"),
                Verdict(client: "clients/billing-chain.pem", host: "api.example.test", route: "billing", expected: "accepted"),
                Verdict(client: "clients/admin-console-chain.pem", host: "api.example.test", route: "admin", expected: "accepted"),
                Verdict(client: "clients/orders-chain.pem", host: "api.example.test", route: "admin", expected: "identity_mismatch"),
                Verdict(client: "clients/partner-chain.pem", host: "api.example.test", route: "catalog", expected: "accepted"),
                Verdict(client: "clients/stranger-chain.pem", host: "api.example.test", route: "catalog", expected: "identity_mismatch"),
            ],
            later: [.revoke(ca: "ca", certificate: "clients/billing.pem"), .crl(ca: "ca", root: false, out: "certs/crl.pem")],
            verdictsLater: [
                Verdict(client: "clients/billing-chain.pem", host: "api.example.test", route: "billing", expected: "revoked"),
                Verdict(client: "clients/orders-chain.pem", host: "api.example.test", route: "orders", expected: "accepted"),
            ])

        static let upstreamMTLS = Example(
            directory: "upstream-mtls",
            seeds: ["seed 001", "seed 003"],
            setup: [
                exampleCA,
                .mkdir("certs"), .mkdir("clients"), .mkdir("upstream"),
                .copy("ca/root.pem", "certs/ca.pem"),
                .issue(ca: "ca", type: .server, subject: "CN=reports.example.test", out: "certs/server"),
                .issue(ca: "ca", type: .client, subject: "", uris: ["spiffe://example.test/ns/prod/sa/reporting"], out: "clients/reporting"),
                .issue(ca: "ca", type: .client, subject: "", uris: ["spiffe://example.test/ns/prod/sa/marketing"], out: "clients/marketing"),
                .initCA(directory: "upstream-ca", name: "CN=Internal Services CA, O=Example", intermediate: nil),
                .copy("upstream-ca/root.pem", "certs/upstream-ca.pem"),
                .issue(ca: "upstream-ca", type: .server, subject: "CN=legacy-api.internal.example", out: "upstream/legacy-api"),
                .issue(ca: "upstream-ca", type: .client, subject: "CN=trustgate-gateway, O=Example", out: "certs/gateway-client"),
            ],
            listeners: [Listener(name: "edge", tls: true, hosts: [Host(names: ["reports.example.test"], mode: .required)])],
            upstreams: [
                Upstream(name: "legacy-api", scheme: .https, basePath: "/v1", presentsCertificate: true, ownCA: true, serverName: "legacy-api.internal.example"),
            ],
            routes: [
                Route(name: "reports", path: "/reports", methods: ["GET"], upstream: "legacy-api", forwarding: [.rfc9440], infoHeaders: true),
            ],
            verdicts: [
                Verdict(client: "clients/reporting-chain.pem", host: "reports.example.test", expected: "accepted"),
                Verdict(client: "clients/marketing-chain.pem", host: "reports.example.test", expected: "identity_mismatch"),
                // The gateway's own certificate for the upstream hop is not a client of the gateway.
                Verdict(client: "certs/gateway-client-chain.pem", host: "reports.example.test", expected: "untrusted_issuer"),
            ])

        static let sniVirtualHosts = Example(
            directory: "sni-virtual-hosts",
            seeds: ["seeds 002 and 003"],
            setup: [
                exampleCA,
                .initCA(directory: "partner-ca", name: "CN=Partner Root CA, O=Partner", intermediate: nil),
                .mkdir("certs"), .mkdir("clients"),
                .copy("ca/root.pem", "certs/ca.pem"), .copy("partner-ca/root.pem", "certs/partner-ca.pem"),
                .crl(ca: "partner-ca", root: false, out: "certs/partner-crl.pem"),
                .issue(ca: "ca", type: .server, subject: "CN=www.example.test", dns: ["www.example.test", "example.test"], out: "certs/www"),
                .issue(ca: "ca", type: .server, subject: "CN=api.example.test", out: "certs/api"),
                .issue(ca: "ca", type: .server, subject: "CN=partner.example.test", dns: ["partner.example.test", "*.partner.example.test"], out: "certs/partner"),
                .issue(ca: "ca", type: .client, subject: "", uris: ["spiffe://example.test/ns/prod/sa/orders"], out: "clients/orders"),
                .issue(ca: "partner-ca", type: .client, subject: "CN=acme-orders, O=Partner", out: "clients/partner"),
            ],
            listeners: [
                Listener(name: "sites", tls: true, hosts: [
                    Host(names: ["www.example.test", "example.test"], mode: .ignore),
                    Host(names: ["api.example.test"], mode: .required, rejectInHandshake: true),
                    Host(names: ["partner.example.test", "*.partner.example.test"], mode: .optional),
                ]),
            ],
            upstreams: [Upstream(name: "web"), Upstream(name: "services"), Upstream(name: "partner-orders")],
            routes: [
                Route(name: "website", hosts: ["www.example.test"], path: "/", upstream: "web"),
                Route(name: "api", hosts: ["api.example.test"], path: "/", upstream: "services", forwarding: [.xfcc]),
                Route(name: "partner-orders", hosts: ["partner.example.test"], path: "/orders", methods: ["GET", "POST"], upstream: "partner-orders",
                      requireCertificate: true, infoHeaders: true),
                Route(name: "partner-docs", hosts: ["partner.example.test"], path: "/", upstream: "web", forwarding: []),
            ],
            admin: "127.0.0.1:9901",
            verdicts: [
                Verdict(client: "clients/orders-chain.pem", host: "api.example.test", expected: "accepted"),
                Verdict(client: "clients/partner-chain.pem", host: "api.example.test", expected: "untrusted_issuer"),
                Verdict(client: "clients/partner-chain.pem", host: "partner.example.test", expected: "accepted"),
                Verdict(client: "clients/orders-chain.pem", host: "partner.example.test", expected: "untrusted_issuer"),
            ])
    }

    /// A client certificate file and what the gateway should make of it on a host (and route).
    struct Verdict {
        var client: String
        var host: String
        var listener: String? = nil
        var route: String? = nil
        /// "accepted" or a ``RejectionCode`` raw value.
        var expected: String
    }

    // MARK: - Replaying the READMEs' `trustgate pki` steps

    /// One `trustgate pki` command (or shell step) of a README, replayed with the library code behind it.
    enum PKIStep {
        /// `pki init-ca --dir DIRECTORY --name NAME [--intermediate --intermediate-name INTERMEDIATE]`
        case initCA(directory: String, name: String, intermediate: String?)
        /// `pki issue --ca CA --type TYPE --subject SUBJECT [--dns …] [--uri …] --out OUT [--not-before … --not-after …]`
        case issue(ca: String, type: IssuanceProfile, subject: String, dns: [String] = [], uris: [String] = [], out: String,
                   validity: (notBefore: String, notAfter: String)? = nil)
        /// `pki self-signed --subject SUBJECT --out OUT` (RSA 2048, as the command's default)
        case selfSigned(subject: String, out: String)
        /// `pki revoke --ca CA --cert CERTIFICATE`
        case revoke(ca: String, certificate: String)
        /// `pki crl --ca CA [--root] --out OUT` (7 days)
        case crl(ca: String, root: Bool, out: String)
        /// `mkdir -p`
        case mkdir(String)
        /// `cp`
        case copy(String, String)
    }

    struct PKIReplay {
        let directory: String
        let now = Date()

        init(directory: String) {
            self.directory = directory
        }

        private func path(_ relative: String) -> String { "\(directory)/\(relative)" }

        func run(_ steps: [PKIStep]) throws {
            for step in steps { try run(step) }
        }

        private func run(_ step: PKIStep) throws {
            switch step {
            case .initCA(let caDirectory, let name, let intermediate):
                _ = try CertificateAuthority.create(
                    in: path(caDirectory),
                    options: .init(
                        rootSubject: try DistinguishedName(parsing: name),
                        validity: try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(3650 * 86_400)),
                        intermediateSubject: try intermediate.map { try DistinguishedName(parsing: $0) }))
            case .issue(let ca, let type, let subject, let dns, let uris, let out, let validity):
                let authority = try CertificateAuthority.load(from: path(ca))
                let name = subject.isEmpty ? DistinguishedName() : try DistinguishedName(parsing: subject)
                var dnsNames = dns
                // As `pki issue`: a server certificate without --dns takes its CN as DNS name.
                if type == .server, dnsNames.isEmpty, let commonName = Self.commonName(subject) { dnsNames = [commonName] }
                let period: ValidityPeriod
                if let validity {
                    period = try ValidityPeriod(notBefore: try Self.date(validity.notBefore), notAfter: try Self.date(validity.notAfter))
                } else {
                    period = try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(365 * 86_400))
                }
                let issued = try authority.issue(
                    IssuanceRequest(
                        profile: type, subject: name,
                        subjectAlternativeNames: dnsNames.map { GeneralName.dnsName($0) } + uris.map { GeneralName.uniformResourceIdentifier($0) },
                        validity: period),
                    now: now)
                try write(PEMSerialization.certificates([issued.certificate]), to: out + ".pem")
                try write(PEMSerialization.certificates(issued.chain), to: out + "-chain.pem")
                try write(PEMSerialization.privateKey(issued.privateKey), to: out + ".key")
            case .selfSigned(let subject, let out):
                let issued = try SelfSignedCertificate.make(IssuanceRequest(
                    profile: .selfSigned, subject: try DistinguishedName(parsing: subject),
                    validity: try ValidityPeriod(notBefore: now, notAfter: now.addingTimeInterval(365 * 86_400)),
                    keyAlgorithm: .rsa2048))
                try write(PEMSerialization.certificates([issued.certificate]), to: out + ".pem")
                try write(PEMSerialization.privateKey(issued.privateKey), to: out + ".key")
            case .revoke(let ca, let certificate):
                let authority = try CertificateAuthority.load(from: path(ca))
                let leaf = try XCTUnwrap(CertificateDecoder.certificates(contentsOfFile: path(certificate)).first)
                _ = try authority.revoke(certificate: leaf)
            case .crl(let ca, let root, let out):
                let authority = try CertificateAuthority.load(from: path(ca))
                let crl = try authority.makeCRL(validity: 7 * 86_400, now: Date(), signer: root ? .root : .issuingCA)
                try write(crl.pemString, to: out)
            case .mkdir(let relative):
                try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
            case .copy(let from, let to):
                if FileManager.default.fileExists(atPath: path(to)) { try FileManager.default.removeItem(atPath: path(to)) }
                try FileManager.default.copyItem(atPath: path(from), toPath: path(to))
            }
        }

        private func write(_ text: String, to relative: String) throws {
            try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
        }

        private static func commonName(_ subject: String) -> String? {
            for part in subject.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                if trimmed.uppercased().hasPrefix("CN=") { return String(trimmed.dropFirst(3)) }
            }
            return nil
        }

        private static func date(_ text: String) throws -> Date {
            try XCTUnwrap(ISO8601DateFormatter().date(from: text), "not an ISO 8601 date: \(text)")
        }
    }
}
