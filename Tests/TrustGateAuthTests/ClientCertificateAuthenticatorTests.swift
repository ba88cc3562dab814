import TrustGateX509
import X509
import XCTest
@testable import TrustGateAuth

final class ClientCertificateAuthenticatorTests: XCTestCase {
    private var pki: AuthTestPKI!

    override func setUpWithError() throws {
        pki = try AuthTestPKI()
    }

    private func evidence(_ certificate: Certificate, verdict: CertificateVerdict? = nil) -> ClientCertificateEvidence {
        ClientCertificateEvidence(chain: PresentedCertificateChain([certificate]), source: .tlsConnection, verdict: verdict)
    }

    func testNoCertificateIsNotPresentedWithoutAChallenge() {
        let authenticator = ClientCertificateAuthenticator(policy: pki.policy)
        guard case .notPresented(let challenge)? = authenticator.immediateOutcome(for: AuthTest.request()) else { return XCTFail() }
        XCTAssertNil(challenge)
        XCTAssertEqual(authenticator.name, "certificate")
        XCTAssertEqual(authenticator.headerNames, [])
    }

    func testThePolicyJudgesACertificateWithoutVerdictAndTheSubjectBecomesTheName() async throws {
        let authenticator = ClientCertificateAuthenticator(policy: pki.policy)
        let request = AuthTest.request(certificate: evidence(try pki.client("b2c-connector")))
        XCTAssertNil(authenticator.immediateOutcome(for: request), "an uncached chain needs path building")
        let outcome = await authenticator.authenticate(request)
        guard case .authenticated(let principal) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(principal.name, "CN=b2c-connector,O=Loyalty,C=US")
        XCTAssertEqual(principal.methods, [.clientCertificate])
        XCTAssertEqual(principal.certificate?.commonNames, ["b2c-connector"])
        XCTAssertEqual(AuthTest.principalName(authenticator.immediateOutcome(for: request)), "CN=b2c-connector,O=Loyalty,C=US", "then from the verdict cache")
    }

    func testARejectedCertificateFailsWithItsRejectionCode() async throws {
        let authenticator = ClientCertificateAuthenticator(policy: pki.policy)
        let outcome = await authenticator.authenticate(AuthTest.request(certificate: evidence(try pki.client("stranger", selfSigned: true))))
        guard case .invalidCertificate(let code)? = AuthTest.failure(outcome)?.kind else { return XCTFail("\(outcome)") }
        XCTAssertEqual(code, .selfSignedNotPinned)
    }

    func testTheCallersVerdictWinsOverThePolicy() throws {
        let authenticator = ClientCertificateAuthenticator(policy: nil)
        let rejected = evidence(try pki.client("x"), verdict: .rejected([CertificateRejection(.revoked, "the certificate was revoked")]))
        let outcome = authenticator.immediateOutcome(for: AuthTest.request(certificate: rejected))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCertificate(.revoked))
        XCTAssertEqual(AuthTest.failure(outcome)?.detail, "the certificate was revoked")
    }

    func testAnAcceptedVerdictFromTheCallerAuthenticatesAtOnce() async throws {
        let certificate = try pki.client("gateway-judged")
        let verdict = await pki.policy.evaluate([certificate])
        XCTAssertTrue(verdict.isAccepted)
        let authenticator = ClientCertificateAuthenticator(policy: nil)
        let outcome = authenticator.immediateOutcome(for: AuthTest.request(certificate: evidence(certificate, verdict: verdict)))
        XCTAssertEqual(AuthTest.principalName(outcome), "CN=gateway-judged,O=Loyalty,C=US")
    }

    func testWithoutVerdictOrPolicyItFailsClosed() async throws {
        let authenticator = ClientCertificateAuthenticator(policy: nil)
        let outcome = await authenticator.authenticate(AuthTest.request(certificate: evidence(try pki.client("x"))))
        XCTAssertEqual(AuthTest.failure(outcome)?.kind, .invalidCertificate(.untrustedIssuer))
    }
}
