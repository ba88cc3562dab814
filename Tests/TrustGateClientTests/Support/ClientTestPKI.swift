import Foundation
import SwiftASN1
import TrustGateConfiguration
import TrustGateX509
import X509
import XCTest

/// A throwaway PKI on disk, made with TrustGate's CA code: root + intermediate, a server certificate for
/// localhost / 127.0.0.1, an RSA client (the API connector; RSA so assertions can be PS256/RS256), an EC client,
/// and a client from a foreign CA that the server's policy rejects.
struct ClientTestPKI {
    let directory: String
    let caFile: String
    let server: Credential
    let connector: Credential
    let ecClient: Credential
    let foreign: Credential

    struct Credential {
        let chainFile: String
        let keyFile: String
        let issued: IssuedCertificate
        var chainDER: [[UInt8]] { issued.chain.map(\.derBytes) }
        var leaf: Certificate { issued.certificate }
    }

    init() throws {
        let directory = NSTemporaryDirectory() + "trustgate-client-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        let now = Date()
        let validity = try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30))
        let authority = try CertificateAuthority.create(
            in: directory + "/ca",
            options: .init(
                rootSubject: try DistinguishedName { CommonName("Client Test Root") },
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-7200), notAfter: now.addingTimeInterval(86_400 * 60)),
                intermediateSubject: try DistinguishedName { CommonName("Client Test Intermediate") }))
        caFile = directory + "/ca.pem"
        try PEMSerialization.certificates([authority.root]).write(toFile: caFile, atomically: true, encoding: .utf8)

        func issue(_ name: String, profile: IssuanceProfile, names: [GeneralName] = [], key: KeyAlgorithm = .ecP256, by ca: CertificateAuthority) throws -> Credential {
            let issued = try ca.issue(IssuanceRequest(
                profile: profile, subject: try DistinguishedName { CommonName(name) },
                subjectAlternativeNames: names, validity: validity, keyAlgorithm: key), now: now)
            let chainFile = directory + "/\(name).pem"
            let keyFile = directory + "/\(name).key"
            try PEMSerialization.certificates(issued.chain).write(toFile: chainFile, atomically: true, encoding: .utf8)
            try PEMSerialization.privateKey(issued.privateKey).write(toFile: keyFile, atomically: true, encoding: .utf8)
            return Credential(chainFile: chainFile, keyFile: keyFile, issued: issued)
        }

        server = try issue("server", profile: .server, names: [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))], by: authority)
        connector = try issue("b2c-api-connector", profile: .client, key: .rsa2048, by: authority)
        ecClient = try issue("ec-connector", profile: .client, by: authority)
        let other = try CertificateAuthority.create(
            in: directory + "/other-ca",
            options: .init(rootSubject: try DistinguishedName { CommonName("Foreign Root") }, validity: validity))
        foreign = try issue("foreign-client", profile: .client, by: other)
    }

    /// This PKI's root as the only anchor, clientAuth required.
    func policy() throws -> CertificatePolicy {
        let yaml = """
        trust:
          anchors: [\(caFile)]
        usage:
          require_client_auth: true
        """
        return CertificatePolicy(try CertificatePolicyConfiguration.parse(ConfigurationNode.parse(yaml, file: directory + "/policy.yaml")))
    }

    /// A PFX of `credential` made by `openssl pkcs12 -export` (OpenSSL 3 defaults: AES-256-CBC, PBKDF2).
    func pfx(_ credential: Credential, password: String) throws -> String {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else { throw XCTSkip("openssl is not installed") }
        let path = directory + "/\(UUID().uuidString).pfx"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "pkcs12", "-export", "-in", credential.chainFile, "-inkey", credential.keyFile, "-out", path, "-passout", "env:TEST_PFX_PASSWORD",
        ]
        process.environment = ["TEST_PFX_PASSWORD": password, "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("openssl pkcs12 -export failed") }
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
