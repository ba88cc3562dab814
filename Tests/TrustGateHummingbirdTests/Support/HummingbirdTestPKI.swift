import Foundation
import SwiftASN1
import TrustGateConfiguration
import TrustGateX509
import X509

/// A throwaway PKI on disk, made with TrustGate's own CA code: root + intermediate, a server certificate for
/// localhost / 127.0.0.1, a client certificate, and one from a foreign CA (which the policy rejects).
struct HummingbirdTestPKI {
    let directory: String
    let caFile: String
    let server: Credential
    let client: Credential
    /// The API connector of the LoyaltyAPI example (its policy names this common name).
    let connector: Credential
    let foreign: Credential

    struct Credential {
        let chainFile: String
        let keyFile: String
        let issued: IssuedCertificate
        var chainDER: [[UInt8]] { issued.chain.map(\.derBytes) }
    }

    init() throws {
        let directory = NSTemporaryDirectory() + "trustgate-hb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        let now = Date()
        let validity = try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30))
        let authority = try CertificateAuthority.create(
            in: directory + "/ca",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Hummingbird Test Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-7200), notAfter: now.addingTimeInterval(86_400 * 60)),
                intermediateSubject: try DistinguishedName { CommonName("Hummingbird Test Intermediate") }))
        caFile = directory + "/ca.pem"
        try PEMSerialization.certificates([authority.root]).write(toFile: caFile, atomically: true, encoding: .utf8)

        func issue(_ name: String, profile: IssuanceProfile, names: [GeneralName] = [], by ca: CertificateAuthority) throws -> Credential {
            let issued = try ca.issue(IssuanceRequest(
                profile: profile, subject: try DistinguishedName { CommonName(name) },
                subjectAlternativeNames: names, validity: validity), now: now)
            let chainFile = directory + "/\(name).pem"
            let keyFile = directory + "/\(name).key"
            try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
            try PEMSerialization.privateKey(issued.privateKey).write(toFile: keyFile, atomically: true, encoding: .utf8)
            return Credential(chainFile: chainFile, keyFile: keyFile, issued: issued)
        }

        server = try issue("server", profile: .server, names: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))], by: authority)
        client = try issue("loyalty-client", profile: .client, names: [.uniformResourceIdentifier("spiffe://test/b2c")], by: authority)
        connector = try issue("b2c-api-connector", profile: .client, by: authority)
        let other = try CertificateAuthority.create(
            in: directory + "/other-ca",
            options: .init(rootSubject: try DistinguishedName { CommonName("Foreign Root") }, validity: validity))
        foreign = try issue("foreign-client", profile: .client, by: other)
    }

    /// This PKI's root as the only anchor, clientAuth required.
    func policySettings() throws -> CertificatePolicySettings {
        let yaml = """
        trust:
          anchors: [\(caFile)]
        usage:
          require_client_auth: true
        """
        return try CertificatePolicyConfiguration.parse(ConfigurationNode.parse(yaml, file: directory + "/policy.yaml"))
    }

    func policy() throws -> CertificatePolicy { CertificatePolicy(try policySettings()) }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
