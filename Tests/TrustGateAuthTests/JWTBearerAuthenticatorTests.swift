import Foundation
import Synchronization
import TrustGateAuth
import TrustGateJOSE
import TrustGateX509
import XCTest

final class JWTBearerAuthenticatorTests: XCTestCase {
    private final class TestClock: Sendable {
        private let current: Mutex<Date>
        init(_ date: Date) { current = Mutex(date) }
        var now: Date { current.withLock { $0 } }
        func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func authenticator(clock: TestClock, settings: JWTIssuerSettings? = nil) throws -> JWTBearerAuthenticator {
        JWTBearerAuthenticator(
            name: "entra", realm: "loyalty",
            validator: JWTAccessTokenValidator(settings: try settings ?? JWTTestIssuer.inlineSettings()),
            clock: { clock.now })
    }

    private func request(_ authorization: [String], certificate: [UInt8]? = nil) -> AuthenticationRequest {
        AuthenticationRequest(
            headers: authorization.map { ("authorization", $0) },
            isSecureTransport: true,
            clientCertificate: certificate.map {
                ClientCertificateEvidence(chain: PresentedCertificateChain(derCertificates: [$0]), source: .tlsConnection)
            })
    }

    private func failure(_ outcome: AuthenticationOutcome?) -> (AuthenticationFailure, AuthenticationChallenge?)? {
        if case .failed(let failure, let challenge)? = outcome { return (failure, challenge) }
        return nil
    }

    func testPublicInitializerTheConfigurationUses() throws {
        let authenticator = JWTBearerAuthenticator(name: "entra", settings: try JWTTestIssuer.inlineSettings(), realm: "loyalty")
        XCTAssertEqual(authenticator.name, "entra")
        XCTAssertEqual(authenticator.method, .jwtBearer)
        XCTAssertEqual(authenticator.headerNames, ["authorization"])
        XCTAssertEqual(authenticator.settings.issuer, JWTTestIssuer.issuer)
    }

    func testNoTokenGetsABareChallenge() async throws {
        let authenticator = try authenticator(clock: TestClock(start))
        for headers in [[], ["Basic dXNlcjpwYXNz"], ["Negotiate abc"], ["Bearerx abc"]] {
            guard case .notPresented(let challenge)? = authenticator.immediateOutcome(for: request(headers)) else {
                return XCTFail("\(headers) should be not presented")
            }
            XCTAssertEqual(challenge?.headerValue, #"Bearer realm="loyalty""#)
            guard case .notPresented = await authenticator.authenticate(request(headers)) else { return XCTFail("\(headers)") }
        }
    }

    func testMalformedRequestsAreInvalidRequest() async throws {
        let authenticator = try authenticator(clock: TestClock(start))
        let token = try JWTTestIssuer.token(now: start)
        for headers in [["Bearer \(token)", "Bearer \(token)"], ["Bearer"], ["Bearer   "], ["Bearer a b"], ["Bearer tok,en"], ["Bearer =abc"], ["Bearer ab=c"]] {
            let immediate = failure(authenticator.immediateOutcome(for: request(headers)))
            XCTAssertEqual(immediate?.0.kind, .invalidRequest, "\(headers)")
            XCTAssertEqual(immediate?.1?.parameters.first { $0.name == "error" }?.value, "invalid_request")
            let later = await authenticator.authenticate(request(headers))
            XCTAssertEqual(failure(later)?.0.kind, .invalidRequest, "\(headers)")
        }
    }

    func testValidTokenAuthenticatesWithAnySchemeCase() async throws {
        let authenticator = try authenticator(clock: TestClock(start))
        for scheme in ["Bearer", "bearer", "BEARER"] {
            let token = try JWTTestIssuer.token(now: start, ["jti": .string(scheme)])
            XCTAssertNil(authenticator.immediateOutcome(for: request(["\(scheme) \(token)"])), "needs a signature check")
            guard case .authenticated(let principal) = await authenticator.authenticate(request(["\(scheme)  \(token) "])) else {
                return XCTFail("\(scheme) should authenticate")
            }
            XCTAssertEqual(principal.name, "user-1")
            XCTAssertEqual(principal.methods, [.jwtBearer])
            XCTAssertEqual(principal.schemes, ["entra"])
            XCTAssertEqual(principal.roles, ["service-api"])
            XCTAssertEqual(principal.scopes, ["orders.read", "orders.write"])
            XCTAssertNil(principal.certificate)
            XCTAssertEqual(principal.token?.clientID, "client-app")
        }
        guard case .authenticated(let app) = await authenticator.authenticate(request(["Bearer " + (try JWTTestIssuer.token(now: start, ["sub": nil]))])) else {
            return XCTFail("app token should authenticate")
        }
        XCTAssertEqual(app.name, "client-app")
    }

    func testInvalidTokensGetInvalidTokenChallenges() async throws {
        let authenticator = try authenticator(clock: TestClock(start))
        let cases: [(String, String)] = [
            (try JWTTestIssuer.token(now: start, ["aud": "api://other"]), "the token is not for this audience"),
            (try JWTTestIssuer.token(now: start, ["iss": "https://evil.example"]), "the token is from another issuer"),
            (try JWTTestIssuer.token(now: start.addingTimeInterval(-3600)), "the token has expired"),
            (try JWTTestIssuer.token(type: "JWT", now: start), "the token type (typ) is not accepted"),
            ("a.b.c", "the token is malformed: header is not base64url"),
        ]
        for (token, description) in cases {
            guard let (failure, challenge) = failure(await authenticator.authenticate(request(["Bearer \(token)"]))) else {
                return XCTFail("\(description): not a failure")
            }
            XCTAssertEqual(failure.kind, .invalidToken)
            XCTAssertEqual(failure.method, .jwtBearer)
            XCTAssertEqual(failure.scheme, "entra")
            XCTAssertEqual(failure.detail, description)
            XCTAssertFalse(failure.detail.contains(token))
            XCTAssertEqual(challenge?.headerValue, #"Bearer realm="loyalty", error="invalid_token", error_description="\#(description)""#)
        }
    }

    func testCacheHitsAnswerImmediatelyAndStillExpire() async throws {
        let clock = TestClock(start)
        let authenticator = try authenticator(clock: clock)
        let token = try JWTTestIssuer.token(now: start)
        guard case .authenticated = await authenticator.authenticate(request(["Bearer \(token)"])) else { return XCTFail("valid token") }
        guard case .authenticated(let principal)? = authenticator.immediateOutcome(for: request(["Bearer \(token)"])) else {
            return XCTFail("a verified token is answered from the cache")
        }
        XCTAssertEqual(principal.name, "user-1")

        clock.advance(by: 3600)
        let expired = failure(authenticator.immediateOutcome(for: request(["Bearer \(token)"])))
        XCTAssertEqual(expired?.0.kind, .invalidToken)
        XCTAssertEqual(expired?.0.detail, "the token has expired")
        let again = await authenticator.authenticate(request(["Bearer \(token)"]))
        XCTAssertEqual(failure(again)?.0.detail, "the token has expired")
    }

    func testCertificateBoundTokens() async throws {
        let authenticator = try authenticator(clock: TestClock(start))
        let leaf = try JWTTestPKI.clientCertificateDER(name: "bound")
        let other = try JWTTestPKI.clientCertificateDER(name: "other")
        let token = try JWTTestIssuer.token(now: start, ["cnf": ["x5t#S256": .string(CertificateThumbprint.sha256(certificateDER: leaf))]])

        guard case .authenticated = await authenticator.authenticate(request(["Bearer \(token)"], certificate: leaf)) else {
            return XCTFail("bound token with its certificate")
        }
        XCTAssertEqual(failure(authenticator.immediateOutcome(for: request(["Bearer \(token)"], certificate: other)))?.0.detail,
                       "the token is bound to a different client certificate")
        let withoutCertificate = await authenticator.authenticate(request(["Bearer \(token)"]))
        XCTAssertEqual(failure(withoutCertificate)?.0.detail, "the token is bound to a client certificate and none was presented")
        let jktOnly = try JWTTestIssuer.token(now: start, ["cnf": ["jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"]])
        let dpopBound = await authenticator.authenticate(request(["Bearer \(jktOnly)"], certificate: leaf))
        XCTAssertEqual(failure(dpopBound)?.0.detail, "the token's confirmation method (cnf) is not supported")
    }
}
