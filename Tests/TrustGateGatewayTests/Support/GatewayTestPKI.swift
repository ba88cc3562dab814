import Foundation
import TrustGateConfiguration
import TrustGateX509
import SwiftASN1
import X509
import TrustGateGateway

/// A throwaway PKI on disk for gateway tests, made with TrustGate's own CA code: a root + intermediate, a
/// server certificate for localhost / 127.0.0.1 / other.test, and client certificates — valid, expired,
/// revoked, issued by a foreign CA, and one without the clientAuth purpose.
struct GatewayTestPKI {
    let directory: String
    let authority: CertificateAuthority
    let caFile: String
    let crlFile: String
    let rootCRLFile: String
    let server: Credential
    let client: Credential
    let secondClient: Credential
    let expired: Credential
    let revoked: Credential
    let foreign: Credential
    let serverPurposeOnly: Credential

    struct Credential {
        let chainFile: String
        let keyFile: String
        let issued: IssuedCertificate
        var chainDER: [[UInt8]] { issued.chain.map(\.derBytes) }
        var leafDER: [UInt8] { issued.certificate.derBytes }
        var pair: CertificateKeyPair { CertificateKeyPair(chain: issued.chain, privateKey: issued.privateKey) }
    }

    init() throws {
        let directory = NSTemporaryDirectory() + "trustgate-gw-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        let now = Date()
        let long = try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30))
        let authority = try CertificateAuthority.create(
            in: directory + "/ca",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Gateway Test Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-7200), notAfter: now.addingTimeInterval(86_400 * 60)),
                intermediateSubject: try DistinguishedName { CommonName("Gateway Test Intermediate") }))
        self.authority = authority
        caFile = directory + "/ca.pem"
        try PEMSerialization.certificates([authority.root]).write(toFile: caFile, atomically: true, encoding: .utf8)

        func issue(_ name: String, profile: IssuanceProfile, names: [GeneralName] = [], validity: ValidityPeriod, by ca: CertificateAuthority) throws -> Credential {
            let issued = try ca.issue(IssuanceRequest(
                profile: profile, subject: try DistinguishedName { CommonName(name) },
                subjectAlternativeNames: names, validity: validity), now: now)
            let chainFile = directory + "/\(name).pem"
            let keyFile = directory + "/\(name).key"
            try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
            try PEMSerialization.privateKey(issued.privateKey).write(toFile: keyFile, atomically: true, encoding: .utf8)
            return Credential(chainFile: chainFile, keyFile: keyFile, issued: issued)
        }

        server = try issue("server", profile: .server, names: [.dnsName("localhost"), .dnsName("other.test"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))], validity: long, by: authority)
        client = try issue("client", profile: .client, names: [.uniformResourceIdentifier("spiffe://test/client")], validity: long, by: authority)
        secondClient = try issue("client-two", profile: .client, names: [.uniformResourceIdentifier("spiffe://test/other")], validity: long, by: authority)
        expired = try issue("client-expired", profile: .client, validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-86_400 * 3), notAfter: now.addingTimeInterval(-86_400)), by: authority)
        revoked = try issue("client-revoked", profile: .client, validity: long, by: authority)
        serverPurposeOnly = try issue("client-server-eku", profile: .server, names: [.dnsName("wrong.test")], validity: long, by: authority)
        _ = try authority.revoke(certificate: revoked.issued.certificate)

        let crl = try authority.makeCRL(validity: 86_400 * 7, now: now)
        crlFile = directory + "/intermediate.crl.pem"
        try crl.pemString.write(toFile: crlFile, atomically: true, encoding: .utf8)
        let rootCRL = try authority.makeCRL(validity: 86_400 * 7, now: now, signer: .root)
        rootCRLFile = directory + "/root.crl.pem"
        try rootCRL.pemString.write(toFile: rootCRLFile, atomically: true, encoding: .utf8)

        let other = try CertificateAuthority.create(
            in: directory + "/other-ca",
            options: .init(rootSubject: try DistinguishedName { CommonName("Foreign Root") }, validity: long))
        foreign = try issue("client-foreign", profile: .client, validity: long, by: other)
    }

    /// The policy the tests use: this PKI's root, clientAuth required, CRLs for the whole chain.
    func policy(identity: IdentityRequirement = IdentityRequirement()) throws -> CertificatePolicySettings {
        let yaml = """
        trust:
          anchors: [\(caFile)]
        usage:
          require_client_auth: true
        revocation:
          mode: chain
          crls: [\(crlFile), \(rootCRLFile)]
          require_crl: true
        """
        var settings = try CertificatePolicyConfiguration.parse(ConfigurationNode.parse(yaml, file: directory + "/policy.yaml"))
        settings.identity = identity
        return settings
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
