import Crypto
import Foundation
import TrustGateJOSE
import TrustGateX509
import X509
import XCTest

@testable import TrustGateStore

/// Registered certificates (thumbprint lookups) and subject/issuer rules (DN and SAN matching).
final class StoreCertificateTests: XCTestCase {
    func testCertificateLookupByEveryThumbprintForm() async throws {
        let (store, _) = try makeStore(self)
        let directory = try makeTemporaryDirectory(self)
        let pki = try TestPKI(directory: directory)
        try await store.addClient(try makeClient("billing"))
        try await store.addClient(try makeClient("payroll"))
        let billingCertificate = try pki.issueClient(subject: "CN=billing,O=Example").certificate
        let payrollCertificate = try pki.issueClient(subject: "CN=payroll,O=Example").certificate

        // PEM file bytes for one, a DER .cer for the other.
        let pemPath = try pki.write(billingCertificate, name: "billing.pem")
        let derPath = try pki.write(payrollCertificate, name: "payroll.cer", der: true)
        let billing = try ClientCertificate(clientID: "billing", fileBytes: Array(try Data(contentsOf: URL(fileURLWithPath: pemPath))))
        let payroll = try ClientCertificate(clientID: "payroll", fileBytes: Array(try Data(contentsOf: URL(fileURLWithPath: derPath))))
        XCTAssertEqual(billing.derBytes, billingCertificate.derBytes)
        XCTAssertEqual(billing.subject, "CN=billing,O=Example")
        XCTAssertEqual(billing.x5tS256, CertificateThumbprint.sha256(certificateDER: billingCertificate.derBytes))
        XCTAssertEqual(billing.x5t, CertificateThumbprint.sha1(certificateDER: billingCertificate.derBytes))
        try await store.addCertificate(billing)
        try await store.addCertificate(payroll)

        let bySHA256 = try await store.clientCertificate(matching: try XCTUnwrap(CertificateDigest(x5tS256: billing.x5tS256)))
        XCTAssertEqual(bySHA256?.client.id, "billing")
        XCTAssertEqual(bySHA256?.certificate.derBytes, billingCertificate.derBytes)
        // MSAL Python pads its thumbprints with '='.
        let padded = billing.x5tS256 + "="
        let byPadded = try await store.clientCertificate(matching: try XCTUnwrap(CertificateDigest(x5tS256: padded)))
        XCTAssertEqual(byPadded?.client.id, "billing")
        let bySHA1 = try await store.clientCertificate(matching: try XCTUnwrap(CertificateDigest(x5t: payroll.x5t + "=")))
        XCTAssertEqual(bySHA1?.client.id, "payroll")
        let byHex = try await store.clientCertificate(
            matching: try XCTUnwrap(CertificateDigest(hex: CertificateFingerprints(payrollCertificate).sha256Hex)))
        XCTAssertEqual(byHex?.client.id, "payroll")
        let unknown = try await store.clientCertificate(matching: .sha256(Array(SHA256.hash(data: [1, 2, 3]))))
        XCTAssertNil(unknown)
        XCTAssertNil(CertificateDigest(x5tS256: billing.x5t), "a SHA-1 is not a SHA-256 thumbprint")
        XCTAssertNil(CertificateDigest(x5tS256: "not base64url!"))

        // One certificate belongs to one client.
        let stolen = try ClientCertificate(clientID: "payroll", derBytes: billingCertificate.derBytes)
        let duplicate = await asyncError { try await store.addCertificate(stolen) }
        XCTAssertEqual(duplicate as? RegistrationStoreError, .certificateAlreadyRegistered(clientID: "billing"))

        let certificates = try await store.certificates(clientID: "billing")
        XCTAssertEqual(certificates.count, 1)
        XCTAssertTrue(certificates[0].isValid(at: Date()))
        XCTAssertFalse(certificates[0].isValid(at: Date().addingTimeInterval(3 * 86_400)))
        try await store.removeCertificate(clientID: "billing", sha256: billing.sha256)
        let removed = try await store.clientCertificate(matching: .sha256(billing.sha256))
        XCTAssertNil(removed)

        XCTAssertThrowsError(try ClientCertificate(clientID: "billing", fileBytes: Array("not a certificate".utf8)))
    }

    func testSubjectRuleComparesDistinguishedNamesNotStrings() throws {
        let directory = try makeTemporaryDirectory(self)
        let pki = try TestPKI(directory: directory)
        let leaf = try pki.issueClient(subject: "CN=billing,OU=Payments,O=Example Corp").certificate
        func rule(_ subject: String) throws -> SubjectIssuerRule {
            try SubjectIssuerRule(
                clientID: "billing", trustAnchors: [pki.root], subject: try SubjectIssuerRule.parseSubject(subject),
                alternativeNames: SubjectAlternativeNameMatchers())
        }
        XCTAssertTrue(try rule("CN=billing,OU=Payments,O=Example Corp").matchesIdentity(of: leaf))
        XCTAssertTrue(try rule("cn=BILLING, ou=payments, o=example  corp").matchesIdentity(of: leaf), "case and spacing")
        XCTAssertTrue(try rule("/O=Example Corp/OU=Payments/CN=billing").matchesIdentity(of: leaf), "OpenSSL's slash form")
        XCTAssertTrue(try rule("CN=billing, OU=Payments, O=\"Example Corp\"").matchesIdentity(of: leaf), ".NET display form")
        XCTAssertFalse(try rule("CN=billing,O=Example Corp").matchesIdentity(of: leaf), "a missing RDN")
        XCTAssertFalse(try rule("O=Example Corp,OU=Payments,CN=billing").matchesIdentity(of: leaf), "RDN order matters")
        XCTAssertFalse(try rule("CN=billing2,OU=Payments,O=Example Corp").matchesIdentity(of: leaf))
        XCTAssertThrowsError(try SubjectIssuerRule.parseSubject("CN=a,XX=b"))
    }

    func testSANMatchersRequireEveryListedName() throws {
        let directory = try makeTemporaryDirectory(self)
        let pki = try TestPKI(directory: directory)
        let leaf = try pki.issueClient(
            subject: "CN=svc",
            sans: ["DNS:svc.example.com", "URI:spiffe://example.org/ns/prod/sa/billing", "IP:2001:db8::1", "email:Ops@Example.com"]
        ).certificate
        func matches(dns: [String] = [], uris: [String] = [], ips: [String] = [], emails: [String] = []) throws -> Bool {
            try SubjectIssuerRule(
                clientID: "svc", trustAnchors: [pki.root], subject: nil,
                alternativeNames: try SubjectAlternativeNameMatchers(dnsNames: dns, uris: uris, ipAddresses: ips, emails: emails)
            ).matchesIdentity(of: leaf)
        }
        XCTAssertTrue(try matches(dns: ["SVC.example.com."]))
        XCTAssertFalse(try matches(dns: ["other.example.com"]))
        XCTAssertFalse(try matches(dns: ["*.example.com"]), "no wildcard expansion")
        XCTAssertTrue(try matches(uris: ["spiffe://example.org/ns/prod/sa/billing"]))
        XCTAssertFalse(try matches(uris: ["spiffe://example.org/ns/prod/sa/other"]))
        XCTAssertTrue(try matches(ips: ["2001:0db8:0:0:0:0:0:1"]), "addresses compare as bytes")
        XCTAssertFalse(try matches(ips: ["2001:db8::2"]))
        XCTAssertTrue(try matches(emails: ["ops@example.com"]))
        XCTAssertTrue(try matches(dns: ["svc.example.com"], uris: ["spiffe://example.org/ns/prod/sa/billing"]))
        XCTAssertFalse(try matches(dns: ["svc.example.com", "other.example.com"]), "every listed name must be present")

        XCTAssertThrowsError(try SubjectAlternativeNameMatchers(ipAddresses: ["300.1.1.1"]))
        XCTAssertThrowsError(try SubjectAlternativeNameMatchers(uris: ["no-scheme"]))
        XCTAssertThrowsError(
            try SubjectIssuerRule(clientID: "svc", trustAnchors: [pki.root], subject: nil, alternativeNames: SubjectAlternativeNameMatchers()),
            "a rule without a name would trust every certificate of the CA")
        XCTAssertThrowsError(
            try SubjectIssuerRule(
                clientID: "svc", trustAnchors: [], subject: try SubjectIssuerRule.parseSubject("CN=svc"),
                alternativeNames: SubjectAlternativeNameMatchers()))
    }

    func testRulesRoundTripThroughTheStoreAndMatchARenewedCertificate() async throws {
        let (store, _) = try makeStore(self)
        let directory = try makeTemporaryDirectory(self)
        let pki = try TestPKI(directory: directory)
        let otherCA = try TestPKI(directory: directory, name: "Other CA")
        try await store.addClient(try makeClient("billing", methods: [.tlsClientAuth, .privateKeyJWT]))
        let rule = try SubjectIssuerRule(
            clientID: "billing", trustAnchors: [pki.root], subject: try SubjectIssuerRule.parseSubject("CN=billing,O=Example"),
            alternativeNames: try SubjectAlternativeNameMatchers(dnsNames: ["billing.example.com"], ipAddresses: ["10.0.0.7"]))
        try await store.addSubjectIssuerRule(rule)

        let loaded = try await store.subjectIssuerRules(clientID: "billing")
        XCTAssertEqual(loaded.count, 1)
        let stored = try XCTUnwrap(loaded.first)
        XCTAssertEqual(stored.id, rule.id)
        XCTAssertEqual(stored.trustAnchors, [pki.root])
        XCTAssertEqual(stored.subjectText, "CN=billing,O=Example")
        XCTAssertEqual(stored.alternativeNames, rule.alternativeNames)

        // Two certificates issued one after the other (the original and its renewal) both match; the policy
        // settings carry the rule's CA, so the chain check uses it.
        for _ in 0..<2 {
            let issued = try pki.issueClient(subject: "CN=billing,O=Example", sans: ["DNS:billing.example.com", "IP:10.0.0.7"])
            XCTAssertTrue(stored.matchesIdentity(of: issued.certificate))
            let verdict = await CertificatePolicy(stored.policySettings()).evaluate(issued.chain)
            XCTAssertTrue(verdict.isAccepted, "\(verdict)")
        }
        let foreign = try otherCA.issueClient(subject: "CN=billing,O=Example", sans: ["DNS:billing.example.com", "IP:10.0.0.7"])
        let foreignVerdict = await CertificatePolicy(stored.policySettings()).evaluate(foreign.chain)
        XCTAssertFalse(foreignVerdict.isAccepted, "right names, wrong CA")

        try await store.removeSubjectIssuerRule(clientID: "billing", ruleID: rule.id)
        let afterRemoval = try await store.subjectIssuerRules(clientID: "billing")
        XCTAssertTrue(afterRemoval.isEmpty)
        let again = await asyncError { try await store.removeSubjectIssuerRule(clientID: "billing", ruleID: rule.id) }
        XCTAssertEqual(again as? RegistrationStoreError, .unknownRule(clientID: "billing", ruleID: rule.id.uuidString.lowercased()))
    }
}
