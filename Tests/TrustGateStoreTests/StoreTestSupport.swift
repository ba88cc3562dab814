import Foundation
import TrustGateX509
import X509
import XCTest

@testable import TrustGateStore

/// A fresh directory per test; removed by the caller's `addTeardownBlock`.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trustgate-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// A new store file in a fresh directory.
func makeStore(_ testCase: XCTestCase, name: String = "trustgate.db") throws -> (store: SQLiteRegistrationStore, path: String) {
    let path = try makeTemporaryDirectory(testCase).appendingPathComponent(name).path
    return (try SQLiteRegistrationStore(path: path), path)
}

/// Every byte the store wrote: the database, its WAL and shared-memory files.
func storeFileBytes(_ path: String) -> [UInt8] {
    [path, path + "-wal", path + "-shm"].flatMap { file in
        FileManager.default.contents(atPath: file).map(Array.init) ?? []
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run.
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        let first = needle[0]
        var index = 0
        while index <= count - needle.count {
            if self[index] == first, Array(self[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }
}

/// A small CA issuing client certificates, made with the foundation's PKI code.
struct TestPKI {
    let authority: CertificateAuthority
    let directory: URL

    init(directory: URL, name: String = "Test CA") throws {
        self.directory = directory
        let now = Date()
        authority = try CertificateAuthority.create(
            in: directory.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-")).path,
            options: CertificateAuthority.Options(
                rootSubject: try DistinguishedName(parsing: "CN=\(name),O=TrustGate Tests"),
                keyAlgorithm: .ecP256,
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400 * 30))))
    }

    var root: Certificate { authority.root }

    /// A client certificate with the given subject and SANs (`DNS:…`, `URI:…`, `IP:…`, `email:…`).
    func issueClient(subject: String, sans: [String] = []) throws -> IssuedCertificate {
        var names: [GeneralName] = []
        for san in sans {
            let parts = san.split(separator: ":", maxSplits: 1).map(String.init)
            switch parts[0] {
            case "DNS": names.append(try SubjectAlternativeNameText.dnsName(parts[1]))
            case "URI": names.append(try SubjectAlternativeNameText.uri(parts[1]))
            case "IP": names.append(try SubjectAlternativeNameText.ipAddress(parts[1]))
            case "email": names.append(try SubjectAlternativeNameText.email(parts[1]))
            default: XCTFail("unknown SAN kind \(san)")
            }
        }
        let now = Date()
        return try authority.issue(
            IssuanceRequest(
                profile: .client, subject: try DistinguishedName(parsing: subject), subjectAlternativeNames: names,
                validity: try ValidityPeriod(notBefore: now.addingTimeInterval(-600), notAfter: now.addingTimeInterval(86_400)),
                keyAlgorithm: .ecP256))
    }

    /// Writes a certificate as PEM or DER and returns the path.
    func write(_ certificate: Certificate, name: String, der: Bool = false) throws -> String {
        let url = directory.appendingPathComponent(name)
        if der {
            try Data(certificate.derBytes).write(to: url)
        } else {
            try PEMSerialization.certificates([certificate]).write(to: url, atomically: true, encoding: .utf8)
        }
        return url.path
    }
}

func makeClient(_ id: String, methods: Set<ClientAuthenticationMethod> = [.privateKeyJWT], lifetime: Int = 3600) throws -> Client {
    try Client(id: id, name: "Client \(id)", authenticationMethods: methods, tokenLifetime: TokenLifetime(seconds: lifetime))
}

/// Awaits an async throwing call and returns its error (XCTAssertThrowsError has no async form).
func asyncError(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
