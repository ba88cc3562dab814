import NIOCore
import NIOEmbedded
import TrustGateX509
import X509
import XCTest

@testable import TrustGateGateway

/// `RequestAuthorization` as the pure function its doc comment promises: every host mode × excluded or not ×
/// route requirement × verdict (none presented, refused, accepted), for the host-level and the route-level
/// decision.
final class RequestAuthorizationTests: XCTestCase {
    private static let noCertificateDetail = "A client certificate is required for this resource and none was presented."

    /// What a route asks of the certificate.
    private enum RouteRequirement: CaseIterable {
        case nothing
        case certificate
        case matchingIdentity
        case otherIdentity
    }

    private enum Verdict: CaseIterable {
        case none
        case rejected
        case accepted
    }

    private var pki: GatewayTestPKI!
    private var loop: EmbeddedEventLoop!
    private var verdicts: [Verdict: CertificateVerdict] = [:]

    override func setUp() async throws {
        pki = try GatewayTestPKI()
        loop = EmbeddedEventLoop()
        let policy = CertificatePolicy(try pki.policy())
        verdicts[.accepted] = await policy.evaluate(pki.client.issued.chain)
        verdicts[.rejected] = await policy.evaluate(pki.expired.issued.chain)
        XCTAssertTrue(verdicts[.accepted]?.isAccepted ?? false, "\(String(describing: verdicts[.accepted]?.codes))")
        XCTAssertEqual(verdicts[.rejected]?.codes, [.expired])
    }

    override func tearDown() async throws {
        try await loop.close()
        pki.remove()
    }

    func testHostDenialForEveryModeExclusionAndVerdict() {
        for mode in ClientCertificateMode.allCases {
            for excluded in [false, true] {
                for verdict in Verdict.allCases {
                    let decision = RequestAuthorization.hostDenial(mode: mode, excluded: excluded, verdict: verdicts[verdict])
                    let context = "\(mode), excluded: \(excluded), verdict: \(verdict)"
                    switch verdict {
                    case .none where mode == .required && !excluded:
                        assertDenied(decision, .noCertificate, detail: Self.noCertificateDetail, context)
                    case .none, .accepted:
                        XCTAssertNil(decision, context)
                    case .rejected:
                        // A refused certificate is never ignored, not even on an excluded path.
                        assertDenied(decision, .expired, detail: nil, context)
                    }
                }
            }
        }
    }

    func testRouteDecisionForEveryModeExclusionRequirementAndVerdict() throws {
        for mode in ClientCertificateMode.allCases {
            for excluded in [false, true] {
                for requirement in RouteRequirement.allCases {
                    let route = try self.route(requirement)
                    for verdict in Verdict.allCases {
                        let decision = RequestAuthorization.decide(
                            mode: mode, excluded: excluded, route: route, verdict: verdicts[verdict])
                        let context = "\(mode), excluded: \(excluded), route: \(requirement), verdict: \(verdict)"
                        switch (verdict, requirement) {
                        case (.none, .nothing) where mode != .required || excluded:
                            assertAllowed(decision, commonName: nil, context)
                        case (.none, _):
                            // The route's own requirement holds on excluded paths and in every mode.
                            assertDenied(decision, .noCertificate, detail: Self.noCertificateDetail, context)
                        case (.rejected, _):
                            assertDenied(decision, .expired, detail: nil, context)
                        case (.accepted, .otherIdentity):
                            assertDenied(decision, .identityMismatch, detail: nil, context)
                        case (.accepted, _):
                            assertAllowed(decision, commonName: "client", context)
                        }
                    }
                }
            }
        }
    }

    private func route(_ requirement: RouteRequirement) throws -> CompiledRoute {
        var configuration = RouteConfiguration(name: "\(requirement)", upstream: "echo")
        switch requirement {
        case .nothing: break
        case .certificate: configuration.requireCertificate = true
        case .matchingIdentity: configuration.identity = Self.identity(commonName: "client")
        case .otherIdentity: configuration.identity = Self.identity(commonName: "someone-else")
        }
        let upstream = try UpstreamRuntime(
            configuration: UpstreamConfiguration(name: "echo", scheme: .http, host: "127.0.0.1", port: 1),
            group: loop, metrics: GatewayMetrics())
        return CompiledRoute(
            configuration: configuration, name: configuration.name, hostIndices: nil, loweredPrefix: "/", methods: nil,
            upstream: upstream, identity: configuration.identity)
    }

    private static func identity(commonName: String) -> IdentityRequirement {
        var claims = IdentityClaims()
        claims.commonName = commonName
        return IdentityRequirement(required: claims)
    }

    private func assertAllowed(
        _ decision: RequestAuthorization.Decision, commonName: String?, _ context: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .allow(let accepted) = decision else { return XCTFail("\(context): \(decision)", file: file, line: line) }
        XCTAssertEqual(accepted?.identity.commonNames.first, commonName, context, file: file, line: line)
    }

    /// `detail` nil: the policy's own message, which only has to be there.
    private func assertDenied(
        _ decision: RequestAuthorization.Decision?, _ code: RejectionCode, detail: String?, _ context: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .deny(let denied, let text)? = decision else {
            return XCTFail("\(context): \(String(describing: decision))", file: file, line: line)
        }
        XCTAssertEqual(denied, code, context, file: file, line: line)
        if let detail {
            XCTAssertEqual(text, detail, context, file: file, line: line)
        } else {
            XCTAssertFalse(text.isEmpty, context, file: file, line: line)
        }
    }
}
