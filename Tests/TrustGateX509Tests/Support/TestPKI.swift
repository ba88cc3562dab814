import Crypto
import Foundation
import SwiftASN1
import X509
import XCTest
import _CryptoExtras

/// Test-only certificate factory (root, intermediate, leaf; EC P-256/P-384, RSA, Ed25519), PEM helpers,
/// temporary directories and a runner for external tools (openssl, curl) that skips when a tool is missing.
enum TestPKI {
    enum KeyKind: Sendable {
        case p256, p384, p521, rsa2048, ed25519
    }

    /// A certificate and its private key.
    struct Identity: Sendable {
        let certificate: Certificate
        let key: Certificate.PrivateKey
    }

    /// A fixed instant tests can build validity periods around (2025-01-01T00:00:00Z).
    static let referenceDate = Date(timeIntervalSince1970: 1_735_689_600)

    /// RSA key generation takes tens of milliseconds; tests share one key per process.
    static let sharedRSAKey: Certificate.PrivateKey? = try? Certificate.PrivateKey(
        _RSA.Signing.PrivateKey(keySize: .bits2048))

    static func makeKey(_ kind: KeyKind = .p256) throws -> Certificate.PrivateKey {
        switch kind {
        case .p256: return Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .p384: return Certificate.PrivateKey(P384.Signing.PrivateKey())
        case .p521: return Certificate.PrivateKey(P521.Signing.PrivateKey())
        case .ed25519: return Certificate.PrivateKey(Curve25519.Signing.PrivateKey())
        case .rsa2048:
            guard let key = sharedRSAKey else { throw XCTSkip("RSA key generation failed") }
            return key
        }
    }

    /// "CN=<commonName>, O=TrustGate Tests, C=US" (as DER: C, O, CN).
    static func name(_ commonName: String, organization: String? = "TrustGate Tests", country: String? = "US") throws
        -> DistinguishedName
    {
        try DistinguishedName {
            if let country { CountryName(country) }
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
    }

    static func signatureAlgorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        let supported = key.supportedSignatureAlgorithms
        if supported.contains(.ed25519) { return .ed25519 }
        if supported.contains(.sha256WithRSAEncryption) { return .sha256WithRSAEncryption }
        return .ecdsaWithSHA256
    }

    /// A self-signed CA certificate.
    static func makeRoot(
        name commonName: String = "TrustGate Test Root CA",
        key: Certificate.PrivateKey? = nil,
        subject: DistinguishedName? = nil,
        notBefore: Date = referenceDate.addingTimeInterval(-86_400),
        notAfter: Date = referenceDate.addingTimeInterval(20 * 365 * 86_400)
    ) throws -> Identity {
        let key = try key ?? makeKey()
        let subject = try subject ?? name(commonName)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: signatureAlgorithm(for: key),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key
        )
        return Identity(certificate: certificate, key: key)
    }

    /// A CA certificate issued by `issuer`.
    static func makeIntermediate(
        name commonName: String = "TrustGate Test Intermediate CA",
        issuer: Identity,
        key: Certificate.PrivateKey? = nil,
        pathLength: Int? = 0,
        notBefore: Date = referenceDate.addingTimeInterval(-86_400),
        notAfter: Date = referenceDate.addingTimeInterval(10 * 365 * 86_400)
    ) throws -> Identity {
        let key = try key ?? makeKey()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer.certificate.subject,
            subject: try name(commonName),
            signatureAlgorithm: signatureAlgorithm(for: issuer.key),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: pathLength))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: issuer.key.publicKey).keyIdentifier))
            },
            issuerPrivateKey: issuer.key
        )
        return Identity(certificate: certificate, key: key)
    }

    /// An end-entity certificate issued by `issuer`, or self-signed when `issuer` is nil.
    static func makeLeaf(
        name commonName: String = "client.example.com",
        subject: DistinguishedName? = nil,
        issuer: Identity?,
        key: Certificate.PrivateKey? = nil,
        sans: [GeneralName] = [],
        eku: [ExtendedKeyUsage.Usage]? = [.clientAuth],
        keyUsage: KeyUsage? = KeyUsage(digitalSignature: true),
        serialNumber: Certificate.SerialNumber = Certificate.SerialNumber(),
        notBefore: Date = referenceDate.addingTimeInterval(-3_600),
        notAfter: Date = referenceDate.addingTimeInterval(90 * 86_400)
    ) throws -> Identity {
        let key = try key ?? makeKey()
        let subject = try subject ?? name(commonName)
        let signer = issuer?.key ?? key
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            if let issuer {
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(SubjectKeyIdentifier(hash: issuer.key.publicKey).keyIdentifier))
            }
            if let keyUsage { Critical(keyUsage) }
            if let eku { try ExtendedKeyUsage(eku) }
            if !sans.isEmpty { SubjectAlternativeNames(sans) }
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: serialNumber,
            publicKey: key.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer?.certificate.subject ?? subject,
            subject: subject,
            signatureAlgorithm: signatureAlgorithm(for: signer),
            extensions: extensions,
            issuerPrivateKey: signer
        )
        return Identity(certificate: certificate, key: key)
    }

    /// A root, an intermediate and a leaf (leaf first), all EC P-256 unless keys are given. The leaf's SANs default
    /// to a dNSName equal to `leafName`.
    static func makeChain(
        leafName: String = "client.example.com",
        leafKey: Certificate.PrivateKey? = nil,
        sans: [GeneralName]? = nil
    ) throws -> (leaf: Identity, intermediate: Identity, root: Identity) {
        let root = try makeRoot()
        let intermediate = try makeIntermediate(issuer: root)
        let leaf = try makeLeaf(name: leafName, issuer: intermediate, key: leafKey, sans: sans ?? [.dnsName(leafName)])
        return (leaf, intermediate, root)
    }

    // MARK: - Encodings

    static func pem(_ certificates: [Certificate]) throws -> String {
        try certificates.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
    }

    static func pem(_ key: Certificate.PrivateKey) throws -> String {
        try key.serializeAsPEM().pemString + "\n"
    }

    // MARK: - Files and processes

    /// A fresh empty directory under the system temp directory. Remove it when done (see
    /// `XCTestCase.makeTemporaryDirectory()`, which does so automatically).
    static func tempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("trustgate-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The absolute path of `executable` on PATH, or nil.
    static func which(_ executable: String) -> String? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct ProcessResult {
        let status: Int32
        let stdout: [UInt8]
        let stderr: [UInt8]
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` (looked up on PATH) with `arguments`, feeding `stdin`. Throws `XCTSkip` when the tool is
    /// not installed. Output goes through temporary files, so large outputs cannot dead-lock on a full pipe.
    @discardableResult
    static func runProcess(
        _ executable: String,
        _ arguments: [String],
        stdin: [UInt8] = [],
        environment: [String: String]? = nil
    ) throws -> ProcessResult {
        guard let path = which(executable) else {
            throw XCTSkip("'\(executable)' is not installed (not found on PATH); skipping this cross-check")
        }
        let directory = try tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(stdin).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? input.close()
            try? output.close()
            try? error.close()
        }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: Array(try Data(contentsOf: outputURL)),
            stderr: Array(try Data(contentsOf: errorURL))
        )
    }

    /// Runs openssl and fails the test (with its stderr) when it exits non-zero.
    @discardableResult
    static func openssl(_ arguments: [String], stdin: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line)
        throws -> ProcessResult
    {
        let result = try runProcess("openssl", arguments, stdin: stdin)
        if result.status != 0 {
            XCTFail("openssl \(arguments.joined(separator: " ")) failed: \(result.stderrText)", file: file, line: line)
        }
        return result
    }
}

extension XCTestCase {
    /// A fresh temporary directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = try TestPKI.tempDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
